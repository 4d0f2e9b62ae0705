UPDATE persons SET first_seen_at = coalesce(last_seen_at, now()) WHERE first_seen_at IS NULL;
ALTER TABLE persons ALTER COLUMN first_seen_at SET NOT NULL;
