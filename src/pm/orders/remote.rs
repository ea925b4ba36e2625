//! Orders across the instances of a federation (docs/FEDERATION.md,
//! "Routing"). An order given here to an organisation another core owns
//! stays here as the giver's order, marked as carried out at that core
//! (`pm_order_remote`), and leaves as `order.delegated`; the owning core
//! opens its own order for it once (keyed `{giver}:order:{id}`) and sends
//! each step back as `order.progress`, which this order follows: accepted,
//! started, its report (which the giver accepts or not, as for any order
//! given), cancelled. The owner's order is the one that counts in
//! dashboards and is reported to the Department of Control; the giver's
//! mirror is not reported again.

use super::*;
use crate::exec_tx;

/// The instance that carries out `order_id`, when another does.
pub async fn carried_out_at(tx: &mut Tx, order_id: i64) -> AppResult<Option<String>> {
    Ok(crate::fetch_tx!(
        tx,
        fetch_optional,
        (String,),
        "select instance_id from pm_order_remote where order_id = $1",
        order_id
    )?
    .map(|r| r.0))
}

/// The other instance that owns `organisation_id`'s orders, in a
/// federation.
pub(super) async fn owner_elsewhere(
    tx: &mut Tx,
    state: &AppState,
    organisation_id: &str,
) -> AppResult<Option<String>> {
    let Some(f) = &state.federation else {
        return Ok(None);
    };
    Ok(f.elsewhere(tx, organisation_id)
        .await?
        .map(|i| i.id.clone()))
}

/// Sends a new order of this core to the instance that owns its
/// organisation, and marks it as carried out there.
pub(super) async fn give(tx: &mut Tx, o: &OrderRow, instance: &str) -> AppResult<()> {
    let now = now();
    exec_tx!(
        tx,
        "insert into pm_order_remote (order_id, instance_id, sent_at) values ($1, $2, $3)",
        o.order_id,
        instance,
        now
    )?;
    exchange::emit(
        tx,
        instance,
        Body::OrderDelegated(m::OrderDelegated {
            order_id: o.order_id,
            title: o.title.clone(),
            description: o.description.clone(),
            source: o.source.clone(),
            priority: o.priority.clone(),
            organisation_id: o.organisation_id.clone(),
            deadline: o.deadline,
            request_url: o.appeal_url.clone(),
            given_by: o.creator_organisation_id.clone(),
        }),
    )
    .await?;
    tracing::info!(
        order_id = o.order_id,
        instance,
        "order given to an organisation of another instance"
    );
    Ok(())
}

/// The key of an order opened for another core's `order.delegated`.
fn key_of(origin: &str, order_id: i64) -> String {
    format!("{origin}:order:{order_id}")
}

/// `order.delegated`: opens the order once, for the organisation here.
pub async fn open_delegated(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    d: &m::OrderDelegated,
) -> AppResult<()> {
    let key = key_of(origin, d.order_id);
    let source = Source::parse(&d.source).unwrap_or(Source::Manual);
    let priority = domain::Priority::parse(&d.priority).unwrap_or(domain::Priority::Normal);
    let description = match &d.given_by {
        Some(by) => format!("{}\n\n({origin}: {by}, № {})", d.description, d.order_id),
        None => d.description.clone(),
    };
    open_once(
        tx,
        state,
        true,
        &NewOrder {
            parent_id: None,
            root_id: None,
            project_id: None,
            stage_id: None,
            title: &d.title,
            description: &description,
            source: source.as_str(),
            // The citizen is answered by the giving core's order: this one
            // carries the request's link only.
            appeal_id: None,
            appeal_url: d.request_url.as_deref(),
            origin,
            external_key: Some(&key),
            creator_id: None,
            creator_organisation_id: None,
            organisation_id: &d.organisation_id,
            executor_id: None,
            deadline: d.deadline,
            priority: priority.as_str(),
            required: true,
        },
    )
    .await?;
    Ok(())
}

/// After a change of an order another core gave (opened by
/// `order.delegated`): the step goes back to the giver.
pub(super) async fn report_back(
    tx: &mut Tx,
    o: &OrderRow,
    change: &m::OrderChange,
) -> AppResult<()> {
    let Some(given) = o
        .external_key
        .as_deref()
        .and_then(|k| k.strip_prefix(&format!("{}:order:", o.origin)))
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(());
    };
    if o.parent_id.is_some()
        || !matches!(
            change.event.as_str(),
            "accepted" | "started" | "report_submitted" | "cancelled" | "comment"
        )
    {
        return Ok(());
    }
    exchange::emit(
        tx,
        &o.origin,
        Body::OrderProgress(m::OrderProgress {
            order_id: given,
            event: change.event.clone(),
            state: o.state.clone(),
            note: change.note.clone(),
            report_text: o.report_text.clone(),
            outcome: o.report_outcome.as_deref().and_then(Outcome::parse),
            planned_date: o.report_planned_date.clone(),
        }),
    )
    .await?;
    Ok(())
}

/// `order.progress`: the order given to `origin` follows the step. Only
/// the instance the order was given to may move it; a step that no longer
/// fits (the giver cancelled meanwhile) is recorded as a comment.
pub async fn follow(tx: &mut Tx, origin: &str, p: &m::OrderProgress) -> AppResult<()> {
    if carried_out_at(tx, p.order_id).await?.as_deref() != Some(origin) {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "not_given_to_you",
            Msg::new(
                format!("Поручение № {} не передавалось отправителю.", p.order_id),
                format!("Order No. {} was not given to the sender.", p.order_id),
            ),
        ));
    }
    let mut o = queries::order_tx(tx, p.order_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let from = o.state();
    let to = match (p.event.as_str(), from) {
        (_, s) if s.is_final() => None,
        ("accepted", OrderState::New) => Some(OrderState::Accepted),
        ("started", OrderState::New | OrderState::Accepted | OrderState::Returned) => {
            Some(OrderState::InProgress)
        }
        ("report_submitted", _) => Some(OrderState::ReportSubmitted),
        ("cancelled", _) => Some(OrderState::Cancelled),
        _ => None,
    };
    let note = format!("[{origin}] {}", p.note.trim());
    let note = note.trim();
    let Some(to) = to else {
        let event = NewEvent {
            order_id: o.order_id,
            kind: "comment",
            from_state: None,
            to_state: None,
            actor_id: None,
            actor_label: origin,
            note,
        };
        queries::insert_event(tx, &event).await?;
        return Ok(());
    };
    o.state = to.as_str().to_owned();
    if to == OrderState::ReportSubmitted {
        o.report_text = p.report_text.clone();
        o.report_outcome = p.outcome.map(|x| x.as_str().to_owned());
        o.report_planned_date = p.planned_date.clone();
    }
    queries::save_order(tx, &o).await?;
    let event = NewEvent {
        order_id: o.order_id,
        kind: &p.event,
        from_state: Some(from.as_str()),
        to_state: Some(&o.state),
        actor_id: None,
        actor_label: origin,
        note,
    };
    queries::insert_event(tx, &event).await?;
    Ok(())
}
