ALTER TABLE flag_audit DROP CONSTRAINT flag_audit_flag_id_fkey;
DROP INDEX flag_states_environment_id_idx;
