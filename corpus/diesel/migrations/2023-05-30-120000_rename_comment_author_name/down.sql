ALTER TABLE comments ALTER COLUMN commenter_name TYPE VARCHAR(100);
ALTER TABLE comments RENAME COLUMN commenter_name TO author_name;
