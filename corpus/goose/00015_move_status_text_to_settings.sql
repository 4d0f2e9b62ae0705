-- +goose Up
ALTER TABLE user_settings ADD COLUMN status_text VARCHAR(140);

UPDATE user_settings s
   SET status_text = u.status_text
  FROM users u
 WHERE u.id = s.user_id
   AND u.status_text IS NOT NULL;

ALTER TABLE users DROP COLUMN status_text;

-- +goose Down
ALTER TABLE users ADD COLUMN status_text VARCHAR(140);

UPDATE users u
   SET status_text = s.status_text
  FROM user_settings s
 WHERE s.user_id = u.id;

ALTER TABLE user_settings DROP COLUMN status_text;
