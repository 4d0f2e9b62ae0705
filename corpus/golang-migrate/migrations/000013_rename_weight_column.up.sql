ALTER TABLE products RENAME COLUMN weight_grams TO net_weight_g;
ALTER TABLE suppliers ALTER COLUMN name TYPE TEXT;
