-- One-off cleanup before the channel-name rules ship. Take the lock up front
-- so the rename and the constraint see the same set of rows.

-- +goose Up
LOCK TABLE channels IN ACCESS EXCLUSIVE MODE;

UPDATE channels SET archived = true, name = 'general-legacy' WHERE id = 1 AND name = 'General';

ALTER TABLE channels
    ADD CONSTRAINT channels_name_format CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$') NOT VALID;
ALTER TABLE channels VALIDATE CONSTRAINT channels_name_format;

-- +goose Down
ALTER TABLE channels DROP CONSTRAINT channels_name_format;
UPDATE channels SET archived = false, name = 'General' WHERE id = 1 AND name = 'general-legacy';
