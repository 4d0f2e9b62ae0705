-- Replays of week-long kiosk sessions overflowed the int column.
LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE;
ALTER TABLE sessions ALTER COLUMN duration_seconds TYPE BIGINT;
