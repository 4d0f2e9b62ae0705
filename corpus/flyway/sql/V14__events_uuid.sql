-- Client-side dedup key.
ALTER TABLE events ADD COLUMN uuid UUID NOT NULL DEFAULT gen_random_uuid();
