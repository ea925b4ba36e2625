-- Issue 21, the directory master and the Department of Control
-- (docs/FEDERATION-CONTROL.md). Mirrors migrations/postgres/ of the same name.

-- The directory's version: on the portal (the master) the counter of its
-- changes, one per transaction that changed the directory; elsewhere the
-- last version applied from a `directory.updated` message. One row.
create table directory_version (
    id integer primary key check (id = 1),
    version integer not null,
    updated_at text not null
);

-- Orders that left this core with their organisation for another instance
-- (`orders.transferred`): kept read-only here, with where they went.
create table pm_order_moved (
    order_id integer primary key references pm_order (order_id) on delete cascade,
    to_instance text not null,
    moved_at text not null
);

-- The Department of Control's replica of every core's orders, from their
-- `order.updated` snapshots: one row per (instance, order id), the newest
-- version kept. No foreign keys: it holds what the cores said.
create table pm_order_replica (
    instance text not null,
    order_id integer not null,
    version integer not null,
    parent_id integer,
    organisation_id text not null,
    creator_organisation_id text,
    title text not null,
    source text not null,
    state text not null,
    priority text not null,
    deadline text not null,
    created_at text,
    done_at text,
    -- Set when the order moved to another instance: counted there, not here.
    moved_to text,
    received_at text not null,
    primary key (instance, order_id)
);
create index pm_order_replica_organisation_idx on pm_order_replica (organisation_id, state);
