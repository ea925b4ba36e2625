//! SQL of media tracking: sources, feeds and their polling state,
//! officials, extra names, saved queries (here); stories, appearances,
//! mentions and the figures of attention (`stories.rs`). Days are
//! `time::Date` (`date` on PostgreSQL, `YYYY-MM-DD` text on SQLite); times
//! are written in UTC.

mod stories;

pub use stories::*;

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

#[derive(Debug, Clone, FromRow)]
pub struct SourceRow {
    pub source_id: i64,
    pub name: String,
    pub kind: String,
    pub municipality_id: Option<String>,
    pub website: String,
    pub demo: bool,
    pub feeds: i64,
    pub stories: i64,
}

const SOURCE_SELECT: &str =
    "select s.source_id, s.name, s.kind, s.municipality_id, s.website, s.demo,
        (select count(*) from press_feed f where f.source_id = s.source_id) as feeds,
        (select count(*) from press_appearance a where a.source_id = s.source_id) as stories
     from press_source s";

pub async fn sources(db: &Db) -> Result<Vec<SourceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        SourceRow,
        sqlx::AssertSqlSafe(format!("{SOURCE_SELECT} order by s.kind, s.name"))
    )
}

pub async fn source(db: &Db, id: i64) -> Result<Option<SourceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        SourceRow,
        sqlx::AssertSqlSafe(format!("{SOURCE_SELECT} where s.source_id = $1")),
        id
    )
}

pub struct NewSource<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub municipality_id: Option<&'a str>,
    pub website: &'a str,
    pub demo: bool,
}

/// The new source's id; `None` when the name is taken.
pub async fn insert_source(
    tx: &mut Tx,
    s: &NewSource<'_>,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into press_source (name, kind, municipality_id, website, demo, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6)
         on conflict (name) do nothing returning source_id",
        s.name,
        s.kind,
        s.municipality_id,
        s.website,
        s.demo,
        now
    )?;
    Ok(row.map(|r| r.0))
}

/// Whether a source of that id had another name or was changed.
pub async fn update_source(
    tx: &mut Tx,
    id: i64,
    s: &NewSource<'_>,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update press_source set name = $2, kind = $3, municipality_id = $4, website = $5,
             updated_at = $6
         where source_id = $1",
        id,
        s.name,
        s.kind,
        s.municipality_id,
        s.website,
        now
    )
}

/// Whether another source has this name.
pub async fn source_named(tx: &mut Tx, name: &str, except: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select source_id from press_source where name = $1 and source_id <> $2",
        name,
        except
    )?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, FromRow)]
pub struct FeedRow {
    pub feed_id: i64,
    pub source_id: i64,
    pub source_name: String,
    pub url: String,
    pub active: bool,
    pub demo: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_poll_at: OffsetDateTime,
    pub last_polled_at: Option<OffsetDateTime>,
    pub last_success_at: Option<OffsetDateTime>,
    pub last_new_item_at: Option<OffsetDateTime>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub consecutive_errors: i64,
    pub stories_found: i64,
}

const FEED_SELECT: &str =
    "select f.feed_id, f.source_id, s.name as source_name, f.url, f.active, s.demo,
        f.etag, f.last_modified, f.next_poll_at, f.last_polled_at, f.last_success_at,
        f.last_new_item_at, f.last_status, f.last_error, f.consecutive_errors, f.stories_found
     from press_feed f join press_source s on s.source_id = f.source_id";

/// A source's feeds (every feed, `0`): failing first, then by source.
pub async fn feeds(db: &Db, source_id: i64) -> Result<Vec<FeedRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        FeedRow,
        sqlx::AssertSqlSafe(format!(
            "{FEED_SELECT} where ($1 = 0 or f.source_id = $1)
             order by f.consecutive_errors desc, s.name, f.url"
        )),
        source_id
    )
}

pub async fn feed(db: &Db, id: i64) -> Result<Option<FeedRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        FeedRow,
        sqlx::AssertSqlSafe(format!("{FEED_SELECT} where f.feed_id = $1")),
        id
    )
}

/// Active feeds of real sources whose time has come, the longest waiting
/// first.
pub async fn due_feeds(
    db: &Db,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<FeedRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        FeedRow,
        sqlx::AssertSqlSafe(format!(
            "{FEED_SELECT} where f.active and not s.demo and f.next_poll_at <= $1
             order by f.next_poll_at, f.feed_id limit $2"
        )),
        now,
        limit
    )
}

/// The new feed's id; `None` when the address is known already.
pub async fn insert_feed(
    tx: &mut Tx,
    source_id: i64,
    url: &str,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into press_feed (source_id, url, next_poll_at, created_at) values ($1, $2, $3, $3)
         on conflict (url) do nothing returning feed_id",
        source_id,
        url,
        now
    )?;
    Ok(row.map(|r| r.0))
}

/// Changes a feed's address (its validators go with the old one) and
/// whether it is polled; a feed turned on is due now.
pub async fn set_feed(
    tx: &mut Tx,
    id: i64,
    url: &str,
    active: bool,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update press_feed set
             etag = case when url = $2 then etag else null end,
             last_modified = case when url = $2 then last_modified else null end,
             next_poll_at = case when active = $3 and url = $2 then next_poll_at else $4 end,
             consecutive_errors = case when url = $2 then consecutive_errors else 0 end,
             url = $2, active = $3
         where feed_id = $1",
        id,
        url,
        active,
        now
    )
}

