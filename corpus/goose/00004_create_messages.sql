-- +goose Up
CREATE TABLE messages (
    id         BIGSERIAL PRIMARY KEY,
    channel_id BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    author_id  BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    edited_at  TIMESTAMPTZ
);

-- channel history is always read newest-first
CREATE INDEX messages_channel_id_created_at_idx ON messages (channel_id, created_at DESC);

-- +goose Down
DROP TABLE messages;
