ALTER TABLE flags DROP COLUMN evaluation_salt;
