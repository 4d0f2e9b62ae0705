ALTER TABLE accounts ADD COLUMN api_key UUID NOT NULL DEFAULT gen_random_uuid();
