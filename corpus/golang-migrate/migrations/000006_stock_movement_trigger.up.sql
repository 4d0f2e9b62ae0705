BEGIN;

-- Every movement adjusts the running stock level of its (warehouse, product).
CREATE OR REPLACE FUNCTION apply_stock_movement() RETURNS trigger AS $$
BEGIN
    INSERT INTO stock_levels AS s (warehouse_id, product_id, quantity)
    VALUES (NEW.warehouse_id, NEW.product_id, NEW.quantity)
    ON CONFLICT (warehouse_id, product_id)
    DO UPDATE SET quantity = s.quantity + EXCLUDED.quantity;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER stock_movements_apply
    AFTER INSERT ON stock_movements
    FOR EACH ROW EXECUTE PROCEDURE apply_stock_movement();

COMMIT;
