-- migrate:up
create table locations (
  id serial primary key,
  organization_id uuid not null references organizations (id) on delete cascade,
  name varchar(120) not null,
  timezone varchar(64) not null default 'UTC',
  address text,
  created_at timestamptz not null default now()
);

create index locations_organization_id_idx on locations (organization_id);

-- migrate:down
drop table locations;
