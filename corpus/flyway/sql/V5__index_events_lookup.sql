-- events is append-heavy; build both indexes without blocking ingest.
-- Flyway runs each statement separately, outside a transaction (see the
-- .conf file next to this script), so two CONCURRENTLY builds are fine here.
-- Nothing else may go in this file: Flyway refuses to mix transactional and
-- non-transactional statements in one migration.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_project_id_distinct_id_idx
    ON events (project_id, distinct_id);

CREATE INDEX CONCURRENTLY IF NOT EXISTS events_project_id_name_idx
    ON events (project_id, name);
