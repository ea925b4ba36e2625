-- Business intelligence (docs/BI.md). The reporting schema's views
-- (`mart_*`) are created by the server from their definitions, not here:
-- these tables remember what was installed, which read-only roles to grant,
-- and the explorer's saved questions. Mirrors migrations/postgres/.

-- One row: the installed schema's version and the fingerprint of its
-- definitions (the views are re-created only when it changes).
create table bi_schema (
    singleton integer primary key check (singleton = 1),
    version integer not null,
    fingerprint text not null,
    installed_at text not null
);

-- PostgreSQL roles made by `veche bi grant-readonly`, granted again when
-- the views are re-created.
create table bi_reader (
    role text primary key,
    granted_at text not null
);

-- A saved exploration: the question (its query string, parsed again on
-- every use), who may open it, and its monthly mail.
create table bi_exploration (
    exploration_id integer primary key autoincrement,
    owner_id integer not null references account (account_id) on delete cascade,
    title text not null,
    question text not null,
    -- '' (the owner only), 'core' (everyone in the core within their own
    -- scope), or a portfolio's directory id.
    shared_with text not null default '',
    monthly integer not null default 0,
    -- The last month (YYYY-MM) the scheduled mail went out for.
    last_sent text,
    created_at text not null,
    updated_at text not null
);
create index bi_exploration_owner_idx on bi_exploration (owner_id);
create index bi_exploration_shared_idx on bi_exploration (shared_with);
