-- The safe recipe for NOT NULL and for indexes, as tack suggests it.
ALTER TABLE orders ADD CONSTRAINT orders_shipping_address_not_null CHECK (shipping_address IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_shipping_address_not_null;
ALTER TABLE orders ALTER COLUMN shipping_address SET NOT NULL;

BEGIN;
CREATE INDEX CONCURRENTLY orders_account_idx ON orders (account_id);
COMMIT;
