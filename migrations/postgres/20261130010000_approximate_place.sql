-- A report placed only by the town named in its address is pinned at the
-- town's centre: marked approximate, drawn as an area, said on the page and
-- in the open dataset, and left out of the 150 m duplicate check (issue 12).
alter table appeal add column approximate boolean not null default false;
