//! The messages veche exchanges with the project-management core and with
//! outside systems: JSON envelopes, each with an id the receiver uses to
//! apply it once. Described in `/api/openapi.json` (schema `Message`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

pub use super::messages_federation::{DirectoryUpdated, OrdersTransferred, RequestMoved};
use crate::texts;
use crate::web::i18n::Locale;

/// One message. `id` is the idempotency key: a receiver applies a message
/// with an id it has seen from the same sender at most once. Ids are
/// UUIDv7, unique across every instance without coordination.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// The envelope's major version (1). Absent from senders older than the
    /// field: 1. A receiver refuses a newer one (422 `unsupported_version`)
    /// rather than half-read it.
    #[serde(default = "version_one")]
    #[schema(example = 1)]
    pub v: u64,
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: OffsetDateTime,
    #[serde(flatten)]
    pub body: Body,
}

fn version_one() -> u64 {
    1
}

impl Message {
    pub fn new(body: Body) -> Message {
        Message {
            v: super::inbound::MESSAGE_VERSION,
            id: uuid::Uuid::now_v7().to_string(),
            sent_at: crate::db::now(),
            body,
        }
    }
}

// A message is built once, then serialised or applied by reference: the
// size of its largest variant costs nothing worth a box at every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "data")]
pub enum Body {
    /// Portal → core: a citizen's request was routed to an organisation;
    /// the core opens an order for it.
    #[serde(rename = "order.requested")]
    OrderRequested(OrderRequested),
    /// Portal → core: the request was referred to another organisation on
    /// the portal; its open orders move with it.
    #[serde(rename = "order.referred")]
    OrderReferred(Referred),
    /// Core → portal: the order was referred to another organisation in
    /// the core; the request moves with it.
    #[serde(rename = "request.referred")]
    RequestReferred(Referred),
    /// Core → portal: the order is done; its report of execution is the
    /// request's official reaction.
    #[serde(rename = "order.reported")]
    OrderReported(OrderReported),
    /// Portal → core: the request was answered on the portal directly, so
    /// its open orders are closed.
    #[serde(rename = "request.answered")]
    RequestAnswered(RequestAnswered),
    /// Portal → core: an officer took the request into work on the portal;
    /// its new orders are accepted.
    #[serde(rename = "request.accepted")]
    RequestAccepted(RequestAccepted),
    /// Core → portal: the order for a request was accepted or started in
    /// the core; the request is in progress.
    #[serde(rename = "order.accepted")]
    OrderAccepted(OrderAccepted),
    /// Core → outside system (webhook): an order of one of its
    /// organisations was created or changed.
    #[serde(rename = "order.updated")]
    OrderUpdated(OrderSnapshot),
    /// Outside system → core: the system acts on one of its organisations'
    /// orders (accept, start, report, comment).
    #[serde(rename = "order.action")]
    OrderAction(SystemAction),
    /// Portal → core: the responsible organisation published its decision
    /// on a law-making initiative; the core opens an order to carry it out.
    #[serde(rename = "initiative.decided")]
    InitiativeDecided(InitiativeDecided),
    /// Control of government bodies → core: a risk was found (a key post
    /// vacant too long, …); the core opens one order for it.
    #[serde(rename = "control.raised")]
    ControlRaised(ControlRaised),
    /// Control of government bodies → core: the risk is gone; its order
    /// is closed.
    #[serde(rename = "control.cleared")]
    ControlCleared(ControlCleared),
    /// A МЭДО partner → core: a document registered from the partner's
    /// inbound folder; each of its clauses becomes an order.
    #[serde(rename = "document.received")]
    DocumentReceived(DocumentReceived),
    /// Veche → a МЭДО partner: the receipt, the registration or the refusal
    /// of a document it sent (written to its outbound folder).
    #[serde(rename = "document.notice")]
    DocumentNotice(DocumentNotice),
    /// Planner → core: a meeting's decisions were recorded; each becomes
    /// an order (source `meeting`).
    #[serde(rename = "meeting.decided")]
    MeetingDecided(MeetingDecided),
    /// Portal (the directory's master) → every instance: the directory at
    /// a version; applied once, older versions ignored.
    #[serde(rename = "directory.updated")]
    DirectoryUpdated(DirectoryUpdated),
    /// Core → core: open orders whose organisation moved to the receiver's
    /// portfolio, with their history; each opened there once.
    #[serde(rename = "orders.transferred")]
    OrdersTransferred(OrdersTransferred),
    /// Core → core of a federation: an order given to an organisation the
    /// receiving core owns; it opens the order once (docs/FEDERATION.md).
    #[serde(rename = "order.delegated")]
    OrderDelegated(OrderDelegated),
    /// Core → core of a federation: a step of an order opened by
    /// `order.delegated`; the giving core's order follows it.
    #[serde(rename = "order.progress")]
    OrderProgress(OrderProgress),
    /// Core → portal of a federation: a request's order moved to this core
    /// with its organisation; the request's messages come here now.
    #[serde(rename = "request.moved")]
    RequestMoved(RequestMoved),
}

