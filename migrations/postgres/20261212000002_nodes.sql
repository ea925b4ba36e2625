-- Several nodes of one installation (db/lease.rs, docs/NODES.md): who does
-- each piece of background work now, and which period each run was for.
-- Mirrors migrations/sqlite/ of the same name.
create table job_lease (
    name text primary key,            -- 'workflow.sweeper'
    holder text not null,             -- VECHE_NODE_ID of the node doing it
    expires_at timestamptz not null,  -- taken over by another node after this
    last_period bigint                -- the last period a run was started for
);

-- One row per run started: what the three-node test reads to check that
-- each job ran once per period. Rows older than a week are removed.
create table job_run (
    job_run_id bigserial primary key,
    name text not null,
    period bigint not null,           -- seconds since 1970 / the job's period
    node text not null,
    started_at timestamptz not null
);
create index job_run_by_name on job_run (name, period);
create index job_run_by_start on job_run (started_at);
