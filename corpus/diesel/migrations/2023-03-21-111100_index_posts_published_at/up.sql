CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_published_at_idx
  ON posts (published_at DESC)
  WHERE published_at IS NOT NULL;
