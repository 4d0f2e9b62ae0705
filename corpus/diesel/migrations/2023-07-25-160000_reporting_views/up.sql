CREATE VIEW published_posts AS
SELECT p.id, p.slug, p.title, p.published_at, a.username AS author
  FROM posts p
  JOIN authors a ON a.id = p.author_id
 WHERE p.status = 'published';

CREATE MATERIALIZED VIEW tag_counts AS
SELECT t.id AS tag_id, t.name, count(pt.post_id) AS posts
  FROM tags t
  LEFT JOIN posts_tags pt ON pt.tag_id = t.id
 GROUP BY t.id, t.name;

CREATE UNIQUE INDEX tag_counts_tag_id_idx ON tag_counts (tag_id);
