//! Veche's connections to the outside: outgoing mail, and the message
//! exchange between the public portal, the project-management core (in this
//! process or another veche instance) and outside document-flow systems.
//!
//! - `messages.rs`: what is exchanged (JSON, described in the OpenAPI).
//! - `exchange.rs`: the outbox queue and the delivery worker.
//! - `inbound.rs`: the signed HTTP endpoint and the exactly-once apply.
//! - `signing.rs`: HMAC-SHA256 signatures with timestamps.
//! - `partners.rs`: who we exchange with, their secrets and organisations,
//!   and which partner each citizen's request was sent to.
//! - `outbound.rs`: HTTP to partners' URLs, public addresses only.
//! - `push/`: Web Push to the phone apps (VAPID keys, subscriptions, the
//!   delivery worker).
//! - `admin.rs`: partners and dead letters for administrators.
//! - `medo/`: the format of МЭДО (IEDMS 2.6 messages and the gateway's
//!   package folders), pure: parsing, writing, reading and writing packages.

pub mod admin;
pub mod exchange;
pub mod inbound;
pub mod mail;
pub mod medo;
pub mod messages;
pub mod messages_federation;
pub mod openapi;
pub mod outbound;
pub mod partners;
pub mod push;
pub mod signing;

use crate::app::AppState;
use crate::config::Config;
use crate::db::Tx;
use crate::error::AppResult;
use crate::workflow::queries::AppealRow;
use crate::workflow::{Action, OrderAt, State};
use messages::{Body, OrderRequested, Referred, RequestAccepted, RequestAnswered};

/// Where messages for the project-management core go.
pub fn core_destination(config: &Config) -> &str {
    &config.integration.pm_core
}

/// Where messages about `organisation_id`'s orders go: in a federation, the
/// core that owns the organisation's portfolio (docs/FEDERATION.md), this
/// process (`local`) when it is that core; otherwise, or for an
/// organisation no core owns, [`core_destination`].
pub async fn core_for(tx: &mut Tx, state: &AppState, organisation_id: &str) -> AppResult<String> {
    if let Some(f) = &state.federation
        && let Some(owner) = f.owner_of_organisation_tx(tx, organisation_id).await?
    {
        return Ok(if owner.id == f.this().id {
            exchange::LOCAL.to_owned()
        } else {
            owner.id.clone()
        });
    }
    Ok(core_destination(&state.config).to_owned())
}

/// A request became public with an organisation to answer it: the core
/// opens an order for it, if its kind becomes one on publication
/// (`workflow::OrderAt`). `round` tells orders of one request apart (the
/// event that published or reopened it).
pub async fn request_published(
    tx: &mut Tx,
    state: &AppState,
    a: &AppealRow,
    round: i64,
) -> AppResult<()> {
    if crate::workflow::kind_of(a).order_at() != OrderAt::Publication {
        return Ok(());
    }
    let Some(deadline) = a.due_at else {
        return Ok(());
    };
    request_order(tx, state, a, round, deadline).await
}

/// Asks the core for an order for the request, due at `deadline`.
async fn request_order(
    tx: &mut Tx,
    state: &AppState,
    a: &AppealRow,
    round: i64,
    deadline: time::OffsetDateTime,
) -> AppResult<()> {
    let Some(organisation_id) = a.organisation_id.clone() else {
        return Ok(());
    };
    let kind = crate::workflow::kind_of(a);
    let category = crate::workflow::routing::category(tx, &a.category_id).await?;
    let title = format!(
        "{} № {}: {}",
        kind.order_noun(),
        a.appeal_id,
        category.map(|c| c.name_ru).unwrap_or_default()
    );
    let config = &state.config;
    // Later messages about the request follow it to the core recorded here.
    let destination = core_for(tx, state, &organisation_id).await?;
    partners::record_request_sent(tx, a.appeal_id, &destination).await?;
    exchange::emit(
        tx,
        &destination,
        Body::OrderRequested(OrderRequested {
            appeal_id: a.appeal_id,
            round,
            kind: kind.as_str().to_owned(),
            title,
            description: a.description.clone(),
            address: a.address.clone(),
            url: format!("{}{}", config.base_url(), kind.path(a.appeal_id)),
            organisation_id,
            deadline,
        }),
    )
    .await?;
    Ok(())
}

/// What the core hears of a change made on the portal.
pub async fn request_changed(
    tx: &mut Tx,
    state: &AppState,
    a: &AppealRow,
    from: &str,
    action: &Action,
    event_id: i64,
) -> AppResult<()> {
    match action {
        Action::Approve | Action::Dispute { .. } => {
            request_published(tx, state, a, event_id).await?;
        }
        // Later changes go where the request was sent, and nowhere if it
        // never was (rejected or referred before publication): a core must
        // not hear of, nor be asked about, a request it never got.
        Action::Refer {
            organisation_id,
            reason,
        } => {
            for destination in partners::request_sent_to(tx, a.appeal_id).await? {
                exchange::emit(
                    tx,
                    &destination,
                    Body::OrderReferred(Referred {
                        appeal_id: a.appeal_id,
                        organisation_id: organisation_id.clone(),
                        reason: reason.clone(),
                    }),
                )
                .await?;
            }
        }
        Action::Accept => {
            // Taken into work on the portal: the orders for it are accepted
            // in the core too.
            for destination in partners::request_sent_to(tx, a.appeal_id).await? {
                exchange::emit(
                    tx,
                    &destination,
                    Body::RequestAccepted(RequestAccepted {
                        appeal_id: a.appeal_id,
                    }),
                )
                .await?;
            }
        }
        // A suggestion accepted into a plan becomes an order, due on the
        // planned day (end of that day in the krai): the first time, and
        // again after a disputed result reopened it (a new round). Only
        // re-dated while planned, its order follows the new date like any
        // planned request's.
        Action::Plan { date, .. }
            if crate::workflow::kind_of(a).order_at() == OrderAt::Plan
                && from != State::Planned.as_str() =>
        {
            let deadline = date
                .with_hms(23, 59, 59)
                .map_err(|e| crate::error::AppError::Internal(e.into()))?
                .assume_offset(crate::workflow::sla::MSK);
            request_order(tx, state, a, event_id, deadline).await?;
        }
        _ if matches!(
            a.state(),
            State::Resolved | State::Planned | State::Closed | State::Rejected
        ) =>
        {
            // Answered (or ended) on the portal itself: the orders for it
            // have nothing left to do, except planned work, which the core
            // keeps tracking until it is reported done.
            for destination in partners::request_sent_to(tx, a.appeal_id).await? {
                exchange::emit(
                    tx,
                    &destination,
                    Body::RequestAnswered(RequestAnswered {
                        appeal_id: a.appeal_id,
                        state: a.state.clone(),
                        planned_date: a
                            .planned_date
                            .clone()
                            .filter(|_| a.state() == State::Planned),
                    }),
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}
