//! The scheduled move past a stage's end, and the moderators' hiding of a
//! comment: writes that no stage's rule decides (`service` has the acts).

use super::comments;
use super::domain::{Outcome, Stage};
use super::queries;
use super::service::{Rules, Step, enter};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};

/// Moves on every initiative whose stage has ended: a concept short of
/// supports closes, a discussion passes to the text. Safe to run twice or
/// from two processes (each move is guarded by the stage it starts from).
pub async fn sweep(state: &AppState) -> anyhow::Result<usize> {
    let mut tx = state.db.begin().await?;
    let moved = sweep_in(&mut tx, state).await?;
    tx.commit().await?;
    if moved > 0 {
        tracing::info!(moved, "initiatives moved past the end of their stage");
        state.search.notify();
    }
    Ok(moved)
}

/// [`sweep`] inside the caller's transaction.
pub async fn sweep_in(tx: &mut Tx, state: &AppState) -> AppResult<usize> {
    let rules = Rules::of(&state.config);
    let ids = queries::stage_ended(tx, now()).await?;
    let mut moved = 0;
    for id in ids {
        let Some(i) = queries::initiative_tx(tx, id).await? else {
            continue;
        };
        match i.stage() {
            Stage::Concept if i.support_count >= i.supports_needed => {
                enter(tx, state, &i, Stage::Concept, Stage::Discussion, &rules).await?;
            }
            Stage::Concept => {
                if queries::close(tx, id, "concept", Outcome::NotEnoughSupport.as_str()).await? == 0
                {
                    continue;
                }
                let step = Step {
                    i: &i,
                    actor: None,
                    role: "system",
                };
                step.record(
                    tx,
                    "closed",
                    Stage::Closed,
                    Outcome::NotEnoughSupport.as_str(),
                )
                .await?;
            }
            Stage::Discussion => {
                enter(tx, state, &i, Stage::Discussion, Stage::Text, &rules).await?;
            }
            _ => continue,
        }
        crate::search::enqueue(tx, super::search::KIND, &id.to_string()).await?;
        crate::datasets::request_refresh(tx, super::dataset::INITIATIVES).await?;
        moved += 1;
    }
    Ok(moved)
}

/// A moderator hides or restores a comment, with the reason shown in its
/// place.
pub async fn moderate_comment(
    state: &AppState,
    moderator: &CurrentUser,
    comment_id: i64,
    hide: bool,
    reason: &str,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let c = comments::comment_tx(&mut tx, comment_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    comments::set_hidden(&mut tx, comment_id, hide, reason, moderator.account_id).await?;
    crate::activity::hide(
        &mut tx,
        &crate::activity::topic("initiative_comment", comment_id),
        hide,
    )
    .await?;
    let i = queries::initiative_tx(&mut tx, c.initiative_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let step = Step {
        i: &i,
        actor: Some(moderator.account_id),
        role: "moderator",
    };
    let what = if hide {
        "comment_hidden"
    } else {
        "comment_restored"
    };
    step.record(
        &mut tx,
        what,
        i.stage(),
        &format!("#{comment_id}: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
