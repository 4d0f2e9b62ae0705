-- Move authors.id (and the one column that references it) to bigint.
LOCK TABLE authors, posts IN ACCESS EXCLUSIVE MODE;

ALTER TABLE authors ALTER COLUMN id TYPE BIGINT;
ALTER TABLE posts ALTER COLUMN author_id TYPE BIGINT;
ALTER SEQUENCE authors_id_seq AS BIGINT;
