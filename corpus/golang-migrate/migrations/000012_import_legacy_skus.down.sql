ALTER TABLE products DROP COLUMN IF EXISTS legacy_sku;
DROP TABLE IF EXISTS legacy_sku_map;
