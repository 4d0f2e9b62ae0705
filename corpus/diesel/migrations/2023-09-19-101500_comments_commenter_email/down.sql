ALTER TABLE comments DROP COLUMN commenter_email;
