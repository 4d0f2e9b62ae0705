ALTER TABLE posts ADD COLUMN published_at TIMESTAMPTZ;

UPDATE posts SET published_at = created_at WHERE status = 'published';
