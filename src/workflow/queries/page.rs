//! A request's page in one round trip.
//!
//! Each query on SQLite is a round trip to the connection's own thread and
//! back (sqlx runs every SQLite connection on a thread and hands rows over
//! a channel), and a request's page is read far more than anything else: a
//! profile under `wrk` showed ten task switches per page, a third of the
//! time in the kernel (docs/PERFORMANCE.md). So the request, the names shown
//! beside it, its whole timeline and its photos come in one row, the two
//! lists as JSON arrays. The SQL differs by backend only in the JSON
//! functions' names.

use serde::Deserialize;

use super::*;

/// The request, the names around it, its timeline and its photos.
pub struct AppealPage {
    pub named: AppealNamed,
    /// Every event, the internal ones too: the page drops those its viewer
    /// may not see (it knows the viewer only once it has the request).
    pub events: Vec<EventRow>,
    pub photos: Vec<PhotoRow>,
}

#[derive(FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    named: AppealNamed,
    #[sqlx(json)]
    events: Vec<EventJson>,
    #[sqlx(json)]
    photos: Vec<PhotoJson>,
}

/// An event as the JSON carries it: `public` as 0 or 1 and the instant as
/// milliseconds, which both backends write alike.
#[derive(Deserialize)]
struct EventJson {
    event_id: i64,
    kind: String,
    from_state: Option<String>,
    to_state: Option<String>,
    actor_id: Option<i64>,
    actor_role: String,
    organisation_id: Option<String>,
    note: String,
    public: i64,
    at_ms: i64,
}

#[derive(Deserialize)]
struct PhotoJson {
    photo_id: i64,
    event_id: Option<i64>,
    media_key: String,
    width: i64,
    height: i64,
}

/// The request's columns, the names beside it ([`AppealNamed`]) and the two
/// lists; `$agg`/`$obj` are the backend's JSON aggregate and object
/// functions, `$ms` turns `e.created_at` into milliseconds, `$public` the
/// flag into 0 or 1, `$empty` is an empty array.
macro_rules! page_sql {
    ($agg:literal, $obj:literal, $ms:literal, $public:literal, $empty:literal) => {
        concat!(
            "select ",
            appeal_columns!(),
            ",
             (select c.name_ru from category c where c.category_id = appeal.category_id) as category_ru,
             (select c.name_en from category c where c.category_id = appeal.category_id) as category_en,
             (select o.name_ru from organisation o where o.organisation_id = appeal.organisation_id) as organisation_ru,
             (select o.name_en from organisation o where o.organisation_id = appeal.organisation_id) as organisation_en,
             (select p.display_name from account p where p.account_id = appeal.author_id) as author_name,
             (select p.email from account p where p.account_id = appeal.author_id) as author_email,
             coalesce((select ", $agg, "(", $obj, "('event_id', e.event_id, 'kind', e.kind,
                     'from_state', e.from_state, 'to_state', e.to_state, 'actor_id', e.actor_id,
                     'actor_role', e.actor_role, 'organisation_id', e.organisation_id,
                     'note', e.note, 'public', ", $public, ", 'at_ms', ", $ms, ")
                     order by e.event_id)
                 from appeal_event e where e.appeal_id = appeal.appeal_id), ", $empty, ") as events,
             coalesce((select ", $agg, "(", $obj, "('photo_id', p.photo_id, 'event_id', p.event_id,
                     'media_key', p.media_key, 'width', p.width, 'height', p.height)
                     order by p.position, p.photo_id)
                 from appeal_photo p where p.appeal_id = appeal.appeal_id), ", $empty, ") as photos
             from appeal where appeal_id = $1"
        )
    };
}

const PAGE_SQLITE: &str = page_sql!(
    "json_group_array",
    "json_object",
    "cast(round(unixepoch(e.created_at, 'subsec') * 1000) as integer)",
    "e.public",
    "'[]'"
);
const PAGE_POSTGRES: &str = page_sql!(
    "json_agg",
    "json_build_object",
    "(extract(epoch from e.created_at) * 1000)::bigint",
    "e.public::int",
    "'[]'::json"
);

pub async fn appeal_page(c: &mut Conn, id: i64) -> Result<Option<AppealPage>, sqlx::Error> {
    let row = match c {
        Conn::Sqlite(c) => {
            sqlx::query_as::<_, PageRow>(PAGE_SQLITE)
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as::<_, PageRow>(PAGE_POSTGRES)
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let appeal_id = row.named.appeal.appeal_id;
    let events = row
        .events
        .into_iter()
        .map(|e| {
            let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(e.at_ms) * 1_000_000)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(EventRow {
                event_id: e.event_id,
                appeal_id,
                kind: e.kind,
                from_state: e.from_state,
                to_state: e.to_state,
                actor_id: e.actor_id,
                actor_role: e.actor_role,
                organisation_id: e.organisation_id,
                note: e.note,
                public: e.public != 0,
                created_at: at,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let photos = row
        .photos
        .into_iter()
        .map(|p| PhotoRow {
            photo_id: p.photo_id,
            appeal_id,
            event_id: p.event_id,
            media_key: p.media_key,
            width: p.width,
            height: p.height,
        })
        .collect();
    Ok(Some(AppealPage {
        named: row.named,
        events,
        photos,
    }))
}
