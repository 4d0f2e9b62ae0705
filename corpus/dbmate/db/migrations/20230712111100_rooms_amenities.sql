-- migrate:up
ALTER TABLE rooms ADD COLUMN amenities text[] NOT NULL DEFAULT '{}';

DO $$
BEGIN
  -- has_video is folded into the amenities list
  IF EXISTS (SELECT 1 FROM information_schema.columns
              WHERE table_name = 'rooms' AND column_name = 'has_video') THEN
    UPDATE rooms SET amenities = array_append(amenities, 'video') WHERE has_video;
  END IF;
END
$$;

ALTER TABLE rooms DROP COLUMN has_video;

-- migrate:down
ALTER TABLE rooms ADD COLUMN has_video boolean NOT NULL DEFAULT false;
UPDATE rooms SET has_video = true WHERE 'video' = ANY (amenities);
ALTER TABLE rooms DROP COLUMN amenities;
