BEGIN;

LOCK TABLE warehouses IN ACCESS EXCLUSIVE MODE;

ALTER TABLE warehouses ADD COLUMN region TEXT;

UPDATE warehouses SET region = 'eu-west' WHERE id = 1;
UPDATE warehouses SET region = 'us-east' WHERE id = 2;

DO $$
BEGIN
    -- everything else is assigned by the ops team later
    UPDATE warehouses SET region = 'unassigned' WHERE region IS NULL;
END
$$;

ALTER TABLE warehouses ALTER COLUMN region SET NOT NULL;

COMMIT;
