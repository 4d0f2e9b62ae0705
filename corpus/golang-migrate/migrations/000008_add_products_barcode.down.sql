ALTER TABLE products DROP COLUMN IF EXISTS is_discontinued;
ALTER TABLE products DROP COLUMN IF EXISTS barcode;
