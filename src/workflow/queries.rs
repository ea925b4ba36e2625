//! All SQL of citizens' requests: the request, its timeline, photos,
//! supports, follows, notifications, categories, routing and settings.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::filter::{Param, Where};
use crate::db::{Db, Tx, now};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AppealRow {
    pub appeal_id: i64,
    pub kind: String,
    pub state: String,
    pub category_id: String,
    pub municipality_id: String,
    pub organisation_id: Option<String>,
    pub author_id: i64,
    pub hide_name: bool,
    pub description: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub support_count: i64,
    pub return_state: Option<String>,
    pub planned_date: Option<String>,
    pub planned_budget: Option<String>,
    pub reaction_text: Option<String>,
    pub close_reason: Option<String>,
    #[serde(skip)]
    pub created_at: OffsetDateTime,
    #[serde(skip)]
    pub published_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub due_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub reacted_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub resolved_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub closed_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub clarification_due_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub reminded_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub escalated_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub updated_at: OffsetDateTime,
}

impl AppealRow {
    pub fn state(&self) -> crate::workflow::State {
        crate::workflow::State::parse(&self.state).unwrap_or(crate::workflow::State::Submitted)
    }

    /// Past its deadline without an official reaction.
    pub fn is_overdue(&self, at: OffsetDateTime) -> bool {
        self.state().awaits_reaction() && self.due_at.is_some_and(|d| at > d)
    }
}

macro_rules! appeal_columns {
    () => {
        "appeal_id, kind, state, category_id, municipality_id, organisation_id, author_id, hide_name,
         description, address, lat, lon, support_count, return_state, planned_date, planned_budget,
         reaction_text, close_reason, created_at, published_at, due_at, reacted_at, resolved_at,
         closed_at, clarification_due_at, reminded_at, escalated_at, updated_at"
    };
}

pub async fn appeal(db: &Db, id: i64) -> Result<Option<AppealRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where appeal_id = $1"
    );
    on_db!(db, |pool| sqlx::query_as::<_, AppealRow>(sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub async fn appeal_tx(tx: &mut Tx, id: i64) -> Result<Option<AppealRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where appeal_id = $1"
    );
    on_tx!(tx, |conn| sqlx::query_as::<_, AppealRow>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await)
}

/// Every public request of a kind, oldest first (the open dataset).
pub async fn public_appeals(db: &Db, kind: &str) -> Result<Vec<AppealRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where kind = $1
            and state in ('published', 'in_progress', 'planned', 'resolved', 'reopened', 'closed')
          order by appeal_id"
    );
    on_db!(db, |pool| sqlx::query_as::<_, AppealRow>(sql)
        .bind(kind)
        .fetch_all(pool)
        .await)
}

pub struct NewAppeal<'a> {
    pub kind: &'a str,
    pub state: &'a str,
    pub category_id: &'a str,
    pub municipality_id: &'a str,
    pub organisation_id: Option<&'a str>,
    pub author_id: i64,
    pub hide_name: bool,
    pub description: &'a str,
    pub address: &'a str,
    pub lat: f64,
    pub lon: f64,
    pub published_at: Option<OffsetDateTime>,
    pub due_at: Option<OffsetDateTime>,
}

pub async fn insert_appeal(tx: &mut Tx, a: &NewAppeal<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "insert into appeal (kind, state, category_id, municipality_id, organisation_id, author_id,
             hide_name, description, address, lat, lon, created_at, published_at, due_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $12)
         returning appeal_id"
    )
    .bind(a.kind)
    .bind(a.state)
    .bind(a.category_id)
    .bind(a.municipality_id)
    .bind(a.organisation_id)
    .bind(a.author_id)
    .bind(a.hide_name)
    .bind(a.description)
    .bind(a.address)
    .bind(a.lat)
    .bind(a.lon)
    .bind(now)
    .bind(a.published_at)
    .bind(a.due_at)
    .fetch_one(conn)
    .await
    })
}

pub async fn organisation_exists(tx: &mut Tx, id: &str) -> Result<bool, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>("select count(*) from organisation where organisation_id = $1")
            .bind(id)
            .fetch_one(conn)
            .await
    })
    .map(|n| n > 0)
}

