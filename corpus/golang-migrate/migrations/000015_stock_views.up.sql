CREATE OR REPLACE VIEW low_stock AS
SELECT s.warehouse_id,
       s.product_id,
       p.sku,
       s.quantity - s.reserved AS available
FROM stock_levels s
JOIN products p ON p.id = s.product_id
WHERE s.quantity - s.reserved < 10
  AND NOT p.is_discontinued;

CREATE MATERIALIZED VIEW IF NOT EXISTS product_movement_totals AS
SELECT product_id,
       kind::text AS kind,
       sum(quantity) AS total_quantity,
       max(moved_at) AS last_moved_at
FROM stock_movements
GROUP BY product_id, kind
WITH DATA;

CREATE UNIQUE INDEX IF NOT EXISTS product_movement_totals_key
    ON product_movement_totals (product_id, kind);
