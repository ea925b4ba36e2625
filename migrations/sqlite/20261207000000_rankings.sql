-- Rankings and indicators of effectiveness (src/rankings/,
-- docs/RANKINGS.md): the federal and regional rankings the region is
-- placed in, their editions and every region's result; the indicators
-- (Decree No. 1014 of 28.11.2024, loaded from datasets/rankings/), their
-- values with every revision kept, their targets with the basis, and the
-- alerts that opened orders in the core for an indicator off track.
-- Mirrors migrations/postgres/ of the same name. Dates are YYYY-MM-DD
-- text, times UTC RFC 3339 text.

create table ranking (
    ranking_id integer primary key autoincrement,
    code text not null unique,
    name_ru text not null,
    name_en text not null,
    publisher text not null,
    methodology_url text not null default '',
    periodicity text not null check (periodicity in ('year', 'half', 'quarter', 'month')),
    entities integer not null check (entities > 0),
    -- Place 1 is the best (most rankings); 0: the highest place is best.
    lower_is_better integer not null default 1,
    -- The groups, best first, comma-separated ("A,B,C,D,E"); may be empty.
    groups text not null default '',
    created_at text not null
);

create table ranking_edition (
    edition_id integer primary key autoincrement,
    ranking_id integer not null references ranking (ranking_id),
    -- "2025", "2025-H1", "2025-Q3", "2025-07": sorts as time.
    period text not null,
    published_on text not null,
    source_url text not null default '',
    created_by integer references account (account_id),
    created_at text not null,
    constraint ranking_edition_period_key unique (ranking_id, period)
);

create table ranking_result (
    edition_id integer not null references ranking_edition (edition_id),
    -- A region's code from datasets/rankings/regions.csv ("RU-KDA").
    region text not null,
    place integer not null check (place > 0),
    score double precision,
    grp text not null default '',
    primary key (edition_id, region)
);
create index ranking_result_region_idx on ranking_result (region);

create table indicator (
    indicator_id integer primary key autoincrement,
    code text not null unique,
    name_ru text not null,
    name_en text not null,
    unit text not null default '',
    direction text not null check (direction in ('up', 'down', 'band')),
    band_low double precision,
    band_high double precision,
    decimals integer not null default 1 check (decimals between 0 and 6),
    methodology text not null default '',
    organisation_id text references organisation (organisation_id),
    -- Whether the wording is the decree's own: 'confirmed', 'secondary'
    -- (from a secondary list), 'unconfirmed'.
    wording text not null default 'unconfirmed'
        check (wording in ('confirmed', 'secondary', 'unconfirmed')),
    source text not null default '',
    base_year integer,
    -- The roadmap that should move it.
    project_id integer references pm_project (project_id),
    created_at text not null
);
create index indicator_organisation_idx on indicator (organisation_id);
create index indicator_project_idx on indicator (project_id);

-- Every value ever recorded: a revision adds a row and moves `current`.
create table indicator_value (
    value_id integer primary key autoincrement,
    indicator_id integer not null references indicator (indicator_id),
    -- '' for the region; a municipality's OKTMO otherwise.
    territory text not null default '',
    year integer not null,
    value double precision not null,
    status text not null check (status in ('preliminary', 'final', 'revised')),
    revision integer not null,
    current integer not null,
    origin text not null default 'form',
    recorded_by integer references account (account_id),
    recorded_at text not null,
    constraint indicator_value_revision_key unique (indicator_id, territory, year, revision)
);
create unique index indicator_value_current_key on indicator_value (indicator_id, territory, year)
    where current = 1;

create table indicator_target (
    indicator_id integer not null references indicator (indicator_id),
    year integer not null,
    value double precision not null,
    basis text not null,
    set_by integer references account (account_id),
    set_at text not null,
    primary key (indicator_id, year)
);

-- An indicator off track in a period opened one order in the core.
create table indicator_alert (
    alert_id integer primary key autoincrement,
    indicator_id integer not null references indicator (indicator_id),
    period integer not null,
    status text not null,
    raised_at text not null,
    cleared_at text,
    constraint indicator_alert_period_key unique (indicator_id, period)
);
