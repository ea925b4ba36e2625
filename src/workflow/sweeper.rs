//! What happens with time: a reminder to the department two days before a
//! deadline, an escalation to the supervising portfolio when it passes,
//! rejection of clarifications not answered in 3 days, and closing of
//! resolutions not disputed in 14, and the moderators' digest of requests
//! waiting for them. Runs every minute in the server (and on
//! demand in tests); every step is idempotent, so several processes on one
//! database may run it.

use time::Duration;

use crate::app::AppState;
use crate::db::now;
use crate::error::AppResult;
use crate::workflow::lifecycle::{Action, Role};
use crate::workflow::queries::{self, NewEvent};
use crate::workflow::{State, notify, perform};

/// How long before the deadline the department is reminded.
pub const REMIND_BEFORE: Duration = Duration::days(2);

/// The portfolio (or the governor's office) that supervises an organisation.
/// Read inside the caller's transaction: on SQLite a second transaction
/// would wait for the first's write lock.
async fn supervisor(tx: &mut crate::db::Tx, organisation_id: &str) -> AppResult<Option<String>> {
    let chain = crate::directory::queries::ancestors(tx, organisation_id).await?;
    for id in chain {
        if let Some(o) = crate::directory::queries::by_id_tx(tx, &id).await?
            && matches!(o.kind.as_str(), "portfolio" | "governor_office")
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// One pass; returns how many requests it touched.
pub async fn sweep(state: &AppState) -> AppResult<usize> {
    let at = now();
    let mut touched = 0;
    for a in queries::due_for_sweep(&state.db, at, REMIND_BEFORE).await? {
        let s = a.state();
        if s == State::NeedsClarification && a.clarification_due_at.is_some_and(|d| d < at) {
            perform(
                state,
                a.appeal_id,
                None,
                Role::System,
                Action::ExpireClarification,
                &[],
            )
            .await?;
            touched += 1;
            continue;
        }
        if s == State::Resolved
            && a.resolved_at
                .is_some_and(|r| r + Duration::days(crate::workflow::lifecycle::DISPUTE_DAYS) < at)
        {
            perform(
                state,
                a.appeal_id,
                None,
                Role::System,
                Action::ExpireDispute,
                &[],
            )
            .await?;
            touched += 1;
            continue;
        }
        if !s.awaits_reaction() {
            continue;
        }
        let Some(due) = a.due_at else { continue };
        let Some(org) = a.organisation_id.clone() else {
            continue;
        };
        let mut row = a.clone();
        let mut tx = state.db.begin().await?;
        let mut changed = false;
        if row.reminded_at.is_none() && due - REMIND_BEFORE < at {
            let when = crate::web::components::datetime(crate::web::i18n::Locale::Ru, due);
            let when_en = crate::web::components::datetime(crate::web::i18n::Locale::En, due);
            notify::organisation(
                &mut tx,
                state,
                &org,
                &row,
                (
                    &format!(
                        "Напоминание: ответ по обращению №{} нужно дать до {when} (МСК).",
                        row.appeal_id
                    ),
                    &format!(
                        "Reminder: request #{} must be answered by {when_en} (Moscow time).",
                        row.appeal_id
                    ),
                ),
            )
            .await?;
            queries::insert_event(
                &mut tx,
                &NewEvent {
                    appeal_id: row.appeal_id,
                    kind: "reminded",
                    from_state: None,
                    to_state: None,
                    actor_id: None,
                    actor_role: "system",
                    organisation_id: Some(&org),
                    note: "",
                    public: false,
                },
            )
            .await?;
            row.reminded_at = Some(at);
            changed = true;
        }
        if row.escalated_at.is_none() && due < at {
            if let Some(sup) = supervisor(&mut tx, &org).await? {
                notify::organisation(&mut tx, state, &sup, &row, (
                    &format!("Просрочен ответ по обращению №{}: ответственная организация не отреагировала в срок.", row.appeal_id),
                    &format!("Request #{} is overdue: the responsible organisation did not react in time.", row.appeal_id),
                ))
                .await?;
                queries::insert_event(
                    &mut tx,
                    &NewEvent {
                        appeal_id: row.appeal_id,
                        kind: "escalated",
                        from_state: None,
                        to_state: None,
                        actor_id: None,
                        actor_role: "system",
                        organisation_id: Some(&sup),
                        note: "",
                        public: false,
                    },
                )
                .await?;
            }
            row.escalated_at = Some(at);
            changed = true;
        }
        if changed {
            queries::save_appeal(&mut tx, &row).await?;
            tx.commit().await?;
            state.mailer.notify();
            touched += 1;
        }
    }
    if notify::moderation_digest(state).await? {
        touched += 1;
    }
    Ok(touched)
}
