DROP TRIGGER IF EXISTS products_set_updated_at ON products;
DROP FUNCTION IF EXISTS set_updated_at();
