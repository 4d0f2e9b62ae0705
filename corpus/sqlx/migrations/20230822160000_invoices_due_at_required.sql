UPDATE invoices SET due_at = coalesce(issued_at, now()) + INTERVAL '30 days' WHERE due_at IS NULL;
ALTER TABLE invoices ALTER COLUMN due_at SET NOT NULL;
