//! Reads that tolerate lag, from a PostgreSQL streaming replica
//! (`DATABASE_REPLICA_URL`, docs/NODES.md).
//!
//! Writes, and every read of someone who may have just written, go to the
//! primary. The rule is decided per request, from cookies only, so every
//! node decides alike without sharing anything:
//!
//! * a request that is not `GET` or `HEAD` reads the primary, and its
//!   response sets the short cookie [`WROTE_COOKIE`] (for [`FRESH_SECS`]
//!   seconds, well above a healthy replica's lag), so the page it redirects
//!   to, and the next few, read the primary too (read-your-writes);
//! * a request with a session cookie reads the primary (a signed-in person
//!   sees their own work, the staff see queues as they are);
//! * any other request (an anonymous visitor's `GET`) may read the replica,
//!   but only where a handler asks for it with [`LagTolerant`]: the home
//!   page's figures, the problems' map, the open data catalogue.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::db::Db;
use crate::error::AppError;
use crate::web::i18n::cookie_value;

/// Set after a write: reads go to the primary while it lasts.
pub const WROTE_COOKIE: &str = "veche_wrote";
/// How long after a write a browser keeps reading the primary.
pub const FRESH_SECS: u32 = 30;

/// The replica's pool, when `DATABASE_REPLICA_URL` names one.
pub async fn connect_from_env(max_connections: u32) -> anyhow::Result<Option<Db>> {
    let Some(url) = std::env::var("DATABASE_REPLICA_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        return Ok(None);
    };
    anyhow::ensure!(
        url.starts_with("postgres://") || url.starts_with("postgresql://"),
        "DATABASE_REPLICA_URL must be a PostgreSQL URL (a streaming replica of DATABASE_URL)"
    );
    Ok(Some(Db::connect_url(&url, max_connections).await?))
}

/// Whether this request may read a lagging copy (see the module's rule).
pub fn may_lag(method: &Method, headers: &axum::http::HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && cookie_value(headers, WROTE_COOKIE).is_none()
        && cookie_value(headers, "veche_session").is_none()
}

/// The pool a lag-tolerant read of this request uses: the replica, or the
/// primary when there is none or the rule says so.
pub struct LagTolerant(pub Db);

impl FromRequestParts<AppState> for LagTolerant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(LagTolerant(
            match (&state.replica, may_lag(&parts.method, &parts.headers)) {
                (Some(replica), true) => replica.clone(),
                _ => state.db.clone(),
            },
        ))
    }
}

impl LagTolerant {
    /// The application state with this pool as its database, for code that
    /// takes the whole state (the home page's sections).
    pub fn state(&self, state: &AppState) -> AppState {
        AppState {
            db: self.0.clone(),
            ..state.clone()
        }
    }
}

/// The middleware: marks a browser that has just written (any method but
/// `GET`/`HEAD`/`OPTIONS`). Only with a replica configured, so a single
/// node's responses stay as they were.
pub async fn mark_writes(secure: bool, request: Request, next: Next) -> Response {
    let wrote = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut response = next.run(request).await;
    if wrote {
        let cookie = format!(
            "{WROTE_COOKIE}=1; Max-Age={FRESH_SECS}; Path=/; HttpOnly; SameSite=Lax{}",
            if secure { "; Secure" } else { "" }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
