-- +goose Up
UPDATE users SET last_seen_at = created_at WHERE last_seen_at IS NULL;
ALTER TABLE users ALTER COLUMN last_seen_at SET NOT NULL;
ALTER TABLE users ALTER COLUMN last_seen_at SET DEFAULT now();

-- +goose Down
ALTER TABLE users ALTER COLUMN last_seen_at DROP DEFAULT;
ALTER TABLE users ALTER COLUMN last_seen_at DROP NOT NULL;
