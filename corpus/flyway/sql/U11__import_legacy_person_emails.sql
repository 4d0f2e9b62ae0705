ALTER TABLE persons DROP COLUMN email;
DROP TABLE IF EXISTS legacy_person_map;
