-- +goose Up
CREATE TABLE workspaces (
    id         SERIAL PRIMARY KEY,
    slug       VARCHAR(60)  NOT NULL UNIQUE,
    name       VARCHAR(120) NOT NULL,
    owner_id   BIGINT       NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE workspace_members (
    workspace_id INTEGER     NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT        NOT NULL DEFAULT 'member'
                 CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);

-- "which workspaces am I in" is the first query the client makes
CREATE INDEX workspace_members_user_id_idx ON workspace_members (user_id);

-- +goose Down
DROP TABLE workspace_members;
DROP TABLE workspaces;
