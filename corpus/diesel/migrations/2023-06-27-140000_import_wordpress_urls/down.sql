ALTER TABLE posts DROP COLUMN legacy_url;
DROP TABLE IF EXISTS wp_import_posts;
