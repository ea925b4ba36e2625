//! The internal project-management core (staff only, under `/pm`): orders
//! (поручения) given by people or opened for citizens' requests, delegated
//! down to units and executors and tracked; priority projects and
//! programmes; dashboards; each person's task list.
//!
//! - `domain.rs`: states, actions and the rule of who may do what;
//! - `orders.rs`: every change, in transactions, and the messages that
//!   follow (the citizen's reaction, referrals, webhooks);
//! - `queries.rs`: the SQL;
//! - `pages.rs`: orders, the task list, attachments;
//! - `projects.rs`: the work breakdown and roadmaps;
//! - `dashboard.rs`: done / in progress / overdue with SVG charts;
//! - `tally.rs`: the counters the region, portfolios and projects read;
//! - `seed.rs`: the demo projects;
//! - `staff_app.rs`: the staff's phone app (manifest, offline actions).
//!
//! The exchange with the portal goes through `crate::integration`, also
//! when both run in this process.

pub mod agenda;
pub mod dashboard;
pub mod demo;
pub mod dictations;
pub mod domain;
pub mod federation;
pub mod inbox;
pub mod mart;
pub mod mart_region;
pub mod orders;
pub mod pages;
pub mod projects;
pub mod queries;
pub mod replica;
pub mod roadmaps;
pub mod seed;
pub mod staff_app;
pub mod tally;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// Largest upload with an action: ten files at the photo limit, and text.
/// The core's scheduled work (`features::run_scheduled`, hourly): the
/// dashboards' counters of past days folded (`tally::fold`).
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    tally::fold(
        &state.db,
        crate::db::now().unix_timestamp().div_euclid(86_400),
    )
    .await?;
    Ok(())
}

pub const MAX_UPLOAD: usize = 10 * crate::media::MAX_BYTES + 1024 * 1024;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/pm/orders/{id}/act", post(pages::act))
        .route("/pm/api/orders/{id}/actions", post(staff_app::actions))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    let dictations = Router::new()
        .route(
            "/pm/orders/dictate",
            get(pages::dictate_page).post(pages::dictate),
        )
        .layer(DefaultBodyLimit::max(pages::MAX_DICTATION_UPLOAD));
    Router::new()
        .merge(uploads)
        .merge(dictations)
        .route("/pm", get(dashboard::region))
        .route("/pm/manifest.webmanifest", get(staff_app::manifest))
        .route("/pm/portfolios/{id}", get(dashboard::portfolio))
        .route("/pm/organisations/{id}", get(dashboard::organisation))
        .route("/pm/executors/{id}", get(dashboard::executor))
        .route("/pm/orders", get(pages::list).post(pages::create))
        .route("/pm/orders/new", get(pages::new_form))
        .route("/pm/orders/{id}", get(pages::show))
        .route("/pm/orders/moved/{from}/{id}", get(federation::moved_here))
        .route("/pm/orders/{id}/delegate", post(pages::delegate))
        .route("/pm/orders/{id}/assign", post(pages::assign))
        .route("/pm/attachments/{id}", get(pages::attachment))
        .route("/pm/tasks", get(pages::tasks).post(pages::add_task))
        .route("/pm/tasks/{id}/done", post(pages::task_done))
        .route("/pm/projects", get(projects::list).post(projects::create))
        .route("/pm/projects/{id}", get(projects::show))
        .route("/pm/projects/{id}/stages", post(projects::add_stage))
        .route(
            "/pm/projects/{id}/milestones",
            post(projects::add_milestone),
        )
        .route("/pm/milestones/{id}/done", post(projects::milestone_done))
}
