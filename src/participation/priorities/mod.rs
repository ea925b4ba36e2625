//! Quarterly priority ranks by municipality and for the region
//! (docs/PARTICIPATION.md).
//!
//! - `domain.rs`: quarters, topics, states, who may do what (`decide`), and
//!   the formulas of the ranks, pure and tested on hand-computed figures;
//! - `queries.rs`: the SQL;
//! - `service.rs`: proposing, moderating, supporting, freezing, the live
//!   preliminary ranks and the job that closes a quarter into a snapshot;
//! - `pages.rs` and `views.rs`: the rankings, a priority's page, the
//!   archive, the staff's forms; `api.rs`: the JSON API; `feeds.rs`: Atom;
//! - `dataset.rs`, `search.rs`, `home.rs`, `demo.rs`: what the feature
//!   registers with the shared services (`features.rs`);
//! - `population.rs`: the municipalities' population that weighs the
//!   regional rank.

pub mod api;
pub mod dataset;
pub mod demo;
pub mod domain;
pub mod feeds;
pub mod home;
pub mod pages;
pub mod population;
pub mod queries;
pub mod search;
pub mod service;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The search documents' kind.
pub const KIND: &str = "priority";
/// The live open dataset of the closed quarters' ranks.
pub const SOURCE: &str = "priority_ranks";
/// The scope of the regional rank (others are municipality ids).
pub const REGION: &str = "region";

pub use service::Runtime;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participation/priorities", get(pages::region))
        .route(
            "/participation/priorities/new",
            get(pages::new_form).post(pages::create),
        )
        .route("/participation/priorities/review", get(pages::review))
        .route("/participation/priorities/archive", get(pages::archive))
        .route(
            "/participation/priorities/feed.atom",
            get(feeds::new_priorities),
        )
        .route(
            "/participation/priorities/feed.rss",
            get(feeds::new_priorities_rss),
        )
        .route("/participation/priorities/{id}", get(pages::priority))
        .route("/participation/priorities/{id}/act", post(pages::act))
        .route("/api/v1/priorities", get(api::list))
        .route("/api/v1/priorities/{id}", get(api::one))
        .route("/api/v1/priority-ranks", get(api::ranks))
}
