-- no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS flag_audit_flag_id_changed_at_idx
    ON flag_audit (flag_id, changed_at DESC);
