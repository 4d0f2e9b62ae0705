-- +goose Up
CREATE TABLE channel_members (
    channel_id           BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id              BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_read_message_id BIGINT,
    notifications        TEXT        NOT NULL DEFAULT 'all',
    joined_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, user_id),
    CONSTRAINT channel_members_notifications_check
        CHECK (notifications IN ('all', 'mentions', 'none'))
);
CREATE INDEX channel_members_user_id_idx ON channel_members (user_id);

-- +goose Down
DROP TABLE channel_members;
