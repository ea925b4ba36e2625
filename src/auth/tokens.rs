//! Personal API tokens: 32 random bytes shown once, stored as SHA-256.
//! Programs send them as `Authorization: Bearer <token>`; a token can do what
//! its account can, no more.

use axum::http::{HeaderMap, header};
use base64::Engine;
use rand::RngCore;
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult};
use crate::exec_tx;
use crate::{exec_db, on_db};

/// Creates a token for the account; returns it (the only time it exists in clear).
pub async fn create(db: &Db, account_id: i64, name: &str) -> AppResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "veche_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let mut tx = db.begin().await?;
    insert_api_token(
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
pub async fn bearer_user(db: &Db, headers: &HeaderMap) -> AppResult<CurrentUser> {
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
    let account_id = account_of_token(db, &crate::auth::queries::token_hash(token))
        .await?
        .ok_or(AppError::Unauthorized)?;
    CurrentUser::for_account(db, account_id)
        .await?
        .ok_or(AppError::Unauthorized)
}

pub async fn insert_api_token(
    tx: &mut Tx,
    hash: &str,
    account_id: i64,
    name: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into api_token (token_hash, account_id, name, created_at) values ($1, $2, $3, $4)",
        hash,
        account_id,
        name,
        now
    )?;
    Ok(())
}

/// The account of a token, marking it used.
pub async fn account_of_token(db: &Db, hash: &str) -> Result<Option<i64>, sqlx::Error> {
    let now = now();
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "update api_token set last_used_at = $2 where token_hash = $1 returning account_id"
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(pool)
    .await)
}

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub token_hash: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

pub async fn tokens_of(db: &Db, account_id: i64) -> Result<Vec<TokenRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, TokenRow>(
        "select token_hash, name, created_at, last_used_at from api_token where account_id = $1 order by created_at desc"
    )
    .bind(account_id)
    .fetch_all(pool)
    .await
    })
}

pub async fn delete_token(db: &Db, account_id: i64, hash_prefix: &str) -> Result<u64, sqlx::Error> {
    let pattern = format!("{}%", hash_prefix.replace(['%', '_'], ""));
    exec_db!(
        db,
        "delete from api_token where account_id = $1 and token_hash like $2",
        account_id,
        &pattern
    )
}
