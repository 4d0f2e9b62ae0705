DROP MATERIALIZED VIEW IF EXISTS product_movement_totals;
DROP VIEW IF EXISTS low_stock;
