CREATE TABLE flag_audit (
    id             BIGSERIAL PRIMARY KEY,
    flag_id        INTEGER     NOT NULL,
    environment_id SMALLINT    NOT NULL,
    old_enabled    BOOLEAN,
    new_enabled    BOOLEAN     NOT NULL,
    changed_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION flag_states_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.enabled IS DISTINCT FROM OLD.enabled THEN
        INSERT INTO flag_audit (flag_id, environment_id, old_enabled, new_enabled)
        VALUES (NEW.flag_id, NEW.environment_id,
                CASE WHEN TG_OP = 'UPDATE' THEN OLD.enabled END,
                NEW.enabled);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER flag_states_audit
    AFTER INSERT OR UPDATE ON flag_states
    FOR EACH ROW EXECUTE FUNCTION flag_states_audit();
