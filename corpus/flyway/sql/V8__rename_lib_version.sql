ALTER TABLE events RENAME COLUMN lib_version TO sdk_version;
ALTER TABLE projects ALTER COLUMN name TYPE TEXT;
