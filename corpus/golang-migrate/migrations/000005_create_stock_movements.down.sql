BEGIN;
DROP TABLE IF EXISTS stock_movements;
DROP TYPE IF EXISTS movement_kind;
COMMIT;
