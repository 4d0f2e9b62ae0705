CREATE TABLE IF NOT EXISTS warehouses (
    id         SERIAL PRIMARY KEY,
    code       VARCHAR(12)  NOT NULL UNIQUE,
    name       VARCHAR(120) NOT NULL,
    city       VARCHAR(120),
    is_active  BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP    NOT NULL DEFAULT now()
);
