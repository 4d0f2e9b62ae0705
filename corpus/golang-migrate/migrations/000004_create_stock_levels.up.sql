CREATE TABLE IF NOT EXISTS stock_levels (
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    product_id   INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity     INTEGER NOT NULL DEFAULT 0,
    reserved     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse_id, product_id),
    CONSTRAINT stock_levels_quantity_check CHECK (quantity >= 0),
    CONSTRAINT stock_levels_reserved_check CHECK (reserved >= 0 AND reserved <= quantity)
);

CREATE INDEX IF NOT EXISTS stock_levels_product_id_idx ON stock_levels (product_id);
