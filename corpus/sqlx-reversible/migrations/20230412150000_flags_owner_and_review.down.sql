ALTER TABLE flags DROP COLUMN review_after;
ALTER TABLE flags DROP COLUMN owner_team;
