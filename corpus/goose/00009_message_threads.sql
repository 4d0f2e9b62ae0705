-- Threads: a reply points at its parent message, and the parent keeps a
-- denormalised reply_count so the channel view does not need a GROUP BY.

-- +goose Up
ALTER TABLE messages ADD COLUMN parent_id BIGINT REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION messages_bump_reply_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.parent_id IS NOT NULL THEN
        UPDATE messages SET reply_count = reply_count + 1 WHERE id = NEW.parent_id;
    ELSIF TG_OP = 'DELETE' AND OLD.parent_id IS NOT NULL THEN
        UPDATE messages SET reply_count = greatest(reply_count - 1, 0) WHERE id = OLD.parent_id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER messages_reply_count_trg
    AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_bump_reply_count();

-- Backfill for replies imported before the trigger existed.
UPDATE messages m
   SET reply_count = r.cnt
  FROM (SELECT parent_id, count(*) AS cnt
          FROM messages
         WHERE parent_id IS NOT NULL
         GROUP BY parent_id) r
 WHERE m.id = r.parent_id;

-- +goose Down
DROP TRIGGER messages_reply_count_trg ON messages;
DROP FUNCTION messages_bump_reply_count();
ALTER TABLE messages DROP COLUMN reply_count;
ALTER TABLE messages DROP COLUMN parent_id;
