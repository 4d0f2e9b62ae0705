CREATE TABLE plans (
    id                  SERIAL PRIMARY KEY,
    code                VARCHAR(40) NOT NULL UNIQUE,
    name                VARCHAR(80) NOT NULL,
    monthly_price_cents INTEGER     NOT NULL CHECK (monthly_price_cents >= 0),
    currency            CHAR(3)     NOT NULL DEFAULT 'USD',
    is_public           BOOLEAN     NOT NULL DEFAULT TRUE
);

INSERT INTO plans (code, name, monthly_price_cents) VALUES
    ('free',    'Free',    0),
    ('starter', 'Starter', 1900),
    ('pro',     'Pro',     4900);
