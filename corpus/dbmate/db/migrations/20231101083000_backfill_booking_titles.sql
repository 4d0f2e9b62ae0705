-- migrate:up
UPDATE bookings SET title = 'Untitled booking' WHERE title IS NULL OR btrim(title) = '';

-- migrate:down
-- data backfill, nothing to revert
SELECT 1;
