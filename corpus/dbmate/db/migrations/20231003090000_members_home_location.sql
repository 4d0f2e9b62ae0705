-- migrate:up
ALTER TABLE members ADD COLUMN home_location_id integer;
ALTER TABLE members
  ADD CONSTRAINT members_home_location_id_fkey
  FOREIGN KEY (home_location_id) REFERENCES locations (id);

-- migrate:down
ALTER TABLE members DROP CONSTRAINT members_home_location_id_fkey;
ALTER TABLE members DROP COLUMN home_location_id;
