-- no-transaction
-- Participation I, second and third parts (src/participation/): monthly
-- ratings of government services and citizens' suggestions. Mirrors
-- migrations/postgres/ of the same name.
--
-- Two new kinds of request join the shared workflow: a low rating's
-- feedback to the provider ('service_feedback') and a suggestion
-- ('suggestion'). SQLite cannot change a CHECK constraint in place, so
-- `category` and `appeal` are rebuilt the way its documentation prescribes
-- (https://www.sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"): foreign keys off outside the transaction, a new table, the rows
-- copied, the old one dropped, the new one renamed, the indexes made again
-- (the rows are the same rows, so every key still holds). Hence `no-transaction` above.

PRAGMA foreign_keys = OFF;

BEGIN;

create table category_next (
    category_id text primary key,
    kind text not null check (kind in ('problem', 'construction_check', 'suggestion', 'service_feedback')),
    grp text not null,
    name_ru text not null,
    name_en text not null,
    description_ru text not null default '',
    description_en text not null default '',
    responsibility text not null check (responsibility in ('regional', 'municipal')),
    default_organisation_id text references organisation (organisation_id),
    keywords text not null default '',
    sort_order integer not null default 0,
    active integer not null default 1
);
insert into category_next (category_id, kind, grp, name_ru, name_en, description_ru, description_en,
                           responsibility, default_organisation_id, keywords, sort_order, active)
select category_id, kind, grp, name_ru, name_en, description_ru, description_en,
       responsibility, default_organisation_id, keywords, sort_order, active
from category;
drop table category;
alter table category_next rename to category;
create index category_default_organisation_idx on category (default_organisation_id);

create table appeal_next (
    appeal_id integer primary key autoincrement,
    kind text not null check (kind in ('problem', 'construction_check', 'suggestion', 'service_feedback')),
    state text not null,
    category_id text not null references category (category_id),
    municipality_id text not null references municipality (municipality_id),
    organisation_id text references organisation (organisation_id),
    author_id integer not null references account (account_id),
    hide_name integer not null default 0,
    description text not null,
    address text not null default '',
    lat real not null,
    lon real not null,
    support_count integer not null default 0,
    return_state text,
    planned_date text,
    planned_budget text,
    reaction_text text,
    close_reason text,
    created_at text not null,
    published_at text,
    due_at text,
    reacted_at text,
    resolved_at text,
    closed_at text,
    clarification_due_at text,
    reminded_at text,
    escalated_at text,
    updated_at text not null,
    approximate integer not null default 0,
    client_key text
);
insert into appeal_next (appeal_id, kind, state, category_id, municipality_id, organisation_id,
    author_id, hide_name, description, address, lat, lon, support_count, return_state,
    planned_date, planned_budget, reaction_text, close_reason, created_at, published_at, due_at,
    reacted_at, resolved_at, closed_at, clarification_due_at, reminded_at, escalated_at,
    updated_at, approximate, client_key)
select appeal_id, kind, state, category_id, municipality_id, organisation_id,
    author_id, hide_name, description, address, lat, lon, support_count, return_state,
    planned_date, planned_budget, reaction_text, close_reason, created_at, published_at, due_at,
    reacted_at, resolved_at, closed_at, clarification_due_at, reminded_at, escalated_at,
    updated_at, approximate, client_key
from appeal;
drop table appeal;
alter table appeal_next rename to appeal;
create index appeal_state_idx on appeal (kind, state);
create index appeal_category_idx on appeal (category_id);
create index appeal_municipality_idx on appeal (municipality_id, state);
create index appeal_organisation_idx on appeal (organisation_id, state, due_at);
create index appeal_author_idx on appeal (author_id);
create index appeal_location_idx on appeal (lat, lon);
create index appeal_due_idx on appeal (state, due_at);
create unique index appeal_client_key on appeal (author_id, client_key) where client_key is not null;

-- The directory of government services. Services of one `grp` are the same
-- service offered by different providers or through different channels:
-- they are ranked against each other.
create table gov_service (
    service_id text primary key,                -- stable slug
    grp text not null,
    name_ru text not null,
    name_en text not null,
    organisation_id text not null references organisation (organisation_id),
    municipality_id text references municipality (municipality_id),  -- null: the whole region
    channel text not null check (channel in ('mfc', 'office', 'online')),
    active integer not null default 1,
    created_at text not null
);
create index gov_service_organisation_idx on gov_service (organisation_id);
create index gov_service_municipality_idx on gov_service (municipality_id);
create index gov_service_grp_idx on gov_service (grp);

-- One rating per citizen, service and month (Moscow time), by constraint.
-- Never published as rows: only the monthly aggregates are.
create table service_rating (
    rating_id integer primary key autoincrement,
    service_id text not null references gov_service (service_id),
    account_id integer not null references account (account_id) on delete cascade,
    month text not null,                        -- '2026-11'
    quality integer not null check (quality between 1 and 5),
    convenience integer not null check (convenience between 1 and 5),
    speed integer not null check (speed between 1 and 5),
    comment text not null default '',
    -- The feedback request a low score with a comment became.
    appeal_id integer references appeal (appeal_id),
    created_at text not null,
    constraint service_rating_once unique (service_id, account_id, month)
);
create index service_rating_month_idx on service_rating (month, service_id);
create index service_rating_account_idx on service_rating (account_id);
create index service_rating_appeal_idx on service_rating (appeal_id);

-- A closed month: written once, with its results, in one transaction.
create table service_month (
    month text primary key,
    min_n integer not null,
    closed_at text not null
);

-- A closed month's results for each service and each organisation
-- (`subject_kind`). Means and intervals are null below the month's min_n.
create table service_result (
    month text not null references service_month (month),
    subject_kind text not null check (subject_kind in ('service', 'organisation')),
    subject_id text not null,
    grp text not null default '',
    n integer not null,
    quality_mean real, quality_low real, quality_high real,
    convenience_mean real, convenience_low real, convenience_high real,
    speed_mean real, speed_low real, speed_high real,
    overall_mean real, overall_low real, overall_high real,
    position integer,                           -- among comparable subjects with enough ratings
    compared integer not null default 0,        -- how many those were
    primary key (month, subject_kind, subject_id)
);
create index service_result_subject_idx on service_result (subject_kind, subject_id, month);

-- What a suggestion adds to its request: a title, and the problem report or
-- priority it answers (none: a standalone suggestion with its own topic
-- and place).
create table suggestion (
    appeal_id integer primary key references appeal (appeal_id) on delete cascade,
    title text not null,
    target_kind text check (target_kind in ('problem', 'priority')),
    target_id integer,
    check ((target_kind is null) = (target_id is null))
);
create index suggestion_target_idx on suggestion (target_kind, target_id);

-- Citizens' comments on suggestions, shown after a moderator publishes them.
create table suggestion_comment (
    comment_id integer primary key autoincrement,
    appeal_id integer not null references appeal (appeal_id) on delete cascade,
    author_id integer not null references account (account_id) on delete cascade,
    body text not null,
    state text not null check (state in ('pending', 'published', 'rejected')),
    moderator_id integer references account (account_id),
    created_at text not null,
    moderated_at text
);
create index suggestion_comment_appeal_idx on suggestion_comment (appeal_id, state);
create index suggestion_comment_state_idx on suggestion_comment (state, comment_id);
create index suggestion_comment_author_idx on suggestion_comment (author_id);
create index suggestion_comment_moderator_idx on suggestion_comment (moderator_id);

COMMIT;

PRAGMA foreign_keys = ON;
