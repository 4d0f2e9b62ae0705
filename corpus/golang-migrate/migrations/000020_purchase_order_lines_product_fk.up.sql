ALTER TABLE purchase_order_lines
    ADD CONSTRAINT purchase_order_lines_product_id_fkey
    FOREIGN KEY (product_id) REFERENCES products (id);
