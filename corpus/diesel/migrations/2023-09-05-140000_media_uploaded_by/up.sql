ALTER TABLE media ADD COLUMN uploaded_by BIGINT;

ALTER TABLE media
  ADD CONSTRAINT media_uploaded_by_fkey
  FOREIGN KEY (uploaded_by) REFERENCES authors (id);
