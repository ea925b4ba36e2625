-- Participation II, law-making (src/participation/lawmaking/): citizens'
-- initiatives of regional and municipal regulatory acts in five stages
-- (concept, discussion, text, expertise, reaction). Mirrors
-- migrations/postgres/ of the same name.

-- An initiative. `stage` is where it is now; `outcome` how it ended (null
-- while it runs). `act_due_at` is the deadline of the official act the
-- current stage owes (the first draft, the expertise, the decision), set
-- by the SLA rules when the stage begins and cleared when the act is done;
-- past it the initiative is overdue, in public.
create table initiative (
    initiative_id integer primary key autoincrement,
    title text not null,
    problem text not null,
    idea text not null,
    level text not null check (level in ('region', 'municipality')),
    municipality_id text references municipality (municipality_id),
    initiator_kind text not null check (initiator_kind in ('citizen', 'group', 'organisation')),
    -- A group's name as its members chose it, or the proposing organisation.
    initiator_group text not null default '',
    initiator_organisation_id text references organisation (organisation_id),
    author_id integer not null references account (account_id),
    organisation_id text not null references organisation (organisation_id),
    stage text not null check (stage in ('moderation', 'concept', 'discussion', 'text', 'expertise', 'reaction', 'closed')),
    outcome text check (outcome in ('declined', 'not_enough_support', 'adopted', 'sent_to_assembly', 'rejected')),
    supports_needed integer not null default 0,
    support_count integer not null default 0,
    stage_started_at text not null,
    stage_ends_at text,
    act_due_at text,
    decision_number text not null default '',
    decision_date text,                         -- 'YYYY-MM-DD'
    decision_link text not null default '',
    decision_reasons text not null default '',
    created_at text not null,
    updated_at text not null,
    check ((level = 'region') = (municipality_id is null))
);
create index initiative_stage_idx on initiative (stage, stage_ends_at);
create index initiative_act_due_idx on initiative (act_due_at);
create index initiative_author_idx on initiative (author_id);
create index initiative_organisation_idx on initiative (organisation_id);
create index initiative_initiator_organisation_idx on initiative (initiator_organisation_id);
create index initiative_municipality_idx on initiative (municipality_id);

-- The public timeline: who did what and when. `actor_id` is kept for the
-- staff; the page names an official by role and organisation and a
-- citizen by the name they show.
create table initiative_event (
    event_id integer primary key autoincrement,
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    at text not null,
    action text not null,
    stage text not null,
    actor_id integer references account (account_id),
    actor_role text not null,
    organisation_id text references organisation (organisation_id),
    note text not null default ''
);
create index initiative_event_initiative_idx on initiative_event (initiative_id, event_id);
create index initiative_event_actor_idx on initiative_event (actor_id);
create index initiative_event_organisation_idx on initiative_event (organisation_id);

create table initiative_support (
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    created_at text not null,
    primary key (initiative_id, account_id)
);
create index initiative_support_account_idx on initiative_support (account_id);

-- Threaded comments of the discussion, published at once and hidden by a
-- moderator when flags show they break the rules.
create table initiative_comment (
    comment_id integer primary key autoincrement,
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    parent_id integer references initiative_comment (comment_id) on delete cascade,
    -- The thread's first comment (itself for one that starts a thread):
    -- a page of the discussion loads its threads' replies by it.
    thread_id integer,
    author_id integer not null references account (account_id) on delete cascade,
    body text not null,
    official integer not null default 0,        -- written for the responsible organisation
    pinned integer not null default 0,
    support_count integer not null default 0,
    flag_count integer not null default 0,
    hidden integer not null default 0,
    hidden_reason text not null default '',
    moderator_id integer references account (account_id),
    created_at text not null
);
create index initiative_comment_initiative_idx on initiative_comment (initiative_id, comment_id);
create index initiative_comment_parent_idx on initiative_comment (parent_id);
create index initiative_comment_thread_idx on initiative_comment (initiative_id, thread_id);
create index initiative_comment_threads_idx on initiative_comment (initiative_id, pinned, comment_id) where parent_id is null;
create index initiative_comment_author_idx on initiative_comment (author_id);
create index initiative_comment_moderator_idx on initiative_comment (moderator_id);
create index initiative_comment_flags_idx on initiative_comment (hidden, flag_count);

