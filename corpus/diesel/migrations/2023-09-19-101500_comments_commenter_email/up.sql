ALTER TABLE comments ADD COLUMN commenter_email VARCHAR(255);

UPDATE comments SET commenter_email = 'unknown@example.invalid' WHERE commenter_email IS NULL;

ALTER TABLE comments ALTER COLUMN commenter_email SET NOT NULL;
