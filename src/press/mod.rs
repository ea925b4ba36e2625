//! Mass-media tracking (мониторинг СМИ), in the internal core under
//! `/pm/press` with the core's guard (docs/PRESS.md), on Media Cloud's
//! model at the size of one region:
//!
//! - `domain`: what makes two links or titles one story, the cleaning of
//!   a feed's text, entities' keys, spikes, moving averages, backoff;
//! - `parse.rs`: RSS/Atom bodies with limits; `fetch.rs`: polite, safe
//!   conditional GET; `poller.rs`: the feeds due, claimed, polled, their
//!   health recorded; `ingest.rs`: items to stories (deduplicated,
//!   matched, toned) in one transaction per poll;
//! - `entities.rs` and `matching.rs`: what is tracked and the
//!   morphology-aware matching with the search index's stemmer;
//!   `tone`: the transparent lexicon scorer (a heuristic, and said so);
//! - `attention.rs`: daily mentions, shares, moving averages, spikes
//!   mailed to the entity's owners, the departments' daily digests;
//! - `queries`: the SQL; `service.rs`: every change and who may make it;
//! - `pages.rs`, `sourcepages.rs`, `deptpages.rs`, `views.rs`: the
//!   pages; `demo.rs`: the demo media (never polled).
//!
//! Staff only, and only a title, a snippet and a link of each story are
//! kept: nothing here is published, searched or fed.

pub mod attention;
pub mod demo;
pub mod deptpages;
pub mod domain;
pub mod entities;
pub mod fetch;
pub mod ingest;
pub mod mart;
pub mod matching;
pub mod pages;
pub mod parse;
pub mod poller;
pub mod queries;
pub mod service;
pub mod sourcepages;
pub mod tone;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pm/press", get(pages::overview))
        .route("/pm/press/stories", get(pages::stories))
        .route("/pm/press/stories/{id}", get(pages::story))
        .route("/pm/press/mentions/{id}/tone", post(pages::set_tone))
        .route("/pm/press/entities/{key}", get(pages::entity))
        .route("/pm/press/entities/{key}/names", post(pages::add_alias))
        .route(
            "/pm/press/entities/{key}/names/{id}/delete",
            post(pages::remove_alias),
        )
        .route(
            "/pm/press/sources",
            get(sourcepages::list).post(sourcepages::create),
        )
        .route(
            "/pm/press/sources/{id}",
            get(sourcepages::card).post(sourcepages::update),
        )
        .route("/pm/press/sources/{id}/feeds", post(sourcepages::add_feed))
        .route("/pm/press/feeds/{id}", post(sourcepages::update_feed))
        .route("/pm/press/feeds/{id}/poll", post(sourcepages::poll_now))
        .route("/pm/press/health", get(sourcepages::health))
        .route(
            "/pm/press/officials",
            get(sourcepages::officials).post(sourcepages::add_official),
        )
        .route(
            "/pm/press/officials/{id}/delete",
            post(sourcepages::remove_official),
        )
        .route("/pm/press/departments", get(deptpages::list))
        .route("/pm/press/departments/{org}", get(deptpages::card))
        .route(
            "/pm/press/departments/{org}/queries",
            post(deptpages::save_query),
        )
        .route(
            "/pm/press/departments/{org}/queries/{id}/delete",
            post(deptpages::delete_query),
        )
}

/// The hourly work (and once at start): today's spikes notified, the
/// departments' digests of the day mailed from the digest hour. Both
/// run whatever the other does.
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    let spikes = attention::detect_spikes(state, attention::today()).await;
    attention::send_digests(state, crate::db::now()).await?;
    spikes?;
    Ok(())
}
