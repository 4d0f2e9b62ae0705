-- +goose Up
CREATE VIEW channel_activity AS
SELECT c.id            AS channel_id,
       c.workspace_id,
       c.name,
       count(m.id)     AS message_count,
       max(m.created_at) AS last_message_at
  FROM channels c
  LEFT JOIN messages m ON m.channel_id = c.id
 WHERE NOT c.archived
 GROUP BY c.id, c.workspace_id, c.name;

-- refreshed nightly by the stats worker (REFRESH ... CONCURRENTLY needs the unique index)
CREATE MATERIALIZED VIEW workspace_daily_messages AS
SELECT c.workspace_id,
       date_trunc('day', m.created_at) AS day,
       count(*)                        AS messages
  FROM messages m
  JOIN channels c ON c.id = m.channel_id
 GROUP BY 1, 2
WITH NO DATA;

CREATE UNIQUE INDEX workspace_daily_messages_key
    ON workspace_daily_messages (workspace_id, day);

-- +goose Down
DROP MATERIALIZED VIEW workspace_daily_messages;
DROP VIEW channel_activity;
