-- +goose Up
create table reactions (
    message_id bigint      not null references messages (id) on delete cascade,
    user_id    bigint      not null references users (id) on delete cascade,
    emoji      varchar(32) not null,
    created_at timestamptz not null default now(),
    primary key (message_id, user_id, emoji)
);

-- +goose Down
drop table reactions;
