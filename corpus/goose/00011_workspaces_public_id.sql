-- Public, unguessable workspace id for invite links.
-- Done in three steps so the rewrite-free path is used: add nullable column,
-- backfill, then default + NOT NULL.

-- +goose Up
ALTER TABLE workspaces ADD COLUMN public_id UUID;

UPDATE workspaces SET public_id = gen_random_uuid() WHERE public_id IS NULL;

ALTER TABLE workspaces ALTER COLUMN public_id SET DEFAULT gen_random_uuid();
ALTER TABLE workspaces ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX workspaces_public_id_key ON workspaces (public_id);

-- +goose Down
DROP INDEX workspaces_public_id_key;
ALTER TABLE workspaces DROP COLUMN public_id;
