//! The messages the core applies (`integration::MessageHandler`): orders
//! requested by a portal for a citizen's request, its referral or answer
//! there, actions of partner systems on orders, and documents received
//! over МЭДО.

use super::orders;
use crate::app::AppState;
use crate::db::Tx;
use crate::error::AppResult;
use crate::integration::inbound::{
    MessageHandler, Sender, instances_only, not_sent_to_you, require_instance,
};
use crate::integration::messages::Body;
use crate::media::upload::StoredPhoto;

pub struct Inbox;

/// Whether `sender` is the portal that sent the request.
async fn came_from(tx: &mut Tx, sender: &Sender, appeal_id: i64) -> AppResult<()> {
    if super::queries::request_came_from(tx, sender.id(), appeal_id).await? {
        Ok(())
    } else {
        Err(not_sent_to_you(appeal_id))
    }
}

#[async_trait::async_trait]
impl MessageHandler for Inbox {
    fn types(&self) -> &'static [&'static str] {
        &[
            "order.requested",
            "order.referred",
            "request.answered",
            "request.accepted",
            "order.action",
            "initiative.decided",
            "control.raised",
            "control.cleared",
            "document.received",
            "meeting.decided",
            "order.delegated",
            "order.progress",
        ]
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        state: &AppState,
        sender: &Sender,
        body: &Body,
        _photos: &[StoredPhoto],
    ) -> AppResult<()> {
        match body {
            Body::OrderRequested(r) => {
                require_instance(sender)?;
                orders::create_from_request(tx, state, sender.id(), r).await
            }
            Body::OrderReferred(r) => {
                require_instance(sender)?;
                came_from(tx, sender, r.appeal_id).await?;
                orders::refer_from_portal(tx, state, sender.id(), r).await
            }
            Body::RequestAnswered(r) => {
                require_instance(sender)?;
                came_from(tx, sender, r.appeal_id).await?;
                orders::close_for_request(tx, state, sender.id(), r).await
            }
            Body::RequestAccepted(r) => {
                require_instance(sender)?;
                came_from(tx, sender, r.appeal_id).await?;
                orders::accept_for_request(tx, state, sender.id(), r).await
            }
            Body::InitiativeDecided(d) => {
                require_instance(sender)?;
                orders::create_from_initiative(tx, state, sender.id(), d).await
            }
            Body::ControlRaised(r) => {
                require_instance(sender)?;
                orders::create_from_control(tx, state, sender.id(), r).await
            }
            Body::ControlCleared(c) => {
                require_instance(sender)?;
                orders::close_for_control(tx, state, sender.id(), c).await
            }
            Body::OrderAction(a) => {
                let Sender::Partner(p) = sender else {
                    return Err(instances_only());
                };
                orders::act_by_partner(tx, state, p, a).await
            }
            Body::DocumentReceived(d) => {
                let Sender::Partner(p) = sender else {
                    return Err(instances_only());
                };
                orders::create_from_document(tx, state, p, d).await
            }
            Body::MeetingDecided(d) => {
                require_instance(sender)?;
                orders::create_from_meeting(tx, state, sender.id(), d).await
            }
            Body::OrderDelegated(d) => {
                require_instance(sender)?;
                orders::remote::open_delegated(tx, state, sender.id(), d).await
            }
            Body::OrderProgress(p) => {
                require_instance(sender)?;
                orders::remote::follow(tx, sender.id(), p).await
            }
            other => unreachable_type(other),
        }
    }
}

/// `Handlers` gives a handler only the types it names.
fn unreachable_type(body: &Body) -> AppResult<()> {
    Err(crate::error::AppError::Internal(anyhow::anyhow!(
        "message type {} routed to the core's inbox",
        body.type_name()
    )))
}
