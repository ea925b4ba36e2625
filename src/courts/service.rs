//! Every change of a court case, shared by the pages, the import and the
//! demo: who may make it (`Access`, the rule the pages draw their forms
//! from), one transaction that also asks for the open statistics to be
//! republished, then the case's deadlines brought up to date (`alerts`).

use time::{Date, OffsetDateTime};

use super::domain::{Level, Outcome, PartyKind, Procedure, Risk, Role, dedup_key, payment_due};
use super::queries::{self, Decision, NewCase, NewEnforcement, NewInstance, NewParty};
use super::{SOURCE, alerts};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, AppResult, Msg};

pub use crate::directory::tree::{Access, access, may_edit};

/// The case, if `user` may change it.
async fn editable(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
) -> AppResult<queries::CaseRow> {
    let c = queries::case(&state.db, case_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    may_edit(&state.db, user, &c.organisation_id).await?;
    Ok(c)
}

/// After a change: republish the statistics, commit, then look at the
/// case's deadlines. The change is stored whatever that look finds: the
/// hourly sweep looks again.
async fn finish(state: &AppState, mut tx: Tx, case_id: i64) -> AppResult<()> {
    crate::datasets::request_refresh(&mut tx, SOURCE).await?;
    tx.commit().await?;
    if let Err(e) = alerts::sweep(state, case_id, alerts::today()).await {
        tracing::warn!(case = case_id, error = %e.message().en, "court deadlines not checked");
    }
    Ok(())
}

/// A party other than our organisation.
#[derive(Debug, Clone)]
pub struct Party {
    pub kind: PartyKind,
    pub role: Role,
    pub name: String,
    pub inn: Option<String>,
    pub ogrn: Option<String>,
}

/// A new case as a form or a spreadsheet's row gives it, checked.
#[derive(Debug, Clone)]
pub struct NewCaseInput {
    pub organisation_id: String,
    pub role: Role,
    pub subject: String,
    pub category: super::domain::Category,
    pub procedure: Procedure,
    pub claimed: i64,
    pub risk: Risk,
    pub lawyer_account_id: Option<i64>,
    pub link: String,
    pub level: Level,
    pub court: String,
    pub number: String,
    pub received_on: Date,
    pub parties: Vec<Party>,
}

fn known(number: &str, case_id: i64) -> AppError {
    AppError::conflict(
        "case_known",
        Msg::new(
            format!("Дело № {number} в этом суде уже есть: карточка № {case_id}."),
            format!("Case No. {number} at that court is already there: card No. {case_id}."),
        ),
    )
}

/// Writes a case with its first known instance; `Ok(None)` when the court
/// and number are already known (nothing written).
pub async fn insert_case(tx: &mut Tx, c: &NewCaseInput, by: Option<i64>) -> AppResult<Option<i64>> {
    let key = dedup_key(&c.organisation_id, &c.court, &c.number);
    if queries::case_of_number(tx, &key).await?.is_some() {
        return Ok(None);
    }
    if let Some(l) = c.lawyer_account_id
        && !queries::is_officer(tx, l, &c.organisation_id).await?
    {
        return Err(AppError::invalid(
            "Юрист должен быть сотрудником организации.",
            "The lawyer must be an officer of the organisation.",
        ));
    }
    let case_id = queries::insert_case(
        tx,
        &NewCase {
            organisation_id: &c.organisation_id,
            role: c.role.as_str(),
            subject: &c.subject,
            category: c.category.as_str(),
            procedure: c.procedure.as_str(),
            claimed: c.claimed,
            risk: c.risk.as_str(),
            lawyer_account_id: c.lawyer_account_id,
            link: &c.link,
            created_by: by,
        },
    )
    .await?;
    for p in &c.parties {
        queries::insert_party(
            tx,
            case_id,
            &NewParty {
                kind: p.kind.as_str(),
                role: p.role.as_str(),
                name: &p.name,
                inn: p.inn.as_deref(),
                ogrn: p.ogrn.as_deref(),
            },
        )
        .await?;
    }
    let inserted = queries::insert_instance(
        tx,
        &NewInstance {
            case_id,
            level: c.level.as_str(),
            court: &c.court,
            number: &c.number,
            dedup_key: &key,
            received_on: c.received_on,
        },
    )
    .await?;
    if inserted.is_none() {
        // Another writer took the number between the look and the write.
        return Err(AppError::conflict(
            "case_known",
            Msg::new(
                "Дело с этим номером только что внесено.",
                "A case with that number has just been entered.",
            ),
        ));
    }
    Ok(Some(case_id))
}

/// A case entered by hand.
pub async fn create_case(state: &AppState, user: &CurrentUser, c: &NewCaseInput) -> AppResult<i64> {
    may_edit(&state.db, user, &c.organisation_id).await?;
    let mut tx = state.db.begin().await?;
    let key = dedup_key(&c.organisation_id, &c.court, &c.number);
    if let Some(existing) = queries::case_of_number(&mut tx, &key).await? {
        return Err(known(&c.number, existing));
    }
    let id = insert_case(&mut tx, c, Some(user.account_id))
        .await?
        .ok_or_else(|| known(&c.number, 0))?;
    finish(state, tx, id).await?;
    Ok(id)
}

/// Cases of a spreadsheet: all written or none; rows whose court and
/// number are known are counted and left as they are.
pub async fn import_cases(
    state: &AppState,
    user: &CurrentUser,
    rows: &[NewCaseInput],
) -> AppResult<(usize, usize)> {
    for org in rows
        .iter()
        .map(|r| r.organisation_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
    {
        may_edit(&state.db, user, org).await?;
    }
    let mut tx = state.db.begin().await?;
    let (mut created, mut skipped) = (0, 0);
    let mut ids = Vec::new();
    for r in rows {
        match insert_case(&mut tx, r, Some(user.account_id)).await? {
            Some(id) => {
                created += 1;
                ids.push(id);
            }
            None => skipped += 1,
        }
    }
    crate::datasets::request_refresh(&mut tx, SOURCE).await?;
    tx.commit().await?;
    if let Err(e) = alerts::sweep(state, 0, alerts::today()).await {
        tracing::warn!(error = %e.message().en, "court deadlines not checked");
    }
    Ok((created, skipped))
}

/// The case moves to a higher instance (an appeal filed, a cassation).
pub async fn add_instance(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    level: Level,
    court: &str,
    number: &str,
    received_on: Date,
) -> AppResult<()> {
    let case = editable(state, user, case_id).await?;
    let mut tx = state.db.begin().await?;
    let key = dedup_key(&case.organisation_id, court, number);
    if let Some(existing) = queries::case_of_number(&mut tx, &key).await? {
        return Err(known(number, existing));
    }
    // Instances go up: a case goes to the next instance after the ones it
    // has been at (cassation may follow an appeal, never precede it).
    let rank = |l: &str| Level::parse(l).map_or(0, |l| l as u8);
    let have = queries::instances_tx(&mut tx, case_id).await?;
    if have.iter().any(|i| rank(&i.level) >= level as u8) {
        return Err(AppError::conflict(
            "instance_order",
            Msg::new(
                "У дела уже есть эта или более высокая инстанция.",
                "The case already has this or a higher instance.",
            ),
        ));
    }
    queries::insert_instance(
        &mut tx,
        &NewInstance {
            case_id,
            level: level.as_str(),
            court,
            number,
            dedup_key: &key,
            received_on,
        },
    )
    .await?
    .ok_or_else(|| {
        AppError::conflict(
            "case_known",
            Msg::new(
                "Эта инстанция или этот номер только что внесены.",
                "That instance or that number has just been entered.",
            ),
        )
    })?;
    recompute(&mut tx, case_id).await?;
    finish(state, tx, case_id).await
}

/// What a court decided at an instance.
pub struct DecisionInput {
    pub decided_on: Date,
    pub full_text_on: Option<Date>,
    pub in_force_on: Option<Date>,
    pub outcome: Outcome,
    pub awarded: Option<i64>,
}

pub async fn record_decision(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    instance_id: i64,
    d: &DecisionInput,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    for later in [d.full_text_on, d.in_force_on].into_iter().flatten() {
        if later < d.decided_on {
            return Err(AppError::invalid(
                "Решение не может быть изготовлено или вступить в силу раньше, чем принято.",
                "A decision cannot be written out or come into force before it is made.",
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    if !queries::instances_tx(&mut tx, case_id)
        .await?
        .iter()
        .any(|i| i.instance_id == instance_id)
    {
        return Err(AppError::not_found());
    }
    queries::set_decision(
        &mut tx,
        instance_id,
        &Decision {
            decided_on: Some(d.decided_on),
            full_text_on: d.full_text_on,
            in_force_on: d.in_force_on,
            outcome: Some(d.outcome.as_str()),
        },
    )
    .await?;
    if let Some(a) = d.awarded {
        queries::set_case_result(&mut tx, case_id, d.outcome.as_str(), Some(a), None).await?;
    }
    recompute(&mut tx, case_id).await?;
    finish(state, tx, case_id).await
}

/// The case's outcome is its highest instance's: pending while that
/// instance has not decided; final from the day that decision is in force.
pub async fn recompute(tx: &mut Tx, case_id: i64) -> AppResult<()> {
    let all = queries::instances_tx(tx, case_id).await?;
    let top = all
        .iter()
        .max_by_key(|i| Level::parse(&i.level).map_or(0, |l| l as u8));
    let (outcome, final_on) = match top {
        Some(i) => (
            i.outcome.clone().unwrap_or_else(|| "pending".into()),
            i.in_force_on,
        ),
        None => ("pending".into(), None),
    };
    queries::set_case_result(tx, case_id, &outcome, None, final_on).await?;
    Ok(())
}

pub async fn set_risk(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    risk: Risk,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    let mut tx = state.db.begin().await?;
    queries::set_risk(&mut tx, case_id, risk.as_str()).await?;
    finish(state, tx, case_id).await
}

async fn instance_of(tx: &mut Tx, case_id: i64, instance_id: i64) -> AppResult<()> {
    if queries::instances_tx(tx, case_id)
        .await?
        .iter()
        .any(|i| i.instance_id == instance_id)
    {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

pub async fn add_hearing(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    instance_id: i64,
    starts_at: OffsetDateTime,
    courtroom: &str,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    let mut tx = state.db.begin().await?;
    instance_of(&mut tx, case_id, instance_id).await?;
    queries::insert_hearing(&mut tx, instance_id, starts_at, courtroom).await?;
    finish(state, tx, case_id).await
}

pub async fn hearing_result(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    hearing_id: i64,
    result: &str,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    let mut tx = state.db.begin().await?;
    if queries::set_hearing_result(&mut tx, case_id, hearing_id, result).await? == 0 {
        return Err(AppError::not_found());
    }
    finish(state, tx, case_id).await
}

pub struct EventInput {
    pub instance_id: i64,
    pub day: Date,
    pub kind: String,
    pub result: String,
    pub document: String,
}

pub async fn add_event(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    e: &EventInput,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    let mut tx = state.db.begin().await?;
    instance_of(&mut tx, case_id, e.instance_id).await?;
    queries::insert_event(
        &mut tx,
        e.instance_id,
        e.day,
        &e.kind,
        &e.result,
        &e.document,
    )
    .await?;
    finish(state, tx, case_id).await
}

pub struct EnforcementInput {
    pub writ_number: String,
    pub writ_date: Date,
    pub body: String,
    pub received_on: Date,
    pub amount: i64,
}

pub async fn add_enforcement(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    e: &EnforcementInput,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    if e.received_on < e.writ_date {
        return Err(AppError::invalid(
            "Лист не мог поступить раньше, чем выдан.",
            "A writ cannot arrive before it is issued.",
        ));
    }
    let mut tx = state.db.begin().await?;
    queries::insert_enforcement(
        &mut tx,
        case_id,
        &NewEnforcement {
            writ_number: &e.writ_number,
            writ_date: e.writ_date,
            body: &e.body,
            received_on: e.received_on,
            due_on: payment_due(e.received_on),
            amount: e.amount,
        },
    )
    .await?;
    finish(state, tx, case_id).await
}

pub async fn add_payment(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    enforcement_id: i64,
    amount: i64,
) -> AppResult<()> {
    editable(state, user, case_id).await?;
    let mut tx = state.db.begin().await?;
    if !queries::add_payment(&mut tx, case_id, enforcement_id, amount).await? {
        return Err(AppError::invalid(
            "Платёж больше остатка по листу (или листа нет).",
            "The payment is more than what remains on the writ (or there is no such writ).",
        ));
    }
    finish(state, tx, case_id).await
}
