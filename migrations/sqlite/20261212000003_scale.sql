-- Search as a durable event log read by every node (docs/SCALE.md): a change
-- appends (kind, id) in its own transaction; each node keeps its own index
-- and its cursor into the log. Mirrors migrations/postgres/ of the same name.
--
-- SQLite has one writer at a time, so `seq` is also the order of commits and
-- `xid` stays 0; on PostgreSQL `xid` is the writing transaction's id, which
-- the reader uses to wait for transactions that commit out of `seq` order.
create table search_event (
    seq integer primary key autoincrement,
    xid integer not null default 0,
    kind text not null,
    doc_id text not null,
    at text not null
);
create index search_event_position on search_event (xid, seq);

-- Where each node's index stands: every event at or before (xid, seq) is in
-- it. The row named '~pruned' is where the log was cut: a node behind it
-- rebuilds its index from the database.
create table search_cursor (
    node_id text primary key,
    xid integer not null,
    seq integer not null,
    updated_at text not null
);

-- The queue the log replaces: a node without a cursor rebuilds its index
-- once, which covers whatever was still waiting.
delete from outbox where queue = 'search';
