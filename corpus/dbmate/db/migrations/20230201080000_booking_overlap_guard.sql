-- migrate:up

-- An exclusion constraint would need btree_gist; a trigger is enough for the
-- volume we have.
CREATE FUNCTION bookings_prevent_overlap() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'cancelled' AND EXISTS (
       SELECT 1
         FROM bookings b
        WHERE b.room_id = NEW.room_id
          AND b.id <> NEW.id
          AND b.status <> 'cancelled'
          AND tstzrange(b.starts_at, b.ends_at) && tstzrange(NEW.starts_at, NEW.ends_at)
     ) THEN
    RAISE EXCEPTION 'room % is already booked between % and %',
      NEW.room_id, NEW.starts_at, NEW.ends_at
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER bookings_prevent_overlap_trg
  BEFORE INSERT OR UPDATE ON bookings
  FOR EACH ROW EXECUTE FUNCTION bookings_prevent_overlap();

-- migrate:down
DROP TRIGGER bookings_prevent_overlap_trg ON bookings;
DROP FUNCTION bookings_prevent_overlap();
