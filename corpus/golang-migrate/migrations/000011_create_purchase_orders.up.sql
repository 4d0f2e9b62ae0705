BEGIN;

CREATE TABLE purchase_orders (
    id           SERIAL PRIMARY KEY,
    supplier_id  INTEGER        NOT NULL REFERENCES suppliers (id),
    warehouse_id INTEGER        NOT NULL REFERENCES warehouses (id),
    status       VARCHAR(20)    NOT NULL DEFAULT 'draft',
    ordered_at   TIMESTAMPTZ,
    expected_at  DATE,
    total_amount NUMERIC(14, 2) NOT NULL DEFAULT 0,
    CONSTRAINT purchase_orders_status_check
        CHECK (status IN ('draft', 'sent', 'partially_received', 'received', 'cancelled'))
);

-- product_id is deliberately not a foreign key yet: lines are imported from
-- the supplier portal before the catalogue sync has run.
CREATE TABLE purchase_order_lines (
    purchase_order_id INTEGER        NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    line_no           SMALLINT       NOT NULL,
    product_id        INTEGER        NOT NULL,
    quantity          INTEGER        NOT NULL CHECK (quantity > 0),
    unit_cost         NUMERIC(12, 2) NOT NULL,
    PRIMARY KEY (purchase_order_id, line_no)
);

COMMIT;
