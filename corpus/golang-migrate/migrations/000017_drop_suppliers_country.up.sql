-- country now lives on the supplier's billing profile in the finance service
ALTER TABLE suppliers DROP COLUMN IF EXISTS country_code;
