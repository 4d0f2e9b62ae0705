-- Filled by `cargo run --bin import_wp`; post_ref is our post id as text.
CREATE TABLE IF NOT EXISTS wp_import_posts (
  wp_id TEXT PRIMARY KEY,
  post_ref TEXT NOT NULL,
  legacy_url TEXT NOT NULL
);

ALTER TABLE posts ADD COLUMN legacy_url TEXT;

UPDATE posts p
   SET legacy_url = w.legacy_url
  FROM wp_import_posts w
 WHERE p.id = w.post_ref::int;
