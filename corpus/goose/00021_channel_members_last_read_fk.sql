-- +goose Up
ALTER TABLE channel_members
    ADD CONSTRAINT channel_members_last_read_message_id_fkey
    FOREIGN KEY (last_read_message_id) REFERENCES messages (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE channel_members DROP CONSTRAINT channel_members_last_read_message_id_fkey;
