//! Federal and regional rankings and the indicators of effectiveness, in
//! the internal core under `/pm/rankings` and `/pm/indicators` with the
//! core's guard (docs/RANKINGS.md):
//!
//! - `domain`: a place's change with the right sign, the Open SDG
//!   progress status (pure rules, with their tests);
//! - `data.rs`: the regions and the decree's list, shipped as CSV in
//!   `datasets/rankings/`;
//! - `queries.rs`: the SQL; `service.rs`: every change, who may make it
//!   (`Rights`), and the evaluation that opens the core's orders for
//!   indicators off track;
//! - `import.rs`: editions and values from spreadsheets, values from
//!   SDMX-ML (`sdmx`, the reader);
//! - `pages.rs` (rankings), `indicatorpages.rs` (indicators),
//!   `views.rs`: the pages; `demo.rs`: the demo rankings and values.
//!
//! Staff only: nothing here is published, searched or fed.

pub mod data;
pub mod demo;
pub mod domain;
pub mod import;
pub mod indicatorpages;
pub mod mart;
pub mod pages;
pub mod queries;
pub mod sdmx;
pub mod service;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/pm/rankings/{code}/editions", post(pages::import_edition))
        .route("/pm/indicators/import", post(indicatorpages::import_values))
        .layer(pages::upload_limit());
    Router::new()
        .merge(uploads)
        .route("/pm/rankings", get(pages::list).post(pages::create))
        .route("/pm/rankings/{code}", get(pages::card))
        .route("/pm/indicators", get(indicatorpages::dashboard))
        .route("/pm/indicators/{code}", get(indicatorpages::card))
        .route(
            "/pm/indicators/{code}/values",
            post(indicatorpages::record_value),
        )
        .route(
            "/pm/indicators/{code}/targets",
            post(indicatorpages::set_target),
        )
        .route(
            "/pm/indicators/{code}/links",
            post(indicatorpages::set_links),
        )
}

/// The hourly work (and once at start): the shipped list brought in, the
/// statuses evaluated (orders for indicators off track).
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    service::sync_list(state).await?;
    service::evaluate(state).await?;
    Ok(())
}
