CREATE TABLE media (
  id SERIAL PRIMARY KEY,
  post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL,
  url TEXT NOT NULL,
  alt_text VARCHAR(300),
  width INTEGER,
  height INTEGER,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT media_dimensions_check CHECK (width IS NULL OR width > 0),
  CONSTRAINT media_height_check CHECK (height IS NULL OR height > 0)
);

CREATE INDEX media_post_id_idx ON media (post_id);
