//! SQL of the project-management core. Portable SQL; the few dialect
//! differences are spelled out where they occur.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::filter::{Param, Where};
use crate::db::{Db, Tx, now};
use crate::{exec_db, exec_tx, fetch_tx, on_db, on_tx};

use super::domain::OrderState;

macro_rules! order_columns {
    () => {
        "order_id, parent_id, root_id, project_id, stage_id, title, description, source, appeal_id,
         appeal_url, origin, external_key, creator_id, creator_organisation_id, organisation_id,
         executor_id, deadline, priority, required, state, report_text, report_outcome,
         report_planned_date, created_at, updated_at, done_at"
    };
}

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub order_id: i64,
    pub parent_id: Option<i64>,
    pub root_id: Option<i64>,
    pub project_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub source: String,
    pub appeal_id: Option<i64>,
    pub appeal_url: Option<String>,
    pub origin: String,
    pub external_key: Option<String>,
    pub creator_id: Option<i64>,
    pub creator_organisation_id: Option<String>,
    pub organisation_id: String,
    pub executor_id: Option<i64>,
    pub deadline: OffsetDateTime,
    pub priority: String,
    pub required: bool,
    pub state: String,
    pub report_text: Option<String>,
    pub report_outcome: Option<String>,
    pub report_planned_date: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub done_at: Option<OffsetDateTime>,
}

impl OrderRow {
    pub fn state(&self) -> OrderState {
        OrderState::parse(&self.state).unwrap_or(OrderState::New)
    }

    pub fn is_overdue(&self, at: OffsetDateTime) -> bool {
        super::domain::is_overdue(self.state(), self.deadline, at)
    }

    /// Orders created by the integration (no person gave them) accept their
    /// own reports: the responsible organisation owes the citizen the answer.
    pub fn system_created(&self) -> bool {
        self.creator_id.is_none() && self.creator_organisation_id.is_none()
    }
}

pub struct NewOrder<'a> {
    pub parent_id: Option<i64>,
    pub root_id: Option<i64>,
    pub project_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub title: &'a str,
    pub description: &'a str,
    pub source: &'a str,
    pub appeal_id: Option<i64>,
    pub appeal_url: Option<&'a str>,
    pub origin: &'a str,
    pub external_key: Option<&'a str>,
    pub creator_id: Option<i64>,
    pub creator_organisation_id: Option<&'a str>,
    pub organisation_id: &'a str,
    pub executor_id: Option<i64>,
    pub deadline: OffsetDateTime,
    pub priority: &'a str,
    pub required: bool,
}

/// Inserts an order; with an `external_key` already used, inserts nothing
/// and returns `None` (the message that asked for it came twice).
pub async fn insert_order(tx: &mut Tx, o: &NewOrder<'_>) -> Result<Option<i64>, sqlx::Error> {
    let now = now();
    let id = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "insert into pm_order (parent_id, root_id, project_id, stage_id, title, description,
                 source, appeal_id, appeal_url, origin, external_key, creator_id,
                 creator_organisation_id, organisation_id, executor_id, deadline, priority,
                 required, state, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, 'new', $19, $19)
             on conflict (external_key) do nothing
             returning order_id",
        )
        .bind(o.parent_id)
        .bind(o.root_id)
        .bind(o.project_id)
        .bind(o.stage_id)
        .bind(o.title)
        .bind(o.description)
        .bind(o.source)
        .bind(o.appeal_id)
        .bind(o.appeal_url)
        .bind(o.origin)
        .bind(o.external_key)
        .bind(o.creator_id)
        .bind(o.creator_organisation_id)
        .bind(o.organisation_id)
        .bind(o.executor_id)
        .bind(o.deadline)
        .bind(o.priority)
        .bind(o.required)
        .bind(now)
        .fetch_optional(conn)
        .await
    })?;
    if let (Some(id), None) = (id, o.root_id) {
        exec_tx!(
            tx,
            "update pm_order set root_id = $1 where order_id = $1",
            id
        )?;
    }
    if id.is_some() {
        let counted = super::tally::Counted {
            organisation_id: o.organisation_id.to_owned(),
            project_id: o.project_id,
            state: "new".into(),
            deadline: o.deadline,
            done_at: None,
        };
        super::tally::change(tx, None, Some(&counted)).await?;
    }
    Ok(id)
}

