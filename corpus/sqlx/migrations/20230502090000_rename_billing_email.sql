ALTER TABLE accounts RENAME COLUMN billing_email TO invoice_email;
ALTER TABLE plans ALTER COLUMN name TYPE TEXT;
