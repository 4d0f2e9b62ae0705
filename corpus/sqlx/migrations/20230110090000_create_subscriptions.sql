CREATE TYPE subscription_status AS ENUM ('trialing', 'active', 'past_due', 'canceled');

CREATE TABLE subscriptions (
    id                   BIGSERIAL PRIMARY KEY,
    account_id           UUID                NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    plan_id              INTEGER             NOT NULL REFERENCES plans (id),
    status               subscription_status NOT NULL DEFAULT 'trialing',
    current_period_start TIMESTAMPTZ         NOT NULL DEFAULT now(),
    current_period_end   TIMESTAMPTZ         NOT NULL,
    canceled_at          TIMESTAMPTZ,
    created_at           TIMESTAMPTZ         NOT NULL DEFAULT now()
);

CREATE INDEX subscriptions_account_id_idx ON subscriptions (account_id);

-- at most one live subscription per account
CREATE UNIQUE INDEX subscriptions_one_live_per_account
    ON subscriptions (account_id)
    WHERE canceled_at IS NULL;
