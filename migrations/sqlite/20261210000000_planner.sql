-- The personal planner of staff (src/planner/, docs/PLANNER.md): personal
-- tasks, events and meetings with their recurrence, reminders and links;
-- meetings' invitees and decisions; the reminders due, delivered once by
-- the planner's worker; each person's time zone and calendar feed token.
-- Mirrors migrations/postgres/ of the same name; times are UTC RFC 3339
-- text.

create table planner_item (
    item_id integer primary key autoincrement,
    account_id integer not null references account (account_id) on delete cascade,
    kind text not null check (kind in ('task', 'event', 'meeting')),
    title text not null,
    notes text not null default '',
    -- The start of an event or meeting, the due moment of a task: the
    -- first occurrence of a recurring item.
    at text not null,
    -- The end of an event, when it has one.
    ends_at text,
    all_day integer not null default 0,
    -- The time zone its local times are read in (Europe/Moscow unless the
    -- person chose another).
    tz text not null,
    -- The canonical RRULE (`planner::rrule`), and its last occurrence
    -- (null: no end, or not recurring).
    rrule text,
    series_end text,
    -- Minutes before each occurrence, comma separated ("15,60").
    remind text not null default '',
    -- What the agenda knows that it links to (`order:12`, `hearing:3`).
    link_key text,
    link_title text,
    link_url text,
    done_at text,
    -- When a meeting's decisions were sent to the core as orders.
    decided_at text,
    created_at text not null,
    updated_at text not null
);
create index planner_item_account_idx on planner_item (account_id, at);

create table planner_invitee (
    item_id integer not null references planner_item (item_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    response text not null default 'pending' check (response in ('pending', 'accepted', 'declined')),
    responded_at text,
    primary key (item_id, account_id)
);
create index planner_invitee_account_idx on planner_invitee (account_id);

create table planner_decision (
    item_id integer not null references planner_item (item_id) on delete cascade,
    n integer not null,
    text text not null,
    organisation_id text not null references organisation (organisation_id),
    deadline text not null,
    primary key (item_id, n)
);

-- One row per reminder to send: the occurrence it is for, and when.
create table planner_reminder (
    reminder_id integer primary key autoincrement,
    item_id integer not null references planner_item (item_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    occurrence_at text not null,
    minutes integer not null,
    due_at text not null,
    sent_at text,
    constraint planner_reminder_key unique (item_id, occurrence_at, minutes)
);
create index planner_reminder_due_idx on planner_reminder (due_at) where sent_at is null;

create table planner_settings (
    account_id integer primary key references account (account_id) on delete cascade,
    tz text not null default 'Europe/Moscow',
    -- The secret of the person's calendar feed; null: no feed.
    feed_token text unique,
    updated_at text not null
);
