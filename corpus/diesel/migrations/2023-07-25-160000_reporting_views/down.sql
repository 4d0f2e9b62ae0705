DROP MATERIALIZED VIEW tag_counts;
DROP VIEW published_posts;
