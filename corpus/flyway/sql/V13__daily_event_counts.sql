CREATE MATERIALIZED VIEW daily_event_counts AS
SELECT project_id,
       date_trunc('day', occurred_at) AS day,
       name,
       count(*) AS events
  FROM events
 GROUP BY project_id, date_trunc('day', occurred_at), name
WITH NO DATA;

CREATE UNIQUE INDEX daily_event_counts_key ON daily_event_counts (project_id, day, name);
