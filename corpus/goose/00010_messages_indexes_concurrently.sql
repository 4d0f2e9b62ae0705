-- +goose NO TRANSACTION
-- messages is our biggest table: build these without blocking writers.
-- goose runs each statement of a NO TRANSACTION file on its own, so both
-- indexes can live in this one file.

-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_parent_id_idx
    ON messages (parent_id)
    WHERE parent_id IS NOT NULL;

CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_author_id_idx
    ON messages (author_id);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS messages_author_id_idx;
DROP INDEX CONCURRENTLY IF EXISTS messages_parent_id_idx;
