ALTER TABLE posts ADD COLUMN uuid UUID NOT NULL DEFAULT gen_random_uuid();
