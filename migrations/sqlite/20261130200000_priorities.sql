-- Priority ranks (src/participation/): priorities proposed by officers and
-- published by moderators, citizens' supports per quarter, and the immutable
-- snapshot of each closed quarter. Mirrors migrations/postgres/ of the same
-- name.

create table priority (
    priority_id integer primary key autoincrement,
    title text not null,
    description text not null,
    municipality_id text references municipality (municipality_id),  -- null: the whole region
    topic text not null,
    organisation_id text not null references organisation (organisation_id),
    state text not null check (state in ('proposed', 'published', 'rejected', 'frozen')),
    state_note text not null default '',       -- why it was rejected or frozen
    proposed_by integer not null references account (account_id),
    created_at text not null,
    published_at text,
    updated_at text not null
);
create index priority_state_idx on priority (state, municipality_id);

-- One row per citizen, priority and quarter. The residence is the one
-- recorded when the citizen supported: a later move does not move the vote.
-- A withdrawn support keeps its row (withdrawn_at) for the burst review.
create table priority_support (
    priority_id integer not null references priority (priority_id),
    account_id integer not null references account (account_id) on delete cascade,
    quarter text not null,                      -- '2026Q4'
    municipality_id text not null references municipality (municipality_id),
    residence text not null check (residence in ('verified', 'declared')),
    created_at text not null,
    withdrawn_at text,
    primary key (priority_id, account_id, quarter)
);
create index priority_support_quarter_idx on priority_support (quarter, priority_id);
create index priority_support_account_idx on priority_support (account_id, quarter);
create index priority_support_created_idx on priority_support (created_at);

-- A closed quarter: written once, with the parameters it was computed with.
create table priority_snapshot (
    quarter text primary key,
    computed_at text not null,
    declared_weight real not null,
    population_source text not null,
    population_year integer not null,
    priorities integer not null,
    supports integer not null
);

-- Positions in a closed quarter, per scope ('region' or a municipality id).
create table priority_rank (
    quarter text not null references priority_snapshot (quarter),
    scope text not null,
    priority_id integer not null references priority (priority_id),
    position integer not null,
    score real not null,
    supporters_verified integer not null,
    supporters_declared integer not null,
    participants_verified integer not null,
    participants_declared integer not null,
    wilson_lower real not null,
    primary key (quarter, scope, priority_id)
);
create index priority_rank_priority_idx on priority_rank (priority_id, quarter);
