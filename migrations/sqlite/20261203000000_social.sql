-- Participation II, the social layer (src/participation/social/ and the
-- shared activity stream, src/activity/): profiles, follows and the
-- personal feed, direct messages, publications, galleries, and their
-- moderation. Mirrors migrations/postgres/ of the same name.

-- What a person shows of themselves. `public_activity` is a set of bits
-- (activity::Category): what of their own activity others may see. 0, the
-- default, is private.
create table profile (
    account_id integer primary key references account (account_id) on delete cascade,
    about text not null default '',
    avatar_key text,
    public_activity integer not null default 0,
    updated_at text not null
);

-- The activity stream: one row per public thing done on the site, with the
-- topics (person:12, initiative:5, request:7, priority:3, org:dep-x,
-- post:9, album:4) through which followers see it. `subject` is the thing
-- it is about, so that hiding the thing hides its activity everywhere.
create table activity (
    activity_id integer primary key autoincrement,
    actor_id integer references account (account_id) on delete cascade,
    -- The actor chose not to show their name on this item.
    anonymous integer not null default 0,
    category integer not null,
    subject text not null,
    text_ru text not null,
    text_en text not null,
    link text not null,
    hidden integer not null default 0,
    created_at text not null
);
create index activity_subject_idx on activity (subject);
create index activity_actor_idx on activity (actor_id, activity_id);
create table activity_topic (
    topic text not null,
    activity_id integer not null references activity (activity_id) on delete cascade,
    primary key (topic, activity_id)
);
create index activity_topic_activity_idx on activity_topic (activity_id);

create table follow (
    account_id integer not null references account (account_id) on delete cascade,
    topic text not null,
    created_at text not null,
    primary key (account_id, topic)
);
create index follow_topic_idx on follow (topic);

create table direct_message (
    message_id integer primary key autoincrement,
    sender_id integer not null references account (account_id) on delete cascade,
    recipient_id integer not null references account (account_id) on delete cascade,
    body text not null,
    created_at text not null,
    read_at text,
    -- The recipient reported it to the moderators.
    reported_at text,
    report_reason text not null default '',
    hidden integer not null default 0
);
create index direct_message_pair_idx on direct_message (sender_id, recipient_id, message_id);
create index direct_message_recipient_idx on direct_message (recipient_id, message_id);
create index direct_message_sent_idx on direct_message (sender_id, created_at);
create index direct_message_reported_idx on direct_message (reported_at);

create table account_block (
    account_id integer not null references account (account_id) on delete cascade,
    blocked_id integer not null references account (account_id) on delete cascade,
    created_at text not null,
    primary key (account_id, blocked_id)
);

-- News and announcements of an organisation (organisation_id set), and
-- citizens' posts about their town.
create table publication (
    publication_id integer primary key autoincrement,
    author_id integer not null references account (account_id) on delete cascade,
    organisation_id text references organisation (organisation_id),
    municipality_id text references municipality (municipality_id),
    kind text not null check (kind in ('news', 'announcement', 'post')),
    title text not null,
    body text not null,
    comment_count integer not null default 0,
    flag_count integer not null default 0,
    hidden integer not null default 0,
    hidden_reason text not null default '',
    created_at text not null,
    check ((kind = 'post') = (organisation_id is null))
);
create index publication_created_idx on publication (hidden, publication_id);
create index publication_author_idx on publication (author_id, publication_id);
create index publication_municipality_idx on publication (municipality_id, publication_id);
create index publication_organisation_idx on publication (organisation_id, publication_id);

create table publication_comment (
    comment_id integer primary key autoincrement,
    publication_id integer not null references publication (publication_id) on delete cascade,
    author_id integer not null references account (account_id) on delete cascade,
    body text not null,
    flag_count integer not null default 0,
    hidden integer not null default 0,
    hidden_reason text not null default '',
    created_at text not null
);
create index publication_comment_idx on publication_comment (publication_id, comment_id);
create index publication_comment_author_idx on publication_comment (author_id);

create table album (
    album_id integer primary key autoincrement,
    owner_id integer not null references account (account_id) on delete cascade,
    organisation_id text references organisation (organisation_id),
    municipality_id text references municipality (municipality_id),
    title text not null,
    description text not null default '',
    flag_count integer not null default 0,
    hidden integer not null default 0,
    hidden_reason text not null default '',
    created_at text not null
);
create index album_owner_idx on album (owner_id, album_id);
create index album_municipality_idx on album (municipality_id, album_id);

create table album_photo (
    photo_id integer primary key autoincrement,
    album_id integer not null references album (album_id) on delete cascade,
    media_key text not null unique,
    width integer not null,
    height integer not null,
    caption text not null default '',
    lat real,
    lon real,
    taken_on text,                              -- 'YYYY-MM-DD' as the owner gives it
    flag_count integer not null default 0,
    hidden integer not null default 0,
    hidden_reason text not null default '',
    created_at text not null,
    check ((lat is null) = (lon is null))
);
create index album_photo_album_idx on album_photo (album_id, photo_id);

-- A person's report of an item to the moderators, once per item.
create table moderation_flag (
    item_kind text not null,
    item_id integer not null,
    account_id integer not null references account (account_id) on delete cascade,
    reason text not null,
    created_at text not null,
    primary key (item_kind, item_id, account_id)
);

-- What moderators did to an item (or to a person: item_kind 'account'),
-- and why: the item's log.
create table moderation_log (
    log_id integer primary key autoincrement,
    item_kind text not null,
    item_id integer not null,
    moderator_id integer not null references account (account_id),
    action text not null check (action in ('hide', 'restore', 'ban', 'dismiss')),
    reason text not null,
    created_at text not null
);
create index moderation_log_item_idx on moderation_log (item_kind, item_id, log_id);

-- A temporary ban on posting (publications, albums, comments, messages).
create table posting_ban (
    ban_id integer primary key autoincrement,
    account_id integer not null references account (account_id) on delete cascade,
    until_at text not null,
    reason text not null,
    moderator_id integer not null references account (account_id),
    created_at text not null
);
create index posting_ban_account_idx on posting_ban (account_id, until_at);
