-- +goose Up
CREATE TYPE channel_kind AS ENUM ('public', 'private', 'direct');

CREATE TABLE channels (
    id           BIGSERIAL PRIMARY KEY,
    workspace_id INTEGER      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         VARCHAR(80)  NOT NULL,
    kind         channel_kind NOT NULL DEFAULT 'public',
    topic        VARCHAR(250),
    archived     BOOLEAN      NOT NULL DEFAULT false,
    created_by   BIGINT       REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT channels_workspace_id_name_key UNIQUE (workspace_id, name)
);

-- +goose Down
DROP TABLE channels;
DROP TYPE channel_kind;