impl Body {
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::OrderRequested(_) => "order.requested",
            Body::OrderReferred(_) => "order.referred",
            Body::RequestReferred(_) => "request.referred",
            Body::OrderReported(_) => "order.reported",
            Body::RequestAnswered(_) => "request.answered",
            Body::RequestAccepted(_) => "request.accepted",
            Body::OrderAccepted(_) => "order.accepted",
            Body::OrderUpdated(_) => "order.updated",
            Body::OrderAction(_) => "order.action",
            Body::InitiativeDecided(_) => "initiative.decided",
            Body::ControlRaised(_) => "control.raised",
            Body::ControlCleared(_) => "control.cleared",
            Body::DocumentReceived(_) => "document.received",
            Body::DocumentNotice(_) => "document.notice",
            Body::MeetingDecided(_) => "meeting.decided",
            Body::DirectoryUpdated(_) => "directory.updated",
            Body::OrdersTransferred(_) => "orders.transferred",
            Body::OrderDelegated(_) => "order.delegated",
            Body::OrderProgress(_) => "order.progress",
            Body::RequestMoved(_) => "request.moved",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderRequested {
    pub appeal_id: i64,
    /// Several orders may answer one request over its life (a disputed
    /// resolution reopens it): the round makes each one distinct.
    pub round: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub address: String,
    pub url: String,
    pub organisation_id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
}

/// An order given in one core to an organisation another core owns.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderDelegated {
    /// The order in the giving core (the receiver keys its order by the
    /// sender and this id, and reports back about it).
    pub order_id: i64,
    pub title: String,
    pub description: String,
    /// The giving order's source (`citizen_report`, `manual`, …).
    pub source: String,
    pub priority: String,
    pub organisation_id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
    /// The citizen's request behind it, for reference (it is answered by
    /// the giving core's order).
    pub request_url: Option<String>,
    /// Who gave it, as words (the giving organisation's id).
    pub given_by: Option<String>,
}

/// A step of an order opened by `order.delegated`, for the giving core.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderProgress {
    /// The giving core's order id (`OrderDelegated::order_id`).
    pub order_id: i64,
    /// `accepted`, `started`, `report_submitted`, `cancelled` or `comment`.
    pub event: String,
    /// The receiving core's order state after it.
    pub state: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub report_text: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub planned_date: Option<String>,
}

/// A law-making initiative's decision, to be carried out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InitiativeDecided {
    pub initiative_id: i64,
    /// `adopted`, `sent_to_assembly` or `rejected`
    pub outcome: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub organisation_id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
}

/// A risk found by the control of government bodies, to be acted on. The
/// texts name posts and units, never a person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ControlRaised {
    /// Unique per risk (`staffing:flag:12`): the order is opened once.
    pub key: String,
    pub organisation_id: String,
    pub title: String,
    pub description: String,
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
}

/// A meeting's decisions, each to become an order once (keyed by the
/// meeting and the decision's number). Staff texts; no citizen is named.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingDecided {
    pub meeting_id: i64,
    /// The organiser's account, when the core is this installation: the
    /// orders are theirs to accept.
    pub organiser_id: Option<i64>,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub held_at: OffsetDateTime,
    pub url: String,
    pub decisions: Vec<MeetingDecision>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingDecision {
    /// 1, 2, … within the meeting.
    pub n: i64,
    pub text: String,
    pub organisation_id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
}