pub async fn order(db: &Db, id: i64) -> Result<Option<OrderRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, OrderRow>(concat!(
            "select ",
            order_columns!(),
            " from pm_order where order_id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

pub async fn order_tx(tx: &mut Tx, id: i64) -> Result<Option<OrderRow>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, OrderRow>(concat!(
            "select ",
            order_columns!(),
            " from pm_order where order_id = $1"
        ))
        .bind(id)
        .fetch_optional(conn)
        .await
    })
}

/// Writes back what actions change; every write is a new version of the
/// order (the staff app refuses actions made against an older one).
pub async fn save_order(tx: &mut Tx, o: &OrderRow) -> Result<(), sqlx::Error> {
    let now = now();
    // The dashboards' counters move with the order (`tally.rs`).
    let before = super::tally::stored(tx, o.order_id).await?;
    exec_tx!(
        tx,
        "update pm_order set state = $2, organisation_id = $3, executor_id = $4,
                 report_text = $5, report_outcome = $6, report_planned_date = $7, done_at = $8,
                 updated_at = $9, deadline = $10, version = version + 1
             where order_id = $1",
        o.order_id,
        &o.state,
        &o.organisation_id,
        o.executor_id,
        &o.report_text,
        &o.report_outcome,
        &o.report_planned_date,
        o.done_at,
        now,
        o.deadline
    )?;
    if let Some(before) = before {
        let after = super::tally::Counted {
            organisation_id: o.organisation_id.clone(),
            // A save never moves an order to another project.
            project_id: before.project_id,
            state: o.state.clone(),
            deadline: o.deadline,
            done_at: o.done_at,
        };
        super::tally::change(tx, Some(&before), Some(&after)).await?;
    }
    Ok(())
}

/// The order's version (one more at every save).
pub async fn version_tx(tx: &mut Tx, id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "select version from pm_order where order_id = $1"
    )
    .bind(id)
    .fetch_one(conn)
    .await)
}

pub async fn children_tx(tx: &mut Tx, id: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, OrderRow>(concat!(
            "select ",
            order_columns!(),
            " from pm_order where parent_id = $1 order by order_id"
        ))
        .bind(id)
        .fetch_all(conn)
        .await
    })
}

/// The whole delegation vertical an order belongs to, by id.
pub async fn tree(db: &Db, root_id: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, OrderRow>(concat!(
            "select ",
            order_columns!(),
            " from pm_order where root_id = $1 order by order_id"
        ))
        .bind(root_id)
        .fetch_all(pool)
        .await
    })
}

/// Open root orders that answer a request from `origin`.
pub async fn open_orders_for_appeal(
    tx: &mut Tx,
    origin: &str,
    appeal_id: i64,
) -> Result<Vec<OrderRow>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, OrderRow>(concat!(
            "select ",
            order_columns!(),
            " from pm_order where origin = $1 and appeal_id = $2 and parent_id is null
               and state not in ('done', 'cancelled') order by order_id"
        ))
        .bind(origin)
        .bind(appeal_id)
        .fetch_all(conn)
        .await
    })
}

/// The open order a message opened, by its external key.
pub async fn open_order_by_key(tx: &mut Tx, key: &str) -> Result<Option<OrderRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        OrderRow,
        concat!(
            "select ",
            order_columns!(),
            " from pm_order where external_key = $1 and state not in ('done', 'cancelled')"
        ),
        key
    )
}

