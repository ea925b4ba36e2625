//! What law-making writes to the shared activity stream: every public
//! timeline entry (the organisation or the site acting, seen by the
//! initiative's and the organisation's followers), and a person's own acts
//! (proposing, supporting, commenting), shown where they made them public.

use super::domain::Stage;
use super::service::Step;
use crate::activity::{self, Category, NewActivity, topic};
use crate::db::Tx;
use crate::error::AppResult;
use crate::web::i18n::Locale;

fn link(id: i64) -> String {
    format!("/participation/lawmaking/{id}")
}

/// A timeline entry, once the initiative is public.
pub(super) async fn timeline(
    tx: &mut Tx,
    step: &Step<'_>,
    action: &str,
    stage: Stage,
    note: &str,
) -> AppResult<()> {
    // Decided by the stage the entry leaves the initiative in: `step.i` is
    // the row as it was before the act (still in moderation when published).
    if stage == Stage::Moderation || matches!(action, "proposed" | "declined") {
        return Ok(());
    }
    let label = |l| super::page::action_label(l, action, stage.as_str(), note);
    let (ru, en) = (
        format!("Инициатива «{}»: {}", step.i.title, label(Locale::Ru)),
        format!("Initiative “{}”: {}", step.i.title, label(Locale::En)),
    );
    activity::record(
        tx,
        &NewActivity::official(
            &topic("initiative", step.i.initiative_id),
            &[
                topic("initiative", step.i.initiative_id),
                topic("org", &step.i.organisation_id),
            ],
            (&ru, &en),
            &link(step.i.initiative_id),
        ),
    )
    .await?;
    Ok(())
}

/// A person's own act on the initiative.
pub(super) async fn personal(
    tx: &mut Tx,
    step: &Step<'_>,
    category: Category,
    subject: &str,
    text: (&str, &str),
) -> AppResult<()> {
    let (ru, en) = (
        format!("{} «{}»", text.0, step.i.title),
        format!("{} “{}”", text.1, step.i.title),
    );
    activity::record(
        tx,
        &NewActivity {
            actor: step.actor,
            anonymous: false,
            category,
            subject,
            topics: &[topic("initiative", step.i.initiative_id)],
            text: (&ru, &en),
            link: &link(step.i.initiative_id),
        },
    )
    .await?;
    Ok(())
}
