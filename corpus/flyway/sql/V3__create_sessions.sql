CREATE TABLE sessions (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id        BIGINT      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    person_id         BIGINT      REFERENCES persons (id) ON DELETE SET NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    ended_at          TIMESTAMPTZ,
    duration_seconds  INTEGER,
    entry_url         TEXT,
    CONSTRAINT sessions_end_after_start CHECK (ended_at IS NULL OR ended_at >= started_at)
);
