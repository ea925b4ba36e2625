-- The project-management core (src/pm/) and the integration platform
-- (src/integration/). Mirrors migrations/postgres/ of the same name.

-- Priority projects and programmes: a work breakdown structure
-- (programme → project → stages → orders) with roadmap events.
create table pm_project (
    project_id integer primary key autoincrement,
    parent_id integer references pm_project (project_id),
    kind text not null check (kind in ('programme', 'project')),
    code text not null unique,
    title text not null,
    description text not null default '',
    organisation_id text not null references organisation (organisation_id),
    starts_on text,                             -- YYYY-MM-DD
    ends_on text,                               -- YYYY-MM-DD
    created_by integer references account (account_id),
    created_at text not null,
    updated_at text not null
);
create index pm_project_parent_idx on pm_project (parent_id);
create index pm_project_organisation_idx on pm_project (organisation_id);

create table pm_stage (
    stage_id integer primary key autoincrement,
    project_id integer not null references pm_project (project_id) on delete cascade,
    title text not null,
    sort_order integer not null default 0,
    due_on text,                                -- YYYY-MM-DD
    created_at text not null
);
create index pm_stage_project_idx on pm_stage (project_id, sort_order);

-- Roadmap events (контрольные точки): what must have happened by when.
create table pm_milestone (
    milestone_id integer primary key autoincrement,
    project_id integer not null references pm_project (project_id) on delete cascade,
    stage_id integer references pm_stage (stage_id) on delete set null,
    title text not null,
    due_on text not null,                       -- YYYY-MM-DD
    done_at text,
    created_at text not null
);
create index pm_milestone_project_idx on pm_milestone (project_id, due_on);

-- Orders (поручения). A sub-order points at its parent; the root of a
-- delegation vertical is its own root.
create table pm_order (
    order_id integer primary key autoincrement,
    parent_id integer references pm_order (order_id),
    root_id integer,
    project_id integer references pm_project (project_id),
    stage_id integer references pm_stage (stage_id),
    title text not null,
    description text not null default '',
    source text not null check (source in ('citizen_report', 'construction_check', 'meeting',
                                           'federal_programme', 'manual')),
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
create index pm_order_parent_idx on pm_order (parent_id);
create index pm_order_root_idx on pm_order (root_id);
create index pm_order_organisation_idx on pm_order (organisation_id, state, deadline, done_at);
create index pm_order_executor_idx on pm_order (executor_id, state, deadline, done_at);
create index pm_order_creator_idx on pm_order (creator_id);
create index pm_order_project_idx on pm_order (project_id, state, deadline, done_at);
create index pm_order_appeal_idx on pm_order (appeal_id);
create index pm_order_state_idx on pm_order (state, deadline);

-- Comments and every change, with who and when.
create table pm_order_event (
    event_id integer primary key autoincrement,
    order_id integer not null references pm_order (order_id) on delete cascade,
    kind text not null,
    from_state text,
    to_state text,
    actor_id integer references account (account_id),
    actor_label text not null default '',       -- a partner system, when no account acted
    note text not null default '',
    created_at text not null
);
create index pm_order_event_order_idx on pm_order_event (order_id, event_id);

-- Attachments: photos (re-encoded, as everywhere) and documents.
create table pm_attachment (
    attachment_id integer primary key autoincrement,
    order_id integer not null references pm_order (order_id) on delete cascade,
    event_id integer references pm_order_event (event_id),
    media_key text not null,
    file_name text not null,
    content_type text not null,
    size integer not null,
    is_photo integer not null,
    created_at text not null
);
create index pm_attachment_order_idx on pm_attachment (order_id);

-- A staff member's own tasks, beside their orders.
create table pm_task (
    task_id integer primary key autoincrement,
    account_id integer not null references account (account_id) on delete cascade,
    title text not null,
    due_on text,                                -- YYYY-MM-DD
    done_at text,
    created_at text not null
);
create index pm_task_account_idx on pm_task (account_id, done_at);

-- Integration partners: other veche instances (a remote core, the portal)
-- and outside document-flow systems. Each signs what it sends with its
-- secret (HMAC-SHA256); a system is limited to its organisations.
create table integration_partner (
    partner_id text primary key,
    name text not null,
    kind text not null check (kind in ('instance', 'system')),
    url text,                                   -- where messages are delivered
    secret text not null,
    all_organisations integer not null default 0,
    created_at text not null,
    disabled_at text
);

create table integration_partner_organisation (
    partner_id text not null references integration_partner (partner_id) on delete cascade,
    organisation_id text not null references organisation (organisation_id),
    primary key (partner_id, organisation_id)
);

-- Messages received, by their sender's id: a message is applied once, in
-- the same transaction as its effect, however often it is delivered.
create table integration_inbox (
    partner_id text not null,
    message_id text not null,
    message_type text not null,
    received_at text not null,
    primary key (partner_id, message_id)
);
