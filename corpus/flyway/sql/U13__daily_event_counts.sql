DROP MATERIALIZED VIEW daily_event_counts;
