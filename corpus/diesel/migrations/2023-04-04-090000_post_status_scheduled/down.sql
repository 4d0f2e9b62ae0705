-- Enum values cannot be removed; recreate the type without 'scheduled'.
-- (This file is sent as one query, so it still runs atomically.)
UPDATE posts SET status = 'draft' WHERE status = 'scheduled';
ALTER TYPE post_status RENAME TO post_status_old;
CREATE TYPE post_status AS ENUM ('draft', 'published', 'archived');
ALTER TABLE posts ALTER COLUMN status DROP DEFAULT;
ALTER TABLE posts ALTER COLUMN status TYPE post_status USING status::text::post_status;
ALTER TABLE posts ALTER COLUMN status SET DEFAULT 'draft';
DROP TYPE post_status_old;
