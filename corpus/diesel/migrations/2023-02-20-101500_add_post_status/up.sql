-- Replace the published flag with a proper workflow state.
CREATE TYPE post_status AS ENUM ('draft', 'published', 'archived');

ALTER TABLE posts ADD COLUMN status post_status NOT NULL DEFAULT 'draft';

UPDATE posts SET status = 'published' WHERE published;

ALTER TABLE posts DROP COLUMN published;
