//! Support and follow: a citizen backs an open request (once, and may
//! take it back while it is open) and follows what happens to it. The
//! rules and their writes, and the page actions of every kind of request.

use axum::response::Response;

use super::batch::{Supports, Vote};
use super::page::visible_kind;
use super::queries::{self, AppealRow};
use super::{Kind, followed_by_change};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};

fn support_closed() -> AppError {
    AppError::conflict(
        "request_closed",
        Msg::new(
            "Обращение уже решено или закрыто: поддержку можно дать или отозвать, только пока оно открыто.",
            "The request is already resolved or closed: support can be given or withdrawn only while it is open.",
        ),
    )
}

/// The request, when support may be given or withdrawn: public (else it
/// does not exist for the citizen) and open.
async fn open_request(tx: &mut crate::db::Tx, appeal_id: i64) -> AppResult<AppealRow> {
    let a = queries::appeal_locked(tx, appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !a.state().is_public() {
        return Err(AppError::not_found());
    }
    if !a.state().is_open() {
        return Err(support_closed());
    }
    Ok(a)
}

/// Withdraws a citizen's support while the request is open; the citizen
/// keeps following it (unfollowing is its own choice).
pub async fn withdraw_support(db: &Db, appeal_id: i64, account_id: i64) -> AppResult<AppealRow> {
    let mut tx = db.begin().await?;
    let a = withdraw_in(&mut tx, appeal_id, account_id).await?;
    tx.commit().await?;
    Ok(a)
}

/// [`withdraw_support`] inside the caller's transaction.
pub async fn withdraw_in(
    tx: &mut crate::db::Tx,
    appeal_id: i64,
    account_id: i64,
) -> AppResult<AppealRow> {
    open_request(tx, appeal_id).await?;
    if !queries::remove_support(tx, appeal_id, account_id).await? {
        return Err(AppError::conflict(
            "not_supported",
            Msg::new(
                "Вы не поддерживали это обращение.",
                "You do not support this request.",
            ),
        ));
    }
    crate::activity::retract(
        tx,
        account_id,
        &crate::activity::topic("request", appeal_id),
        crate::activity::Category::Supports,
    )
    .await?;
    let a = queries::appeal_tx(tx, appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(a)
}

/// Supports a request once per citizen (and follows it), while it is open.
pub async fn support(db: &Db, appeal_id: i64, account_id: i64) -> AppResult<AppealRow> {
    let mut tx = db.begin().await?;
    let a = support_in(&mut tx, appeal_id, account_id).await?;
    tx.commit().await?;
    Ok(a)
}

/// [`support`] inside the caller's transaction.
pub async fn support_in(
    tx: &mut crate::db::Tx,
    appeal_id: i64,
    account_id: i64,
) -> AppResult<AppealRow> {
    let a = open_request(tx, appeal_id).await?;
    if a.author_id == account_id {
        return Err(AppError::conflict(
            "own_request",
            Msg::new(
                "Своё обращение поддерживать не нужно: вы уже получаете все уведомления о нём.",
                "There is no need to support your own request: you already follow it.",
            ),
        ));
    }
    if !queries::add_support(tx, appeal_id, account_id).await? {
        return Err(AppError::conflict(
            "already_supported",
            Msg::new(
                "Вы уже поддержали это обращение.",
                "You have already supported this request.",
            ),
        ));
    }
    queries::follow(tx, appeal_id, account_id).await?;
    super::feed::supported(tx, &a, account_id).await?;
    followed_by_change(tx, &a).await?;
    let a = queries::appeal_tx(tx, appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(a)
}

/// Supports a request of any kind, through the process's group commit
/// (`batch`).
pub async fn support_of(
    kind: Kind,
    user: CurrentUser,
    db: &Db,
    supports: &Supports,
    id: String,
) -> AppResult<Response> {
    let a = visible_kind(db, kind, &id, Some(&user)).await?;
    supports
        .vote(db, Vote::Support, a.appeal_id, user.account_id)
        .await?;
    Ok(kind.redirect(a.appeal_id, "?supported=1"))
}

/// Withdraws the citizen's support of a request of any kind.
pub async fn unsupport_of(
    kind: Kind,
    user: CurrentUser,
    db: &Db,
    supports: &Supports,
    id: String,
) -> AppResult<Response> {
    let a = visible_kind(db, kind, &id, Some(&user)).await?;
    supports
        .vote(db, Vote::Withdraw, a.appeal_id, user.account_id)
        .await?;
    Ok(kind.redirect(a.appeal_id, ""))
}

/// Follows (or stops following) a request of any kind.
pub async fn follow_of(
    kind: Kind,
    user: CurrentUser,
    db: &Db,
    id: String,
    on: bool,
) -> AppResult<Response> {
    let a = visible_kind(db, kind, &id, Some(&user)).await?;
    if on {
        let mut tx = db.begin().await?;
        queries::follow(&mut tx, a.appeal_id, user.account_id).await?;
        tx.commit().await?;
    } else {
        queries::unfollow(db, a.appeal_id, user.account_id).await?;
    }
    Ok(kind.redirect(a.appeal_id, ""))
}

/// `POST {base}/{id}/support`, `/unsupport`, `/follow` and `/unfollow` of
/// a kind's requests: the same for every kind, so each feature merges these
/// rather than writing four handlers.
pub fn support_routes(kind: Kind) -> axum::Router<AppState> {
    use axum::extract::{Path, State};
    use axum::routing::post;
    let at = |what: &str| format!("{}/{{id}}/{what}", kind.base());
    axum::Router::new()
        .route(
            &at("support"),
            post(
                move |user: CurrentUser,
                      State(db): State<Db>,
                      State(supports): State<crate::workflow::batch::Supports>,
                      Path(id): Path<String>| async move {
                    support_of(kind, user, &db, &supports, id).await
                },
            ),
        )
        .route(
            &at("unsupport"),
            post(
                move |user: CurrentUser,
                      State(db): State<Db>,
                      State(supports): State<crate::workflow::batch::Supports>,
                      Path(id): Path<String>| async move {
                    unsupport_of(kind, user, &db, &supports, id).await
                },
            ),
        )
        .route(
            &at("follow"),
            post(
                move |user: CurrentUser, State(db): State<Db>, Path(id): Path<String>| async move {
                    follow_of(kind, user, &db, id, true).await
                },
            ),
        )
        .route(
            &at("unfollow"),
            post(
                move |user: CurrentUser, State(db): State<Db>, Path(id): Path<String>| async move {
                    follow_of(kind, user, &db, id, false).await
                },
            ),
        )
}
