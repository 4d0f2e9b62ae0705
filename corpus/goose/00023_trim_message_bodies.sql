-- The web client used to send trailing newlines.

-- +goose Up
UPDATE messages SET body = btrim(body, E' \n\r\t');

-- +goose Down
-- data fix: nothing to undo
SELECT 1;