/// The risk of `key` is gone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ControlCleared {
    pub key: String,
    /// Why, in the order's history.
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Referred {
    pub appeal_id: i64,
    pub organisation_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderReported {
    pub appeal_id: i64,
    pub order_id: i64,
    pub outcome: Outcome,
    pub text: String,
    /// YYYY-MM-DD, with `planned`.
    pub planned_date: Option<String>,
    pub photos: Vec<Photo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Photo {
    pub content_type: String,
    /// Base64 (standard alphabet) of the image.
    pub data: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestAnswered {
    pub appeal_id: i64,
    pub state: String,
    /// YYYY-MM-DD, when `state` is `planned`: the orders stay open with
    /// this date as their deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestAccepted {
    pub appeal_id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderAccepted {
    pub appeal_id: i64,
    pub order_id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderSnapshot {
    pub order_id: i64,
    pub parent_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub source: String,
    pub organisation_id: String,
    pub state: String,
    pub priority: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
    pub request_url: Option<String>,
    /// The key of the message or document the order came from (for an
    /// order from a МЭДО document: `{partner}:document:{uid}:{clause}`).
    #[serde(default)]
    pub external_key: Option<String>,
    /// Who carries it out (an official's name), once assigned.
    #[serde(default)]
    pub executor: Option<String>,
    /// The report of execution, once submitted.
    #[serde(default)]
    pub report_text: Option<String>,
    /// What just happened; absent when the order was created.
    #[serde(default)]
    pub change: Option<OrderChange>,
    /// The order's version in its core, one more at every change: a
    /// replica keeps the snapshot of the highest (a late, older one is
    /// ignored).
    #[serde(default)]
    pub version: i64,
    /// The organisation that gave the order.
    #[serde(default)]
    pub creator_organisation_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<OffsetDateTime>,
    /// The instance the order moved to with its organisation
    /// (`orders.transferred`): it is counted there from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

/// One step of an order's life, as its history records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderChange {
    /// `accepted`, `started`, `report_submitted`, `report_accepted`,
    /// `returned`, `cancelled`, `referred` or `comment`.
    pub event: String,
    /// The note that came with it (a return's reason, a comment).
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SystemAction {
    pub order_id: i64,
    /// `accept`, `start`, `report` or `comment`.
    pub action: String,
    #[serde(default)]
    pub text: String,
    /// With `report` on an order that answers a citizen: `resolved` or
    /// `planned`.
    pub outcome: Option<Outcome>,
    pub planned_date: Option<String>,
}

/// What a report of execution says happened.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    Planned,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Planned => "planned",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "resolved" => Some(Outcome::Resolved),
            "planned" => Some(Outcome::Planned),
            _ => None,
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = OutcomeLabels::get(l);
            match self {
                Outcome::Resolved => t.resolved,
                Outcome::Planned => t.planned,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_is_flat_json_with_type_and_data() {
        let m = Message::new(Body::OrderReferred(Referred {
            appeal_id: 7,
            organisation_id: "roads".into(),
            reason: "bridge".into(),
        }));
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["type"], "order.referred");
        assert_eq!(v["data"]["appeal_id"], 7);
        assert!(v["id"].as_str().unwrap().len() == 36);
        assert_eq!(v["v"], 1);
        // UUIDv7: the version nibble.
        assert_eq!(&v["id"].as_str().unwrap()[14..15], "7");
        let mut old = v.clone();
        old.as_object_mut().unwrap().remove("v");
        let back: Message = serde_json::from_value(v).unwrap();
        assert_eq!(back.body.type_name(), "order.referred");
        let back: Message = serde_json::from_value(old).unwrap();
        assert_eq!(back.v, 1, "a sender without the field speaks version 1");
    }
}

texts!(pub OutcomeLabels {
    resolved: "решено", "resolved";
    planned: "запланировано", "planned";
});

/// A document received over МЭДО: its clauses to open as orders, and the
/// files already stored (`media/files/{key}`) to attach to each of them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentReceived {
    /// The document's uid in the sender's system.
    pub document_uid: String,
    pub number: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// The document's annotation (its title).
    pub title: String,
    pub clauses: Vec<ClauseOrder>,
    pub files: Vec<DocumentFile>,
}

/// One clause of a document with a responsible organisation found in the
/// directory.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClauseOrder {
    /// The clause's designation (its number in the document), unique in it.
    pub clause: String,
    pub text: String,
    pub organisation_id: String,
    /// Co-executors found in the directory: each gets a sub-order.
    #[serde(default)]
    pub co_executors: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentFile {
    pub key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// What veche tells a МЭДО partner about a document the partner sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentNotice {
    /// The uid of the message (the package) the notice answers.
    pub message_uid: String,
    pub document_uid: Option<String>,
    pub document_number: Option<String>,
    pub document_date: Option<String>,
    pub notice: Notice,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// Квитанция: the package arrived and was read (or not).
    Acknowledged { accepted: bool, comment: String },
    /// Зарегистрирован, under veche's number and date (`YYYY-MM-DD`).
    Registered { number: String, date: String },
    /// Отказано в регистрации, with one of the schema's reasons.
    Refused { reason: String, comment: String },
}
