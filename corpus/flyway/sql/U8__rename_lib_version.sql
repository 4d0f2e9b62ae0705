ALTER TABLE projects ALTER COLUMN name TYPE VARCHAR(120);
ALTER TABLE events RENAME COLUMN sdk_version TO lib_version;
