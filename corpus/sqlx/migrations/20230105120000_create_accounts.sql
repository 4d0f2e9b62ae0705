-- Add migration script here
CREATE TABLE accounts (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name          TEXT NOT NULL,
    billing_email TEXT NOT NULL,
    country       CHAR(2),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
