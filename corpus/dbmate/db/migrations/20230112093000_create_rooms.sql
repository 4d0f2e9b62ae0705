-- migrate:up
create table rooms (
  id serial primary key,
  location_id integer not null references locations (id) on delete cascade,
  name varchar(80) not null,
  capacity integer not null,
  has_video boolean not null default false,
  constraint rooms_capacity_check check (capacity > 0),
  constraint rooms_location_id_name_key unique (location_id, name)
);

-- migrate:down
drop table rooms;
