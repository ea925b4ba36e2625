-- Citizens' requests ("appeals"): problem reports now, construction check
-- requests later. One machinery for both (src/workflow/): categories and
-- routing, the lifecycle with its public timeline, the SLA, support votes,
-- follows and notifications. Mirrors migrations/postgres/ of the same name.

-- Key/value settings administrators change at run time (pre-moderation,
-- SLA mode).
create table setting (
    setting_key text primary key,
    value text not null,
    updated_at text not null
);

create table category (
    category_id text primary key,               -- stable slug, also the Open311 service_code
    kind text not null check (kind in ('problem', 'construction_check')),
    grp text not null,                          -- group: roads, lighting, waste, …
    name_ru text not null,
    name_en text not null,
    description_ru text not null default '',
    description_en text not null default '',
    responsibility text not null check (responsibility in ('regional', 'municipal')),
    -- For regional categories: the department that answers by default.
    default_organisation_id text references organisation (organisation_id),
    keywords text not null default '',
    sort_order integer not null default 0,
    active integer not null default 1
);
create index category_default_organisation_idx on category (default_organisation_id);

-- Category × municipality → organisation, overriding the default route.
create table routing_rule (
    category_id text not null references category (category_id),
    municipality_id text not null references municipality (municipality_id),
    organisation_id text not null references organisation (organisation_id),
    updated_at text not null,
    primary key (category_id, municipality_id)
);
create index routing_rule_municipality_idx on routing_rule (municipality_id);
create index routing_rule_organisation_idx on routing_rule (organisation_id);

create table appeal (
    appeal_id integer primary key autoincrement,
    kind text not null check (kind in ('problem', 'construction_check')),
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
    -- Where the state machine keeps what it needs.
    return_state text,                          -- state to go back to after a clarification
    planned_date text,                          -- YYYY-MM-DD, with the "planned" reaction
    planned_budget text,
    reaction_text text,                         -- the official reaction, public
    close_reason text,                          -- not_responsible | duplicate | no_action | fixed | …
    created_at text not null,
    published_at text,
    due_at text,                                -- the SLA deadline of the official reaction
    reacted_at text,                            -- the first official reaction
    resolved_at text,
    closed_at text,
    clarification_due_at text,
    reminded_at text,
    escalated_at text,
    updated_at text not null
);
create index appeal_state_idx on appeal (kind, state);
create index appeal_category_idx on appeal (category_id);
create index appeal_municipality_idx on appeal (municipality_id, state);
create index appeal_organisation_idx on appeal (organisation_id, state, due_at);
create index appeal_author_idx on appeal (author_id);
create index appeal_location_idx on appeal (lat, lon);
create index appeal_due_idx on appeal (state, due_at);

-- The timeline: every transition and every reaction, with who and when.
create table appeal_event (
    event_id integer primary key autoincrement,
    appeal_id integer not null references appeal (appeal_id) on delete cascade,
    kind text not null,                         -- submitted, published, referred, reaction, …
    from_state text,
    to_state text,
    actor_id integer references account (account_id),
    actor_role text not null,                   -- citizen, moderator, officer, administrator, system
    organisation_id text references organisation (organisation_id),
    note text not null default '',
    public integer not null default 1,
    created_at text not null
);
create index appeal_event_appeal_idx on appeal_event (appeal_id, event_id);
create index appeal_event_actor_idx on appeal_event (actor_id);
create index appeal_event_organisation_idx on appeal_event (organisation_id);

-- Photos: stored only after re-encoding (no metadata survives).
create table appeal_photo (
    photo_id integer primary key autoincrement,
    appeal_id integer not null references appeal (appeal_id) on delete cascade,
    event_id integer references appeal_event (event_id) on delete cascade,
    media_key text not null,
    width integer not null,
    height integer not null,
    position integer not null default 0,
    created_at text not null,
    constraint appeal_photo_media_key unique (media_key)
);
create index appeal_photo_appeal_idx on appeal_photo (appeal_id);
create index appeal_photo_event_idx on appeal_photo (event_id);

-- One support per citizen and report, by constraint.
create table appeal_support (
    appeal_id integer not null references appeal (appeal_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    created_at text not null,
    primary key (appeal_id, account_id)
);
create index appeal_support_account_idx on appeal_support (account_id);

create table appeal_follow (
    appeal_id integer not null references appeal (appeal_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    created_at text not null,
    primary key (appeal_id, account_id)
);
create index appeal_follow_account_idx on appeal_follow (account_id);

-- In-site notifications.
create table notification (
    notification_id integer primary key autoincrement,
    account_id integer not null references account (account_id) on delete cascade,
    appeal_id integer references appeal (appeal_id) on delete cascade,
    text_ru text not null,
    text_en text not null,
    link text not null,
    created_at text not null,
    read_at text
);
create index notification_account_idx on notification (account_id, read_at);
create index notification_appeal_idx on notification (appeal_id);

-- Keys of Open311 clients, issued by administrators; stored hashed.
create table open311_key (
    key_hash text primary key,
    name text not null,
    account_id integer not null references account (account_id),
    created_at text not null,
    revoked_at text
);
create index open311_key_account_idx on open311_key (account_id);
