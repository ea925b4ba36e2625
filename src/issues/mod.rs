//! Citizens' control: problem reports. A citizen reports a pothole or a
//! broken lamp with a map pin and photos; the report is routed to the
//! responsible department, which owes a public reaction within 10 days.
//!
//! This folder owns the pages and APIs of problem reports; the machinery
//! (lifecycle, routing, SLA, timeline, votes, follows, notifications) is
//! `crate::workflow`, shared with construction check requests.
//!
//! - `form.rs`: the report form (map pin, "use my location", address,
//!   photos, duplicates nearby) and its submission;
//! - `pages.rs`: the list, the map, a report with its timeline and the
//!   actions each role may take, support and follow;
//! - `api.rs`: the bounding-box GeoJSON behind the map and the nearby check;
//! - `feeds.rs`: RSS and Atom of new and resolved reports;
//! - `stats.rs`: SLA figures per department and per municipality;
//! - `staff.rs`: the department workspace, the moderators' queue, the
//!   administrators' routing table, settings and Open311 keys (each
//!   person's notifications are `workflow::notifications`);
//! - `open311/`: the Open311 GeoReport v2 API;
//! - `dataset.rs` and `search.rs`: the open dataset and the search document.

pub mod api;
pub mod dataset;
pub mod demo;
pub mod feeds;
pub mod form;
pub mod home;
pub mod open311;
pub mod openapi;
pub mod pages;
pub mod search;
pub mod staff;
pub mod stats;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

pub use crate::media::upload::MAX_UPLOAD;

use crate::web::i18n::Label;
use crate::workflow::kind::{Kind, KindSpec, OrderAt};

/// A problem report, as the workflow carries it.
pub const PROBLEM: Kind = Kind::new(&KindSpec {
    name: "problem",
    label: Label::new("Сообщение о проблеме", "Problem report"),
    base: "/problems",
    section: (Label::new("Проблемы", "Problems"), "/problems"),
    resolved_on_page: true,
    order_noun: "Обращение",
    order_at: OrderAt::Publication,
    registry: Some("problems"),
    search_kind: Some("problem"),
    municipality_href: Some("/problems/municipalities/"),
    organisation_href: "/problems/departments/",
    resolution: None,
});

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/problems/new", get(form::new_form).post(form::submit))
        .route("/problems/{id}/action", post(pages::action))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    Router::new()
        .merge(uploads)
        .merge(crate::workflow::page::support_routes(PROBLEM))
        .route("/problems", get(pages::list))
        .route("/problems/map", get(pages::map_page))
        .route("/problems/stats", get(stats::overview))
        .route("/problems/departments/{id}", get(stats::department))
        .route("/problems/municipalities/{id}", get(stats::municipality))
        .route("/problems/feeds/{file}", get(feeds::feed))
        .route("/problems/{id}", get(pages::report))
        .route("/api/v1/problems.geojson", get(api::geojson))
        .route("/api/v1/problems/nearby", get(api::nearby))
        .route("/api/v1/problems/{id}", get(api::one))
        .route(
            "/admin/problems",
            get(staff::settings_page).post(staff::save_settings),
        )
        .route("/admin/problems/routing", get(staff::routing_page))
        .route("/admin/problems/routing/default", post(staff::set_default))
        .route("/admin/problems/routing/rule", post(staff::set_rule))
        .route(
            "/admin/open311",
            get(staff::keys_page).post(staff::create_key),
        )
        .route("/admin/open311/revoke", post(staff::revoke_key))
        .merge(open311::router())
}
