//! Periodic reports and plan/fact deviation (периодическая отчётность),
//! in the internal core under `/pm/reports` with the core's guard,
//! modelled on DHIS2's data sets and validation rules (docs/REPORTS.md):
//!
//! - `domain`: periods, validation-rule sides, deviation, achievement,
//!   bands, aggregation over time (pure, with their tests);
//! - `builder.rs`: a new form as its author writes it;
//! - `queries.rs`: the SQL; `service.rs`: every change, who may make it
//!   (`Rights`), the lock, the checks at submission, the core's orders for
//!   late and returned reports;
//! - `pages.rs` (forms, completeness, analysis), `subpages.rs` (one
//!   report), `xlsx.rs` (the template round trip), `views.rs`;
//! - `dataset.rs`: accepted values of public forms as open datasets;
//!   `demo.rs`: the demo forms and reports.

pub mod agenda;
pub mod builder;
pub mod dataset;
pub mod demo;
pub mod domain;
pub mod mart;
pub mod pages;
pub mod queries;
pub mod service;
pub mod subpages;
pub mod views;
pub mod xlsx;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// The passport `source` of the reports' open datasets.
pub const SOURCE: &str = "reports";

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route(
            "/pm/reports/{form}/{org}/{period}/upload",
            post(subpages::upload),
        )
        .layer(DefaultBodyLimit::max(crate::media::MAX_BYTES + 1024 * 1024));
    Router::new()
        .merge(uploads)
        .route("/pm/reports", get(pages::list).post(pages::create))
        .route("/pm/reports/{form}", get(pages::form_page))
        .route("/pm/reports/{form}/analysis", get(pages::analysis))
        .route("/pm/reports/{form}/{org}/{period}", get(subpages::show))
        .route(
            "/pm/reports/{form}/{org}/{period}/values",
            post(subpages::save),
        )
        .route(
            "/pm/reports/{form}/{org}/{period}/submit",
            post(subpages::submit),
        )
        .route(
            "/pm/reports/{form}/{org}/{period}/decision",
            post(subpages::decide),
        )
        .route(
            "/pm/reports/{form}/{org}/{period}/unlock",
            post(subpages::unlock),
        )
        .route(
            "/pm/reports/{form}/{org}/{period}/plans",
            post(subpages::plans),
        )
        .route(
            "/pm/reports/{form}/{org}/{period}/template.xlsx",
            get(subpages::template),
        )
}

/// The hourly work: late reports open orders in the core.
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    service::sweep(state).await?;
    Ok(())
}
