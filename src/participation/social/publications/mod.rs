//! Publications of the social layer (docs/PARTICIPATION.md, "The social
//! layer"): an organisation's officers publish its news and announcements
//! (about one municipality or the whole krai), any signed-in resident
//! publishes posts about their town; everyone signed in comments.
//! Published at once and moderated after: a flag brings an item to the
//! moderators' queue, and hiding it (`moderation::decide`) takes it out of
//! the lists, feeds, API, search and the open dataset.
//!
//! - `service.rs`: who may publish what (`may_publish`, read by the form
//!   and the check alike), publishing and commenting, each one
//!   transaction with its activity, search document and dataset refresh;
//! - `queries.rs`: the SQL; `pages.rs`, `views.rs`: the list, the form,
//!   a publication with its comments (and, for moderators, its log);
//! - `feeds.rs`: Atom and RSS of the krai, a municipality, an
//!   organisation, an author; `api.rs`: JSON;
//! - `search.rs`, `dataset.rs`: registered in `features.rs`; `demo.rs`:
//!   loaded by the social layer's demo part.

pub mod api;
pub mod dataset;
pub mod demo;
pub mod feeds;
pub mod pages;
pub mod queries;
pub mod search;
pub mod service;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The search documents' kind.
pub const KIND: &str = "publication";
/// The open dataset's `source` (`passports/2309189066-publications.json`).
pub const DATASET: &str = "social_publications";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/publications", get(pages::list).post(pages::create))
        .route("/publications/new", get(pages::new_form))
        .route("/publications/{id}", get(pages::show))
        .route("/publications/{id}/comments", post(pages::comment))
        .route("/publications.atom", get(feeds::atom))
        .route("/publications.rss", get(feeds::rss))
        .route("/people/{id}/publications.atom", get(feeds::author_atom))
        .route("/people/{id}/publications.rss", get(feeds::author_rss))
        .route("/api/v1/publications", get(api::list))
        .route("/api/v1/publications/{id}", get(api::one))
}
