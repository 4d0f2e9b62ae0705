-- Idempotency key sent by clients so a retried send does not post twice.

-- +goose Up
ALTER TABLE messages ADD COLUMN client_msg_id UUID NOT NULL DEFAULT gen_random_uuid();

-- +goose Down
ALTER TABLE messages DROP COLUMN client_msg_id;
