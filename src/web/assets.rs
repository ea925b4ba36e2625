//! Static assets (CSS, JavaScript, vendored Leaflet, icons) embedded in the
//! binary from the `web/` folder, so one file is the whole deployment.
//!
//! Links carry a content hash (`/static/css/site.css?v=1a2b3c4d`); a request
//! with the current hash is cached by browsers for a year, anything else for
//! a few minutes, so a new release is picked up at once.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
#[exclude = "*.map"]
pub struct Assets;

static HASHES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|path| {
            let file = Assets::get(&path)?;
            let hash = file.metadata.sha256_hash();
            let short: String = hash[..5].iter().map(|b| format!("{b:02x}")).collect();
            Some((path.into_owned(), short))
        })
        .collect()
});

/// The URL of an asset, with its content hash. Panics in debug builds when
/// the asset does not exist, so a typo fails the first test that renders it.
pub fn url(path: &str) -> String {
    match HASHES.get(path) {
        Some(hash) => format!("/static/{path}?v={hash}"),
        None => {
            debug_assert!(false, "unknown asset {path}");
            format!("/static/{path}")
        }
    }
}

/// `GET /favicon.ico`: browsers and feed readers ask for it whatever the
/// page links; they are sent to the site icon (an SVG) for a day.
pub async fn favicon() -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [
            (
                header::LOCATION,
                HeaderValue::from_str(&url("img/favicon.svg"))
                    .unwrap_or(HeaderValue::from_static("/static/img/favicon.svg")),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct AssetQuery {
    v: Option<String>,
}

/// `GET /static/{*path}`
pub async fn serve_asset(
    Path(path): Path<String>,
    Query(query): Query<AssetQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = Assets::get(&path) else {
        return crate::error::AppError::not_found().into_response();
    };
    let etag = format!(
        "\"{}\"",
        HASHES.get(&path).map(String::as_str).unwrap_or("")
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let immutable =
        query.v.is_some() && query.v.as_deref() == HASHES.get(&path).map(String::as_str);
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let mut response = file.data.into_owned().into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}
