-- migrate:up
CREATE TYPE booking_status AS ENUM ('pending', 'confirmed', 'cancelled');

CREATE TABLE bookings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room_id integer NOT NULL REFERENCES rooms (id),
  member_id bigint REFERENCES members (id) ON DELETE SET NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status booking_status NOT NULL DEFAULT 'pending',
  title varchar(200),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT bookings_time_order CHECK (ends_at > starts_at)
);

CREATE INDEX bookings_room_id_starts_at_idx ON bookings (room_id, starts_at);

-- migrate:down
DROP TABLE bookings;
DROP TYPE booking_status;
