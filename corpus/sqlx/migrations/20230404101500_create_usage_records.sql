-- Metered usage reported by the API gateway. subscription_id is not a foreign
-- key on purpose: usage arrives before the subscription row is replicated.
CREATE TABLE usage_records (
    id              BIGSERIAL PRIMARY KEY,
    subscription_id BIGINT      NOT NULL,
    metric          VARCHAR(64) NOT NULL,
    quantity        BIGINT      NOT NULL CHECK (quantity >= 0),
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX usage_records_subscription_id_recorded_at_idx
    ON usage_records (subscription_id, recorded_at);
