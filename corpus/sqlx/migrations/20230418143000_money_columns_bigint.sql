-- Enterprise invoices overflowed int4 cents. Move the money columns to bigint.
ALTER TABLE plans ALTER COLUMN monthly_price_cents TYPE BIGINT;

ALTER TABLE invoices
    ALTER COLUMN amount_due_cents TYPE BIGINT,
    ALTER COLUMN amount_paid_cents TYPE BIGINT;
