-- Mapping exported from the old ERP. product_ref holds our product id as text.
CREATE TABLE IF NOT EXISTS legacy_sku_map (
    old_sku     TEXT PRIMARY KEY,
    product_ref TEXT NOT NULL
);

ALTER TABLE products ADD COLUMN IF NOT EXISTS legacy_sku VARCHAR(40);

UPDATE products p
SET legacy_sku = m.old_sku
FROM legacy_sku_map m
WHERE p.id = m.product_ref::int;
