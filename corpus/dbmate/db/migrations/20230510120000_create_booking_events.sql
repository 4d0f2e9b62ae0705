-- migrate:up
CREATE TABLE booking_events (
  id bigserial PRIMARY KEY,
  booking_id bigint NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  event text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_events_booking_id_idx ON booking_events (booking_id);

CREATE OR REPLACE FUNCTION bookings_log_status_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO booking_events (booking_id, event, payload)
    VALUES (NEW.id, 'status_changed',
            jsonb_build_object('from', OLD.status, 'to', NEW.status));
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER bookings_log_status_change_trg
  AFTER UPDATE ON bookings
  FOR EACH ROW EXECUTE FUNCTION bookings_log_status_change();

-- migrate:down
DROP TRIGGER bookings_log_status_change_trg ON bookings;
DROP FUNCTION bookings_log_status_change();
DROP TABLE booking_events;
