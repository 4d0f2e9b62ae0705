DROP INDEX IF EXISTS stock_movements_reference_idx;
