-- migrate:up
CREATE VIEW room_utilization AS
SELECT r.id AS room_id,
       r.location_id,
       r.name,
       count(b.id) FILTER (WHERE b.status = 'confirmed') AS confirmed_bookings,
       coalesce(sum(extract(epoch FROM b.ends_at - b.starts_at) / 3600)
                FILTER (WHERE b.status = 'confirmed'), 0) AS booked_hours
  FROM rooms r
  LEFT JOIN bookings b ON b.room_id = r.id
 GROUP BY r.id, r.location_id, r.name;

CREATE MATERIALIZED VIEW daily_booking_counts AS
SELECT date_trunc('day', starts_at)::date AS day,
       count(*) AS bookings
  FROM bookings
 GROUP BY 1;

CREATE UNIQUE INDEX daily_booking_counts_day_key ON daily_booking_counts (day);

-- migrate:down
DROP MATERIALIZED VIEW daily_booking_counts;
DROP VIEW room_utilization;
