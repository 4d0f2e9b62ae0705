-- migrate:up
-- desks.id was created as serial (int4); the kiosk importer overflows it in
-- its synthetic ids. Lock both tables first so the FK side cannot move.
LOCK TABLE desks, bookings IN ACCESS EXCLUSIVE MODE;
ALTER TABLE desks ALTER COLUMN id TYPE bigint;
ALTER TABLE bookings ALTER COLUMN desk_id TYPE bigint;
ALTER SEQUENCE desks_id_seq AS bigint;

-- migrate:down
LOCK TABLE desks, bookings IN ACCESS EXCLUSIVE MODE;
ALTER SEQUENCE desks_id_seq AS integer;
ALTER TABLE bookings ALTER COLUMN desk_id TYPE integer;
ALTER TABLE desks ALTER COLUMN id TYPE integer;
