//! Risk flags: what `domain::flags` finds on a date is compared with the
//! open flags; a new one is raised and opens an order in the core, a gone
//! one is cleared and closes it. Both through the integration exchange
//! (`control.raised`, `control.cleared`) in the transaction that writes the
//! flag, so the core hears of each flag once whatever crashes.
//!
//! Run after every change of an organisation's staff and hourly for all
//! (a key post's vacancy grows older without anyone touching it). Two runs
//! at once raise a flag once: the open flag is unique per (kind, subject).

use time::{Date, Duration};

use super::domain::{self, Flag, FlagKind};
use super::figures::Snapshot;
use super::queries::{self, FlagRow};
use crate::app::AppState;
use crate::db::Tx;
use crate::error::AppResult;
use crate::integration::messages::{Body, ControlCleared, ControlRaised};

/// Days the core's order gives to deal with a risk.
const ORDER_DAYS: i64 = 30;

/// Today in the krai, by the service clock (the demo moves it).
pub fn today() -> Date {
    crate::db::now().to_offset(time::macros::offset!(+3)).date()
}

/// The key the core knows a flag's order by.
fn key(flag_id: i64) -> String {
    format!("staffing:flag:{flag_id}")
}

/// Brings the flags of `org` in line with its staff on `at`; how many
/// were raised and cleared.
pub async fn sweep(state: &AppState, org: &str, at: Date) -> AppResult<(usize, usize)> {
    let snap = Snapshot::load(&state.db, org, at).await?;
    let t = queries::thresholds(&state.db, org).await?;
    let want = domain::flags(&snap.positions, &snap.by_unit(), &t, at);
    let mut tx = state.db.begin().await?;
    let open = queries::open_flags_tx(&mut tx, org).await?;
    let same = |o: &FlagRow, f: &Flag| o.kind == f.kind.as_str() && o.subject == f.subject;
    let (mut raised, mut cleared) = (0, 0);
    for f in &want {
        match open.iter().find(|o| same(o, f)) {
            Some(o) if o.value != f.value => {
                queries::update_flag_value(&mut tx, o.flag_id, f.value).await?;
            }
            Some(_) => {}
            None => {
                if let Some(id) = queries::raise_flag(&mut tx, org, f).await? {
                    let (title, description) = describe(&snap, f, &t);
                    emit_raised(&mut tx, state, org, id, title, description).await?;
                    raised += 1;
                }
            }
        }
    }
    for o in open.iter().filter(|o| !want.iter().any(|f| same(o, f))) {
        if queries::clear_flag(&mut tx, o.flag_id).await? {
            let core = crate::integration::core_for(&mut tx, state, org).await?;
            crate::integration::exchange::emit(
                &mut tx,
                &core,
                Body::ControlCleared(ControlCleared {
                    key: key(o.flag_id),
                    note: "Риск устранён: показатели укомплектованности в норме.".into(),
                }),
            )
            .await?;
            cleared += 1;
        }
    }
    tx.commit().await?;
    Ok((raised, cleared))
}

/// Every organisation with a schedule, on today's date.
pub async fn sweep_all(state: &AppState) -> AppResult<()> {
    let at = today();
    for (org, _) in queries::organisations(&state.db).await? {
        // One organisation's failure must not leave the others unchecked.
        if let Err(e) = sweep(state, &org, at).await {
            tracing::warn!(organisation = %org, error = %e.message().en, "staffing risks not checked");
        }
    }
    Ok(())
}

async fn emit_raised(
    tx: &mut Tx,
    state: &AppState,
    org: &str,
    flag_id: i64,
    title: String,
    description: String,
) -> AppResult<()> {
    let url = format!("{}/pm/staff/organisations/{org}", state.config.base_url());
    let core = crate::integration::core_for(tx, state, org).await?;
    crate::integration::exchange::emit(
        tx,
        &core,
        Body::ControlRaised(ControlRaised {
            key: key(flag_id),
            organisation_id: org.to_owned(),
            title,
            description,
            url,
            deadline: crate::db::now() + Duration::days(ORDER_DAYS),
        }),
    )
    .await?;
    Ok(())
}

/// The order's title and text. Stored once, in Russian, like every text
/// the core receives from a message; no person is named.
fn describe(snap: &Snapshot, f: &Flag, t: &domain::Thresholds) -> (String, String) {
    let unit = snap.unit_name(f.unit_id);
    match f.kind {
        FlagKind::KeyVacant => {
            let title = snap
                .positions
                .iter()
                .find(|p| p.line.position_id == f.subject)
                .map_or("", |p| p.line.title.as_str());
            (
                format!(
                    "Укомплектованность: ключевая должность «{title}» ({unit}) вакантна {} дн.",
                    f.value
                ),
                format!(
                    "Ключевая должность вакантна дольше {} дн. Закройте вакансию или назначьте \
                     исполняющего обязанности и доложите о принятых мерах.",
                    t.key_vacant_days
                ),
            )
        }
        FlagKind::UnitFill => (
            format!(
                "Укомплектованность: «{unit}» укомплектовано на {} %",
                f.value
            ),
            format!(
                "Укомплектованность подразделения ниже порога {} %. Подготовьте план замещения \
                 вакантных должностей.",
                t.unit_min_fill
            ),
        ),
        FlagKind::UnitActing => (
            format!(
                "Укомплектованность: в «{unit}» {} % ставок замещают временно исполняющие обязанности",
                f.value
            ),
            format!(
                "Доля временно исполняющих обязанности выше порога {} %. Проведите конкурс на \
                 замещение должностей.",
                t.acting_max
            ),
        ),
    }
}
