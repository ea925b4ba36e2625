//! SQL of stories: finding one by its link or title, storing a new one
//! with its mentions and hits, appearances, the lists and a story's card,
//! the manual tone, and the daily figures of attention, spikes and
//! digests.

use sqlx::FromRow;
use time::{Date, OffsetDateTime};

use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

/// The story of a link's key.
pub async fn story_by_key(tx: &mut Tx, key: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select story_id from press_story where url_key = $1",
        key
    )?;
    Ok(row.map(|r| r.0))
}

/// The story one of whose appearances had this link.
pub async fn story_by_appearance(tx: &mut Tx, url: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select story_id from press_appearance where url = $1 order by story_id limit 1",
        url
    )?;
    Ok(row.map(|r| r.0))
}

/// The first story of a title published between `from` and `to`.
pub async fn story_by_title(
    tx: &mut Tx,
    hash: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select story_id from press_story
         where title_hash = $1 and published_at between $2 and $3
         order by story_id limit 1",
        hash,
        from,
        to
    )?;
    Ok(row.map(|r| r.0))
}

pub struct NewStory<'a> {
    pub url: &'a str,
    pub url_key: &'a str,
    pub title: &'a str,
    pub title_hash: &'a str,
    pub snippet: &'a str,
    pub published_at: OffsetDateTime,
    pub day: Date,
    pub source_id: i64,
    pub tone: &'a str,
    pub tone_score: f64,
    pub tone_hits: &'a str,
}

/// The new story's id; `None` when its link's key is known (another
/// poller was first).
pub async fn insert_story(
    tx: &mut Tx,
    s: &NewStory<'_>,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into press_story (url, url_key, title, title_hash, snippet, published_at, day,
             first_seen_at, source_id, tone, tone_score, tone_hits)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (url_key) do nothing returning story_id",
        s.url,
        s.url_key,
        s.title,
        s.title_hash,
        s.snippet,
        s.published_at,
        s.day,
        now,
        s.source_id,
        s.tone,
        s.tone_score,
        s.tone_hits
    )?;
    Ok(row.map(|r| r.0))
}

/// Whether the story is new to this source.
pub async fn add_appearance(
    tx: &mut Tx,
    story_id: i64,
    source_id: i64,
    feed_id: Option<i64>,
    url: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        "insert into press_appearance (story_id, source_id, feed_id, url, seen_at)
         values ($1, $2, $3, $4, $5) on conflict (story_id, source_id) do nothing",
        story_id,
        source_id,
        feed_id,
        url,
        now
    )?;
    Ok(n > 0)
}

pub async fn add_mention(
    tx: &mut Tx,
    story_id: i64,
    entity: &str,
    day: Date,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into press_mention (story_id, entity, day) values ($1, $2, $3)
         on conflict (story_id, entity) do nothing",
        story_id,
        entity,
        day
    )
}

pub async fn add_hit(
    tx: &mut Tx,
    query_id: i64,
    story_id: i64,
    day: Date,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into press_query_hit (query_id, story_id, day) values ($1, $2, $3)
         on conflict (query_id, story_id) do nothing",
        query_id,
        story_id,
        day
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct StoryRow {
    pub story_id: i64,
    pub url: String,
    pub title: String,
    pub snippet: String,
    pub published_at: OffsetDateTime,
    pub day: Date,
    pub source_id: i64,
    pub source_name: String,
    pub tone: String,
    pub tone_score: f64,
    pub tone_hits: String,
    pub appearances: i64,
}

const STORY_SELECT: &str =
    "select st.story_id, st.url, st.title, st.snippet, st.published_at, st.day,
        st.source_id, so.name as source_name, st.tone, st.tone_score, st.tone_hits,
        (select count(*) from press_appearance a where a.story_id = st.story_id) as appearances
     from press_story st join press_source so on so.source_id = st.source_id";

/// Which stories a list shows: an entity's (`""` any), a department's
/// saved queries' hits (`""` none), one tone (`""` any); since a day.
#[derive(Debug, Clone, Default)]
pub struct StoryFilter<'a> {
    pub entity: &'a str,
    pub hits_of: &'a str,
    pub tone: &'a str,
    pub since: Option<Date>,
}

/// A page of stories, the newest first.
pub async fn stories(
    db: &Db,
    f: &StoryFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<StoryRow>, sqlx::Error> {
    let since = f.since.unwrap_or(time::macros::date!(1970 - 01 - 01));
    fetch_db!(
        db,
        fetch_all,
        StoryRow,
        sqlx::AssertSqlSafe(format!(
            "{STORY_SELECT}
             where ($1 = '' or exists (select 1 from press_mention m
                     where m.story_id = st.story_id and m.entity = $1))
               and ($2 = '' or exists (select 1 from press_query_hit h
                     join press_query q on q.query_id = h.query_id
                     where h.story_id = st.story_id and q.organisation_id = $2))
               and ($3 = '' or st.tone = $3)
               and st.day >= $4
             order by st.published_at desc, st.story_id desc limit $5 offset $6"
        )),
        f.entity,
        f.hits_of,
        f.tone,
        since,
        limit,
        offset
    )
}

pub async fn story(db: &Db, id: i64) -> Result<Option<StoryRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        StoryRow,
        sqlx::AssertSqlSafe(format!("{STORY_SELECT} where st.story_id = $1")),
        id
    )
}

