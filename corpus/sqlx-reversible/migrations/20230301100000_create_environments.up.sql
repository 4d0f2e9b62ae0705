-- Add up migration script here
CREATE TABLE environments (
    id   SMALLSERIAL PRIMARY KEY,
    key  VARCHAR(32) NOT NULL UNIQUE,
    name TEXT        NOT NULL
);

INSERT INTO environments (key, name) VALUES
    ('development', 'Development'),
    ('staging',     'Staging'),
    ('production',  'Production');