/// Writes the state machine's fields back (after a transition).
pub async fn save_appeal(tx: &mut Tx, a: &AppealRow) -> Result<(), sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query(
        "update appeal set state = $2, organisation_id = $3, return_state = $4, planned_date = $5,
             planned_budget = $6, reaction_text = $7, close_reason = $8, published_at = $9, due_at = $10,
             reacted_at = $11, resolved_at = $12, closed_at = $13, clarification_due_at = $14,
             reminded_at = $15, escalated_at = $16, updated_at = $17
         where appeal_id = $1"
    )
    .bind(a.appeal_id)
    .bind(&a.state)
    .bind(&a.organisation_id)
    .bind(&a.return_state)
    .bind(&a.planned_date)
    .bind(&a.planned_budget)
    .bind(&a.reaction_text)
    .bind(&a.close_reason)
    .bind(a.published_at)
    .bind(a.due_at)
    .bind(a.reacted_at)
    .bind(a.resolved_at)
    .bind(a.closed_at)
    .bind(a.clarification_due_at)
    .bind(a.reminded_at)
    .bind(a.escalated_at)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A filtered, sorted page of requests.
#[derive(Debug, Clone, Default)]
pub struct AppealFilter {
    pub kind: String,
    pub category_id: Option<String>,
    pub municipality_id: Option<String>,
    pub organisation_id: Option<String>,
    /// Only requests routed to one of these (a workspace of several).
    pub organisations_in: Vec<String>,
    pub state: Option<String>,
    /// Only public states (the default for everyone but staff queues).
    pub public_only: bool,
    /// Only those past their deadline.
    pub overdue_at: Option<OffsetDateTime>,
    /// Only those awaiting a reaction or a decision (workspace queues).
    pub states_in: Vec<String>,
    pub author_id: Option<i64>,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: Option<[f64; 4]>,
    /// Only these requests (Open311's `service_request_id`).
    pub ids: Vec<i64>,
    /// Only these categories (Open311's comma list of `service_code`).
    pub categories_in: Vec<String>,
    /// Open311's status: `Some(true)` open, `Some(false)` closed.
    pub open: Option<bool>,
    pub created_from: Option<OffsetDateTime>,
    pub created_to: Option<OffsetDateTime>,
    pub updated_from: Option<OffsetDateTime>,
    pub updated_to: Option<OffsetDateTime>,
    /// Only requests with a resolution (feeds of resolved reports).
    pub resolved_only: bool,
    pub sort: AppealSort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AppealSort {
    #[default]
    Newest,
    Support,
    Due,
    /// Newest publication first (feeds).
    Published,
    /// Newest resolution first (feeds).
    Resolved,
    /// Oldest first (moderation queue, Open311).
    Oldest,
}

fn filter_sql(f: &AppealFilter) -> (String, Vec<Param>) {
    let mut q = Where::default();
    q.push("kind = ?", Param::Text(f.kind.clone()));
    for (column, value) in [
        ("category_id", &f.category_id),
        ("municipality_id", &f.municipality_id),
        ("organisation_id", &f.organisation_id),
        ("state", &f.state),
    ] {
        if let Some(v) = value {
            q.push(&format!("{column} = ?"), Param::Text(v.clone()));
        }
    }
    if let Some(a) = f.author_id {
        q.push("author_id = ?", Param::Int(a));
    }
    if f.public_only {
        q.conditions.push(
            "state in ('published', 'in_progress', 'planned', 'resolved', 'reopened', 'closed')"
                .into(),
        );
    }
    if !f.states_in.is_empty() {
        let list: Vec<String> = f
            .states_in
            .iter()
            .filter(|s| crate::workflow::State::parse(s).is_some())
            .map(|s| format!("'{s}'"))
            .collect();
        if !list.is_empty() {
            q.conditions.push(format!("state in ({})", list.join(", ")));
        }
    }
    if let Some(t) = f.overdue_at {
        q.conditions
            .push("state in ('published', 'in_progress', 'reopened')".into());
        q.push("due_at < ?", Param::Time(t));
    }
    if !f.ids.is_empty() {
        let list: Vec<String> = f.ids.iter().map(|i| i.to_string()).collect();
        q.conditions
            .push(format!("appeal_id in ({})", list.join(", ")));
    }
    if !f.organisations_in.is_empty() {
        q.push_in(
            "organisation_id",
            f.organisations_in.iter().map(|o| Param::Text(o.clone())),
        );
    }
    if !f.categories_in.is_empty() {
        q.push_in(
            "category_id",
            f.categories_in.iter().map(|c| Param::Text(c.clone())),
        );
    }
    match f.open {
        Some(true) => q
            .conditions
            .push("state in ('published', 'in_progress', 'planned', 'reopened')".into()),
        Some(false) => q.conditions.push("state in ('resolved', 'closed')".into()),
        None => {}
    }
    if let Some(t) = f.created_from {
        q.push("created_at >= ?", Param::Time(t));
    }
    if let Some(t) = f.created_to {
        q.push("created_at <= ?", Param::Time(t));
    }
    if let Some(t) = f.updated_from {
        q.push("updated_at >= ?", Param::Time(t));
    }
    if let Some(t) = f.updated_to {
        q.push("updated_at <= ?", Param::Time(t));
    }
    if f.resolved_only {
        q.conditions.push("resolved_at is not null".into());
    }
    if let Some([x0, y0, x1, y1]) = f.bbox {
        q.push("lat >= ?", Param::Float(y0));
        q.push("lat <= ?", Param::Float(y1));
        q.push("lon >= ?", Param::Float(x0));
        q.push("lon <= ?", Param::Float(x1));
        // A map view narrower than half a degree is the most selective
        // condition there is, but SQLite without statistics prefers any
        // equality index (kind, state, category...) to a range on the
        // location index and then scans the whole region. `column || ''`
        // keeps the meaning on both backends and takes those columns out of
        // the planner's choice.
        if (x1 - x0).max(y1 - y0) <= 0.5 {
            for c in q.conditions.iter_mut() {
                for column in [
                    "kind",
                    "state",
                    "category_id",
                    "municipality_id",
                    "organisation_id",
                ] {
                    if let Some(rest) = c.strip_prefix(column).filter(|r| r.starts_with(' ')) {
                        *c = format!("{column} || ''{rest}");
                        break;
                    }
                }
            }
        }
    }
    (q.sql(), q.params)
}

pub async fn list_appeals(db: &Db, f: &AppealFilter) -> Result<Vec<AppealRow>, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let order = match f.sort {
        AppealSort::Newest => "appeal_id desc",
        AppealSort::Support => "support_count desc, appeal_id desc",
        AppealSort::Due => "due_at is null, due_at asc, appeal_id asc",
        AppealSort::Published => "published_at desc, appeal_id desc",
        AppealSort::Resolved => "resolved_at desc, appeal_id desc",
        AppealSort::Oldest => "appeal_id asc",
    };
    let sql = format!(
        concat!(
            "select ",
            appeal_columns!(),
            " from appeal where {} order by {} limit {} offset {}"
        ),
        w,
        order,
        f.limit.clamp(1, 10_000),
        f.offset.max(0)
    );
    on_db!(db, |pool| {
        let q = sqlx::query_as::<_, AppealRow>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_all(pool).await
    })
}

