-- Mass-media tracking (src/press/, docs/PRESS.md): the media the region
-- follows and their RSS/Atom feeds with the state of polling; stories
-- (title, snippet and link only: the text stays with its publisher), each
-- once however many sources carry it, with one appearance per source; the
-- mentions of the entities tracked (the region, municipalities,
-- departments, officials, projects) with a heuristic tone and a manual
-- override; officials and extra names the keeper adds; departments' saved
-- queries and their hits; the spikes notified and the digests sent, so
-- each goes out once. Mirrors migrations/postgres/ of the same name.
-- Dates are YYYY-MM-DD text (the publication day in Moscow), times UTC
-- RFC 3339 text.

create table press_source (
    source_id integer primary key autoincrement,
    name text not null,
    kind text not null check (kind in ('federal', 'regional', 'municipal')),
    municipality_id text references municipality (municipality_id),
    website text not null default '',
    -- Demo sources are fictional: their feeds are never polled.
    demo integer not null default 0,
    created_at text not null,
    updated_at text not null,
    constraint press_source_name_key unique (name)
);
create index press_source_municipality_idx on press_source (municipality_id);

create table press_feed (
    feed_id integer primary key autoincrement,
    source_id integer not null references press_source (source_id),
    url text not null,
    active integer not null default 1,
    -- The validators of the last full answer, sent back as If-None-Match
    -- and If-Modified-Since.
    etag text,
    last_modified text,
    next_poll_at text not null,
    last_polled_at text,
    last_success_at text,
    last_new_item_at text,
    last_status integer,
    last_error text,
    consecutive_errors integer not null default 0,
    stories_found integer not null default 0,
    created_at text not null,
    constraint press_feed_url_key unique (url)
);
create index press_feed_source_idx on press_feed (source_id);
create index press_feed_due_idx on press_feed (active, next_poll_at);

create table press_story (
    story_id integer primary key autoincrement,
    -- The link as first seen, cleaned (no fragment, no tracking
    -- parameters, the query sorted); `url_key` is the same without the
    -- scheme and a leading "www.", the key of deduplication.
    url text not null,
    url_key text not null,
    title text not null,
    -- A hash of the title lower-cased, «ё» as «е», punctuation and spaces
    -- collapsed; empty for titles too short to tell stories apart.
    title_hash text not null,
    snippet text not null default '',
    published_at text not null,
    day text not null,
    first_seen_at text not null,
    source_id integer not null references press_source (source_id),
    -- The heuristic tone of title and snippet (docs/PRESS.md).
    tone text not null check (tone in ('pos', 'neg', 'neu')),
    tone_score double precision not null default 0,
    tone_hits text not null default '',
    constraint press_story_url_key unique (url_key)
);
create index press_story_title_idx on press_story (title_hash, published_at);
create index press_story_day_idx on press_story (day);
create index press_story_source_idx on press_story (source_id);

-- The same story in another source.
create table press_appearance (
    story_id integer not null references press_story (story_id),
    source_id integer not null references press_source (source_id),
    feed_id integer references press_feed (feed_id),
    url text not null,
    seen_at text not null,
    primary key (story_id, source_id)
);
create index press_appearance_source_idx on press_appearance (source_id);
create index press_appearance_feed_idx on press_appearance (feed_id);

create table press_official (
    official_id integer primary key autoincrement,
    name text not null,
    role text not null default '',
    organisation_id text references organisation (organisation_id),
    created_at text not null,
    constraint press_official_name_key unique (name)
);
create index press_official_organisation_idx on press_official (organisation_id);

-- More names an entity is known by ("минстрой Кубани").
create table press_alias (
    alias_id integer primary key autoincrement,
    entity text not null,
    phrase text not null,
    created_by integer references account (account_id),
    created_at text not null,
    constraint press_alias_key unique (entity, phrase)
);
create index press_alias_created_by_idx on press_alias (created_by);

-- An entity ("region", "mun:<slug>", "org:<id>", "official:<id>",
-- "project:<id>") named in a story.
create table press_mention (
    mention_id integer primary key autoincrement,
    story_id integer not null references press_story (story_id),
    entity text not null,
    day text not null,
    tone_override text check (tone_override in ('pos', 'neg', 'neu')),
    override_by integer references account (account_id),
    override_at text,
    constraint press_mention_key unique (story_id, entity)
);
create index press_mention_entity_idx on press_mention (entity, day);
create index press_mention_override_by_idx on press_mention (override_by);

create table press_query (
    query_id integer primary key autoincrement,
    organisation_id text not null references organisation (organisation_id),
    words text not null,
    created_by integer references account (account_id),
    created_at text not null,
    constraint press_query_words_key unique (organisation_id, words)
);
create index press_query_created_by_idx on press_query (created_by);

create table press_query_hit (
    query_id integer not null references press_query (query_id) on delete cascade,
    story_id integer not null references press_story (story_id),
    day text not null,
    primary key (query_id, story_id)
);
create index press_query_hit_story_idx on press_query_hit (story_id);

-- A spike of an entity's mentions on a day, notified once.
create table press_spike (
    entity text not null,
    day text not null,
    mentions integer not null,
    mean double precision not null,
    sd double precision not null,
    notified_at text not null,
    primary key (entity, day)
);

-- A department's daily digest, sent once.
create table press_digest (
    organisation_id text not null references organisation (organisation_id),
    day text not null,
    sent_at text not null,
    primary key (organisation_id, day)
);
