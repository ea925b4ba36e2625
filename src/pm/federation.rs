//! Orders that move between the cores of a federation with their
//! organisation (docs/FEDERATION-CONTROL.md, "A department moves"). When
//! a `directory.updated` gives an organisation to another core's
//! portfolio, the core that had it sends that core its open orders with
//! their history (`orders.transferred`), in the transaction that applied
//! the directory, and keeps them read-only with where they went. The
//! receiving core opens each once, keyed by the sender and its number.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use super::orders::{Told, tell_assignee, webhooks};
use super::queries::{self, NewEvent, NewOrder, OrderRow};
use crate::app::AppState;
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::federation::Role;
use crate::integration::exchange;
use crate::integration::inbound::{MessageHandler, Sender, require_instance};
use crate::integration::messages::Body;
use crate::integration::messages_federation::{
    OrdersTransferred, TransferredAttachment, TransferredEvent, TransferredOrder,
};
use crate::media::upload::StoredPhoto;
use crate::{exec_tx, on_tx};

/// Where an order went, when it moved to another instance.
pub async fn moved_to(tx: &mut Tx, order_id: i64) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, String>(
        "select to_instance from pm_order_moved where order_id = $1"
    )
    .bind(order_id)
    .fetch_optional(conn)
    .await)
}

/// Where an order went, read outside a transaction (the order's page).
pub async fn moved_to_db(db: &crate::db::Db, order_id: i64) -> Result<Option<String>, sqlx::Error> {
    crate::on_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "select to_instance from pm_order_moved where order_id = $1"
    )
    .bind(order_id)
    .fetch_optional(pool)
    .await)
}

/// A moved order is read-only here: every action is refused.
pub async fn refuse_if_moved(tx: &mut Tx, order_id: i64) -> AppResult<()> {
    match moved_to(tx, order_id).await? {
        None => Ok(()),
        Some(to) => Err(AppError::client(
            StatusCode::CONFLICT,
            "order_moved",
            Msg::new(
                format!(
                    "Поручение передано в экземпляр «{to}» вместе с организацией; здесь оно только для чтения."
                ),
                format!(
                    "The order moved to the instance “{to}” with its organisation; here it is read-only."
                ),
            ),
        )),
    }
}

/// The key a moved order is opened under on the receiving core.
pub fn moved_key(from: &str, order_id: i64) -> String {
    format!("moved:{from}:{order_id}")
}

/// Moves out the open orders of organisations the federation now gives to
/// another core, after the directory applied an update in `tx`.
pub async fn move_out(tx: &mut Tx, state: &AppState, directory_version: i64) -> AppResult<usize> {
    let Some(f) = state.federation.as_deref() else {
        return Ok(0);
    };
    let this = f.this();
    if this.role != Role::Core {
        return Ok(0);
    }
    let orgs = crate::directory::master::org_map_tx(tx).await?;
    let ids = on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "select order_id from pm_order
             where state not in ('done', 'cancelled')
               and order_id not in (select order_id from pm_order_moved)
             order by order_id"
    )
    .fetch_all(conn)
    .await)?;
    let mut by_destination: BTreeMap<String, Vec<OrderRow>> = BTreeMap::new();
    for id in ids {
        let Some(o) = queries::order_tx(tx, id).await? else {
            continue;
        };
        if let Some(owner) = f.owner_in(&orgs, &o.organisation_id)
            && owner.id != this.id
        {
            by_destination.entry(owner.id.clone()).or_default().push(o);
        }
    }
    let mut moved = 0;
    for (to, orders) in by_destination {
        let ids: Vec<i64> = orders.iter().map(|o| o.order_id).collect();
        let mut out = Vec::new();
        for o in &orders {
            out.push(transferred(tx, o, &ids).await?);
        }
        exchange::emit(
            tx,
            &to,
            Body::OrdersTransferred(OrdersTransferred {
                directory_version,
                orders: out,
            }),
        )
        .await?;
        for o in orders {
            mark_moved(tx, state, o, &to).await?;
            moved += 1;
        }
        tracing::info!(to, orders = ids.len(), "open orders moved to another core");
    }
    Ok(moved)
}

/// A person's name: accounts are per instance, names travel.
async fn name(tx: &mut Tx, id: Option<i64>) -> Result<Option<String>, sqlx::Error> {
    match id {
        Some(id) => queries::account_name(tx, id).await,
        None => Ok(None),
    }
}