pub async fn count_appeals(db: &Db, f: &AppealFilter) -> Result<i64, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let sql = format!("select count(*) from appeal where {w}");
    on_db!(db, |pool| {
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_one(pool).await
    })
}

/// How many requests match, counting no further than `cap`: a map view asks
/// whether it can show markers one by one without sorting a whole region.
pub async fn count_up_to(db: &Db, f: &AppealFilter, cap: i64) -> Result<i64, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let sql = format!("select count(*) from (select 1 from appeal where {w} limit {cap}) as t");
    on_db!(db, |pool| {
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_one(pool).await
    })
}

/// Counts of requests per grid cell of `cell` degrees from `origin`
/// (`[lon, lat]`), with the mean position of each cell: the map's clusters
/// when a view holds too many requests to send one by one.
pub async fn grid_counts(
    db: &Db,
    f: &AppealFilter,
    origin: [f64; 2],
    cell: f64,
) -> Result<Vec<(i64, f64, f64)>, sqlx::Error> {
    let (w, params) = filter_sql(f);
    // Positions within the view are never below the origin, so truncation
    // is the floor on both backends (PostgreSQL's cast rounds, hence floor).
    let (gx, gy) = match db.backend() {
        crate::db::Backend::Sqlite => (
            format!("cast((lon - ({})) / {cell} as integer)", origin[0]),
            format!("cast((lat - ({})) / {cell} as integer)", origin[1]),
        ),
        crate::db::Backend::Postgres => (
            format!("floor((lon - ({})) / {cell})::bigint", origin[0]),
            format!("floor((lat - ({})) / {cell})::bigint", origin[1]),
        ),
    };
    let sql = format!(
        "select count(*) as n, avg(lat) as lat, avg(lon) as lon from appeal where {w} group by {gx}, {gy}"
    );
    on_db!(db, |pool| {
        let q = sqlx::query_as::<_, (i64, f64, f64)>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_all(pool).await
    })
}

