//! The timeline of a request, and its photos.

use super::*;
use crate::{exec_tx, fetch_db};

// ---- timeline -----------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub event_id: i64,
    pub appeal_id: i64,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_id: Option<i64>,
    pub actor_role: String,
    pub organisation_id: Option<String>,
    pub note: String,
    pub public: bool,
    pub created_at: OffsetDateTime,
}

pub struct NewEvent<'a> {
    pub appeal_id: i64,
    pub kind: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub actor_role: &'a str,
    pub organisation_id: Option<&'a str>,
    pub note: &'a str,
    pub public: bool,
}

pub async fn insert_event(tx: &mut Tx, e: &NewEvent<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "insert into appeal_event (appeal_id, kind, from_state, to_state, actor_id, actor_role,
             organisation_id, note, public, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning event_id"
    )
    .bind(e.appeal_id)
    .bind(e.kind)
    .bind(e.from_state)
    .bind(e.to_state)
    .bind(e.actor_id)
    .bind(e.actor_role)
    .bind(e.organisation_id)
    .bind(e.note)
    .bind(e.public)
    .bind(now)
    .fetch_one(conn)
    .await)
}

/// A request's events in order, the internal ones only when asked.
const EVENTS: &str = "select event_id, appeal_id, kind, from_state, to_state, actor_id, actor_role,
        organisation_id, note, public, created_at
    from appeal_event where appeal_id = $1 and (public or $2) order by event_id";

pub async fn events(
    db: &Db,
    appeal_id: i64,
    include_internal: bool,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, EventRow>(EVENTS)
            .bind(appeal_id)
            .bind(include_internal)
            .fetch_all(pool)
            .await
    })
}

// ---- photos ---------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct PhotoRow {
    pub photo_id: i64,
    pub appeal_id: i64,
    pub event_id: Option<i64>,
    pub media_key: String,
    pub width: i64,
    pub height: i64,
}

pub async fn insert_photo(
    tx: &mut Tx,
    appeal_id: i64,
    event_id: Option<i64>,
    media_key: &str,
    width: u32,
    height: u32,
    position: i64,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(tx, "insert into appeal_photo (appeal_id, event_id, media_key, width, height, position, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)", appeal_id, event_id, media_key, i64::from(width), i64::from(height), position, now)?;
    Ok(())
}

pub async fn photos(db: &Db, appeal_id: i64) -> Result<Vec<PhotoRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, PhotoRow>(
        "select photo_id, appeal_id, event_id, media_key, width, height from appeal_photo
         where appeal_id = $1 order by position, photo_id"
    )
    .bind(appeal_id)
    .fetch_all(pool)
    .await)
}

/// The first photo of each request (for lists, maps and Open311).
pub async fn first_photos(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let sql = format!(
        "select appeal_id, media_key from appeal_photo where event_id is null and appeal_id in ({})
         order by appeal_id, position, photo_id",
        list.join(",")
    );
    let rows: Vec<(i64, String)> = on_db!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await)?;
    for (id, key) in rows {
        out.entry(id).or_insert(key);
    }
    Ok(out)
}

/// Photos the public may see: of the request itself and of its public
/// events (a photo attached to an internal event, such as hiding, is not).
pub async fn public_photos(db: &Db, appeal_id: i64) -> Result<Vec<PhotoRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, PhotoRow>(
        "select p.photo_id, p.appeal_id, p.event_id, p.media_key, p.width, p.height
         from appeal_photo p left join appeal_event e on e.event_id = p.event_id
         where p.appeal_id = $1 and (p.event_id is null or e.public)
         order by p.position, p.photo_id"
    )
    .bind(appeal_id)
    .fetch_all(pool)
    .await)
}

/// A stored photo's request, and whether the photo is of the request
/// itself or of a public event.
pub struct PhotoOwner {
    pub appeal: AppealRow,
    pub public_part: bool,
}

/// Whether a photo belongs to a public request (media are served only then,
/// or to staff and the author).
pub async fn photo_owner(db: &Db, media_key: &str) -> Result<Option<PhotoOwner>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where appeal_id = (select appeal_id from appeal_photo where media_key = $1)"
    );
    let Some(appeal) = fetch_db!(db, fetch_optional, AppealRow, sql, media_key)? else {
        return Ok(None);
    };
    let part: Option<(Option<i64>, Option<bool>)> = on_db!(db, |pool| sqlx::query_as(
        "select p.event_id, e.public from appeal_photo p
           left join appeal_event e on e.event_id = p.event_id
         where p.media_key = $1 order by p.photo_id limit 1"
    )
    .bind(media_key)
    .fetch_optional(pool)
    .await)?;
    let public_part = match part {
        Some((None, _)) => true,
        Some((Some(_), public)) => public.unwrap_or(false),
        None => false,
    };
    Ok(Some(PhotoOwner {
        appeal,
        public_part,
    }))
}
