-- migrate:up
-- Token used in calendar invite links.
ALTER TABLE bookings ADD COLUMN public_token uuid NOT NULL DEFAULT gen_random_uuid();

-- migrate:down
ALTER TABLE bookings DROP COLUMN public_token;
