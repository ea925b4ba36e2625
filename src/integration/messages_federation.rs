//! The messages of a federated installation (docs/FEDERATION-CONTROL.md):
//! the directory broadcast by its master, and orders moved between cores
//! with their organisation.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// The directory at `version`. `full`: every organisation is listed (the
/// rule up to [`FULL_LIMIT`] organisations), so a receiver that missed a
/// version loses nothing by applying a later one; otherwise only the
/// organisations changed at this version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DirectoryUpdated {
    /// Strictly increasing on the master; a receiver ignores a version at
    /// or below the one it applied.
    pub version: i64,
    pub full: bool,
    pub organisations: Vec<DirectoryOrganisation>,
}

/// Up to this many organisations the whole directory is sent at every
/// version (the krai has a few hundred: ~40 departments, 44 municipal
/// administrations and their units; 5,000 organisations make about 2.5 MB).
pub const FULL_LIMIT: usize = 5_000;

/// One organisation of the directory, as the master has it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DirectoryOrganisation {
    pub organisation_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name_ru: String,
    pub name_en: String,
    pub short_name_ru: String,
    pub short_name_en: String,
    pub inn: Option<String>,
    pub municipality_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

/// Core → the portal a request came from: its order moved with its
/// organisation from `from` to the sender (a reorganisation), so the
/// request's later messages go to the sender, and the sender's report is
/// the request's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestMoved {
    pub appeal_id: i64,
    /// The core the request was sent to before.
    pub from: String,
}

/// Open orders that now belong to the receiver, with their history, sent
/// once by the core that had them. Each is opened once on the receiver
/// (keyed by the sender and its number there).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrdersTransferred {
    /// The directory version whose change moved them.
    pub directory_version: i64,
    pub orders: Vec<TransferredOrder>,
}

/// An order as it stood in the core it leaves. People are named, not
/// referenced: accounts are per instance.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferredOrder {
    /// Its number in the sending core.
    pub order_id: i64,
    /// Its parent's number in the sending core, when the parent moves in
    /// the same message (the delegation is kept); otherwise absent.
    pub parent_id: Option<i64>,
    /// The parent that stays behind, as a note: «order N at instance X».
    #[serde(default)]
    pub parent_elsewhere: Option<i64>,
    pub title: String,
    pub description: String,
    pub source: String,
    pub appeal_id: Option<i64>,
    pub appeal_url: Option<String>,
    /// Where the request behind it lives (`local` of the sender means
    /// the sender itself).
    pub origin: String,
    pub external_key: Option<String>,
    pub creator_organisation_id: Option<String>,
    pub creator_name: Option<String>,
    pub organisation_id: String,
    pub executor_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
    pub priority: String,
    pub required: bool,
    pub state: String,
    pub report_text: Option<String>,
    pub report_outcome: Option<String>,
    pub report_planned_date: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    pub events: Vec<TransferredEvent>,
    /// The files attached, by name: the files themselves stay with the
    /// sending core (its order page, read-only, keeps them).
    pub attachments: Vec<TransferredAttachment>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferredEvent {
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    /// Who acted: a person's name or a partner's.
    pub actor: String,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferredAttachment {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}
