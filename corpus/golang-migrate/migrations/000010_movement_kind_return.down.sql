-- There is no ALTER TYPE ... DROP VALUE: rebuild the enum without 'return'.
BEGIN;
UPDATE stock_movements SET kind = 'adjustment' WHERE kind = 'return';
ALTER TYPE movement_kind RENAME TO movement_kind_old;
CREATE TYPE movement_kind AS ENUM ('receipt', 'shipment', 'adjustment', 'transfer');
ALTER TABLE stock_movements ALTER COLUMN kind TYPE movement_kind USING kind::text::movement_kind;
DROP TYPE movement_kind_old;
COMMIT;
