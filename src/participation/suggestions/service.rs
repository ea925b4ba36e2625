//! Filing a suggestion (one transaction: the request in the shared
//! workflow and what a suggestion adds to it), commenting, and moderating
//! comments.

use axum::http::StatusCode;

use super::queries;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, Msg};
use crate::workflow::queries::AppealRow;
use crate::workflow::{self, NewRequest};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;
pub const COMMENT_MAX: usize = 2000;

/// What a suggestion answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Problem(i64),
    Priority(i64),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::Problem(_) => "problem",
            Target::Priority(_) => "priority",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Target::Problem(id) | Target::Priority(id) => id,
        }
    }

    pub fn of(kind: Option<&str>, id: Option<i64>) -> Option<Target> {
        match (kind?, id?) {
            ("problem", id) => Some(Target::Problem(id)),
            ("priority", id) => Some(Target::Priority(id)),
            _ => None,
        }
    }
}

/// A suggestion as the form sends it, parsed once.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub title: String,
    pub description: String,
    pub topic: String,
    pub target: Option<Target>,
    /// The place of a standalone suggestion (one that answers a report or
    /// a priority takes its place from it).
    pub place: Option<workflow::input::Place>,
    pub address: String,
    pub hide_name: bool,
    pub client_key: Option<String>,
}

fn unknown_target() -> AppError {
    AppError::unprocessable(
        "unknown_target",
        Msg::new(
            "Такого опубликованного сообщения о проблеме или приоритета нет.",
            "There is no such published problem report or priority.",
        ),
    )
}

/// Files a suggestion in one transaction. One that answers a problem
/// report goes to the organisation that answers the report, at its place;
/// one for a priority to the priority's organisation, at the centre of its
/// municipality (the krai's capital for a regional one); a standalone one
/// is routed by its topic and place like a report.
pub async fn submit(state: &AppState, user: &CurrentUser, p: &Proposal) -> AppResult<AppealRow> {
    let mut tx = state.db.begin().await?;
    let a = submit_in(&mut tx, state, user, p).await?;
    tx.commit().await?;
    state.search.notify();
    state.mailer.notify();
    Ok(a)
}

/// [`submit`] inside the caller's transaction.
pub async fn submit_in(
    tx: &mut crate::db::Tx,
    state: &AppState,
    user: &CurrentUser,
    p: &Proposal,
) -> AppResult<AppealRow> {
    let (point, approximate, address, organisation) = match p.target {
        Some(Target::Problem(id)) => {
            let a = workflow::queries::appeal_tx(tx, id)
                .await?
                .filter(|a| a.kind == super::TARGET_KIND && a.state().is_public())
                .ok_or_else(unknown_target)?;
            (
                crate::geo::GeoPoint {
                    lat: a.lat,
                    lon: a.lon,
                },
                a.approximate,
                a.address.clone(),
                a.organisation_id.clone(),
            )
        }
        Some(Target::Priority(id)) => {
            // Published only: a frozen priority is under review, and its
            // page offers no suggestion either.
            let pr = crate::participation::priorities::queries::priority_tx(tx, id)
                .await?
                .filter(|p| p.state() == crate::participation::priorities::domain::State::Published)
                .ok_or_else(unknown_target)?;
            (
                crate::participation::centre_of(pr.municipality_id.as_deref()),
                true,
                crate::participation::priorities::views::scope_name(
                    crate::web::i18n::Locale::Ru,
                    pr.municipality_id
                        .as_deref()
                        .unwrap_or(crate::participation::priorities::REGION),
                ),
                Some(pr.organisation_id.clone()),
            )
        }
        None => {
            let place = p.place.ok_or_else(|| {
                AppError::unprocessable(
                    "invalid_place",
                    Msg::new(
                        "Укажите место на карте или адрес.",
                        "Give the place on the map or an address.",
                    ),
                )
            })?;
            (place.point, place.approximate, p.address.clone(), None)
        }
    };
    let a = workflow::submit_in(
        tx,
        state,
        user.account_id,
        &NewRequest {
            kind: super::SUGGESTION,
            category_id: p.topic.clone(),
            point,
            approximate,
            address,
            description: p.description.clone(),
            hide_name: p.hide_name,
            contact: None,
            client_key: p.client_key.clone(),
            organisation_id: organisation,
        },
        &[],
    )
    .await?;
    if queries::suggestion_tx(tx, a.appeal_id).await?.is_none() {
        queries::insert(
            tx,
            a.appeal_id,
            &p.title,
            p.target.map(|t| (t.kind(), t.id())),
        )
        .await?;
    }
    Ok(a)
}

/// Why `user` may not comment on the suggestion now (`None`: they may).
/// The page shows the form exactly when this is `None`.
pub fn may_comment(a: &AppealRow, user: Option<&CurrentUser>) -> Option<Msg> {
    if user.is_none() {
        Some(Msg::new(
            "Войдите, чтобы прокомментировать.",
            "Sign in to comment.",
        ))
    } else if !a.state().is_public() || !a.state().is_open() {
        Some(Msg::new(
            "Обсуждение закрыто: на предложение дан окончательный ответ.",
            "The discussion is closed: the suggestion has its final answer.",
        ))
    } else {
        None
    }
}

/// Adds a comment; a moderator publishes it.
pub async fn comment(
    state: &AppState,
    user: &CurrentUser,
    appeal_id: i64,
    body: &str,
) -> AppResult<()> {
    let a = workflow::queries::appeal(&state.db, appeal_id)
        .await?
        .filter(|a| a.kind == super::SUGGESTION.as_str() && a.state().is_public())
        .ok_or_else(AppError::not_found)?;
    if let Some(m) = may_comment(&a, Some(user)) {
        return Err(AppError::client(StatusCode::CONFLICT, "comments_closed", m));
    }
    let body = workflow::input::clean_text(body, COMMENT_MAX, "комментарий", "comment", true)
        .map_err(|m| AppError::unprocessable("invalid_input", m))?;
    state.suggestions.check(user.account_id)?;
    let mut tx = state.db.begin().await?;
    queries::add_comment(&mut tx, appeal_id, user.account_id, &body).await?;
    tx.commit().await?;
    tracing::info!(appeal_id, "suggestion comment awaits moderation");
    Ok(())
}

/// A moderator's decision on a comment.
pub async fn moderate(
    state: &AppState,
    moderator: &CurrentUser,
    comment_id: i64,
    publish: bool,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let done = queries::moderate(
        &mut tx,
        comment_id,
        if publish { "published" } else { "rejected" },
        moderator.account_id,
    )
    .await?;
    if !done {
        if !queries::comment_exists(&mut tx, comment_id).await? {
            return Err(AppError::not_found());
        }
        return Err(AppError::client(
            StatusCode::CONFLICT,
            "already_moderated",
            Msg::new(
                "Этот комментарий уже проверен.",
                "This comment has already been moderated.",
            ),
        ));
    }
    tx.commit().await?;
    Ok(())
}
