-- Must be the only statement in the file: migrate sends the whole file in
-- one Exec, and a multi-statement Exec runs as one implicit transaction.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS products_barcode_key
    ON products (barcode)
    WHERE barcode IS NOT NULL;
