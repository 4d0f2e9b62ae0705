CREATE TABLE IF NOT EXISTS suppliers (
    id            SERIAL PRIMARY KEY,
    name          VARCHAR(160) NOT NULL,
    contact_email VARCHAR(254),
    country_code  CHAR(2),
    created_at    TIMESTAMP NOT NULL DEFAULT now()
);
