SET lock_timeout = '1s';

-- Safe: a constant default is metadata-only from PostgreSQL 11.
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';

-- Safe: varchar(120) -> varchar(255) is binary-coercible, no rewrite.
ALTER TABLE accounts ALTER COLUMN email TYPE varchar(255);

-- Rewrites the table: a numeric scale change is not binary-coercible.
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 4);

ALTER TABLE orders RENAME COLUMN status TO state; -- tack:ignore rename-column the app reads both names since v42
