BEGIN;
DROP TRIGGER IF EXISTS stock_movements_apply ON stock_movements;
DROP FUNCTION IF EXISTS apply_stock_movement();
COMMIT;
