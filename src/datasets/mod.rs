//! Live open datasets: registries veche keeps (organisations, citizens'
//! reports, constructions) published as open data and republished whenever
//! they change. This is the shared service between the features that keep
//! registries and the open-data portal that publishes them; neither names
//! the other.
//!
//! - A feature describes its table (`LiveDataset`) and registers it in
//!   `features.rs` under the `source` its passport names.
//! - A change to a registry asks, in its own transaction, for a refresh
//!   (`request_refresh`), and, when a value it published became personal
//!   data, for its withdrawal from the versions published before
//!   (`request_withdrawal`). Both are outbox events; the portal's worker
//!   reacts to them (`opendata::system`, `opendata::redact`).

pub mod fields;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::db::{Tx, queue};
pub use fields::{FieldDef, FieldFormat};

/// The outbox queue of refresh requests.
pub const REFRESH_QUEUE: &str = "opendata";
/// The outbox queue of withdrawals.
pub const WITHDRAW_QUEUE: &str = "opendata.redact";

/// A field of a registry's structure.
pub fn field(name: &str, en: &str, ru: &str, format: FieldFormat) -> FieldDef {
    FieldDef {
        name: name.into(),
        en: en.into(),
        ru: ru.into(),
        format,
    }
}

pub const TEXT: FieldFormat = FieldFormat::String { max: None };

/// A table: its fields and its rows as text cells (header first).
pub struct Table {
    pub fields: Vec<FieldDef>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these fields and, so far, only its header row.
    pub fn with_fields(fields: Vec<FieldDef>) -> Table {
        let header = fields.iter().map(|f| f.name.clone()).collect();
        Table {
            fields,
            rows: vec![header],
        }
    }
}

/// A registry published as open data.
#[async_trait]
pub trait LiveDataset: Send + Sync {
    /// The `source` a passport names to be fed by this registry.
    fn source(&self) -> &'static str;
    /// The date of the table's structure (MR 3.0's `structure-YYYYMMDD`): a
    /// registry that changes its fields names a new date.
    fn structure_stamp(&self) -> &'static str {
        "20261124"
    }
    /// Whether the settings publish it at all (a registry kept internal
    /// by default names the setting that publishes it).
    fn published(&self, _config: &crate::config::Config) -> bool {
        true
    }
    /// The table as the public may see it now (no personal data).
    async fn table(&self, state: &AppState) -> anyhow::Result<Table>;
    /// A registry that publishes one dataset per record (a report form
    /// marked public) names its datasets here with their passports; the
    /// catalogue adds the new ones before it republishes the source.
    async fn members(&self, _state: &AppState) -> anyhow::Result<Vec<Member>> {
        Ok(Vec::new())
    }
    /// The table of one member (`identifier`); the registry's one table
    /// when it has no members.
    async fn table_of(&self, state: &AppState, _identifier: &str) -> anyhow::Result<Table> {
        self.table(state).await
    }
}

/// One dataset of a registry that publishes several: its identifier and
/// its passport (MR 3.0 fields, as a `passports/` file holds them).
#[derive(Debug, Clone)]
pub struct Member {
    pub identifier: String,
    pub passport: serde_json::Value,
}

/// The registered live datasets.
#[derive(Clone, Default)]
pub struct LiveDatasets(Arc<Vec<Arc<dyn LiveDataset>>>);

impl LiveDatasets {
    pub fn new(all: Vec<Arc<dyn LiveDataset>>) -> LiveDatasets {
        LiveDatasets(Arc::new(all))
    }

    pub fn sources(&self) -> Vec<&'static str> {
        self.0.iter().map(|d| d.source()).collect()
    }

    pub fn get(&self, source: &str) -> Option<&Arc<dyn LiveDataset>> {
        self.0.iter().find(|d| d.source() == source)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshJob {
    pub source: String,
}

/// Asks, inside the caller's transaction, for the datasets fed by `source`
/// to be republished. Requests coalesce while one is waiting.
pub async fn request_refresh(tx: &mut Tx, source: &str) -> Result<(), sqlx::Error> {
    queue::push(
        tx,
        REFRESH_QUEUE,
        Some(source),
        &RefreshJob {
            source: source.to_owned(),
        },
    )
    .await
}

/// Withdraw `fields` of the rows whose `key_field` equals `key`, in every
/// published version of the datasets fed by `source`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Redaction {
    pub source: String,
    pub key_field: String,
    pub key: String,
    pub fields: Vec<String>,
}

/// Asks for a withdrawal inside the caller's transaction (the change that
/// made the value personal). Carried out by `opendata::redact`.
pub async fn request_withdrawal(tx: &mut Tx, r: &Redaction) -> Result<(), sqlx::Error> {
    queue::push(tx, WITHDRAW_QUEUE, None, r).await
}
