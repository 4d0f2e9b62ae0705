-- Keep persons up to date as events arrive.
CREATE OR REPLACE FUNCTION events_touch_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO persons AS p (project_id, distinct_id, first_seen_at, last_seen_at)
    VALUES (NEW.project_id, NEW.distinct_id, NEW.occurred_at, NEW.occurred_at)
    ON CONFLICT (project_id, distinct_id) DO UPDATE
        SET first_seen_at = least(p.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at  = greatest(p.last_seen_at, EXCLUDED.last_seen_at);
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_touch_person
    AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_touch_person();
