-- Per-flag salt for percentage rollouts, so two flags at 10% do not select
-- the same 10% of users.
ALTER TABLE flags ADD COLUMN evaluation_salt UUID NOT NULL DEFAULT gen_random_uuid();
