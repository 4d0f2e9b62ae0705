-- no-transaction
ALTER TYPE subscription_status ADD VALUE IF NOT EXISTS 'paused' AFTER 'past_due';