/// The stories a saved query found, the newest first.
pub async fn hits(db: &Db, query_id: i64, limit: i64) -> Result<Vec<StoryRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        StoryRow,
        sqlx::AssertSqlSafe(format!(
            "{STORY_SELECT} join press_query_hit h on h.story_id = st.story_id
             where h.query_id = $1 order by st.published_at desc, st.story_id desc limit $2"
        )),
        query_id,
        limit
    )
}

/// Stories of the last days, to match a new saved query against.
pub async fn recent_texts(
    db: &Db,
    since: Date,
    limit: i64,
) -> Result<Vec<(i64, Date, String, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (i64, Date, String, String),
        "select story_id, day, title, snippet from press_story where day >= $1
         order by story_id desc limit $2",
        since,
        limit
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct AppearanceRow {
    pub source_id: i64,
    pub source_name: String,
    pub kind: String,
    pub url: String,
    pub seen_at: OffsetDateTime,
}

pub async fn appearances(db: &Db, story_id: i64) -> Result<Vec<AppearanceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AppearanceRow,
        "select a.source_id, s.name as source_name, s.kind, a.url, a.seen_at
         from press_appearance a join press_source s on s.source_id = a.source_id
         where a.story_id = $1 order by a.seen_at, s.name",
        story_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct MentionRow {
    pub mention_id: i64,
    pub story_id: i64,
    pub entity: String,
    pub day: Date,
    pub tone_override: Option<String>,
    pub override_by: Option<String>,
    pub override_at: Option<OffsetDateTime>,
}

const MENTION_SELECT: &str = "select m.mention_id, m.story_id, m.entity, m.day, m.tone_override,
        a.display_name as override_by, m.override_at
     from press_mention m left join account a on a.account_id = m.override_by";

/// The mentions of the stories `ids` (a page's), by story.
pub async fn mentions_of(db: &Db, ids: &[i64]) -> Result<Vec<MentionRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Numbers only: the list is written into the statement.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    fetch_db!(
        db,
        fetch_all,
        MentionRow,
        sqlx::AssertSqlSafe(format!(
            "{MENTION_SELECT} where m.story_id in ({list}) order by m.story_id, m.entity"
        ))
    )
}

pub async fn mention(db: &Db, id: i64) -> Result<Option<MentionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        MentionRow,
        sqlx::AssertSqlSafe(format!("{MENTION_SELECT} where m.mention_id = $1")),
        id
    )
}

/// An officer's tone of a mention (`None` returns it to the heuristic).
pub async fn set_override(
    tx: &mut Tx,
    mention_id: i64,
    tone: Option<&str>,
    by: i64,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update press_mention set tone_override = $2, override_by = $3, override_at = $4
         where mention_id = $1",
        mention_id,
        tone,
        by,
        now
    )
}

/// Stories per day from `from` to `to`.
pub async fn daily_totals(db: &Db, from: Date, to: Date) -> Result<Vec<(Date, i64)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (Date, i64),
        "select day, count(*) from press_story where day between $1 and $2
         group by day order by day",
        from,
        to
    )
}

/// Mentions per entity (one, or every, `""`) and day from `from` to `to`.
pub async fn daily_mentions(
    db: &Db,
    entity: &str,
    from: Date,
    to: Date,
) -> Result<Vec<(String, Date, i64)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, Date, i64),
        "select entity, day, count(*) from press_mention
         where ($1 = '' or entity = $1) and day between $2 and $3
         group by entity, day order by entity, day",
        entity,
        from,
        to
    )
}

/// Records a spike; whether it is new (so it is notified once).
pub async fn raise_spike(
    tx: &mut Tx,
    entity: &str,
    day: Date,
    s: &super::super::domain::Spike,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        "insert into press_spike (entity, day, mentions, mean, sd, notified_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (entity, day) do nothing",
        entity,
        day,
        s.count,
        s.mean,
        s.sd,
        now
    )?;
    Ok(n > 0)
}

/// The spikes since a day, by entity and day.
pub async fn spikes(db: &Db, since: Date) -> Result<Vec<(String, Date, i64)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, Date, i64),
        "select entity, day, mentions from press_spike where day >= $1 order by day desc, entity",
        since
    )
}

/// Records a department's digest of a day; whether it is new.
pub async fn mark_digest(
    tx: &mut Tx,
    org: &str,
    day: Date,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        "insert into press_digest (organisation_id, day, sent_at) values ($1, $2, $3)
         on conflict (organisation_id, day) do nothing",
        org,
        day,
        now
    )?;
    Ok(n > 0)
}

/// The departments with mentions or saved-query hits on a day.
pub async fn departments_in_the_news(db: &Db, day: Date) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_db!(
        db,
        fetch_all,
        (String,),
        "select substr(entity, 5) from press_mention where day = $1 and entity like 'org:%'
         union
         select q.organisation_id from press_query_hit h join press_query q on q.query_id = h.query_id
         where h.day = $1",
        day
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A department's stories of a day: mentioning it or found by its
/// queries.
pub async fn department_day(
    db: &Db,
    org: &str,
    day: Date,
    limit: i64,
) -> Result<Vec<StoryRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        StoryRow,
        sqlx::AssertSqlSafe(format!(
            "{STORY_SELECT}
             where st.day = $2 and (
                 exists (select 1 from press_mention m
                     where m.story_id = st.story_id and m.entity = 'org:' || $1)
                 or exists (select 1 from press_query_hit h
                     join press_query q on q.query_id = h.query_id
                     where h.story_id = st.story_id and q.organisation_id = $1))
             order by st.published_at desc, st.story_id desc limit $3"
        )),
        org,
        day,
        limit
    )
}
