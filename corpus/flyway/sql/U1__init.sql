-- Repeatable objects (R__views.sql) depend on these tables and have no undo
-- of their own, so they go here.
DROP VIEW IF EXISTS recent_events;
DROP VIEW IF EXISTS event_volume_30d;

DROP TABLE events;
DROP TABLE projects;