create table initiative_comment_support (
    comment_id integer not null references initiative_comment (comment_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    primary key (comment_id, account_id)
);
create index initiative_comment_support_account_idx on initiative_comment_support (account_id);

create table initiative_comment_flag (
    comment_id integer not null references initiative_comment (comment_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    reason text not null default '',
    created_at text not null,
    primary key (comment_id, account_id)
);
create index initiative_comment_flag_account_idx on initiative_comment_flag (account_id);

-- The draft's versions: the text as numbered articles and paragraphs
-- (`lawmaking::text` parses and normalises it before it is stored).
create table initiative_version (
    version_id integer primary key autoincrement,
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    number integer not null,
    body text not null,
    changelog text not null default '',
    author_id integer not null references account (account_id),
    created_at text not null,
    constraint initiative_version_number unique (initiative_id, number)
);
create index initiative_version_author_idx on initiative_version (author_id);

-- A comment on a selected passage: the paragraph and the quoted words in
-- the version it was made on. It is shown on a later version wherever the
-- quote still stands unchanged.
create table initiative_annotation (
    annotation_id integer primary key autoincrement,
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    version_id integer not null references initiative_version (version_id) on delete cascade,
    paragraph text not null,                    -- '2.1': article 2, paragraph 1
    quote text not null,
    body text not null,
    author_id integer not null references account (account_id) on delete cascade,
    hidden integer not null default 0,
    created_at text not null
);
create index initiative_annotation_initiative_idx on initiative_annotation (initiative_id, annotation_id);
create index initiative_annotation_version_idx on initiative_annotation (version_id);
create index initiative_annotation_author_idx on initiative_annotation (author_id);

-- A proposed new wording of one paragraph, decided by the responsible
-- organisation with a reason; an accepted one names the version it went into.
create table initiative_amendment (
    amendment_id integer primary key autoincrement,
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    version_id integer not null references initiative_version (version_id) on delete cascade,
    paragraph text not null,
    proposed text not null,
    author_id integer not null references account (account_id) on delete cascade,
    state text not null check (state in ('open', 'accepted', 'rejected')),
    reason text not null default '',
    decided_by integer references account (account_id),
    decided_at text,
    applied_in integer references initiative_version (version_id),
    created_at text not null
);
create index initiative_amendment_initiative_idx on initiative_amendment (initiative_id, state);
create index initiative_amendment_version_idx on initiative_amendment (version_id);
create index initiative_amendment_applied_idx on initiative_amendment (applied_in);
create index initiative_amendment_author_idx on initiative_amendment (author_id);
create index initiative_amendment_decider_idx on initiative_amendment (decided_by);

-- Experts the responsible organisation appointed for one initiative.
create table initiative_expert (
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    account_id integer not null references account (account_id) on delete cascade,
    appointed_by integer not null references account (account_id),
    appointed_at text not null,
    primary key (initiative_id, account_id)
);
create index initiative_expert_account_idx on initiative_expert (account_id);
create index initiative_expert_appointer_idx on initiative_expert (appointed_by);

-- One conclusion of each kind per initiative, by an appointed expert.
create table initiative_conclusion (
    conclusion_id integer primary key autoincrement,
    initiative_id integer not null references initiative (initiative_id) on delete cascade,
    kind text not null check (kind in ('legal', 'anti_corruption', 'financial')),
    verdict text not null check (verdict in ('supports', 'remarks', 'opposes')),
    summary text not null,
    document text not null,
    expert_id integer not null references account (account_id),
    created_at text not null,
    constraint initiative_conclusion_once unique (initiative_id, kind)
);
create index initiative_conclusion_expert_idx on initiative_conclusion (expert_id);
