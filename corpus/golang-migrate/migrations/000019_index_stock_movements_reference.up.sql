CREATE INDEX IF NOT EXISTS stock_movements_reference_idx ON stock_movements (reference);
