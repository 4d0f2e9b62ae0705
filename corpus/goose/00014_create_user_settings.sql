-- +goose Up
CREATE TABLE IF NOT EXISTS user_settings (
    user_id      BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    theme        TEXT    NOT NULL DEFAULT 'system',
    timezone     TEXT    NOT NULL DEFAULT 'UTC',
    email_digest BOOLEAN NOT NULL DEFAULT true
);

INSERT INTO user_settings (user_id)
SELECT id FROM users
ON CONFLICT (user_id) DO NOTHING;

-- +goose Down
DROP TABLE IF EXISTS user_settings;
