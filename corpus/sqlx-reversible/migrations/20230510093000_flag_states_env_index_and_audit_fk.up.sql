CREATE INDEX flag_states_environment_id_idx ON flag_states (environment_id);

ALTER TABLE flag_audit
    ADD CONSTRAINT flag_audit_flag_id_fkey
    FOREIGN KEY (flag_id) REFERENCES flags (id) ON DELETE CASCADE;
