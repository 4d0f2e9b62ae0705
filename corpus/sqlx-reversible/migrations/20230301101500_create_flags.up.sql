CREATE TYPE flag_kind AS ENUM ('boolean', 'multivariate');

CREATE TABLE flags (
    id          SERIAL PRIMARY KEY,
    key         VARCHAR(64) NOT NULL UNIQUE,
    description TEXT,
    kind        flag_kind   NOT NULL DEFAULT 'boolean',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE flag_states (
    flag_id         INTEGER  NOT NULL REFERENCES flags (id) ON DELETE CASCADE,
    environment_id  SMALLINT NOT NULL REFERENCES environments (id),
    enabled         BOOLEAN  NOT NULL DEFAULT FALSE,
    rollout_percent SMALLINT NOT NULL DEFAULT 100,
    PRIMARY KEY (flag_id, environment_id),
    CONSTRAINT flag_states_rollout_percent_check CHECK (rollout_percent BETWEEN 0 AND 100)
);
