-- no-transaction
DROP INDEX CONCURRENTLY IF EXISTS flag_audit_flag_id_changed_at_idx;
