-- The construction registry and the registry of illegal constructions
-- (src/construction/). Mirrors migrations/postgres/ of the same name.

create table construction_object (
    object_id integer primary key autoincrement,
    name text not null,
    address text not null default '',
    address_norm text not null default '',      -- lower-cased, spaces collapsed: de-duplication
    lat real not null,
    lon real not null,
    footprint text,                             -- GeoJSON Polygon or MultiPolygon, WGS 84
    municipality_id text not null references municipality (municipality_id),
    cadastral_number text,
    permit_number text,
    permit_date text,                           -- YYYY-MM-DD
    developer text not null default '',
    purpose text not null default '',
    floors integer,
    planned_start text,
    planned_end text,
    actual_start text,
    actual_end text,
    status text not null check (status in ('planned', 'under_construction', 'suspended',
                                          'completed', 'illegal', 'demolished')),
    -- In the registry of illegal constructions (confirmed violations and
    -- imported spreadsheets), whatever its status becomes later.
    illegal integer not null default 0,
    detected_on text,                           -- YYYY-MM-DD, for the illegal registry
    source text not null default 'officer' check (source in ('officer', 'import', 'check')),
    created_at text not null,
    updated_at text not null
);
create index construction_object_status_idx on construction_object (status);
create index construction_object_municipality_idx on construction_object (municipality_id, status);
create index construction_object_location_idx on construction_object (lat, lon);
create index construction_object_cadastral_idx on construction_object (cadastral_number);
create index construction_object_address_idx on construction_object (address_norm);
create index construction_object_illegal_idx on construction_object (illegal, status);

-- Every change: who, when, and each field's old and new value (JSON).
create table construction_history (
    history_id integer primary key autoincrement,
    object_id integer not null references construction_object (object_id) on delete cascade,
    actor_id integer references account (account_id),
    actor_label text not null default '',
    action text not null,                       -- created, updated, imported, verified
    changes text not null default '{}',
    created_at text not null
);
create index construction_history_object_idx on construction_history (object_id, history_id);

-- Approval documents (PDF), public.
create table construction_document (
    document_id integer primary key autoincrement,
    object_id integer not null references construction_object (object_id) on delete cascade,
    title text not null,
    media_key text not null,
    file_name text not null,
    size integer not null,
    created_at text not null
);
create index construction_document_object_idx on construction_document (object_id);

-- Citizens' check requests are requests of the shared workflow (kind
-- 'construction_check'); this is what the registry adds: the object a
-- request concerns (none for a place not in the registry) and the
-- published verification result.
create table construction_check (
    appeal_id integer primary key references appeal (appeal_id) on delete cascade,
    object_id integer references construction_object (object_id),
    result text check (result in ('permit_found_legal', 'violation_confirmed', 'not_confirmed')),
    result_note text not null default '',
    decided_by integer references account (account_id),
    decided_at text
);
create index construction_check_object_idx on construction_check (object_id);
