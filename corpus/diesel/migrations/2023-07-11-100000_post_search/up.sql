ALTER TABLE posts ADD COLUMN search_document tsvector;

CREATE FUNCTION posts_search_document_refresh() RETURNS trigger AS $$
BEGIN
  NEW.search_document :=
      setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
      setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER posts_search_document_refresh
  BEFORE INSERT OR UPDATE OF title, body ON posts
  FOR EACH ROW EXECUTE PROCEDURE posts_search_document_refresh();

UPDATE posts SET search_document =
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(body, '')), 'B');

CREATE INDEX posts_search_document_idx ON posts USING GIN (search_document);
