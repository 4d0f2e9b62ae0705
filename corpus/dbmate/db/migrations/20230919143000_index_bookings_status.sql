-- migrate:up
CREATE INDEX bookings_status_starts_at_idx ON bookings (status, starts_at);

-- migrate:down
DROP INDEX bookings_status_starts_at_idx;
