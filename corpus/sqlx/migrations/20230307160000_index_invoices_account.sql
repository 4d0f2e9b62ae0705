-- no-transaction
-- sqlx sends this file as a single query, so keep it to one statement.
CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_account_id_issued_at_idx
    ON invoices (account_id, issued_at DESC);
