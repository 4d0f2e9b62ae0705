-- migrate:up
alter table locations rename column address to street_address;
alter table rooms alter column name type text;

-- migrate:down
alter table rooms alter column name type varchar(80);
alter table locations rename column street_address to address;
