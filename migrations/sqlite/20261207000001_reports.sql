-- Periodic reports (src/reports/, docs/REPORTS.md), after DHIS2's data
-- sets: a form of items owed by organisations per period, due and locked
-- so many working days after the period; submissions draft → submitted →
-- returned → accepted, their values with an audit of every change;
-- versioned plans; validation rules; the alerts that opened orders in the
-- core for late submissions and returns. Mirrors migrations/postgres/ of
-- the same name; times are UTC RFC 3339 text.

create table report_form (
    form_id integer primary key autoincrement,
    code text not null unique,
    name_ru text not null,
    name_en text not null,
    period_type text not null check (period_type in ('month', 'quarter', 'year')),
    -- The form's owner: its officers unlock, return and accept.
    organisation_id text not null references organisation (organisation_id),
    -- Working days after the period's end: due, then locked.
    due_days integer not null check (due_days between 0 and 60),
    lock_days integer not null check (lock_days between 0 and 120),
    approval integer not null,
    -- A comment is required where |deviation from plan| exceeds this, %.
    comment_threshold double precision,
    -- The achievement bands, %: at or above `band_good` good, at or above
    -- `band_fair` fair, else poor.
    band_good double precision not null default 95,
    band_fair double precision not null default 80,
    public integer not null default 0,
    -- The first period owed ("2026-01", "2026-Q1", "2026").
    starts text not null,
    created_by integer references account (account_id),
    created_at text not null
);
create index report_form_organisation_idx on report_form (organisation_id);

create table report_item (
    item_id integer primary key autoincrement,
    form_id integer not null references report_form (form_id),
    code text not null,
    name_ru text not null,
    name_en text not null,
    unit text not null default '',
    required integer not null,
    direction text not null check (direction in ('up', 'down')),
    aggregation text not null check (aggregation in ('sum', 'ytd', 'last', 'avg')),
    decimals integer not null default 1,
    sort integer not null,
    constraint report_item_code_key unique (form_id, code)
);

create table report_owed (
    form_id integer not null references report_form (form_id),
    organisation_id text not null references organisation (organisation_id),
    primary key (form_id, organisation_id)
);
create index report_owed_organisation_idx on report_owed (organisation_id);

create table report_rule (
    rule_id integer primary key autoincrement,
    form_id integer not null references report_form (form_id),
    -- Sums of item codes and numbers: "A1 + A2 - 3".
    left_side text not null,
    operator text not null check (operator in ('==', '!=', '<', '<=', '>', '>=')),
    right_side text not null,
    importance text not null check (importance in ('high', 'medium', 'low')),
    message text not null
);
create index report_rule_form_idx on report_rule (form_id);

create table report_submission (
    submission_id integer primary key autoincrement,
    form_id integer not null references report_form (form_id),
    organisation_id text not null references organisation (organisation_id),
    period text not null,
    state text not null check (state in ('draft', 'submitted', 'returned', 'accepted')),
    submitted_at text,
    -- The first submission's time: timeliness is judged by it.
    first_submitted_at text,
    accepted_at text,
    note text not null default '',
    -- The form owner's unlock after the lock date, until this time.
    unlocked_until text,
    updated_at text not null,
    constraint report_submission_key unique (form_id, organisation_id, period)
);
create index report_submission_organisation_idx on report_submission (organisation_id);

create table report_value (
    submission_id integer not null references report_submission (submission_id),
    item_id integer not null references report_item (item_id),
    value double precision,
    comment text not null default '',
    follow_up integer not null default 0,
    primary key (submission_id, item_id)
);
create index report_value_item_idx on report_value (item_id);

-- Every change of a value: who, when, the old and the new.
create table report_audit (
    audit_id integer primary key autoincrement,
    submission_id integer not null references report_submission (submission_id),
    item_id integer not null references report_item (item_id),
    old_value double precision,
    new_value double precision,
    old_comment text not null default '',
    new_comment text not null default '',
    old_follow_up integer not null default 0,
    new_follow_up integer not null default 0,
    changed_by integer references account (account_id),
    changed_at text not null
);
create index report_audit_submission_idx on report_audit (submission_id);
create index report_audit_item_idx on report_audit (item_id);

-- The life of a submission: submitted, returned (with the note),
-- accepted, unlocked.
create table report_event (
    event_id integer primary key autoincrement,
    submission_id integer not null references report_submission (submission_id),
    kind text not null,
    note text not null default '',
    actor_id integer references account (account_id),
    created_at text not null
);
create index report_event_submission_idx on report_event (submission_id);

-- Plans per item, organisation and period; a revision adds a version.
create table report_plan (
    plan_id integer primary key autoincrement,
    item_id integer not null references report_item (item_id),
    organisation_id text not null references organisation (organisation_id),
    period text not null,
    value double precision not null,
    version integer not null,
    basis text not null,
    current integer not null,
    set_by integer references account (account_id),
    set_at text not null,
    constraint report_plan_version_key unique (item_id, organisation_id, period, version)
);
create unique index report_plan_current_key on report_plan (item_id, organisation_id, period)
    where current = 1;
create index report_plan_organisation_idx on report_plan (organisation_id);

-- An order the core opened: a late submission (`late`) or a return
-- (`return:N`), once each.
create table report_alert (
    alert_id integer primary key autoincrement,
    form_id integer not null references report_form (form_id),
    organisation_id text not null references organisation (organisation_id),
    period text not null,
    reason text not null,
    raised_at text not null,
    cleared_at text,
    constraint report_alert_key unique (form_id, organisation_id, period, reason)
);
create index report_alert_organisation_idx on report_alert (organisation_id);
