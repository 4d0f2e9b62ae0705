-- +goose Up
ALTER TABLE channels RENAME COLUMN topic TO purpose;
-- 250 chars turned out to be too short for pasted runbooks
ALTER TABLE channels ALTER COLUMN purpose TYPE text;

-- +goose Down
ALTER TABLE channels ALTER COLUMN purpose TYPE varchar(250) USING left(purpose, 250);
ALTER TABLE channels RENAME COLUMN purpose TO topic;
