CREATE TABLE payments (
    id           BIGSERIAL PRIMARY KEY,
    invoice_id   BIGINT       NOT NULL REFERENCES invoices (id),
    provider     VARCHAR(20)  NOT NULL,
    provider_ref VARCHAR(100) NOT NULL,
    amount_cents BIGINT       NOT NULL CHECK (amount_cents > 0),
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE INDEX payments_invoice_id_idx ON payments (invoice_id);

CREATE FUNCTION payments_apply_to_invoice() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoices
       SET amount_paid_cents = amount_paid_cents + NEW.amount_cents,
           status  = CASE WHEN amount_paid_cents + NEW.amount_cents >= amount_due_cents
                          THEN 'paid' ELSE status END,
           paid_at = CASE WHEN amount_paid_cents + NEW.amount_cents >= amount_due_cents
                          THEN now() ELSE paid_at END
     WHERE id = NEW.invoice_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER payments_apply_to_invoice
    AFTER INSERT ON payments
    FOR EACH ROW EXECUTE FUNCTION payments_apply_to_invoice();
