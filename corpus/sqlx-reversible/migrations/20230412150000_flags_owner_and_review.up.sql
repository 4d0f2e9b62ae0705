ALTER TABLE flags ADD COLUMN owner_team TEXT;
-- now() is STABLE, so this default is evaluated once and stored as a "fast
-- default": no table rewrite even though the column is NOT NULL.
ALTER TABLE flags ADD COLUMN review_after TIMESTAMPTZ NOT NULL DEFAULT now() + INTERVAL '90 days';

UPDATE flags SET owner_team = 'platform' WHERE key LIKE 'platform.%';
