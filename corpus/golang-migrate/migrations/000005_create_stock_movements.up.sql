BEGIN;

CREATE TYPE movement_kind AS ENUM ('receipt', 'shipment', 'adjustment', 'transfer');

CREATE TABLE stock_movements (
    id           BIGSERIAL PRIMARY KEY,
    warehouse_id INTEGER       NOT NULL REFERENCES warehouses (id),
    product_id   INTEGER       NOT NULL REFERENCES products (id),
    kind         movement_kind NOT NULL,
    quantity     INTEGER       NOT NULL CHECK (quantity <> 0),
    reference    TEXT,
    moved_at     TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE INDEX stock_movements_product_id_moved_at_idx ON stock_movements (product_id, moved_at);

COMMIT;
