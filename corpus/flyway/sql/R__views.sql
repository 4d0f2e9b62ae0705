-- Reporting views. Repeatable: Flyway re-runs this file after the versioned
-- migrations whenever its checksum changes, so everything is CREATE OR REPLACE.
-- Only columns that exist since V1 are used, so the file applies on any
-- schema version.

CREATE OR REPLACE VIEW event_volume_30d AS
SELECT e.project_id,
       e.name,
       count(*)                      AS events,
       count(DISTINCT e.distinct_id) AS unique_users
  FROM events e
 WHERE e.occurred_at >= now() - INTERVAL '30 days'
 GROUP BY e.project_id, e.name;

CREATE OR REPLACE VIEW recent_events AS
SELECT e.id, e.project_id, e.name, e.distinct_id, e.occurred_at, e.received_at
  FROM events e
 WHERE e.received_at >= now() - INTERVAL '1 day';
