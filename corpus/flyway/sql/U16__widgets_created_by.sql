ALTER TABLE widgets DROP CONSTRAINT widgets_created_by_fkey;
ALTER TABLE widgets DROP COLUMN created_by;
