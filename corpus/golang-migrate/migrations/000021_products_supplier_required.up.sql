BEGIN;
UPDATE products SET supplier_id = (SELECT min(id) FROM suppliers) WHERE supplier_id IS NULL;
ALTER TABLE products ALTER COLUMN supplier_id SET NOT NULL;
COMMIT;
