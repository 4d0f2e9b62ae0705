-- migrate:up
-- Floors come from the facilities spreadsheet; room_ref is the room id as
-- text because that is how the CSV export gives it to us.
CREATE TABLE IF NOT EXISTS legacy_room_map (
  old_code text PRIMARY KEY,
  room_ref text NOT NULL,
  floor text
);

ALTER TABLE rooms ADD COLUMN floor varchar(16);

UPDATE rooms r
   SET floor = m.floor
  FROM legacy_room_map m
 WHERE r.id = m.room_ref::int
   AND m.floor IS NOT NULL;

-- migrate:down
ALTER TABLE rooms DROP COLUMN floor;
DROP TABLE IF EXISTS legacy_room_map;
