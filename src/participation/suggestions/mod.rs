//! Citizens' suggestions for solving city problems (docs/PARTICIPATION.md).
//! A suggestion is a request of the shared workflow (`workflow::Kind::
//! Suggestion`): routed, supported, followed, answered within the SLA and,
//! once accepted into a plan, sent to the core as an order. This folder
//! adds what it answers (a problem report, a priority, or nothing), its
//! moderated comments, and its pages.
//!
//! - `queries.rs`, `service.rs`: the SQL; filing, commenting, moderating;
//! - `pages.rs`, `views.rs`: the list, the form, the page, the moderators'
//!   queue of comments; `api.rs`: JSON; `feeds.rs`: the Atom feed of
//!   official answers (suggestions and service feedback);
//! - `search.rs`, `demo.rs`: registered in `features.rs`.

pub mod api;
pub mod demo;
pub mod feeds;
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

/// The kind of request a suggestion may answer: a problem report, named by
/// its registered name so that this feature imports no other.
pub const TARGET_KIND: &str = "problem";

/// A suggestion, as the workflow carries it: a proposal until the
/// organisation plans it, then an order, done when the core reports it
/// executed.
pub const SUGGESTION: Kind = Kind::new(&KindSpec {
    name: "suggestion",
    label: Label::new("Предложение", "Suggestion"),
    base: "/participation/suggestions",
    section: (
        Label::new("Предложения", "Suggestions"),
        "/participation/suggestions",
    ),
    resolved_on_page: false,
    order_noun: "Предложение",
    order_at: OrderAt::Plan,
    registry: None,
    search_kind: Some("suggestion"),
    municipality_href: None,
    organisation_href: "/organisations/",
    resolution: None,
});

/// The search documents' kind.
pub const KIND: &str = "suggestion";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participation/suggestions", get(pages::list))
        .route(
            "/participation/suggestions/new",
            get(pages::new_form).post(pages::create),
        )
        .route("/participation/suggestions/{id}", get(pages::show))
        .route(
            "/participation/suggestions/{id}/action",
            post(pages::action).layer(DefaultBodyLimit::max(crate::media::upload::MAX_UPLOAD)),
        )
        .route(
            "/participation/suggestions/{id}/comments",
            post(pages::comment),
        )
        .merge(crate::workflow::page::support_routes(SUGGESTION))
        .route("/participation/answers.atom", get(feeds::answers))
        .route("/participation/answers.rss", get(feeds::answers_rss))
        .route("/moderation/suggestion-comments", get(pages::moderation))
        .route(
            "/moderation/suggestion-comments/{id}",
            post(pages::moderate),
        )
        .route("/api/v1/suggestions", get(api::list))
        .route("/api/v1/suggestions/{id}", get(api::one))
}
