CREATE SEQUENCE IF NOT EXISTS invoice_number_seq START WITH 1000;

-- INV-2023-001000 style numbers; the year prefix is informational only.
CREATE OR REPLACE FUNCTION next_invoice_number() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    n := nextval('invoice_number_seq');
    RETURN format('INV-%s-%s', to_char(now(), 'YYYY'), lpad(n::text, 6, '0'));
END;
$$;

ALTER TABLE invoices ALTER COLUMN number SET DEFAULT next_invoice_number();
