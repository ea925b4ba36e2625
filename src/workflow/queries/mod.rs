//! All SQL of citizens' requests: the request, its timeline, photos,
//! supports, follows, notifications, categories, routing and settings.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::filter::{Param, Where};
use crate::db::{Conn, Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx, on_conn, on_db, on_tx};

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
    /// Only the centre of the town the address names (no pin).
    pub approximate: bool,
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
         closed_at, clarification_due_at, reminded_at, escalated_at, updated_at, approximate"
    };
}

pub async fn appeal(db: &Db, id: i64) -> Result<Option<AppealRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where appeal_id = $1"
    );
    fetch_db!(db, fetch_optional, AppealRow, sql, id)
}

pub async fn appeal_tx(tx: &mut Tx, id: i64) -> Result<Option<AppealRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where appeal_id = $1"
    );
    fetch_tx!(tx, fetch_optional, AppealRow, sql, id)
}

/// [`appeal_tx`], locking the request's row for the rest of the transaction
/// on PostgreSQL (SQLite's write transaction holds the whole database).
/// A vote takes this lock before it writes anything: two nodes' batches
/// voting on one request then queue on its row instead of each holding a
/// support's key the other needs (a deadlock a savepoint cannot undo,
/// since the row stays locked by the batch's earlier votes). `no key`:
/// inserts that only reference the request (follows, comments) pass.
pub async fn appeal_locked(tx: &mut Tx, id: i64) -> Result<Option<AppealRow>, sqlx::Error> {
    if let Tx::Sqlite(_) = tx {
        return appeal_tx(tx, id).await;
    }
    let sql = concat!(
        "select ",
        appeal_columns!(),
        " from appeal where appeal_id = $1 for no key update"
    );
    fetch_tx!(tx, fetch_optional, AppealRow, sql, id)
}

/// A request with the names its page shows beside it: its category's, its
/// organisation's and its author's (and the author's address, which only
/// staff are shown), read with the rest of the page ([`appeal_page`]).
#[derive(Debug, Clone, FromRow)]
pub struct AppealNamed {
    #[sqlx(flatten)]
    pub appeal: AppealRow,
    pub category_ru: Option<String>,
    pub category_en: Option<String>,
    pub organisation_ru: Option<String>,
    pub organisation_en: Option<String>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
}

/// The requests `ids`, in one query (a page listing several requests reads
/// them together, not one query each); in the order of their ids.
pub async fn appeals(c: &mut Conn, ids: &[i64]) -> Result<Vec<AppealRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    // The ids are numbers formatted here, never text from a request.
    let sql = format!(
        "select {} from appeal where appeal_id in ({}) order by appeal_id",
        appeal_columns!(),
        list.join(",")
    );
    on_conn!(c, |conn| sqlx::query_as::<_, AppealRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_all(conn)
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
    fetch_db!(db, fetch_all, AppealRow, sql, kind)
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
    pub approximate: bool,
    pub published_at: Option<OffsetDateTime>,
    pub due_at: Option<OffsetDateTime>,
    pub client_key: Option<&'a str>,
}

pub async fn insert_appeal(tx: &mut Tx, a: &NewAppeal<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "insert into appeal (kind, state, category_id, municipality_id, organisation_id, author_id,
             hide_name, description, address, lat, lon, created_at, published_at, due_at, updated_at,
             approximate, client_key)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $12, $15, $16)
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
    .bind(a.approximate)
    .bind(a.client_key)
    .fetch_one(conn)
    .await
    })
}

/// The request an author already filed with this form key, if any.
pub async fn appeal_by_client_key(
    db: &Db,
    author_id: i64,
    key: &str,
) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select appeal_id from appeal where author_id = $1 and client_key = $2"
    )
    .bind(author_id)
    .bind(key)
    .fetch_optional(pool)
    .await)
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
    exec_tx!(tx, "update appeal set state = $2, organisation_id = $3, return_state = $4, planned_date = $5,
             planned_budget = $6, reaction_text = $7, close_reason = $8, published_at = $9, due_at = $10,
             reacted_at = $11, resolved_at = $12, closed_at = $13, clarification_due_at = $14,
             reminded_at = $15, escalated_at = $16, updated_at = $17
         where appeal_id = $1", a.appeal_id, &a.state, &a.organisation_id, &a.return_state, &a.planned_date, &a.planned_budget, &a.reaction_text, &a.close_reason, a.published_at, a.due_at, a.reacted_at, a.resolved_at, a.closed_at, a.clarification_due_at, a.reminded_at, a.escalated_at, now)?;
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
    /// Only requests no organisation answers yet (no routing matched).
    pub unrouted: bool,
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
    // No kind: every kind (the staff queues).
    if !f.kind.is_empty() {
        q.push("kind = ?", Param::Text(f.kind.clone()));
    }
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
    if f.unrouted {
        q.conditions.push("organisation_id is null".into());
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
        // A town's centre is where every address-only report of the town
        // sits: no duplicate of anything.
        .filter(|a| !a.approximate)
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
    fetch_db!(
        db,
        fetch_all,
        AppealRow,
        sql,
        at,
        at + remind_before,
        dispute_cutoff
    )
}

mod timeline;
pub use timeline::*;
mod people;
pub use people::*;
mod settings;
pub use settings::*;
mod figures;
pub use figures::*;
mod page;
pub use page::*;
