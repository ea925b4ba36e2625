//! Every change of staff data, shared by the pages and the demo: who may
//! do it (`Access`, the rule the pages also draw their forms from), the
//! checks, one transaction that also asks for the open dataset to be
//! republished, then the flags of the organisation brought up to date.

use time::Date;

use super::domain::{AbsenceKind, Rates, Thresholds};
use super::import::Row;
use super::queries::{self, NewAssignment, NewLine, NewSchedule};
use super::{SOURCE, flags};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, AppResult};

pub use crate::directory::tree::{Access, access, may_edit};

/// After a change: republish the aggregates, then look at the risks.
async fn finish(state: &AppState, mut tx: Tx, org: &str) -> AppResult<()> {
    crate::datasets::request_refresh(&mut tx, SOURCE).await?;
    tx.commit().await?;
    // The change is stored: a failed look at the risks must not answer
    // with an error (a retry would repeat the change); the hourly sweep
    // looks again.
    if let Err(e) = flags::sweep(state, org, flags::today()).await {
        tracing::warn!(organisation = org, error = %e.message().en, "staffing risks not checked");
    }
    Ok(())
}

pub struct ScheduleHeader {
    pub order_number: String,
    pub order_date: Date,
    pub valid_from: Date,
}

/// A checked Т-3 becomes a new version of `org`'s schedule: its units and
/// positions made or updated by their codes, the previous version ended the
/// day before. All or nothing.
pub async fn import_schedule(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    h: &ScheduleHeader,
    rows: &[Row],
) -> AppResult<i64> {
    may_edit(&state.db, user, org).await?;
    let mut tx = state.db.begin().await?;
    let Some(schedule_id) = queries::insert_schedule(
        &mut tx,
        &NewSchedule {
            organisation_id: org,
            order_number: &h.order_number,
            order_date: h.order_date,
            valid_from: h.valid_from,
            imported_by: user.account_id,
        },
    )
    .await?
    else {
        return Err(AppError::conflict(
            "staffing_conflict",
            crate::error::Msg::new(
                "Версия штатного расписания с этой датой начала уже есть.",
                "A version of the schedule starting on that day is already there.",
            ),
        ));
    };
    write_lines(&mut tx, org, schedule_id, h.valid_from, rows).await?;
    finish(state, tx, org).await?;
    Ok(schedule_id)
}

/// The units (parents after their children are known), positions and lines
/// of a version in force from `valid_from`.
pub async fn write_lines(
    tx: &mut Tx,
    org: &str,
    schedule_id: i64,
    valid_from: Date,
    rows: &[Row],
) -> AppResult<()> {
    let mut unit_ids = std::collections::BTreeMap::new();
    for r in rows {
        if !unit_ids.contains_key(&r.unit_code) {
            let id = queries::upsert_unit(tx, org, &r.unit_code, &r.unit_name, None).await?;
            unit_ids.insert(r.unit_code.clone(), id);
        }
    }
    // Every unit of the file gets the parent the file gives it, none
    // included: a reorganisation that lifts a sector out of its department
    // must not keep the old tree.
    let mut placed = std::collections::BTreeSet::new();
    for r in rows {
        if placed.insert(&r.unit_code) {
            let parent = r
                .parent_code
                .as_ref()
                .and_then(|p| unit_ids.get(p))
                .copied();
            queries::set_unit_parent(tx, unit_ids[&r.unit_code], parent).await?;
        }
    }
    for r in rows {
        let position_id = queries::upsert_position(tx, org, &r.position_code, valid_from).await?;
        queries::insert_line(
            tx,
            &NewLine {
                schedule_id,
                position_id,
                unit_id: unit_ids[&r.unit_code],
                title: &r.title,
                category: r.category.as_str(),
                grade: r.grade.as_str(),
                key_position: r.key,
                rates: r.rates.0,
                salary: r.salary,
                allowances: r.allowances,
            },
        )
        .await?;
    }
    Ok(())
}

fn not_here() -> AppError {
    AppError::not_found()
}

