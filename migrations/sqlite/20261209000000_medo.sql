-- no-transaction
-- МЭДО, the interdepartmental electronic document flow (issue 18,
-- docs/INTEGRATION.md): a partner of kind 'medo' exchanges folders (an
-- envelope.ini, the IEDMS 2.6 XML, the files) through an inbound and an
-- outbound folder; the directory's organisations get their МЭДО uid; the
-- clauses of documents received become orders of a new source,
-- 'document'; every package read or written is kept (applied once by its
-- header uid); clauses whose executor could not be told for sure wait for
-- an administrator. Mirrors migrations/postgres/ of the same name.
-- SQLite cannot change a CHECK constraint in place, so `integration_partner`
-- and `pm_order` are rebuilt the way its documentation prescribes
-- (https://www.sqlite.org/lang_altertable.html).

PRAGMA foreign_keys = OFF;

BEGIN;

create table integration_partner_next (
    partner_id text primary key,
    name text not null,
    kind text not null check (kind in ('instance', 'system', 'medo')),
    url text,                                   -- where messages are delivered
    secret text not null,
    all_organisations integer not null default 0,
    created_at text not null,
    disabled_at text
);
insert into integration_partner_next (partner_id, name, kind, url, secret, all_organisations, created_at, disabled_at)
select partner_id, name, kind, url, secret, all_organisations, created_at, disabled_at
from integration_partner;
drop table integration_partner;
alter table integration_partner_next rename to integration_partner;

create table pm_order_next (
    order_id integer primary key autoincrement,
    parent_id integer references pm_order (order_id),
    root_id integer,
    project_id integer references pm_project (project_id),
    stage_id integer references pm_stage (stage_id),
    title text not null,
    description text not null default '',
    source text not null check (source in ('citizen_report', 'construction_check', 'meeting',
                                           'federal_programme', 'manual', 'initiative',
                                           'control', 'document')),
    -- The portal request behind the order, and where it lives: `local` or
    -- the integration partner the order came from.
    appeal_id integer,
    appeal_url text,
    origin text not null default 'local',
    -- Idempotency: an order created from a message is created once.
    external_key text unique,
    creator_id integer references account (account_id),
    creator_organisation_id text references organisation (organisation_id),
    organisation_id text not null references organisation (organisation_id),
    executor_id integer references account (account_id),
    deadline text not null,
    priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'critical')),
    required integer not null default 1,        -- the parent's report waits for it
    state text not null check (state in ('new', 'accepted', 'in_progress', 'report_submitted',
                                         'done', 'returned', 'cancelled')),
    report_text text,
    report_outcome text check (report_outcome in ('resolved', 'planned')),
    report_planned_date text,                   -- YYYY-MM-DD
    created_at text not null,
    updated_at text not null,
    done_at text
);
insert into pm_order_next (order_id, parent_id, root_id, project_id, stage_id, title, description, source, appeal_id, appeal_url, origin, external_key, creator_id, creator_organisation_id, organisation_id, executor_id, deadline, priority, required, state, report_text, report_outcome, report_planned_date, created_at, updated_at, done_at)
select order_id, parent_id, root_id, project_id, stage_id, title, description, source, appeal_id, appeal_url, origin, external_key, creator_id, creator_organisation_id, organisation_id, executor_id, deadline, priority, required, state, report_text, report_outcome, report_planned_date, created_at, updated_at, done_at
from pm_order;
drop table pm_order;
alter table pm_order_next rename to pm_order;
create index pm_order_parent_idx on pm_order (parent_id);
create index pm_order_root_idx on pm_order (root_id);
create index pm_order_organisation_idx on pm_order (organisation_id, state, deadline, done_at);
create index pm_order_executor_idx on pm_order (executor_id, state, deadline, done_at);
create index pm_order_creator_idx on pm_order (creator_id);
create index pm_order_project_idx on pm_order (project_id, state, deadline, done_at);
create index pm_order_appeal_idx on pm_order (appeal_id);
create index pm_order_state_idx on pm_order (state, deadline);


-- A МЭДО partner's transport: its participant uid, its folders and the
-- encoding of what veche writes for it.
create table integration_medo (
    partner_id text primary key references integration_partner (partner_id) on delete cascade,
    medo_uid text not null,
    inbound_dir text not null,
    outbound_dir text not null,
    encoding text not null default 'windows-1251' check (encoding in ('windows-1251', 'utf-8'))
);

alter table organisation add column medo_uid text;
create unique index organisation_medo_uid_key on organisation (medo_uid);

-- Every package read (`in`) or written (`out`), by its header uid: a folder
-- seen twice is applied once. `registration_number` is veche's number of a
-- registered document.
create table integration_medo_package (
    package_id integer primary key autoincrement,
    partner_id text not null references integration_partner (partner_id) on delete cascade,
    direction text not null check (direction in ('in', 'out')),
    message_uid text not null,
    kind text not null,
    -- The document a package carries or concerns, with its number and
    -- date as the sender gave them, and for a document veche sent, the
    -- order it carries.
    document_uid text,
    document_number text,
    document_date text,
    order_id integer,
    folder text not null,
    status text not null check (status in ('registered', 'refused', 'applied', 'written')),
    reason text not null default '',
    detail text not null default '',
    registration_number text,
    created_at text not null,
    constraint integration_medo_package_uid_key unique (partner_id, direction, message_uid)
);
create index integration_medo_package_document_idx on integration_medo_package (document_uid);
create index integration_medo_package_order_idx on integration_medo_package (order_id);

-- A clause whose responsible organisation matched none or several of the
-- directory's: it waits for an administrator, who names the organisation
-- (its order is then opened) or drops it.
create table integration_medo_pending (
    pending_id integer primary key autoincrement,
    package_id integer not null references integration_medo_package (package_id) on delete cascade,
    clause text not null,
    principal text not null,
    candidates text not null,                   -- JSON: organisation ids
    payload text not null,                      -- JSON: the order to open
    organisation_id text references organisation (organisation_id),
    resolved_at text,
    created_at text not null
);
create index integration_medo_pending_package_idx on integration_medo_pending (package_id);
create index integration_medo_pending_organisation_idx on integration_medo_pending (organisation_id);

COMMIT;

PRAGMA foreign_keys = ON;
