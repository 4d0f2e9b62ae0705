LOCK TABLE invoices IN ACCESS EXCLUSIVE MODE;

ALTER TABLE invoices ADD COLUMN void_reason TEXT;

UPDATE invoices SET void_reason = 'legacy' WHERE status = 'void';

ALTER TABLE invoices
    ADD CONSTRAINT invoices_void_reason_check CHECK (status <> 'void' OR void_reason IS NOT NULL);