/// Whether `origin` ever sent the request behind an order here (any state).
pub async fn request_came_from(
    tx: &mut Tx,
    origin: &str,
    appeal_id: i64,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from pm_order where origin = $1 and appeal_id = $2
               and parent_id is null",
        )
        .bind(origin)
        .bind(appeal_id)
        .fetch_one(conn)
        .await
    })?;
    Ok(n > 0)
}

pub async fn orders_for_appeal(db: &Db, appeal_id: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, OrderRow>(concat!(
            "select ",
            order_columns!(),
            " from pm_order where origin = 'local' and appeal_id = $1 order by order_id"
        ))
        .bind(appeal_id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub organisation_id: Option<String>,
    pub organisations_in: Vec<String>,
    pub executor_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub state: Option<String>,
    pub overdue_at: Option<OffsetDateTime>,
    pub open: bool,
    pub project_id: Option<i64>,
    pub roots_only: bool,
    pub limit: i64,
    pub offset: i64,
}

fn filter_sql(f: &OrderFilter) -> (String, Vec<Param>) {
    let mut w = Where::default();
    if let Some(o) = &f.organisation_id {
        w.push("organisation_id = ?", Param::Text(o.clone()));
    }
    if let Some(e) = f.executor_id {
        w.push("executor_id = ?", Param::Int(e));
    }
    if let Some(c) = f.creator_id {
        w.push("creator_id = ?", Param::Int(c));
    }
    if let Some(s) = f.state.as_deref().and_then(OrderState::parse) {
        w.push("state = ?", Param::Text(s.as_str().into()));
    }
    if let Some(p) = f.project_id {
        w.push("project_id = ?", Param::Int(p));
    }
    if let Some(t) = f.overdue_at {
        w.push(
            "state in ('new', 'accepted', 'in_progress', 'returned') and deadline < ?",
            Param::Time(t),
        );
    }
    if !f.organisations_in.is_empty() {
        w.push_in(
            "organisation_id",
            f.organisations_in.iter().map(|o| Param::Text(o.clone())),
        );
    }
    if f.open {
        w.raw("state not in ('done', 'cancelled')");
    }
    if f.roots_only {
        w.raw("parent_id is null");
    }
    (w.sql(), w.params)
}

pub async fn list_orders(db: &Db, f: &OrderFilter) -> Result<Vec<OrderRow>, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let sql = format!(
        concat!(
            "select ",
            order_columns!(),
            " from pm_order where {} order by deadline asc, order_id asc limit {} offset {}"
        ),
        w,
        f.limit.clamp(1, 100_000),
        f.offset.max(0)
    );
    on_db!(db, |pool| {
        let q = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_all(pool).await
    })
}

pub async fn count_orders(db: &Db, f: &OrderFilter) -> Result<i64, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let sql = format!("select count(*) from pm_order where {w}");
    on_db!(db, |pool| {
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_one(pool).await
    })
}

/// Done / in progress / overdue / total per value of `group` (a column of
/// `pm_order`), over the orders matching `f`. Cancelled orders are left out
/// of every count.
#[derive(Debug, Clone, Default, FromRow)]
pub struct Counts {
    pub key: Option<String>,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
    /// New orders nobody has accepted yet (not overdue: overdue wins).
    pub unaccepted: i64,
    /// Accepted, in work, returned, or with a report awaiting acceptance.
    pub in_progress: i64,
    /// Done after the deadline.
    pub done_late: i64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.total += o.total;
        self.done += o.done;
        self.overdue += o.overdue;
        self.unaccepted += o.unaccepted;
        self.in_progress += o.in_progress;
        self.done_late += o.done_late;
    }

    pub fn share(&self, n: i64) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            n as f64 / self.total as f64
        }
    }
}

