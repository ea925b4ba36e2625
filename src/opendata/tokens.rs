//! Personal API tokens: 32 random bytes shown once, stored as SHA-256.
//! Programs send them as `Authorization: Bearer <token>`; a token can do what
//! its account can, no more.

use axum::http::{HeaderMap, header};
use base64::Engine;
use rand::RngCore;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::opendata::queries;

/// Creates a token for the account; returns it (the only time it exists in clear).
pub async fn create(state: &AppState, account_id: i64, name: &str) -> AppResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "veche_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let mut tx = state.db.begin().await?;
    queries::insert_api_token(
        &mut tx,
        &crate::auth::queries::token_hash(&token),
        account_id,
        name,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(account_id, "API token created");
    Ok(token)
}

/// The account of the request's bearer token: 401 without a valid one.
pub async fn bearer_user(state: &AppState, headers: &HeaderMap) -> AppResult<CurrentUser> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized)?;
    let account_id = queries::account_of_token(&state.db, &crate::auth::queries::token_hash(token))
        .await?
        .ok_or(AppError::Unauthorized)?;
    CurrentUser::for_account(state, account_id)
        .await?
        .ok_or(AppError::Unauthorized)
}