/// Whether another feed has this address.
pub async fn feed_at(tx: &mut Tx, url: &str, except: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select feed_id from press_feed where url = $1 and feed_id <> $2",
        url,
        except
    )?;
    Ok(row.is_some())
}

/// A successful poll: a full answer (its validators, the stories new
/// to the store) or a 304.
pub struct Success<'a> {
    pub status: i64,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    pub new_stories: i64,
    pub next: OffsetDateTime,
}

pub async fn record_success(
    tx: &mut Tx,
    feed_id: i64,
    s: &Success<'_>,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    // A 304 keeps the validators it answered to.
    exec_tx!(
        tx,
        "update press_feed set
             etag = case when $2 = 304 then etag else $3 end,
             last_modified = case when $2 = 304 then last_modified else $4 end,
             last_status = $2, last_error = null, consecutive_errors = 0,
             last_polled_at = $6, last_success_at = $6,
             last_new_item_at = case when $5 > 0 then $6 else last_new_item_at end,
             stories_found = stories_found + $5,
             next_poll_at = $7
         where feed_id = $1",
        feed_id,
        s.status,
        s.etag,
        s.last_modified,
        s.new_stories,
        now,
        s.next
    )
}

/// A failed poll: its HTTP status if any, the error, the next try.
pub async fn record_failure(
    tx: &mut Tx,
    feed_id: i64,
    status: Option<i64>,
    error: &str,
    next: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update press_feed set last_status = $2, last_error = $3,
             consecutive_errors = consecutive_errors + 1, last_polled_at = $5, next_poll_at = $4
         where feed_id = $1",
        feed_id,
        status,
        error,
        next,
        now
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct OfficialRow {
    pub official_id: i64,
    pub name: String,
    pub role: String,
    pub organisation_id: Option<String>,
}

pub async fn officials(db: &Db) -> Result<Vec<OfficialRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        OfficialRow,
        "select official_id, name, role, organisation_id from press_official order by name"
    )
}

/// The new official's id; `None` when the name is taken.
pub async fn insert_official(
    tx: &mut Tx,
    name: &str,
    role: &str,
    organisation_id: Option<&str>,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into press_official (name, role, organisation_id, created_at) values ($1, $2, $3, $4)
         on conflict (name) do nothing returning official_id",
        name,
        role,
        organisation_id,
        now
    )?;
    Ok(row.map(|r| r.0))
}

pub async fn delete_official(tx: &mut Tx, id: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(tx, "delete from press_official where official_id = $1", id)
}

#[derive(Debug, Clone, FromRow)]
pub struct AliasRow {
    pub alias_id: i64,
    pub entity: String,
    pub phrase: String,
}

pub async fn aliases(db: &Db) -> Result<Vec<AliasRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AliasRow,
        "select alias_id, entity, phrase from press_alias order by entity, phrase"
    )
}

pub async fn add_alias(
    tx: &mut Tx,
    entity: &str,
    phrase: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into press_alias (entity, phrase, created_by, created_at) values ($1, $2, $3, $4)
         on conflict (entity, phrase) do nothing",
        entity,
        phrase,
        by,
        now
    )
}

pub async fn delete_alias(tx: &mut Tx, id: i64, entity: &str) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "delete from press_alias where alias_id = $1 and entity = $2",
        id,
        entity
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct QueryRow {
    pub query_id: i64,
    pub organisation_id: String,
    pub words: String,
    pub hits: i64,
}

/// A department's saved queries (every department's, `""`) with their
/// hits.
pub async fn saved_queries(db: &Db, org: &str) -> Result<Vec<QueryRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        QueryRow,
        "select q.query_id, q.organisation_id, q.words,
             (select count(*) from press_query_hit h where h.query_id = q.query_id) as hits
         from press_query q where ($1 = '' or q.organisation_id = $1)
         order by q.organisation_id, q.words",
        org
    )
}

/// The new query's id; `None` when the department has it already.
pub async fn insert_query(
    tx: &mut Tx,
    org: &str,
    words: &str,
    by: i64,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into press_query (organisation_id, words, created_by, created_at)
         values ($1, $2, $3, $4)
         on conflict (organisation_id, words) do nothing returning query_id",
        org,
        words,
        by,
        now
    )?;
    Ok(row.map(|r| r.0))
}

pub async fn delete_query(tx: &mut Tx, id: i64, org: &str) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "delete from press_query_hit where query_id = $1 and exists
             (select 1 from press_query q where q.query_id = $1 and q.organisation_id = $2)",
        id,
        org
    )?;
    exec_tx!(
        tx,
        "delete from press_query where query_id = $1 and organisation_id = $2",
        id,
        org
    )
}

/// The addresses (and languages) of an organisation's officers who may
/// be mailed.
pub async fn officer_mails(db: &Db, org: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, String),
        "select a.email, a.locale from membership m join account a on a.account_id = m.account_id
         where m.organisation_id = $1 and m.kind = 'officer' and a.email is not null
             and a.disabled_at is null
         order by a.account_id",
        org
    )
}
