-- Store only the path; the host is always the project's own site.
ALTER TABLE sessions ADD COLUMN entry_path TEXT;

DO $$
BEGIN
    UPDATE sessions
       SET entry_path = regexp_replace(entry_url, '^https?://[^/]+', '')
     WHERE entry_url IS NOT NULL;
END
$$;

ALTER TABLE sessions DROP COLUMN entry_url;