/// Open public requests of a category within `radius_m` metres of a point,
/// nearest first (the duplicate check of the report form).
pub async fn nearby(
    db: &Db,
    kind: &str,
    category_id: Option<&str>,
    lat: f64,
    lon: f64,
    radius_m: f64,
    limit: usize,
) -> Result<Vec<(AppealRow, f64)>, sqlx::Error> {
    let dlat = radius_m / 111_320.0;
    let dlon = radius_m / (111_320.0 * lat.to_radians().cos().max(0.1));
    let f = AppealFilter {
        kind: kind.to_owned(),
        category_id: category_id.map(str::to_owned),
        open: Some(true),
        bbox: Some([lon - dlon, lat - dlat, lon + dlon, lat + dlat]),
        limit: 500,
        ..Default::default()
    };
    let mut found: Vec<(AppealRow, f64)> = list_appeals(db, &f)
        .await?
        .into_iter()
        .map(|a| {
            let d = distance_m(lat, lon, a.lat, a.lon);
            (a, d)
        })
        .filter(|(_, d)| *d <= radius_m)
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found.truncate(limit);
    Ok(found)
}

/// Great-circle distance in metres.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * a.sqrt().asin()
}

/// Requests whose deadline machinery needs a look (`sweeper.rs`).
pub async fn due_for_sweep(
    db: &Db,
    at: OffsetDateTime,
    remind_before: time::Duration,
) -> Result<Vec<AppealRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where
           (state in ('published', 'in_progress', 'reopened') and due_at is not null
              and ((reminded_at is null and due_at < $2) or (escalated_at is null and due_at < $1)))
           or (state = 'needs_clarification' and clarification_due_at < $1)
           or (state = 'resolved' and resolved_at < $3)
         order by appeal_id limit 500"
    );
    let dispute_cutoff = at - time::Duration::days(crate::workflow::lifecycle::DISPUTE_DAYS);
    on_db!(db, |pool| sqlx::query_as::<_, AppealRow>(sql)
        .bind(at)
        .bind(at + remind_before)
        .bind(dispute_cutoff)
        .fetch_all(pool)
        .await)
}

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

