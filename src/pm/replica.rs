//! The Department of Control's replica of every core's orders
//! (docs/FEDERATION-CONTROL.md). On the federation's `control` instance
//! each core's `order.updated` snapshot is kept by (core, order number),
//! the highest version winning, so a late or repeated snapshot changes
//! nothing. The region's dashboards and `mart_orders_region` read it; the
//! instance never writes to a core (it sends nothing at all).
//!
//! Only what the figures need is kept: states, dates, organisations. Not
//! the texts of reports nor the executors' names.

use axum::http::StatusCode;
use time::OffsetDateTime;

use super::queries::Counts;
use crate::app::AppState;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::federation::Role;
use crate::integration::inbound::{MessageHandler, Sender, require_instance};
use crate::integration::messages::{Body, OrderSnapshot};
use crate::media::upload::StoredPhoto;
use crate::{exec_tx, on_db};

/// Whether this instance is the federation's Department of Control.
pub fn is_control(state: &AppState) -> bool {
    state
        .federation
        .as_deref()
        .is_some_and(|f| f.this().role == Role::Control)
}

/// Where a core sends its orders' snapshots: the Department of Control's
/// instance, when this is a core of a federation that runs one.
pub fn control_of(state: &AppState) -> Option<String> {
    let f = state.federation.as_deref()?;
    if f.this().role != Role::Core {
        return None;
    }
    f.control().map(|c| c.id.clone())
}

/// Keeps `s` from core `instance` unless a snapshot of the same or a
/// later version is already kept.
pub async fn keep(tx: &mut Tx, instance: &str, s: &OrderSnapshot) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        "insert into pm_order_replica (instance, order_id, version, parent_id, organisation_id,
                 creator_organisation_id, title, source, state, priority, deadline, created_at,
                 done_at, moved_to, received_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             on conflict (instance, order_id) do update set version = excluded.version,
                 parent_id = excluded.parent_id, organisation_id = excluded.organisation_id,
                 creator_organisation_id = excluded.creator_organisation_id,
                 title = excluded.title, source = excluded.source, state = excluded.state,
                 priority = excluded.priority, deadline = excluded.deadline,
                 created_at = coalesce(excluded.created_at, pm_order_replica.created_at),
                 done_at = excluded.done_at, moved_to = excluded.moved_to,
                 received_at = excluded.received_at
             where pm_order_replica.version < excluded.version",
        instance,
        s.order_id,
        s.version,
        s.parent_id,
        &s.organisation_id,
        &s.creator_organisation_id,
        &s.title,
        &s.source,
        &s.state,
        &s.priority,
        s.deadline,
        s.created_at,
        s.done_at,
        &s.moved_to,
        now()
    )?;
    Ok(n == 1)
}

/// Done / in progress / overdue per organisation over the whole region's
/// replica, in the shape of the core's own counts. Orders that moved are
/// counted where they went; cancelled ones nowhere.
pub async fn counts(db: &Db, at: OffsetDateTime) -> Result<Vec<Counts>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, Counts>(
        "select organisation_id as key,
                count(*) as total,
                sum(case when state = 'done' then 1 else 0 end) as done,
                sum(case when state in ('new', 'accepted', 'in_progress', 'returned')
                         and deadline < $1 then 1 else 0 end) as overdue,
                sum(case when state = 'new' and deadline >= $1 then 1 else 0 end) as unaccepted,
                sum(case when state = 'report_submitted'
                         or (state in ('accepted', 'in_progress', 'returned')
                             and deadline >= $1) then 1 else 0 end) as in_progress,
                sum(case when state = 'done' and done_at > deadline then 1 else 0 end) as done_late
         from pm_order_replica where moved_to is null and state <> 'cancelled'
         group by organisation_id"
    )
    .bind(at)
    .fetch_all(pool)
    .await)
}

/// How many cores the replica has heard from, and when last.
pub async fn sources(db: &Db) -> Result<(i64, Option<OffsetDateTime>), sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, (i64, Option<OffsetDateTime>)>(
            "select count(distinct instance), max(received_at) from pm_order_replica",
        )
        .fetch_one(pool)
        .await
    })
}

/// Applies `order.updated` on the Department of Control.
pub struct Replica;

#[async_trait::async_trait]
impl MessageHandler for Replica {
    fn types(&self) -> &'static [&'static str] {
        &["order.updated"]
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        state: &AppState,
        sender: &Sender,
        body: &Body,
        _photos: &[StoredPhoto],
    ) -> AppResult<()> {
        require_instance(sender)?;
        if !is_control(state) {
            return Err(AppError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_accepted",
                Msg::new(
                    "Снимки поручений принимает только экземпляр Департамента контроля.",
                    "Only the Department of Control's instance takes orders' snapshots.",
                ),
            ));
        }
        if let Body::OrderUpdated(s) = body {
            keep(tx, sender.id(), s).await?;
        }
        Ok(())
    }
}
