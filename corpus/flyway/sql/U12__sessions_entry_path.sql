ALTER TABLE sessions ADD COLUMN entry_url TEXT;
UPDATE sessions SET entry_url = entry_path WHERE entry_path IS NOT NULL;
ALTER TABLE sessions DROP COLUMN entry_path;
