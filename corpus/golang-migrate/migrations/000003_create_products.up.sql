BEGIN;

CREATE TABLE IF NOT EXISTS products (
    id           SERIAL PRIMARY KEY,
    sku          VARCHAR(40)    NOT NULL UNIQUE,
    name         VARCHAR(200)   NOT NULL,
    supplier_id  INTEGER        REFERENCES suppliers (id),
    unit_price   NUMERIC(12, 2) NOT NULL CHECK (unit_price >= 0),
    weight_grams INTEGER,
    created_at   TIMESTAMP      NOT NULL DEFAULT now(),
    updated_at   TIMESTAMP      NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS products_supplier_id_idx ON products (supplier_id);

COMMIT;
