ALTER TABLE media DROP CONSTRAINT media_uploaded_by_fkey;
ALTER TABLE media DROP COLUMN uploaded_by;
