DROP INDEX CONCURRENTLY IF EXISTS events_project_id_name_idx;
DROP INDEX CONCURRENTLY IF EXISTS events_project_id_distinct_id_idx;
