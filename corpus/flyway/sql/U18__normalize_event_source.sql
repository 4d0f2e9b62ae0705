-- data normalisation; nothing to undo
SELECT 1;
