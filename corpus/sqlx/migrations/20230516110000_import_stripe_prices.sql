-- One-off import of the Stripe price ids. plan_ref is our plans.id as text
-- (that's what the finance team's export gives us).
CREATE TABLE IF NOT EXISTS stripe_price_import (
    price_id TEXT PRIMARY KEY,
    plan_ref TEXT NOT NULL
);

ALTER TABLE plans ADD COLUMN IF NOT EXISTS stripe_price_id VARCHAR(64);

UPDATE plans p
   SET stripe_price_id = s.price_id
  FROM stripe_price_import s
 WHERE p.id = s.plan_ref::int;