pub async fn events(
    db: &Db,
    appeal_id: i64,
    include_internal: bool,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, EventRow>(
        "select event_id, appeal_id, kind, from_state, to_state, actor_id, actor_role, organisation_id,
                note, public, created_at
         from appeal_event where appeal_id = $1 and (public or $2) order by event_id"
    )
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
    on_tx!(tx, |conn| {
        sqlx::query(
        "insert into appeal_photo (appeal_id, event_id, media_key, width, height, position, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(appeal_id)
    .bind(event_id)
    .bind(media_key)
    .bind(i64::from(width))
    .bind(i64::from(height))
    .bind(position)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
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
    let Some(appeal) = on_db!(db, |pool| sqlx::query_as::<_, AppealRow>(sql)
        .bind(media_key)
        .fetch_optional(pool)
        .await)?
    else {
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

// ---- support and follows ------------------------------------------------

/// Adds a support; `false` when the citizen already supports the request.
/// The primary key makes a second support impossible, whatever the race.
pub async fn add_support(
    tx: &mut Tx,
    appeal_id: i64,
    account_id: i64,
) -> Result<bool, sqlx::Error> {
    let now = now();
    let n = on_tx!(tx, |conn| sqlx::query(
        "insert into appeal_support (appeal_id, account_id, created_at) values ($1, $2, $3)
         on conflict (appeal_id, account_id) do nothing"
    )
    .bind(appeal_id)
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 1 {
        on_tx!(tx, |conn| sqlx::query(
            "update appeal set support_count = support_count + 1 where appeal_id = $1"
        )
        .bind(appeal_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(n == 1)
}

pub async fn supports(db: &Db, appeal_id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from appeal_support where appeal_id = $1 and account_id = $2"
    )
    .bind(appeal_id)
    .bind(account_id)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}

pub async fn follow(tx: &mut Tx, appeal_id: i64, account_id: i64) -> Result<(), sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| sqlx::query(
        "insert into appeal_follow (appeal_id, account_id, created_at) values ($1, $2, $3)
         on conflict (appeal_id, account_id) do nothing"
    )
    .bind(appeal_id)
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn unfollow(db: &Db, appeal_id: i64, account_id: i64) -> Result<(), sqlx::Error> {
    on_db!(db, |pool| sqlx::query(
        "delete from appeal_follow where appeal_id = $1 and account_id = $2"
    )
    .bind(appeal_id)
    .bind(account_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn follows(db: &Db, appeal_id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from appeal_follow where appeal_id = $1 and account_id = $2"
    )
    .bind(appeal_id)
    .bind(account_id)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}

/// Followers with their addresses, for notifications.
#[derive(Debug, Clone, FromRow)]
pub struct Follower {
    pub account_id: i64,
    pub email: Option<String>,
    pub email_confirmed: bool,
    pub locale: String,
}

pub async fn followers(tx: &mut Tx, appeal_id: i64) -> Result<Vec<Follower>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, Follower>(
        "select a.account_id, a.email, a.email_confirmed_at is not null as email_confirmed, a.locale
         from appeal_follow f join account a on a.account_id = f.account_id
         where f.appeal_id = $1 and a.disabled_at is null order by a.account_id"
    )
    .bind(appeal_id)
    .fetch_all(conn)
    .await
    })
}

/// Officers (members) of an organisation, for reminders and escalations.
pub async fn members_of(tx: &mut Tx, organisation_id: &str) -> Result<Vec<Follower>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, Follower>(
        "select distinct a.account_id, a.email, a.email_confirmed_at is not null as email_confirmed, a.locale
         from membership m join account a on a.account_id = m.account_id
         where m.organisation_id = $1 and m.kind = 'officer' and a.disabled_at is null
         order by a.account_id"
    )
    .bind(organisation_id)
    .fetch_all(conn)
    .await
    })
}

// ---- notifications ----------------------------------------------------------

pub async fn insert_notification(
    tx: &mut Tx,
    account_id: i64,
    appeal_id: Option<i64>,
    text_ru: &str,
    text_en: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| sqlx::query(
        "insert into notification (account_id, appeal_id, text_ru, text_en, link, created_at)
         values ($1, $2, $3, $4, $5, $6)"
    )
    .bind(account_id)
    .bind(appeal_id)
    .bind(text_ru)
    .bind(text_en)
    .bind(link)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub notification_id: i64,
    pub text_ru: String,
    pub text_en: String,
    pub link: String,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

pub async fn notifications(
    db: &Db,
    account_id: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, NotificationRow>(
        "select notification_id, text_ru, text_en, link, created_at, read_at from notification
         where account_id = $1 order by notification_id desc limit $2"
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

pub async fn unread_count(db: &Db, account_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from notification where account_id = $1 and read_at is null"
    )
    .bind(account_id)
    .fetch_one(pool)
    .await)
}

pub async fn mark_read(db: &Db, account_id: i64) -> Result<(), sqlx::Error> {
    let now = now();
    on_db!(db, |pool| sqlx::query(
        "update notification set read_at = $2 where account_id = $1 and read_at is null"
    )
    .bind(account_id)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- categories, routing, settings ---------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct CategoryRow {
    pub category_id: String,
    pub kind: String,
    pub grp: String,
    pub name_ru: String,
    pub name_en: String,
    pub description_ru: String,
    pub description_en: String,
    pub responsibility: String,
    pub default_organisation_id: Option<String>,
    pub keywords: String,
    pub sort_order: i64,
    pub active: bool,
}

pub async fn categories(db: &Db, kind: &str) -> Result<Vec<CategoryRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, CategoryRow>(
        "select category_id, kind, grp, name_ru, name_en, description_ru, description_en, responsibility,
                default_organisation_id, keywords, sort_order, active
         from category where kind = $1 order by sort_order, category_id"
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    })
}

pub async fn insert_category_if_missing(tx: &mut Tx, c: &CategoryRow) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "insert into category (category_id, kind, grp, name_ru, name_en, description_ru, description_en,
             responsibility, default_organisation_id, keywords, sort_order, active)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (category_id) do nothing"
    )
    .bind(&c.category_id)
    .bind(&c.kind)
    .bind(&c.grp)
    .bind(&c.name_ru)
    .bind(&c.name_en)
    .bind(&c.description_ru)
    .bind(&c.description_en)
    .bind(&c.responsibility)
    .bind(&c.default_organisation_id)
    .bind(&c.keywords)
    .bind(c.sort_order)
    .bind(c.active)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn set_category_default(
    tx: &mut Tx,
    category_id: &str,
    organisation_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query(
        "update category set default_organisation_id = $2 where category_id = $1"
    )
    .bind(category_id)
    .bind(organisation_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub category_id: String,
    pub municipality_id: String,
    pub organisation_id: String,
}

pub async fn routing_rules(db: &Db) -> Result<Vec<RuleRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, RuleRow>(
        "select category_id, municipality_id, organisation_id from routing_rule order by category_id, municipality_id"
    )
    .fetch_all(pool)
    .await
    })
}

pub async fn routing_rule(
    tx: &mut Tx,
    category_id: &str,
    municipality_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, String>(
        "select organisation_id from routing_rule where category_id = $1 and municipality_id = $2"
    )
    .bind(category_id)
    .bind(municipality_id)
    .fetch_optional(conn)
    .await)
}