async fn transferred(tx: &mut Tx, o: &OrderRow, moving: &[i64]) -> AppResult<TransferredOrder> {
    let creator_name = name(tx, o.creator_id).await?;
    let executor_name = name(tx, o.executor_id).await?;
    let events = on_tx!(tx, |conn| sqlx::query_as::<
        _,
        (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            time::OffsetDateTime
        ),
    >(
        "select e.kind, e.from_state, e.to_state, a.display_name, e.actor_label, e.note,
                e.created_at
         from pm_order_event e left join account a on a.account_id = e.actor_id
         where e.order_id = $1 order by e.event_id"
    )
    .bind(o.order_id)
    .fetch_all(conn)
    .await)?;
    let attachments = on_tx!(tx, |conn| sqlx::query_as::<_, (String, String, i64)>(
        "select file_name, content_type, size from pm_attachment
             where order_id = $1 order by attachment_id"
    )
    .bind(o.order_id)
    .fetch_all(conn)
    .await)?;
    let parent_moves = o.parent_id.filter(|p| moving.contains(p));
    Ok(TransferredOrder {
        order_id: o.order_id,
        parent_id: parent_moves,
        parent_elsewhere: o.parent_id.filter(|_| parent_moves.is_none()),
        title: o.title.clone(),
        description: o.description.clone(),
        source: o.source.clone(),
        appeal_id: o.appeal_id,
        appeal_url: o.appeal_url.clone(),
        origin: o.origin.clone(),
        external_key: o.external_key.clone(),
        creator_organisation_id: o.creator_organisation_id.clone(),
        creator_name,
        organisation_id: o.organisation_id.clone(),
        executor_name,
        deadline: o.deadline,
        priority: o.priority.clone(),
        required: o.required,
        state: o.state.clone(),
        report_text: o.report_text.clone(),
        report_outcome: o.report_outcome.clone(),
        report_planned_date: o.report_planned_date.clone(),
        created_at: o.created_at,
        events: events
            .into_iter()
            .map(
                |(kind, from_state, to_state, person, label, note, created_at)| TransferredEvent {
                    kind,
                    from_state,
                    to_state,
                    actor: person.unwrap_or(label),
                    note,
                    created_at,
                },
            )
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|(file_name, content_type, size)| TransferredAttachment {
                file_name,
                content_type,
                size,
            })
            .collect(),
    })
}

/// The order stays here, read-only, with where it went; the Department of
/// Control hears that it is counted there from now on.
async fn mark_moved(tx: &mut Tx, state: &AppState, o: OrderRow, to: &str) -> AppResult<()> {
    exec_tx!(
        tx,
        "insert into pm_order_moved (order_id, to_instance, moved_at) values ($1, $2, $3)
             on conflict (order_id) do nothing",
        o.order_id,
        to,
        now()
    )?;
    queries::save_order(tx, &o).await?;
    queries::insert_event(
        tx,
        &NewEvent {
            order_id: o.order_id,
            kind: "moved",
            from_state: Some(&o.state),
            to_state: Some(&o.state),
            actor_id: None,
            actor_label: "",
            note: to,
        },
    )
    .await?;
    webhooks(tx, state, &o, None).await
}

/// Opens the orders of an `orders.transferred` from `from`, each once.
pub async fn take_in(
    tx: &mut Tx,
    state: &AppState,
    from: &str,
    t: &OrdersTransferred,
) -> AppResult<usize> {
    // Parents first: an order whose parent moves with it waits for it.
    let mut pending: Vec<&TransferredOrder> = t.orders.iter().collect();
    let mut opened: BTreeMap<i64, (i64, Option<i64>)> = BTreeMap::new();
    let mut count = 0;
    while !pending.is_empty() {
        let (ready, rest): (Vec<&TransferredOrder>, Vec<&TransferredOrder>) = pending
            .into_iter()
            .partition(|o| o.parent_id.is_none_or(|p| opened.contains_key(&p)));
        if ready.is_empty() {
            return Err(AppError::unprocessable(
                "invalid_transfer",
                Msg::new(
                    "Поручения ссылаются на родителей, которых нет в сообщении.",
                    "The orders name parents the message does not carry.",
                ),
            ));
        }
        for o in ready {
            let parent = o.parent_id.and_then(|p| opened.get(&p).copied());
            if let Some((id, root)) = open_one(tx, state, from, o, parent).await? {
                opened.insert(o.order_id, (id, root));
                count += 1;
            } else if let Some(id) = existing(tx, from, o.order_id).await? {
                let root = queries::order_tx(tx, id).await?.and_then(|x| x.root_id);
                opened.insert(o.order_id, (id, root));
            }
        }
        pending = rest;
    }
    Ok(count)
}

async fn existing(tx: &mut Tx, from: &str, order_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "select order_id from pm_order where external_key = $1"
    )
    .bind(moved_key(from, order_id))
    .fetch_optional(conn)
    .await)
}

