-- migrate:up
UPDATE members SET full_name = split_part(email, '@', 1) WHERE full_name IS NULL;
ALTER TABLE members ALTER COLUMN full_name SET NOT NULL;

-- migrate:down
ALTER TABLE members ALTER COLUMN full_name DROP NOT NULL;
