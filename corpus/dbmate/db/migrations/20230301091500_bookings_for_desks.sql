-- migrate:up
-- A booking is now either for a room or for a desk.
ALTER TABLE bookings ADD COLUMN desk_id integer REFERENCES desks (id);
ALTER TABLE bookings ALTER COLUMN room_id DROP NOT NULL;
ALTER TABLE bookings
  ADD CONSTRAINT bookings_target_check CHECK (num_nonnulls(room_id, desk_id) = 1);

-- migrate:down
DELETE FROM bookings WHERE room_id IS NULL;
ALTER TABLE bookings DROP CONSTRAINT bookings_target_check;
ALTER TABLE bookings ALTER COLUMN room_id SET NOT NULL;
ALTER TABLE bookings DROP COLUMN desk_id;
