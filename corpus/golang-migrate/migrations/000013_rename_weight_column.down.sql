ALTER TABLE suppliers ALTER COLUMN name TYPE VARCHAR(160);
ALTER TABLE products RENAME COLUMN net_weight_g TO weight_grams;
