ALTER TABLE events DROP COLUMN lib_version;
ALTER TABLE events DROP COLUMN source;