pub async fn counts_by(
    db: &Db,
    f: &OrderFilter,
    group: &str,
    at: OffsetDateTime,
) -> Result<Vec<Counts>, sqlx::Error> {
    // Only known columns reach the SQL.
    let group = match group {
        "organisation_id" | "executor_id" | "creator_id" | "project_id" => group,
        _ => "organisation_id",
    };
    let (w, mut params) = filter_sql(f);
    params.push(Param::Time(at));
    let n = params.len();
    let key = match db.backend() {
        crate::db::Backend::Postgres => format!("{group}::text"),
        crate::db::Backend::Sqlite => format!("cast({group} as text)"),
    };
    let sql = format!(
        "select {key} as key,
                count(*) as total,
                sum(case when state = 'done' then 1 else 0 end) as done,
                sum(case when state in ('new', 'accepted', 'in_progress', 'returned')
                         and deadline < ${n} then 1 else 0 end) as overdue,
                sum(case when state = 'new' and deadline >= ${n} then 1 else 0 end) as unaccepted,
                sum(case when state = 'report_submitted'
                         or (state in ('accepted', 'in_progress', 'returned')
                             and deadline >= ${n}) then 1 else 0 end) as in_progress,
                sum(case when state = 'done' and done_at > deadline then 1 else 0 end) as done_late
         from pm_order where {w} and state <> 'cancelled'
         group by {group}"
    );
    on_db!(db, |pool| {
        let q = sqlx::query_as::<_, Counts>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_all(pool).await
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub event_id: i64,
    pub order_id: i64,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub actor_label: String,
    pub note: String,
    pub created_at: OffsetDateTime,
}

pub struct NewEvent<'a> {
    pub order_id: i64,
    pub kind: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub note: &'a str,
}

pub async fn insert_event(tx: &mut Tx, e: &NewEvent<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "insert into pm_order_event (order_id, kind, from_state, to_state, actor_id,
                 actor_label, note, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning event_id",
        )
        .bind(e.order_id)
        .bind(e.kind)
        .bind(e.from_state)
        .bind(e.to_state)
        .bind(e.actor_id)
        .bind(e.actor_label)
        .bind(e.note)
        .bind(now)
        .fetch_one(conn)
        .await
    })
}

pub async fn events(db: &Db, order_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, EventRow>(
            "select e.event_id, e.order_id, e.kind, e.from_state, e.to_state, e.actor_id,
                    a.display_name as actor_name, e.actor_label, e.note, e.created_at
             from pm_order_event e left join account a on a.account_id = e.actor_id
             where e.order_id = $1 order by e.event_id",
        )
        .bind(order_id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct AttachmentRow {
    pub attachment_id: i64,
    pub order_id: i64,
    pub event_id: Option<i64>,
    pub media_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub is_photo: bool,
}

pub struct NewAttachment<'a> {
    pub order_id: i64,
    pub event_id: Option<i64>,
    pub media_key: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub is_photo: bool,
}

pub async fn insert_attachment(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into pm_attachment (order_id, event_id, media_key, file_name, content_type,
                 size, is_photo, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        a.order_id,
        a.event_id,
        a.media_key,
        a.file_name,
        a.content_type,
        a.size,
        a.is_photo,
        now
    )?;
    Ok(())
}

pub async fn attachments(db: &Db, order_id: i64) -> Result<Vec<AttachmentRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, AttachmentRow>(
            "select attachment_id, order_id, event_id, media_key, file_name, content_type, size,
                    is_photo
             from pm_attachment where order_id = $1 order by attachment_id",
        )
        .bind(order_id)
        .fetch_all(pool)
        .await
    })
}

pub async fn attachment(db: &Db, id: i64) -> Result<Option<AttachmentRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, AttachmentRow>(
            "select attachment_id, order_id, event_id, media_key, file_name, content_type, size,
                    is_photo
             from pm_attachment where attachment_id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

/// The order a stored photo is attached to.
pub async fn photo_order(db: &Db, key: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "select order_id from pm_attachment where media_key = $1 and is_photo limit 1",
        )
        .bind(key)
        .fetch_optional(pool)
        .await
    })
}

