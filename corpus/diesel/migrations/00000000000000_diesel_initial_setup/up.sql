-- Helper functions that diesel sets up for every PostgreSQL project.
-- Editing this file is fine; diesel only writes it once, at `diesel setup`.

-- Usage, after creating a table that has an `updated_at` column:
--
--   SELECT diesel_manage_updated_at('my_table');
--
-- installs a BEFORE UPDATE trigger that stamps `updated_at` with the current
-- time on every real change, unless the UPDATE already set `updated_at` itself.

CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s '
        'FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()',
        _tbl
    );
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$
BEGIN
    -- only touch the timestamp when something changed and the caller did
    -- not choose a value for it
    IF NEW IS DISTINCT FROM OLD
       AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