/// Opens one moved order (none if it came before): its row, its state
/// and report, its history with the original times, and a last event
/// saying where it came from.
async fn open_one(
    tx: &mut Tx,
    state: &AppState,
    from: &str,
    o: &TransferredOrder,
    parent: Option<(i64, Option<i64>)>,
) -> AppResult<Option<(i64, Option<i64>)>> {
    if super::domain::OrderState::parse(&o.state).is_none() {
        return Err(AppError::unprocessable(
            "invalid_transfer",
            Msg::new(
                format!("Неизвестное состояние поручения «{}».", o.state),
                format!("Unknown order state “{}”.", o.state),
            ),
        ));
    }
    let key = moved_key(from, o.order_id);
    // The request behind it lives where it lived: `local` at the sender
    // is the sender.
    let origin = if o.origin == exchange::LOCAL {
        from
    } else {
        &o.origin
    };
    let Some(id) = queries::insert_order(
        tx,
        &NewOrder {
            parent_id: parent.map(|p| p.0),
            root_id: parent.and_then(|p| p.1),
            project_id: None,
            stage_id: None,
            title: &o.title,
            description: &o.description,
            source: &o.source,
            appeal_id: o.appeal_id,
            appeal_url: o.appeal_url.as_deref(),
            origin,
            external_key: Some(&key),
            creator_id: None,
            creator_organisation_id: o.creator_organisation_id.as_deref(),
            organisation_id: &o.organisation_id,
            executor_id: None,
            deadline: o.deadline,
            priority: &o.priority,
            required: o.required,
        },
    )
    .await?
    else {
        return Ok(None);
    };
    let mut row = queries::order_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    row.state = o.state.clone();
    row.report_text = o.report_text.clone();
    row.report_outcome = o.report_outcome.clone();
    row.report_planned_date = o.report_planned_date.clone();
    queries::save_order(tx, &row).await?;
    exec_tx!(
        tx,
        "update pm_order set created_at = $2 where order_id = $1",
        id,
        o.created_at
    )?;
    for e in &o.events {
        exec_tx!(
            tx,
            "insert into pm_order_event (order_id, kind, from_state, to_state, actor_id,
                 actor_label, note, created_at)
             values ($1, $2, $3, $4, null, $5, $6, $7)",
            id,
            &e.kind,
            &e.from_state,
            &e.to_state,
            &e.actor,
            &e.note,
            e.created_at
        )?;
    }
    // The order answering a citizen's request: the portal sends the
    // request's messages here now, and takes this core's report as its
    // answer. (A sender that is itself the portal keeps the request.)
    if let Some(appeal_id) = o.appeal_id
        && o.parent_id.is_none()
        && o.parent_elsewhere.is_none()
        && origin != from
        && origin != exchange::LOCAL
    {
        exchange::emit(
            tx,
            origin,
            Body::RequestMoved(crate::integration::messages::RequestMoved {
                appeal_id,
                from: from.to_owned(),
            }),
        )
        .await?;
    }
    let mut note = format!("{from} № {}", o.order_id);
    if let Some(p) = o.parent_elsewhere {
        note.push_str(&format!("; ↑ {from} № {p}"));
    }
    if let Some(e) = &o.executor_name {
        note.push_str(&format!("; {e}"));
    }
    for a in &o.attachments {
        note.push_str(&format!("; {} ({} B)", a.file_name, a.size));
    }
    queries::insert_event(
        tx,
        &NewEvent {
            order_id: id,
            kind: "moved_in",
            from_state: None,
            to_state: Some(&row.state),
            actor_id: None,
            actor_label: from,
            note: &note,
        },
    )
    .await?;
    let row = queries::order_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    tell_assignee(tx, state, &row, Told::Given, None).await?;
    webhooks(tx, state, &row, None).await?;
    Ok(Some((id, row.root_id)))
}

/// The core's part of a federation's messages: after the directory
/// applied a `directory.updated` (registered before this handler), the
/// orders of organisations that left; and the orders another core moved
/// here.
pub struct Moves;

#[async_trait::async_trait]
impl MessageHandler for Moves {
    fn types(&self) -> &'static [&'static str] {
        &["directory.updated", "orders.transferred"]
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
        match body {
            Body::DirectoryUpdated(u) => {
                move_out(tx, state, u.version).await?;
            }
            Body::OrdersTransferred(t) => {
                take_in(tx, state, sender.id(), t).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// `GET /pm/orders/moved/{from}/{id}`: the order that came from another
/// instance's order `id` (the link on its old page).
pub async fn moved_here(
    _: crate::auth::Core,
    axum::extract::State(db): axum::extract::State<crate::db::Db>,
    crate::web::extract::Path((from, id)): crate::web::extract::Path<(String, i64)>,
) -> AppResult<axum::response::Redirect> {
    let key = moved_key(&from, id);
    let found = crate::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(
        "select order_id from pm_order where external_key = $1"
    )
    .bind(&key)
    .fetch_optional(pool)
    .await)?
    .ok_or_else(AppError::not_found)?;
    Ok(axum::response::Redirect::to(&format!("/pm/orders/{found}")))
}