pub async fn set_routing_rule(
    tx: &mut Tx,
    category_id: &str,
    municipality_id: &str,
    organisation_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = now();
    match organisation_id {
        Some(org) => on_tx!(tx, |conn| {
            sqlx::query(
            "insert into routing_rule (category_id, municipality_id, organisation_id, updated_at)
             values ($1, $2, $3, $4)
             on conflict (category_id, municipality_id) do update set organisation_id = excluded.organisation_id,
                 updated_at = excluded.updated_at"
        )
        .bind(category_id)
        .bind(municipality_id)
        .bind(org)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
        })?,
        None => on_tx!(tx, |conn| sqlx::query(
            "delete from routing_rule where category_id = $1 and municipality_id = $2"
        )
        .bind(category_id)
        .bind(municipality_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?,
    };
    Ok(())
}

pub async fn setting(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "select value from setting where setting_key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)
}

pub async fn set_setting(tx: &mut Tx, key: &str, value: &str) -> Result<(), sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query(
        "insert into setting (setting_key, value, updated_at) values ($1, $2, $3)
         on conflict (setting_key) do update set value = excluded.value, updated_at = excluded.updated_at"
    )
    .bind(key)
    .bind(value)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ---- SLA figures -------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct SlaFigures {
    pub total: i64,
    pub reacted: i64,
    pub reacted_on_time: i64,
    pub overdue_now: i64,
    /// Median hours from publication to the first reaction.
    pub median_hours: Option<f64>,
}

impl SlaFigures {
    /// Share of reactions given on time, of all requests that were due or
    /// reacted to (0–100).
    pub fn on_time_percent(&self) -> Option<f64> {
        let judged = self.reacted + self.overdue_now;
        (judged > 0).then(|| self.reacted_on_time as f64 * 100.0 / judged as f64)
    }
}

type SlaRow = (
    Option<String>,
    String,
    String,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

/// Accumulates figures row by row.
#[derive(Default)]
struct SlaAcc {
    f: SlaFigures,
    hours: Vec<f64>,
}

impl SlaAcc {
    fn add(
        &mut self,
        state: &str,
        published: Option<OffsetDateTime>,
        due: Option<OffsetDateTime>,
        reacted: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) {
        self.f.total += 1;
        match reacted {
            Some(r) => {
                self.f.reacted += 1;
                if due.is_none_or(|d| r <= d) {
                    self.f.reacted_on_time += 1;
                }
                if let Some(p) = published {
                    self.hours.push((r - p).as_seconds_f64() / 3600.0);
                }
            }
            None => {
                let awaiting =
                    crate::workflow::State::parse(state).is_some_and(|s| s.awaits_reaction());
                if awaiting && due.is_some_and(|d| at > d) {
                    self.f.overdue_now += 1;
                }
            }
        }
    }

    fn finish(mut self) -> SlaFigures {
        self.hours.sort_by(f64::total_cmp);
        if !self.hours.is_empty() {
            let mid = self.hours.len() / 2;
            self.f.median_hours = Some(if self.hours.len().is_multiple_of(2) {
                (self.hours[mid - 1] + self.hours[mid]) / 2.0
            } else {
                self.hours[mid]
            });
        }
        self.f
    }
}

async fn sla_rows(db: &Db, kind: &str) -> Result<Vec<SlaRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, SlaRow>(
        "select organisation_id, municipality_id, state, published_at, due_at, reacted_at from appeal
         where kind = $1 and published_at is not null
           and state in ('published', 'in_progress', 'planned', 'resolved', 'reopened', 'closed')"
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    })
}

/// SLA figures of the public requests of an organisation or a municipality
/// (both `None`: the whole krai).
pub async fn sla_figures(
    db: &Db,
    kind: &str,
    organisation_id: Option<&str>,
    municipality_id: Option<&str>,
    at: OffsetDateTime,
) -> Result<SlaFigures, sqlx::Error> {
    let mut acc = SlaAcc::default();
    for (org, mun, state, published, due, reacted) in sla_rows(db, kind).await? {
        if organisation_id.is_some_and(|o| org.as_deref() != Some(o))
            || municipality_id.is_some_and(|m| m != mun)
        {
            continue;
        }
        acc.add(&state, published, due, reacted, at);
    }
    Ok(acc.finish())
}

/// Figures per organisation and per municipality, and for the whole krai,
/// from one pass over the requests.
pub struct SlaTable {
    pub by_organisation: std::collections::BTreeMap<String, SlaFigures>,
    pub by_municipality: std::collections::BTreeMap<String, SlaFigures>,
    pub total: SlaFigures,
}

pub async fn sla_table(db: &Db, kind: &str, at: OffsetDateTime) -> Result<SlaTable, sqlx::Error> {
    let mut orgs: std::collections::BTreeMap<String, SlaAcc> = Default::default();
    let mut muns: std::collections::BTreeMap<String, SlaAcc> = Default::default();
    let mut total = SlaAcc::default();
    for (org, mun, state, published, due, reacted) in sla_rows(db, kind).await? {
        if let Some(o) = org {
            orgs.entry(o)
                .or_default()
                .add(&state, published, due, reacted, at);
        }
        muns.entry(mun)
            .or_default()
            .add(&state, published, due, reacted, at);
        total.add(&state, published, due, reacted, at);
    }
    Ok(SlaTable {
        by_organisation: orgs.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        by_municipality: muns.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        total: total.finish(),
    })
}

// ---- Open311 keys ----------------------------------------------------------

pub async fn insert_open311_key(
    tx: &mut Tx,
    hash: &str,
    name: &str,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| sqlx::query(
        "insert into open311_key (key_hash, name, account_id, created_at) values ($1, $2, $3, $4)"
    )
    .bind(hash)
    .bind(name)
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account a valid (not revoked) key acts as.
pub async fn open311_key_account(db: &Db, hash: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select account_id from open311_key where key_hash = $1 and revoked_at is null"
    )
    .bind(hash)
    .fetch_optional(pool)
    .await)
}

#[derive(Debug, Clone, FromRow)]
pub struct Open311KeyRow {
    pub key_hash: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn open311_keys(db: &Db) -> Result<Vec<Open311KeyRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, Open311KeyRow>(
        "select key_hash, name, created_at, revoked_at from open311_key order by created_at desc"
    )
    .fetch_all(pool)
    .await)
}

pub async fn revoke_open311_key(db: &Db, prefix: &str) -> Result<(), sqlx::Error> {
    let now = now();
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    on_db!(db, |pool| sqlx::query(
        "update open311_key set revoked_at = $2 where key_hash like $1 and revoked_at is null"
    )
    .bind(&pattern)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
