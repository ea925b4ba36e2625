-- The open data portal: datasets with their passports (Methodical
-- Recommendations 3.0), structure versions and data versions. The rows of
-- each data version live in a table of their own, `odv_<version_id>`, made
-- by the importer with one typed column per field (src/opendata/store.rs).
-- Mirrors migrations/postgres/ of the same name.

create table dataset (
    dataset_id integer primary key autoincrement,
    uuid text not null,                        -- the CKAN package id
    identifier text not null,                  -- {owner INN}-{code}, as published
    identifier_norm text not null,             -- lower-cased: lookups and the CKAN name
    organisation_id text not null references organisation (organisation_id),
    title text not null,
    title_en text not null default '',
    description text not null,
    description_en text not null default '',
    publisher_name text not null,              -- the responsible person (an official contact)
    publisher_phone text not null,
    publisher_mbox text not null,
    format text not null,
    subject text not null,                     -- keywords, comma-separated
    topic text not null,
    municipality_id text references municipality (municipality_id),
    license_id text not null,
    frequency text not null default '',
    source text not null,                      -- 'file', or the registry that feeds it
    created text not null,                     -- YYYY-MM-DD, first publication
    modified text not null,                    -- YYYY-MM-DD, last change
    provenance text not null,                  -- what the last change was
    valid text not null,                       -- YYYY-MM-DD, date the data is valid for
    passport_hash text not null default '',
    created_at text not null,
    updated_at text not null,
    constraint dataset_uuid_key unique (uuid),
    constraint dataset_identifier_norm_key unique (identifier_norm)
);
create index dataset_organisation_idx on dataset (organisation_id);
create index dataset_municipality_idx on dataset (municipality_id);

create table dataset_structure (
    structure_id integer primary key autoincrement,
    dataset_id integer not null references dataset (dataset_id) on delete cascade,
    stamp text not null,                       -- as in structure-<stamp>.csv
    fields text not null,                      -- JSON: [{name, en, ru, format}]
    created_at text not null,
    constraint dataset_structure_stamp_key unique (dataset_id, stamp)
);

create table dataset_version (
    version_id integer primary key autoincrement,
    uuid text not null,                        -- the CKAN resource id
    dataset_id integer not null references dataset (dataset_id) on delete cascade,
    structure_id integer not null references dataset_structure (structure_id),
    stamp text not null,                       -- as in data-<stamp>-structure-<s>.csv
    provenance text not null,
    valid text not null,                       -- YYYY-MM-DD
    row_count integer not null default 0,
    byte_size integer not null default 0,      -- of the CSV file
    sha256 text not null default '',           -- of the CSV file
    state text not null check (state in ('loading', 'published', 'failed')),
    created_at text not null,
    published_at text,
    constraint dataset_version_uuid_key unique (uuid),
    constraint dataset_version_stamp_key unique (dataset_id, stamp)
);
create index dataset_version_structure_idx on dataset_version (structure_id);
create index dataset_version_state_idx on dataset_version (dataset_id, state);

-- Personal API tokens (for publishing through the API). Only a SHA-256 of
-- the token is stored.
create table api_token (
    token_hash text primary key,
    account_id integer not null references account (account_id) on delete cascade,
    name text not null,
    created_at text not null,
    last_used_at text
);
create index api_token_account_idx on api_token (account_id);
