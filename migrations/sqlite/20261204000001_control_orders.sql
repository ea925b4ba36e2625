-- no-transaction
-- Risks found by the control of government bodies become orders in the
-- project-management core (`control.raised`): a new source of orders,
-- 'control'. Mirrors
-- migrations/postgres/ of the same name. SQLite cannot change a CHECK
-- constraint in place, so `pm_order` is rebuilt the way its documentation
-- prescribes (https://www.sqlite.org/lang_altertable.html): foreign keys
-- off outside the transaction, a new table, the rows copied, the old one
-- dropped, the new one renamed, the indexes made again.

PRAGMA foreign_keys = OFF;

BEGIN;

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
                                           'control')),
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

COMMIT;

PRAGMA foreign_keys = ON;
