DROP INDEX posts_search_document_idx;
DROP TRIGGER posts_search_document_refresh ON posts;
DROP FUNCTION posts_search_document_refresh();
ALTER TABLE posts DROP COLUMN search_document;
