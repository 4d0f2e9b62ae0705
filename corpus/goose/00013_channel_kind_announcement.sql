-- +goose NO TRANSACTION
-- ALTER TYPE ... ADD VALUE gets its own file: the new label cannot be used in
-- the transaction that adds it.

-- +goose Up
ALTER TYPE channel_kind ADD VALUE IF NOT EXISTS 'announcement' AFTER 'private';

-- +goose Down
-- Postgres cannot drop an enum label, so the type is rebuilt without it.
UPDATE channels SET kind = 'public' WHERE kind = 'announcement';
ALTER TYPE channel_kind RENAME TO channel_kind_old;
CREATE TYPE channel_kind AS ENUM ('public', 'private', 'direct');
ALTER TABLE channels ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE channels ALTER COLUMN kind TYPE channel_kind USING kind::text::channel_kind;
ALTER TABLE channels ALTER COLUMN kind SET DEFAULT 'public';
DROP TYPE channel_kind_old;
