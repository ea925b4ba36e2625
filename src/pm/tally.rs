//! The counters behind the dashboards: a row per organisation and per
//! project with its orders per state (`pm_order_count`), and its open
//! orders per UTC day of their deadline (`pm_order_due`). The region, a
//! portfolio and the projects list read a row per key instead of grouping
//! every order on every view (48–74 ms at 100,000 orders before, see
//! docs/PM.md).
//!
//! Kept in the same transaction as the change: `queries::insert_order` and
//! `queries::save_order`, the only writers of the counted columns, call
//! [`change`] with the order before and after. The migration that made the
//! tables filled them from the orders there were; [`rebuild`] runs the same
//! fill, for orders written in bulk around the application (the
//! benchmark's).
//!
//! Overdue depends on today's date: an open order is overdue once its
//! deadline's day is before today, so the overdue ones are the days before
//! today, summed. [`fold`] adds the past days into the row's `past_*`
//! columns hourly, which moves a sum and changes no count; until then a
//! page adds the few days not folded yet. Only the orders due today are
//! split by the clock, with a look at those orders themselves.

use std::collections::BTreeMap;

use sqlx::FromRow;
use time::OffsetDateTime;

use super::domain::OrderState;
use super::queries::{Counts, OrderFilter};
use crate::db::{Backend, Db, Tx};
use crate::{exec_tx, on_db, on_tx};

const DAY: i64 = 86_400;

/// The states whose orders turn overdue when their deadline passes (the
/// dashboard's rule, `domain::is_overdue`).
const OPEN: [&str; 4] = ["new", "accepted", "in_progress", "returned"];

/// What a dashboard groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Organisation,
    Project,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Organisation => "organisation",
            Scope::Project => "project",
        }
    }
}

/// The counted columns of one order.
#[derive(Debug, Clone, FromRow)]
pub struct Counted {
    pub organisation_id: String,
    pub project_id: Option<i64>,
    pub state: String,
    pub deadline: OffsetDateTime,
    pub done_at: Option<OffsetDateTime>,
}

/// The UTC day a moment falls on, as days since 1970-01-01.
fn day(t: OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(DAY)
}

/// The per-state counters of `pm_order_count`, in the order of [`COLUMNS`].
const COLUMNS: [&str; 8] = [
    "n_new",
    "n_accepted",
    "n_in_progress",
    "n_returned",
    "n_report_submitted",
    "n_done",
    "n_done_late",
    "n_cancelled",
];

type Wide = BTreeMap<(Scope, String), [i64; 8]>;
type Dated = BTreeMap<(Scope, i64, String, &'static str), i64>;

/// Adds `sign` times one order to the counters of its organisation and
/// project: its state's column (and done late), and for an open order its
/// deadline's day, as `new` or `working` (the dashboard's two open kinds).
fn add(o: &Counted, sign: i64, wide: &mut Wide, dated: &mut Dated) {
    let column = COLUMNS
        .iter()
        .position(|c| c.strip_prefix("n_") == Some(o.state.as_str()));
    let late = o.state == "done" && o.done_at.is_some_and(|d| d > o.deadline);
    let class = match o.state.as_str() {
        "new" => Some("new"),
        s if OPEN.contains(&s) => Some("working"),
        _ => None,
    };
    let mut keys = vec![(Scope::Organisation, o.organisation_id.clone())];
    if let Some(p) = o.project_id {
        keys.push((Scope::Project, p.to_string()));
    }
    for key in keys {
        if let Some(class) = class {
            *dated
                .entry((key.0, day(o.deadline), key.1.clone(), class))
                .or_default() += sign;
        }
        let row = wide.entry(key).or_default();
        if let Some(i) = column {
            row[i] += sign;
        }
        if late {
            row[6] += sign;
        }
    }
}

/// The counted columns of an order as stored, in the transaction (read
/// before a save, for what the save takes away).
pub async fn stored(tx: &mut Tx, order_id: i64) -> Result<Option<Counted>, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_as::<_, Counted>(
        "select organisation_id, project_id, state, deadline, done_at from pm_order
             where order_id = $1"
    )
    .bind(order_id)
    .fetch_optional(conn)
    .await)
}

