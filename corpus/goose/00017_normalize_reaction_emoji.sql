-- Emoji shortcodes arrive in mixed case from the old mobile client.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    fixed bigint;
BEGIN
    UPDATE reactions SET emoji = lower(emoji) WHERE emoji <> lower(emoji);
    GET DIAGNOSTICS fixed = ROW_COUNT;
    RAISE NOTICE 'normalized % reaction(s)', fixed;
END
$$;
-- +goose StatementEnd

-- custom emoji names can be long
ALTER TABLE reactions ALTER COLUMN emoji TYPE TEXT;

-- +goose Down
ALTER TABLE reactions ALTER COLUMN emoji TYPE VARCHAR(32);
