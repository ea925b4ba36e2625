//! Court-case monitoring (мониторинг судебных дел), in the internal core
//! under `/pm/courts` with the core's guard (docs/COURTS.md):
//!
//! - `domain.rs`: the vocabularies (roles, categories, procedure codes,
//!   instances, outcomes), amounts, ИНН/ОГРН, the deadline of a rule;
//! - `queries.rs`: the SQL; `service.rs`: every change and who may make it;
//! - `alerts.rs`: appeal periods opening and closing the core's orders
//!   through the exchange, and the hearing reminders;
//! - `import.rs`: a list of cases from a spreadsheet;
//! - `pages.rs` (the overview, calendar, counterparties), `casepages.rs`
//!   (a case's card, its forms, the import), `views.rs`: the pages; `dataset.rs`: the optional open
//!   statistics; `demo.rs`: the demo cases.
//!
//! A private person who is a party is named only on a case's card, to
//! those `Access` lets see it: lists, downloads, the calendar, the
//! grouping by counterparty, the core's orders, the reminders and the
//! dataset never name one. Cases have no search documents or feeds.

pub mod agenda;
pub mod alerts;
pub mod casepages;
pub mod dataset;
pub mod demo;
pub mod domain;
pub mod import;
pub mod mart;
pub mod pages;
pub mod queries;
pub mod service;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// The passport `source` of the court statistics dataset.
pub const SOURCE: &str = "courts";

/// The largest body of an upload: above the file limit of every form
/// (`media::MAX_BYTES`), so that limit answers first, with its message.
const MAX_UPLOAD: usize = crate::media::MAX_BYTES + 1024 * 1024;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/pm/courts/import", post(casepages::import_cases))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    Router::new()
        .merge(uploads)
        .route("/pm/courts", get(pages::overview))
        .route("/pm/courts/calendar", get(pages::calendar))
        .route("/pm/courts/counterparties", get(pages::counterparties))
        .route("/pm/courts/new", get(casepages::new_case))
        .route("/pm/courts/cases", post(casepages::create))
        .route("/pm/courts/cases/{id}", get(casepages::card))
        .route(
            "/pm/courts/cases/{id}/instances",
            post(casepages::add_instance),
        )
        .route("/pm/courts/cases/{id}/decision", post(casepages::decision))
        .route("/pm/courts/cases/{id}/hearings", post(casepages::hearing))
        .route(
            "/pm/courts/cases/{id}/hearings/{h}/result",
            post(casepages::hearing_result),
        )
        .route("/pm/courts/cases/{id}/events", post(casepages::event))
        .route(
            "/pm/courts/cases/{id}/enforcements",
            post(casepages::enforcement),
        )
        .route(
            "/pm/courts/cases/{id}/enforcements/{e}/payments",
            post(casepages::payment),
        )
        .route("/pm/courts/cases/{id}/risk", post(casepages::risk))
}

/// The hourly work: appeal periods that came near with time, and the
/// reminders of tomorrow's hearings.
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    // Both run whatever the other does: a failing sweep must not keep
    // tomorrow's hearings from their reminders.
    let swept = alerts::sweep(state, 0, alerts::today()).await;
    alerts::remind(state, crate::db::now()).await?;
    swept?;
    Ok(())
}
