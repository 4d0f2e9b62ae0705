-- tack:ignore add-column€
ALTER TABLE t ADD COLUMN c int;
