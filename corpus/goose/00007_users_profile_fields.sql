-- +goose Up
ALTER TABLE users ADD COLUMN avatar_url TEXT;
ALTER TABLE users ADD COLUMN status_text VARCHAR(140);
ALTER TABLE users ADD COLUMN last_seen_at TIMESTAMPTZ;
-- constant default: no table rewrite on PG 11+
ALTER TABLE users ADD COLUMN is_bot BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE users DROP COLUMN is_bot;
ALTER TABLE users DROP COLUMN last_seen_at;
ALTER TABLE users DROP COLUMN status_text;
ALTER TABLE users DROP COLUMN avatar_url;
