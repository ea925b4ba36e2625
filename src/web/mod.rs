//! What every page shares: the layout, components, languages, assets, CSRF
//! protection, error pages, operations endpoints and the API description.

pub mod api_docs;
pub mod assets;
pub mod charts;
pub mod charts_bars;
pub mod components;
pub mod csrf;
pub mod errors;
pub mod extract;
pub mod feeds;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod limits;
pub mod ops;
pub mod pdf;
pub mod pwa;
pub mod tables;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

/// `api_doc`: the OpenAPI document, assembled by `app.rs` from the features.
pub fn router(api_doc: utoipa::openapi::OpenApi) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/lang/{code}", get(home::switch_language))
        .route("/about/data", get(home::data_sources))
        .route("/static/{*path}", get(assets::serve_asset))
        .route("/favicon.ico", get(assets::favicon))
        .route("/manifest.webmanifest", get(pwa::manifest))
        .route("/sw.js", get(pwa::service_worker))
        .route("/offline", get(pwa::offline))
        .route("/health", get(ops::health))
        .route("/metrics", get(ops::metrics_endpoint))
        .merge(api_docs::router(api_doc))
}
