-- +goose Up
CREATE INDEX messages_edited_at_idx ON messages (edited_at) WHERE edited_at IS NOT NULL;

-- +goose Down
DROP INDEX messages_edited_at_idx;