/// Photos attached to the report events of an order, oldest first.
pub async fn report_photos_tx(tx: &mut Tx, order_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, String>(
            "select a.media_key from pm_attachment a
               join pm_order_event e on e.event_id = a.event_id
             where a.order_id = $1 and a.is_photo and e.kind = 'report_submitted'
               and e.event_id = (select max(event_id) from pm_order_event
                                 where order_id = $1 and kind = 'report_submitted')
             order by a.attachment_id",
        )
        .bind(order_id)
        .fetch_all(conn)
        .await
    })
}

/// Account ids and names, for lists of executors.
#[derive(Debug, Clone, FromRow)]
pub struct Person {
    pub account_id: i64,
    pub display_name: String,
}

pub async fn members(db: &Db, organisation_id: &str) -> Result<Vec<Person>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, Person>(
            "select distinct a.account_id, a.display_name from membership m
               join account a on a.account_id = m.account_id
             where m.organisation_id = $1 order by a.display_name",
        )
        .bind(organisation_id)
        .fetch_all(pool)
        .await
    })
}

pub async fn is_member(
    tx: &mut Tx,
    account_id: i64,
    organisation_id: &str,
) -> Result<bool, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from membership where account_id = $1 and organisation_id = $2",
        )
        .bind(account_id)
        .bind(organisation_id)
        .fetch_one(conn)
        .await
    })
    .map(|n| n > 0)
}

/// An official's name (told to the partner whose order they carry out).
pub async fn account_name(tx: &mut Tx, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, String>("select display_name from account where account_id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await
    })
}

pub async fn people(db: &Db, ids: &[i64]) -> Result<Vec<Person>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let sql = format!(
        "select account_id, display_name from account where account_id in ({})",
        list.join(", ")
    );
    on_db!(db, |pool| {
        sqlx::query_as::<_, Person>(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
    })
}

// ---- Personal tasks -------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub task_id: i64,
    pub account_id: i64,
    pub title: String,
    pub due_on: Option<String>,
    pub done_at: Option<OffsetDateTime>,
}

pub async fn tasks(db: &Db, account_id: i64) -> Result<Vec<TaskRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(
            "select task_id, account_id, title, due_on, done_at from pm_task
             where account_id = $1 and (done_at is null or done_at > $2)
             order by done_at is not null, due_on is null, due_on, task_id",
        )
        .bind(account_id)
        .bind(now() - time::Duration::days(7))
        .fetch_all(pool)
        .await
    })
}

pub async fn insert_task(
    db: &Db,
    account_id: i64,
    title: &str,
    due_on: Option<&str>,
) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into pm_task (account_id, title, due_on, created_at) values ($1, $2, $3, $4)
             returning task_id",
        )
        .bind(account_id)
        .bind(title)
        .bind(due_on)
        .bind(now())
        .fetch_one(pool)
        .await
    })
}

/// Marks a task done (or not); only its owner's.
pub async fn set_task_done(
    db: &Db,
    account_id: i64,
    task_id: i64,
    done: bool,
) -> Result<bool, sqlx::Error> {
    let at = if done { Some(now()) } else { None };
    exec_db!(
        db,
        "update pm_task set done_at = $3 where task_id = $1 and account_id = $2",
        task_id,
        account_id,
        at
    )
    .map(|n| n == 1)
}

pub async fn project_exists(tx: &mut Tx, project_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>("select count(*) from pm_project where project_id = $1")
            .bind(project_id)
            .fetch_one(conn)
            .await
    })?;
    Ok(n > 0)
}

/// The project a stage belongs to, when the stage exists.
pub async fn stage_project(tx: &mut Tx, stage_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>("select project_id from pm_stage where stage_id = $1")
            .bind(stage_id)
            .fetch_optional(conn)
            .await
    })
}
