-- Several nodes of one installation (db/lease.rs, docs/NODES.md): who does
-- each piece of background work now, and which period each run was for.
-- Mirrors migrations/postgres/ of the same name.
create table job_lease (
    name text primary key,
    holder text not null,
    expires_at text not null,
    last_period integer
);

create table job_run (
    job_run_id integer primary key autoincrement,
    name text not null,
    period integer not null,
    node text not null,
    started_at text not null
);
create index job_run_by_name on job_run (name, period);
create index job_run_by_start on job_run (started_at);
