ALTER TABLE comments RENAME COLUMN author_name TO commenter_name;
ALTER TABLE comments ALTER COLUMN commenter_name TYPE TEXT;
