-- migrate:up transaction:false
ALTER TYPE booking_status ADD VALUE IF NOT EXISTS 'no_show' AFTER 'confirmed';

-- migrate:down
-- enum labels cannot be dropped: rebuild the type without 'no_show'
UPDATE bookings SET status = 'cancelled' WHERE status = 'no_show';
ALTER TYPE booking_status RENAME TO booking_status_old;
CREATE TYPE booking_status AS ENUM ('pending', 'confirmed', 'cancelled');
ALTER TABLE bookings ALTER COLUMN status DROP DEFAULT;
ALTER TABLE bookings ALTER COLUMN status TYPE booking_status USING status::text::booking_status;
ALTER TABLE bookings ALTER COLUMN status SET DEFAULT 'pending';
DROP TYPE booking_status_old;
