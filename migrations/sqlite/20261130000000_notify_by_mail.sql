-- Each person chooses whether notifications also come by mail (issue 12):
-- on by default, as before; off means the site only.
alter table account add column notify_by_mail integer not null default 1;
