-- migrate:up
alter table members add column phone varchar(32);
alter table members add column notify_sms boolean not null default false;

-- migrate:down
alter table members drop column notify_sms;
alter table members drop column phone;