/// A person takes a position.
pub async fn assign(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    a: &NewAssignment<'_>,
) -> AppResult<i64> {
    may_edit(&state.db, user, org).await?;
    let mut tx = state.db.begin().await?;
    if queries::position_org(&mut tx, a.position_id)
        .await?
        .as_deref()
        != Some(org)
    {
        return Err(not_here());
    }
    let id = queries::insert_assignment(&mut tx, a).await?;
    // Taking a post fills its open vacancy.
    queries::update_vacancy(&mut tx, a.position_id, false, a.starts_on).await?;
    finish(state, tx, org).await?;
    Ok(id)
}

/// The assignment's organisation, checked against the page's.
async fn assignment_in(tx: &mut Tx, org: &str, assignment_id: i64) -> AppResult<i64> {
    match queries::assignment_org(tx, assignment_id).await? {
        Some((position, o)) if o == org => Ok(position),
        _ => Err(not_here()),
    }
}

/// A person leaves: `last_day` is the last day they held the post.
pub async fn end_assignment(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    assignment_id: i64,
    last_day: Date,
) -> AppResult<()> {
    may_edit(&state.db, user, org).await?;
    let mut tx = state.db.begin().await?;
    assignment_in(&mut tx, org, assignment_id).await?;
    if queries::end_assignment(&mut tx, assignment_id, last_day).await? == 0 {
        return Err(AppError::conflict(
            "staffing_conflict",
            crate::error::Msg::new(
                "Назначение уже закончилось к этой дате или ещё не началось.",
                "The assignment had already ended by that day or had not begun.",
            ),
        ));
    }
    finish(state, tx, org).await
}

/// A holder goes on a leave that keeps the post.
pub async fn add_absence(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    assignment_id: i64,
    kind: AbsenceKind,
    starts_on: Date,
    ends_on: Option<Date>,
) -> AppResult<()> {
    may_edit(&state.db, user, org).await?;
    if ends_on.is_some_and(|e| e < starts_on) {
        return Err(AppError::invalid(
            "Отсутствие заканчивается раньше, чем начинается.",
            "The absence ends before it begins.",
        ));
    }
    let mut tx = state.db.begin().await?;
    assignment_in(&mut tx, org, assignment_id).await?;
    queries::insert_absence(&mut tx, assignment_id, kind.as_str(), starts_on, ends_on).await?;
    finish(state, tx, org).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VacancyAction {
    Open,
    Publish,
    Close,
}

impl VacancyAction {
    pub fn parse(s: &str) -> Option<VacancyAction> {
        match s {
            "open" => Some(VacancyAction::Open),
            "publish" => Some(VacancyAction::Publish),
            "close" => Some(VacancyAction::Close),
            _ => None,
        }
    }
}

pub async fn vacancy(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    position_id: i64,
    action: VacancyAction,
    day: Date,
) -> AppResult<()> {
    may_edit(&state.db, user, org).await?;
    let mut tx = state.db.begin().await?;
    if queries::position_org(&mut tx, position_id)
        .await?
        .as_deref()
        != Some(org)
    {
        return Err(not_here());
    }
    let changed = match action {
        VacancyAction::Open => queries::open_vacancy(&mut tx, position_id, day).await?,
        VacancyAction::Publish => queries::update_vacancy(&mut tx, position_id, true, day).await?,
        VacancyAction::Close => queries::update_vacancy(&mut tx, position_id, false, day).await?,
    };
    if changed == 0 {
        return Err(AppError::conflict(
            "staffing_conflict",
            crate::error::Msg::new(
                "С вакансией этой должности так поступить нельзя: она уже открыта, опубликована или не открыта.",
                "That cannot be done with this position's vacancy: it is already open, published, or not open.",
            ),
        ));
    }
    finish(state, tx, org).await
}

pub async fn set_thresholds(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    t: &Thresholds,
) -> AppResult<()> {
    may_edit(&state.db, user, org).await?;
    let mut tx = state.db.begin().await?;
    queries::set_thresholds(&mut tx, org, t).await?;
    finish(state, tx, org).await
}

/// The rate an assignment form asks for, checked.
pub fn rate(s: &str) -> AppResult<Rates> {
    Rates::parse(s).map_err(|m| AppError::unprocessable("invalid_rate", m))
}
