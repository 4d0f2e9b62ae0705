-- migrate:up
create table desks (
  id serial primary key,
  location_id integer not null references locations (id) on delete cascade,
  label varchar(20) not null,
  zone varchar(40),
  is_active boolean not null default true,
  unique (location_id, label)
);

-- migrate:down
drop table desks;
