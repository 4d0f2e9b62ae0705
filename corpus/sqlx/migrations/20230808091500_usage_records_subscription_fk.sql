ALTER TABLE usage_records
    ADD CONSTRAINT usage_records_subscription_id_fkey
    FOREIGN KEY (subscription_id) REFERENCES subscriptions (id);
