-- Lower-casing cannot be undone; intentionally a no-op.
SELECT 1;
