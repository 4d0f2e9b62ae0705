UPDATE flags SET owner_team = 'unowned' WHERE owner_team IS NULL;
ALTER TABLE flags ALTER COLUMN owner_team SET NOT NULL;
