-- migrate:up
create table members (
  id bigint generated always as identity primary key,
  organization_id uuid not null references organizations (id) on delete cascade,
  email varchar(254) not null,
  full_name varchar(200),
  role text not null default 'member',
  created_at timestamptz not null default now(),
  constraint members_role_check check (role in ('admin', 'member'))
);

-- emails are case-insensitive for login purposes
create unique index members_organization_id_email_key on members (organization_id, lower(email));

-- migrate:down
drop table members;
