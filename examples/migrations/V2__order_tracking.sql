-- Written the way it usually is: each statement below locks a live table.
ALTER TABLE orders ADD COLUMN tracking_id uuid NOT NULL DEFAULT gen_random_uuid();

CREATE INDEX orders_status_idx ON orders (status);

ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);

ALTER TABLE orders ALTER COLUMN status SET NOT NULL;

UPDATE orders SET status = 'open' WHERE status = 'new';
