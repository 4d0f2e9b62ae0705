-- Slugs are compared case-insensitively by the router since v2.4.
UPDATE posts SET slug = lower(slug) WHERE slug <> lower(slug);
