-- The counters behind the PM dashboards (src/pm/tally.rs): a row per
-- organisation and per project with its orders per state (and done late),
-- and the open orders per UTC day of their deadline; the days before today
-- are folded into the row's past_* columns (hourly, and here), so the
-- orders due before today are one row and a few days whatever the day.
-- Kept by the application in the transaction of every change; filled here
-- from the orders there are (the same fill as tally::rebuild).
create table pm_order_count (
    scope text not null check (scope in ('organisation', 'project')),
    key text not null,
    n_new bigint not null default 0,
    n_accepted bigint not null default 0,
    n_in_progress bigint not null default 0,
    n_returned bigint not null default 0,
    n_report_submitted bigint not null default 0,
    n_done bigint not null default 0,
    n_done_late bigint not null default 0,
    n_cancelled bigint not null default 0,
    past_new bigint not null default 0,
    past_working bigint not null default 0,
    primary key (scope, key)
);

create table pm_order_due (
    scope text not null check (scope in ('organisation', 'project')),
    day bigint not null,                          -- UTC days since 1970-01-01
    key text not null,
    class text not null check (class in ('new', 'working')),
    n bigint not null,
    primary key (scope, day, key, class)
);

insert into pm_order_count (scope, key, n_new, n_accepted, n_in_progress, n_returned,
    n_report_submitted, n_done, n_done_late, n_cancelled, past_new, past_working)
select scope, key, sum(n_new), sum(n_accepted), sum(n_in_progress), sum(n_returned),
       sum(n_report_submitted), sum(n_done), sum(n_done_late), sum(n_cancelled),
       sum(past_new), sum(past_working) from (
    select s.scope, case when s.scope = 'organisation' then o.organisation_id else o.project_id::text end as key,
           case when o.state = 'new' then 1 else 0 end as n_new,
           case when o.state = 'accepted' then 1 else 0 end as n_accepted,
           case when o.state = 'in_progress' then 1 else 0 end as n_in_progress,
           case when o.state = 'returned' then 1 else 0 end as n_returned,
           case when o.state = 'report_submitted' then 1 else 0 end as n_report_submitted,
           case when o.state = 'done' then 1 else 0 end as n_done,
           case when o.state = 'done' and o.done_at is not null and o.done_at > o.deadline then 1 else 0 end as n_done_late,
           case when o.state = 'cancelled' then 1 else 0 end as n_cancelled,
           case when o.state = 'new' and floor(extract(epoch from o.deadline) / 86400)::bigint < floor(extract(epoch from now()) / 86400)::bigint then 1 else 0 end as past_new,
           case when o.state in ('accepted', 'in_progress', 'returned')
                     and floor(extract(epoch from o.deadline) / 86400)::bigint < floor(extract(epoch from now()) / 86400)::bigint then 1 else 0 end as past_working
    from pm_order o
    join (select 'organisation' as scope union all select 'project') s
      on s.scope = 'organisation' or o.project_id is not null
) t
group by scope, key;

insert into pm_order_due (scope, day, key, class, n)
select scope, day, key, class, count(*) from (
    select s.scope, floor(extract(epoch from o.deadline) / 86400)::bigint as day, case when s.scope = 'organisation' then o.organisation_id else o.project_id::text end as key,
           case when o.state = 'new' then 'new' else 'working' end as class
    from pm_order o
    join (select 'organisation' as scope union all select 'project') s
      on s.scope = 'organisation' or o.project_id is not null
    where o.state in ('new', 'accepted', 'in_progress', 'returned')
      and floor(extract(epoch from o.deadline) / 86400)::bigint >= floor(extract(epoch from now()) / 86400)::bigint
) t
group by scope, day, key, class;

-- The orders list's first page, by deadline, without sorting every order.
create index pm_order_deadline_idx on pm_order (deadline, order_id);