/// Moves one order's count from `before` (none for a new order) to `after`.
/// Counters are touched in one order (days, then rows, each by key), so
/// two transactions on PostgreSQL lock them in the same order.
pub async fn change(
    tx: &mut Tx,
    before: Option<&Counted>,
    after: Option<&Counted>,
) -> Result<(), sqlx::Error> {
    let (mut wide, mut dated) = (Wide::new(), Dated::new());
    if let Some(o) = before {
        add(o, -1, &mut wide, &mut dated);
    }
    if let Some(o) = after {
        add(o, 1, &mut wide, &mut dated);
    }
    let dated: Vec<_> = dated.into_iter().filter(|(_, n)| *n != 0).collect();
    let wide: Vec<_> = wide
        .into_iter()
        .filter(|(_, row)| row.iter().any(|n| *n != 0))
        .collect();
    if !dated.is_empty() {
        on_tx!(tx, |conn| {
            let mut q =
                sqlx::QueryBuilder::new("insert into pm_order_due (scope, day, key, class, n) ");
            q.push_values(&dated, |mut b, ((scope, day, key, class), n)| {
                b.push_bind(scope.as_str())
                    .push_bind(*day)
                    .push_bind(key)
                    .push_bind(*class)
                    .push_bind(*n);
            });
            q.push(
                " on conflict (scope, day, key, class)
                  do update set n = pm_order_due.n + excluded.n",
            );
            q.build().execute(conn).await.map(|r| r.rows_affected())
        })?;
        // Empty days go, or they would pile up until the next fold.
        for ((scope, day, key, class), _) in dated.iter().filter(|(_, n)| *n < 0) {
            exec_tx!(
                tx,
                "delete from pm_order_due where scope = $1 and day = $2 and key = $3
                     and class = $4 and n = 0",
                scope.as_str(),
                *day,
                key,
                *class
            )?;
        }
    }
    if !wide.is_empty() {
        let set: Vec<String> = COLUMNS
            .iter()
            .map(|c| format!("{c} = pm_order_count.{c} + excluded.{c}"))
            .collect();
        let sql = format!(
            "insert into pm_order_count (scope, key, {}) ",
            COLUMNS.join(", ")
        );
        let tail = format!(" on conflict (scope, key) do update set {}", set.join(", "));
        on_tx!(tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(sql.clone());
            q.push_values(&wide, |mut b, ((scope, key), row)| {
                b.push_bind(scope.as_str()).push_bind(key);
                for n in row {
                    b.push_bind(*n);
                }
            });
            q.push(tail.clone());
            q.build().execute(conn).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The dashboard's counts per key of `scope` at `at`, cancelled orders
/// left out: what `queries::counts_by` over every order gives, read from
/// the counters.
pub async fn counts(db: &Db, scope: Scope, at: OffsetDateTime) -> Result<Vec<Counts>, sqlx::Error> {
    let mut counts: Vec<Counts> = on_db!(db, |pool| sqlx::query_as::<_, Counts>(
        "select c.key,
                cast(c.n_new + c.n_accepted + c.n_in_progress + c.n_returned
                     + c.n_report_submitted + c.n_done as bigint) as total,
                cast(c.n_done as bigint) as done,
                cast(c.past_new + c.past_working + coalesce(d.due_new, 0)
                     + coalesce(d.due_working, 0) as bigint) as overdue,
                cast(c.n_new - c.past_new - coalesce(d.due_new, 0) as bigint) as unaccepted,
                cast(c.n_accepted + c.n_in_progress + c.n_returned - c.past_working
                     - coalesce(d.due_working, 0) + c.n_report_submitted as bigint)
                     as in_progress,
                cast(c.n_done_late as bigint) as done_late
         from pm_order_count c
         left join (
             select key, sum(case when class = 'new' then n else 0 end) as due_new,
                    sum(case when class = 'working' then n else 0 end) as due_working
             from pm_order_due where scope = $1 and day < $2 group by key
         ) d on d.key = c.key
         where c.scope = $1
           and c.n_new + c.n_accepted + c.n_in_progress + c.n_returned
               + c.n_report_submitted + c.n_done > 0
         order by c.key"
    )
    .bind(scope.as_str())
    .bind(day(at))
    .fetch_all(pool)
    .await)?;
    // Today's counters hold orders whose deadline passed earlier today.
    for (key, state, n) in due_earlier_today(db, scope, at).await? {
        let Some(c) = counts
            .iter_mut()
            .find(|c| c.key.as_deref() == Some(key.as_str()))
        else {
            continue;
        };
        c.overdue += n;
        if state == "new" {
            c.unaccepted -= n;
        } else {
            c.in_progress -= n;
        }
    }
    Ok(counts)
}

#[derive(FromRow)]
struct Due {
    key: String,
    state: String,
    n: i64,
}

/// Open orders due today (UTC) before `at`, per key of `scope` and state.
async fn due_earlier_today(
    db: &Db,
    scope: Scope,
    at: OffsetDateTime,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let start = OffsetDateTime::from_unix_timestamp(day(at) * DAY).unwrap_or(at);
    let key = match (scope, db.backend()) {
        (Scope::Organisation, _) => "organisation_id",
        (Scope::Project, Backend::Postgres) => "project_id::text",
        (Scope::Project, Backend::Sqlite) => "cast(project_id as text)",
    };
    let sql = |when: &str| {
        format!(
            "select {key} as key, state, count(*) as n from pm_order
             where state in ('new', 'accepted', 'in_progress', 'returned') and {when}
               and {key} is not null
             group by {key}, state"
        )
    };
    let rows = match db {
        Db::Postgres(pool) => {
            sqlx::query_as::<_, Due>(sqlx::AssertSqlSafe(sql("deadline >= $1 and deadline < $2")))
                .bind(start)
                .bind(at)
                .fetch_all(pool)
                .await?
        }
        // SQLite keeps times as text, some with another offset than UTC
        // (the demo's): the text range, a day wider, picks the rows by the
        // index; their epoch seconds decide.
        Db::Sqlite(pool) => {
            sqlx::query_as::<_, Due>(sqlx::AssertSqlSafe(sql("deadline >= $1 and deadline < $2
               and cast(strftime('%s', deadline) as integer) >= $3
               and cast(strftime('%s', deadline) as integer) < $4")))
            .bind(start - time::Duration::days(1))
            .bind(at + time::Duration::days(1))
            .bind(start.unix_timestamp())
            .bind(at.unix_timestamp())
            .fetch_all(pool)
            .await?
        }
    };
    Ok(rows.into_iter().map(|r| (r.key, r.state, r.n)).collect())
}

/// How many orders a filter of nothing but an organisation or a project
/// and a state matches (the orders list's unfiltered first page, say), from
/// the counters; `None` for any other filter.
pub async fn count(db: &Db, f: &OrderFilter) -> Result<Option<i64>, sqlx::Error> {
    let simple = f.organisations_in.is_empty()
        && f.executor_id.is_none()
        && f.creator_id.is_none()
        && f.overdue_at.is_none()
        && !f.open
        && !f.roots_only;
    let (scope, key) = match (&f.organisation_id, f.project_id) {
        (org, None) => (Scope::Organisation, org.clone()),
        (None, Some(p)) => (Scope::Project, Some(p.to_string())),
        (Some(_), Some(_)) => return Ok(None),
    };
    if !simple {
        return Ok(None);
    }
    // As `queries::filter_sql` reads it: an unknown state filters nothing.
    let state = f
        .state
        .as_deref()
        .and_then(OrderState::parse)
        .map(|s| s.as_str().to_owned());
    // Only the fixed column names reach the SQL.
    let column = match state {
        Some(s) => COLUMNS
            .iter()
            .find(|c| c.strip_prefix("n_") == Some(s.as_str()))
            .map(|c| c.to_string())
            .unwrap_or_else(|| "0".into()),
        None => COLUMNS
            .iter()
            .filter(|c| **c != "n_done_late")
            .copied()
            .collect::<Vec<_>>()
            .join(" + "),
    };
    let sql = format!(
        "select cast(coalesce(sum({column}), 0) as bigint) from pm_order_count
         where scope = $1 and ($2 is null or key = $2)"
    );
    let n = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(scope.as_str())
    .bind(key.clone())
    .fetch_one(pool)
    .await)?;
    Ok(Some(n))
}

/// Folds the open orders of the days before `today` into their rows'
/// `past_*` columns, so a dashboard reads one row per key (hourly, from
/// `features::run_scheduled`). Only a sum moves: a page read before, during
/// or after a fold, or a change made meanwhile to a day already folded,
/// counts the same.
pub async fn fold(db: &Db, today: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    match tx.backend() {
        // The deleted rows are the ones added, locked, whatever commits
        // meanwhile.
        Backend::Postgres => exec_tx!(
            &mut tx,
            "with moved as (
                 delete from pm_order_due where day < $1 returning scope, key, class, n
             )
             insert into pm_order_count (scope, key, past_new, past_working)
             select scope, key, sum(case when class = 'new' then n else 0 end),
                    sum(case when class = 'working' then n else 0 end)
             from moved group by scope, key
             on conflict (scope, key) do update
                 set past_new = pm_order_count.past_new + excluded.past_new,
                     past_working = pm_order_count.past_working + excluded.past_working",
            today
        )?,
        // One writer at a time: the two statements see the same rows.
        Backend::Sqlite => {
            exec_tx!(&mut tx, FOLD_SQLITE, today)?;
            exec_tx!(&mut tx, "delete from pm_order_due where day < $1", today)?
        }
    };
    tx.commit().await
}

const FOLD_SQLITE: &str = "
insert into pm_order_count (scope, key, past_new, past_working)
select scope, key, sum(case when class = 'new' then n else 0 end),
       sum(case when class = 'working' then n else 0 end)
from pm_order_due where day < $1
group by scope, key
on conflict (scope, key) do update
    set past_new = pm_order_count.past_new + excluded.past_new,
        past_working = pm_order_count.past_working + excluded.past_working";

/// Counts every order again, as the migration that made the tables did:
/// for orders written in bulk around the application (the benchmark's).
/// The days before today go straight into the rows' `past_*`.
pub async fn rebuild(db: &Db) -> Result<(), sqlx::Error> {
    let today = day(crate::db::now());
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, "delete from pm_order_due")?;
    exec_tx!(&mut tx, "delete from pm_order_count")?;
    let (rows, days) = match db.backend() {
        Backend::Postgres => (ROWS_POSTGRES, DAYS_POSTGRES),
        Backend::Sqlite => (ROWS_SQLITE, DAYS_SQLITE),
    };
    exec_tx!(&mut tx, rows, today)?;
    exec_tx!(&mut tx, days, today)?;
    tx.commit().await
}

/// The migration's fill, per backend (`$1`: today's day number): a row per
/// organisation and project, then the open orders due today or later per
/// deadline day.
const ROWS_SQLITE: &str = "
insert into pm_order_count (scope, key, n_new, n_accepted, n_in_progress, n_returned,
    n_report_submitted, n_done, n_done_late, n_cancelled, past_new, past_working)
select scope, key, sum(n_new), sum(n_accepted), sum(n_in_progress), sum(n_returned),
       sum(n_report_submitted), sum(n_done), sum(n_done_late), sum(n_cancelled),
       sum(past_new), sum(past_working) from (
    select s.scope, case when s.scope = 'organisation' then o.organisation_id else cast(o.project_id as text) end as key,
           case when o.state = 'new' then 1 else 0 end as n_new,
           case when o.state = 'accepted' then 1 else 0 end as n_accepted,
           case when o.state = 'in_progress' then 1 else 0 end as n_in_progress,
           case when o.state = 'returned' then 1 else 0 end as n_returned,
           case when o.state = 'report_submitted' then 1 else 0 end as n_report_submitted,
           case when o.state = 'done' then 1 else 0 end as n_done,
           case when o.state = 'done' and o.done_at is not null
                     and cast(strftime('%s', o.done_at) as integer)
                         > cast(strftime('%s', o.deadline) as integer) then 1 else 0 end as n_done_late,
           case when o.state = 'cancelled' then 1 else 0 end as n_cancelled,
           case when o.state = 'new' and cast(strftime('%s', o.deadline) as integer) / 86400 < $1 then 1 else 0 end as past_new,
           case when o.state in ('accepted', 'in_progress', 'returned')
                     and cast(strftime('%s', o.deadline) as integer) / 86400 < $1 then 1 else 0 end as past_working
    from pm_order o
    join (select 'organisation' as scope union all select 'project') s
      on s.scope = 'organisation' or o.project_id is not null
) t
group by scope, key";

const DAYS_SQLITE: &str = "
insert into pm_order_due (scope, day, key, class, n)
select scope, day, key, class, count(*) from (
    select s.scope, cast(strftime('%s', o.deadline) as integer) / 86400 as day, case when s.scope = 'organisation' then o.organisation_id else cast(o.project_id as text) end as key,
           case when o.state = 'new' then 'new' else 'working' end as class
    from pm_order o
    join (select 'organisation' as scope union all select 'project') s
      on s.scope = 'organisation' or o.project_id is not null
    where o.state in ('new', 'accepted', 'in_progress', 'returned')
      and cast(strftime('%s', o.deadline) as integer) / 86400 >= $1
) t
group by scope, day, key, class";

const ROWS_POSTGRES: &str = "
insert into pm_order_count (scope, key, n_new, n_accepted, n_in_progress, n_returned,
    n_report_submitted, n_done, n_done_late, n_cancelled, past_new, past_working)
select scope, key, sum(n_new), sum(n_accepted), sum(n_in_progress), sum(n_returned),
       sum(n_report_submitted), sum(n_done), sum(n_done_late), sum(n_cancelled),
       sum(past_new), sum(past_working) from (
    select s.scope, case when s.scope = 'organisation' then o.organisation_id else o.project_id::text end as key,
           case when o.state = 'new' then 1 else 0 end as n_new,
           case when o.state = 'accepted' then 1 else 0 end as n_accepted,
           case when o.state = 'in_progress' then 1 else 0 end as n_in_progress,
           case when o.state = 'returned' then 1 else 0 end as n_returned,
           case when o.state = 'report_submitted' then 1 else 0 end as n_report_submitted,
           case when o.state = 'done' then 1 else 0 end as n_done,
           case when o.state = 'done' and o.done_at is not null and o.done_at > o.deadline then 1 else 0 end as n_done_late,
           case when o.state = 'cancelled' then 1 else 0 end as n_cancelled,
           case when o.state = 'new' and floor(extract(epoch from o.deadline) / 86400)::bigint < $1 then 1 else 0 end as past_new,
           case when o.state in ('accepted', 'in_progress', 'returned')
                     and floor(extract(epoch from o.deadline) / 86400)::bigint < $1 then 1 else 0 end as past_working
    from pm_order o
    join (select 'organisation' as scope union all select 'project') s
      on s.scope = 'organisation' or o.project_id is not null
) t
group by scope, key";

const DAYS_POSTGRES: &str = "
insert into pm_order_due (scope, day, key, class, n)
select scope, day, key, class, count(*) from (
    select s.scope, floor(extract(epoch from o.deadline) / 86400)::bigint as day, case when s.scope = 'organisation' then o.organisation_id else o.project_id::text end as key,
           case when o.state = 'new' then 'new' else 'working' end as class
    from pm_order o
    join (select 'organisation' as scope union all select 'project') s
      on s.scope = 'organisation' or o.project_id is not null
    where o.state in ('new', 'accepted', 'in_progress', 'returned')
      and floor(extract(epoch from o.deadline) / 86400)::bigint >= $1
) t
group by scope, day, key, class";
