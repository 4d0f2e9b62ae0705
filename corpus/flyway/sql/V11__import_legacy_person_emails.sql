-- Emails from the old CRM export. person_ref is persons.id as text.
CREATE TABLE IF NOT EXISTS legacy_person_map (
    legacy_uid  TEXT PRIMARY KEY,
    person_ref  TEXT NOT NULL,
    email       TEXT
);

ALTER TABLE persons ADD COLUMN email VARCHAR(320);

UPDATE persons p
   SET email = l.email
  FROM legacy_person_map l
 WHERE p.id = l.person_ref::int
   AND l.email IS NOT NULL;
