-- The foundation: geography, the organisation directory, accounts and roles,
-- sessions, and the durable outbox. Mirrors migrations/postgres/ of the same name.

-- The 44 municipal formations of Krasnodar Krai. Their boundaries stay in the
-- GeoJSON file shipped with the binary; the table holds what rows refer to.
create table municipality (
    municipality_id text primary key,          -- stable slug, e.g. 'krasnodar'
    name_ru text not null,
    name_en text not null,
    kind text not null check (kind in ('urban_okrug', 'municipal_okrug', 'municipal_district')),
    oktmo text,                                -- 8 digits; unknown for some units
    admin_centre_ru text not null,
    admin_centre_en text not null,
    area_km2 real not null,
    centroid_lat real not null,
    centroid_lon real not null,
    sort_order integer not null
);

-- Regional departments (grouped under portfolios), municipal administrations
-- and state companies. Ids are stable slugs that other systems may store.
create table organisation (
    organisation_id text primary key,
    parent_id text references organisation (organisation_id),
    kind text not null check (kind in ('governor_office', 'portfolio', 'department',
                                       'municipal_administration', 'state_company')),
    name_ru text not null,
    name_en text not null,
    short_name_ru text not null,
    short_name_en text not null,
    inn text,
    municipality_id text references municipality (municipality_id),
    email text,
    phone text,
    website text,
    created_at text not null,
    updated_at text not null
);
create index organisation_parent_idx on organisation (parent_id);
create index organisation_municipality_idx on organisation (municipality_id);

create table account (
    account_id integer primary key autoincrement,   -- ids are never reused
    email text,                                -- null when the identity provider gave none
    email_norm text,                           -- lower-cased in Rust; unique
    display_name text not null,
    password_hash text,                        -- null for accounts that only use OIDC
    email_confirmed_at text,
    municipality_id text references municipality (municipality_id),
    municipality_status text check (municipality_status in ('verified', 'declared')),
    hide_name integer not null default 0,      -- show "a resident" instead of the name
    locale text not null default 'ru',         -- language of mail sent to the account
    created_at text not null,
    updated_at text not null,
    disabled_at text,
    constraint account_email_norm_key unique (email_norm),
    constraint account_municipality_status_chk
        check ((municipality_id is null) = (municipality_status is null))
);
create index account_municipality_idx on account (municipality_id);

-- Global roles. Citizen is implicit (every account); officer and executor are
-- memberships of an organisation (below).
create table account_role (
    account_id integer not null references account (account_id) on delete cascade,
    role text not null check (role in ('moderator', 'administrator')),
    granted_at text not null,
    primary key (account_id, role)
);

create table membership (
    account_id integer not null references account (account_id) on delete cascade,
    organisation_id text not null references organisation (organisation_id),
    kind text not null check (kind in ('officer', 'executor')),
    granted_at text not null,
    primary key (account_id, organisation_id, kind)
);
create index membership_organisation_idx on membership (organisation_id);

-- Links to identities at an OpenID Connect provider.
create table account_identity (
    issuer text not null,
    subject text not null,
    account_id integer not null references account (account_id) on delete cascade,
    created_at text not null,
    primary key (issuer, subject)
);
create index account_identity_account_idx on account_identity (account_id);

-- One-time tokens sent by mail. Only a SHA-256 of the token is stored.
create table account_token (
    token_hash text primary key,
    account_id integer not null references account (account_id) on delete cascade,
    purpose text not null check (purpose in ('confirm_email', 'reset_password')),
    expires_at text not null,
    used_at text,
    created_at text not null
);
create index account_token_account_idx on account_token (account_id);

-- Server-side sessions. The id is stored hashed, so a copy of the database
-- cannot be used to hijack sessions; account_id lets a password reset end
-- every other session of the account.
create table session (
    session_hash text primary key,
    account_id integer references account (account_id) on delete cascade,
    data text not null,
    expires_at text not null
);
create index session_account_idx on session (account_id);
create index session_expires_idx on session (expires_at);

-- The durable outbox (src/db/queue.rs).
create table outbox (
    outbox_id integer primary key autoincrement,    -- monotonic, never reused
    queue text not null,
    dedup_key text,
    payload text not null,
    attempts integer not null default 0,
    run_after text not null,
    locked_until text,
    last_error text,
    created_at text not null,
    dead_at text
);
create index outbox_due_idx on outbox (queue, dead_at, run_after);
create unique index outbox_dedup_key on outbox (queue, dedup_key);
