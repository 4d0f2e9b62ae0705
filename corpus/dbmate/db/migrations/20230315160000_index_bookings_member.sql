-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_member_id_starts_at_idx
  ON bookings (member_id, starts_at);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY IF EXISTS bookings_member_id_starts_at_idx;
