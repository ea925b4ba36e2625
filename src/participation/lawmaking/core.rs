//! A decision on an initiative, mirrored in the project-management core as
//! an order to the responsible organisation (`initiative.decided` through
//! the integration exchange, in the decision's transaction), due by the
//! report answers' SLA rules: adopting an act, sending it to the assembly
//! or answering a rejection is work someone must be seen to do.

use super::domain::Outcome;
use super::queries::InitiativeRow;
use crate::app::AppState;
use crate::db::{Tx, now};
use crate::error::AppResult;
use crate::integration::messages::{Body, InitiativeDecided};

pub async fn mirror_decision(
    tx: &mut Tx,
    state: &AppState,
    i: &InitiativeRow,
    outcome: Outcome,
    details: &str,
) -> AppResult<()> {
    let s = crate::workflow::settings(&state.db).await?;
    let deadline = crate::workflow::sla::due(
        now(),
        s.sla_mode,
        s.sla_days,
        crate::workflow::sla::russia(),
    );
    let title = format!(
        "Инициатива № {}: {} — {}",
        i.initiative_id,
        outcome.label(crate::web::i18n::Locale::Ru).to_lowercase(),
        i.title
    );
    let url = format!(
        "{}/participation/lawmaking/{}",
        state.config.base_url(),
        i.initiative_id
    );
    let core = crate::integration::core_for(tx, state, &i.organisation_id).await?;
    crate::integration::exchange::emit(
        tx,
        &core,
        Body::InitiativeDecided(InitiativeDecided {
            initiative_id: i.initiative_id,
            outcome: outcome.as_str().to_owned(),
            title,
            description: details.to_owned(),
            url,
            organisation_id: i.organisation_id.clone(),
            deadline,
        }),
    )
    .await?;
    Ok(())
}
