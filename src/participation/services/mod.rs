//! Monthly ratings of government services (docs/PARTICIPATION.md).
//!
//! - `domain.rs`: months, channels, scales, and the statistics (mean, n,
//!   Student's 95% interval, change, positions), pure and tested on figures
//!   computed by hand;
//! - `queries.rs`: the SQL; `service.rs`: rating (with the feedback request
//!   a low score with a comment becomes, in the workflow), the live month
//!   and the job that closes past months;
//! - `pages.rs` and `views.rs`: the results, a service's page with its form
//!   and chart, the feedback request's page; `api.rs`: the JSON API;
//! - `dataset.rs`, `search.rs`, `demo.rs`: what the feature registers with
//!   the shared services (`features.rs`).

pub mod api;
pub mod dataset;
pub mod demo;
pub mod domain;
pub mod pages;
pub mod queries;
pub mod search;
pub mod service;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;
use crate::web::i18n::Label;
use crate::workflow::kind::{Kind, KindSpec, OrderAt};

/// A low rating with a comment, as the workflow carries it to the provider:
/// answered on the portal, found through its service (no search document
/// and no dataset of its own).
pub const FEEDBACK: Kind = Kind::new(&KindSpec {
    name: "service_feedback",
    label: Label::new("Отзыв об услуге", "Service feedback"),
    base: "/participation/services/feedback",
    section: (
        Label::new("Оценка госуслуг", "Service ratings"),
        "/participation/services",
    ),
    resolved_on_page: true,
    order_noun: "Обращение",
    order_at: OrderAt::Never,
    registry: None,
    search_kind: None,
    municipality_href: None,
    organisation_href: "/organisations/",
    resolution: None,
});

/// The search documents' kind.
pub const KIND: &str = "service";
/// The live open dataset of the closed months' results.
pub const SOURCE: &str = "service_ratings";
/// Its passport's identifier.
pub const DATASET: &str = "2309189066-service-ratings";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participation/services", get(pages::results))
        .route("/participation/services/{id}", get(pages::show))
        .route("/participation/services/{id}/rate", post(pages::rate))
        .route(
            "/participation/services/feedback/{id}",
            get(pages::feedback),
        )
        .route(
            "/participation/services/feedback/{id}/action",
            post(pages::feedback_action)
                .layer(DefaultBodyLimit::max(crate::media::upload::MAX_UPLOAD)),
        )
        .merge(crate::workflow::page::support_routes(FEEDBACK))
        .route("/api/v1/services", get(api::list))
        .route("/api/v1/services/{id}", get(api::one))
        .route("/api/v1/service-results", get(api::results))
}
