//! Operations: `/health`, `/metrics` (Prometheus text format) and the
//! middleware that counts requests and their latency by route.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, Msg};

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide metrics recorder (metrics macros use one global
/// recorder; every app state in a test process shares it).
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0,
                    ],
                )
                .ok()?
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// Records `http_requests_total{method,route,status}` and
/// `http_request_duration_seconds{method,route}`. The route is the matched
/// pattern (`/municipalities/{id}`), never the raw path, so the number of
/// series stays bounded and no identifiers end up in metrics.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed);
    response
}

/// `GET /metrics`: for the scraper only, with `Authorization: Bearer
/// <VECHE_METRICS_TOKEN>`. Without a configured token the endpoint does not
/// exist (404): request counts by route are not for every visitor.
pub async fn metrics_endpoint(State(config): State<Arc<Config>>, headers: HeaderMap) -> Response {
    let Some(expected) = config
        .server
        .metrics_token
        .as_ref()
        .map(|t| t.expose_secret().trim())
        .filter(|t| !t.is_empty())
    else {
        return AppError::not_found().into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .trim();
    // Digests compared in constant time: neither the bytes nor the length
    // of the token can be learned from timing.
    let digest = |s: &str| Sha256::digest(s.as_bytes());
    if !bool::from(digest(given).ct_eq(&digest(expected))) {
        let mut response = AppError::client(
            StatusCode::UNAUTHORIZED,
            "metrics_token",
            Msg::new(
                "Для /metrics нужен токен: заголовок Authorization: Bearer <VECHE_METRICS_TOKEN>.",
                "/metrics needs the token: the header Authorization: Bearer <VECHE_METRICS_TOKEN>.",
            ),
        )
        .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return response;
    }
    match prometheus() {
        Some(handle) => {
            let mut response = handle.render().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response(),
    }
}

/// `GET /health`: 200 when the store answers and the index is readable,
/// 503 otherwise, with the state of each part.
pub async fn health(
    State(db): State<Db>,
    State(search): State<crate::search::SearchIndex>,
) -> Response {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(3), db.ping()).await;
    let db_ok = matches!(ping, Ok(Ok(())));
    let index = search.check().await;
    let index_ok = index.is_ok();
    // How far this node's index is behind the search log (docs/SCALE.md).
    let lag = search.lag(&db).await.unwrap_or_default();
    let ok = db_ok && index_ok;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "database": { "backend": db.backend().to_string(), "ok": db_ok },
        "search": {
            "ok": index_ok,
            "documents": index.unwrap_or(0),
            "node": search.node(),
            "behind_events": lag.events,
            "behind_seconds": lag.seconds,
        },
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
