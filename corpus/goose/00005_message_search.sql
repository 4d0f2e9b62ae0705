-- Full text search over message bodies. The tsvector is kept up to date by a
-- trigger rather than a generated column so we can change the config later
-- without rewriting the table.

-- +goose Up
ALTER TABLE messages ADD COLUMN search_vector tsvector;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION messages_search_vector_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := to_tsvector('simple', coalesce(NEW.body, ''));
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER messages_search_vector_trg
    BEFORE INSERT OR UPDATE OF body ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_search_vector_update();

CREATE INDEX messages_search_vector_idx ON messages USING gin (search_vector);

-- +goose Down
DROP INDEX messages_search_vector_idx;
DROP TRIGGER messages_search_vector_trg ON messages;
DROP FUNCTION messages_search_vector_update();
ALTER TABLE messages DROP COLUMN search_vector;
