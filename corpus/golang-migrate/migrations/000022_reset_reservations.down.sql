-- irreversible data reset; nothing to do
SELECT 1;
