//! Staff completeness (контроль укомплектованности), in the internal core
//! under `/pm/staff` with the core's guard (docs/STAFFING.md):
//!
//! - `domain.rs`: rates, categories, and the pure rules — filled, vacant
//!   and temporarily vacant as of a date, the roll-up through units, the
//!   risk flags;
//! - `queries.rs`: the SQL; `figures.rs`: a date's `Snapshot`;
//! - `service.rs`: every change and who may make it; `flags.rs`: risks
//!   raised and cleared as orders of the core, through the exchange;
//! - `import.rs`: the Т-3 spreadsheet; `export.rs`: Т-3 and the report;
//! - `pages.rs`, `orgpage.rs`, `views.rs`: the pages;
//! - `dataset.rs`: the open aggregates; `demo.rs`: the demo departments.
//!
//! People's names are shown only on the staff pages, to those whose `Access` lets them
//! see them: the dataset and the messages to the core are sums and titles
//! of posts (they read the same `Snapshot`, but write no name); staffing
//! has no search documents or feeds.

pub mod dataset;
pub mod demo;
pub mod domain;
pub mod export;
pub mod figures;
pub mod flags;
pub mod import;
pub mod mart;
pub mod orgpage;
pub mod pages;
pub mod queries;
pub mod service;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// The passport `source` of the staffing structure dataset.
pub const SOURCE: &str = "staffing";

/// The largest body of a Т-3 upload: above the file limit of every form
/// (`media::MAX_BYTES`), so that limit answers first, with its message.
const MAX_UPLOAD: usize = crate::media::MAX_BYTES + 1024 * 1024;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route(
            "/pm/staff/organisations/{id}/import",
            post(pages::import_t3),
        )
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    Router::new()
        .merge(uploads)
        .route("/pm/staff", get(pages::region))
        .route("/pm/staff/portfolios/{id}", get(pages::portfolio))
        .route("/pm/staff/organisations/{id}", get(pages::organisation))
        .route(
            "/pm/staff/organisations/{id}/assignments",
            post(pages::assign),
        )
        .route(
            "/pm/staff/organisations/{id}/assignments/{a}/end",
            post(pages::end),
        )
        .route(
            "/pm/staff/organisations/{id}/assignments/{a}/absences",
            post(pages::absence),
        )
        .route(
            "/pm/staff/organisations/{id}/vacancies",
            post(pages::vacancy),
        )
        .route(
            "/pm/staff/organisations/{id}/thresholds",
            post(pages::thresholds),
        )
}

/// The hourly work: risks that grew with time (a key post's vacancy).
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    flags::sweep_all(state).await?;
    Ok(())
}
