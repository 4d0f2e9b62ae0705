DROP TRIGGER events_touch_person ON events;
DROP FUNCTION events_touch_person();
