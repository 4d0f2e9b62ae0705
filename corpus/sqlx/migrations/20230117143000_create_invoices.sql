CREATE TABLE invoices (
    id                BIGSERIAL PRIMARY KEY,
    account_id        UUID        NOT NULL REFERENCES accounts (id),
    subscription_id   BIGINT      REFERENCES subscriptions (id) ON DELETE SET NULL,
    number            VARCHAR(32) UNIQUE,
    status            VARCHAR(16) NOT NULL DEFAULT 'draft',
    amount_due_cents  INTEGER     NOT NULL,
    amount_paid_cents INTEGER     NOT NULL DEFAULT 0,
    currency          CHAR(3),
    issued_at         TIMESTAMPTZ,
    due_at            TIMESTAMPTZ,
    paid_at           TIMESTAMPTZ,
    CONSTRAINT invoices_status_check
        CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible'))
);

CREATE TABLE invoice_line_items (
    id                BIGSERIAL PRIMARY KEY,
    invoice_id        BIGINT  NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    description       TEXT    NOT NULL,
    quantity          INTEGER NOT NULL DEFAULT 1,
    unit_amount_cents INTEGER NOT NULL,
    amount_cents      INTEGER GENERATED ALWAYS AS (quantity * unit_amount_cents) STORED
);

CREATE INDEX invoice_line_items_invoice_id_idx ON invoice_line_items (invoice_id);
