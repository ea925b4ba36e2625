//! The browser's side of Web Push: the server's public key, and a signed-in
//! person's opt-in and opt-out for this device. JSON from the page's
//! script, with the page's CSRF token in `X-CSRF-Token` (the site's CSRF
//! middleware checks every unsafe request outside `/api/`).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::web::extract::Json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/push/key", get(key))
        .route("/push/subscriptions", post(add))
        .route("/push/subscriptions/delete", post(remove))
}

/// `GET /push/key`: the VAPID public key (`applicationServerKey`).
async fn key(State(state): State<AppState>) -> AppResult<Response> {
    let (_, public) = super::vapid_keys(&state.db).await?;
    Ok(axum::Json(serde_json::json!({ "public_key": public })).into_response())
}

#[derive(Deserialize)]
struct Add {
    subscription: super::NewSubscription,
    /// The part of the site the button was on (`/pm/`), `/` by default.
    #[serde(default)]
    scope: Option<String>,
}

/// `POST /push/subscriptions`: this device hears of what is new for the
/// person signed in.
async fn add(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(a): Json<Add>,
) -> AppResult<Response> {
    let scope = a.scope.unwrap_or_else(|| "/".to_owned());
    let (url, p256dh, auth) = super::check(
        &a.subscription,
        &scope,
        &state.config.integration.outbound_allow_hosts,
    )
    .await
    .map_err(|m| AppError::unprocessable("invalid_subscription", m))?;
    let mut tx = state.db.begin().await?;
    super::subscribe(&mut tx, user.account_id, &url, &p256dh, &auth, &scope).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "subscribed": true })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct Remove {
    endpoint: String,
}

/// `POST /push/subscriptions/delete`: this device stops hearing.
async fn remove(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(r): Json<Remove>,
) -> AppResult<Response> {
    let removed = super::unsubscribe(&state.db, user.account_id, &r.endpoint).await?;
    Ok(axum::Json(serde_json::json!({ "removed": removed })).into_response())
}
