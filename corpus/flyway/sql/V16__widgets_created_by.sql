ALTER TABLE widgets ADD COLUMN created_by BIGINT;
ALTER TABLE widgets
    ADD CONSTRAINT widgets_created_by_fkey
    FOREIGN KEY (created_by) REFERENCES persons (id);
