//! Every change of periodic reports, shared by the pages, the XLSX upload
//! and the demo: who may make it (`Rights`, the rule the pages draw their
//! forms from), the lock, the checks at submission (required items,
//! comments on large deviations, validation rules), one transaction each
//! with its event, and the core's orders: a late submission and a return
//! for rework each open one (the core's own "return for rework" becomes
//! an order the organisation works in its queue), closed by the
//! submission.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::domain::{Expr, Period, PeriodType, deviation, holds};
use super::queries::{self, FormRow, ItemRow, RuleRow, SubmissionRow, ValueRow};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, AppResult, Msg};
use crate::integration::messages::{Body, ControlCleared, ControlRaised};

const MSK: UtcOffset = time::macros::offset!(+3);

/// What a person may do with a form for one organisation: fill it in and
/// submit (the organisation's officers), own it (the form owner's
/// officers: plans, return, accept, unlock). Administrators may both.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    pub fill: bool,
    pub own: bool,
}

pub fn rights(user: &CurrentUser, form: &FormRow, org: &str) -> Rights {
    Rights {
        fill: user.is_admin() || user.is_officer_of(org),
        own: user.is_admin() || user.is_officer_of(&form.organisation_id),
    }
}

fn refuse(allowed: bool) -> AppResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub fn period_type(form: &FormRow) -> PeriodType {
    PeriodType::parse(&form.period_type).unwrap_or(PeriodType::Month)
}

pub fn parse_period(form: &FormRow, s: &str) -> AppResult<Period> {
    Period::parse(period_type(form), s).ok_or_else(|| {
        AppError::invalid(
            "Период не по форме: 2026-07, 2026-Q3 или 2026.",
            "The period does not fit the form: 2026-07, 2026-Q3 or 2026.",
        )
    })
}

/// The end (18:00 in the krai, when offices close) of the n-th working
/// day after the period, by the production calendar.
fn working_deadline(p: Period, days: i64) -> OffsetDateTime {
    let day = crate::workflow::sla::russia().add_working_days(p.last_day(), days);
    PrimitiveDateTime::new(day, Time::from_hms(18, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_offset(MSK)
}

pub fn due_at(form: &FormRow, p: Period) -> OffsetDateTime {
    working_deadline(p, form.due_days)
}

pub fn lock_at(form: &FormRow, p: Period) -> OffsetDateTime {
    working_deadline(p, form.lock_days.max(form.due_days))
}

/// Whether changes need the owner's unlock now.
pub fn locked(form: &FormRow, p: Period, s: Option<&SubmissionRow>, now: OffsetDateTime) -> bool {
    now > lock_at(form, p) && s.and_then(|s| s.unlocked_until).is_none_or(|u| u <= now)
}

/// The periods owed so far: from the form's first through the last that
/// has ended.
pub fn owed_periods(form: &FormRow, now: OffsetDateTime) -> Vec<Period> {
    let t = period_type(form);
    let Some(first) = Period::parse(t, &form.starts) else {
        return Vec::new();
    };
    let today = now.to_offset(MSK).date();
    let current = Period::containing(t, today);
    let all = first.through(current);
    all.into_iter().filter(|p| p.last_day() < today).collect()
}

/// A value as a form sends it.
#[derive(Debug, Clone)]
pub struct ValueIn {
    pub item_id: i64,
    pub value: Option<f64>,
    pub comment: String,
    pub follow_up: bool,
}

fn editable(form: &FormRow, p: Period, s: &SubmissionRow) -> AppResult<()> {
    if !matches!(s.state.as_str(), "draft" | "returned") {
        return Err(AppError::conflict(
            "not_editable",
            Msg::new(
                "Отчёт сдан: изменить его можно после возврата на доработку.",
                "The report is submitted: it can be changed after it is returned for rework.",
            ),
        ));
    }
    if locked(form, p, Some(s), crate::db::now()) {
        return Err(AppError::conflict(
            "locked",
            Msg::new(
                "Срок изменения отчёта истёк: нужна разблокировка владельцем формы.",
                "The report is locked: the form's owner must unlock it.",
            ),
        ));
    }
    Ok(())
}

/// Saves values into the draft (or the returned report); how many
/// changed.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    form: &FormRow,
    org: &str,
    p: Period,
    values: &[ValueIn],
) -> AppResult<usize> {
    refuse(rights(user, form, org).fill)?;
    let mut tx = state.db.begin().await?;
    let s = queries::submission_tx(&mut tx, form.form_id, org, &p.to_string()).await?;
    editable(form, p, &s)?;
    let mut changed = 0;
    for v in values {
        let row = ValueRow {
            submission_id: s.submission_id,
            item_id: v.item_id,
            value: v.value,
            comment: v.comment.clone(),
            follow_up: v.follow_up,
        };
        if queries::write_value(&mut tx, &row, user.account_id).await? {
            changed += 1;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// A rule broken by the values, with the two sides' figures.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: RuleRow,
    pub left: f64,
    pub right: f64,
}

/// The rules the values break (those with an item missing are skipped).
pub fn violations(items: &[ItemRow], rules: &[RuleRow], values: &[ValueRow]) -> Vec<Violation> {
    let by_code: BTreeMap<String, f64> = items
        .iter()
        .filter_map(|i| {
            let v = values.iter().find(|v| v.item_id == i.item_id)?.value?;
            Some((i.code.clone(), v))
        })
        .collect();
    let known = |c: &str| items.iter().any(|i| i.code == c);
    rules
        .iter()
        .filter_map(|r| {
            let left = Expr::parse(&r.left_side, &known).ok()?.eval(&by_code)?;
            let right = Expr::parse(&r.right_side, &known).ok()?.eval(&by_code)?;
            (!holds(left, &r.operator, right)).then(|| Violation {
                rule: r.clone(),
                left,
                right,
            })
        })
        .collect()
}

/// What keeps a report from being submitted, each with its item.
pub fn blockers(
    form: &FormRow,
    items: &[ItemRow],
    values: &[ValueRow],
    plans: &BTreeMap<i64, f64>,
    broken: &[Violation],
) -> Vec<Msg> {
    let mut out = Vec::new();
    for i in items {
        let v = values.iter().find(|v| v.item_id == i.item_id);
        let fact = v.and_then(|v| v.value);
        if i.required && fact.is_none() {
            out.push(Msg::new(
                format!("{} «{}»: значение обязательно.", i.code, i.name_ru),
                format!("{} “{}”: a value is required.", i.code, i.name_en),
            ));
        }
        if let (Some(limit), Some(fact), Some(plan)) =
            (form.comment_threshold, fact, plans.get(&i.item_id))
        {
            let d = deviation(*plan, fact, i.direction == "up");
            let commented = v.is_some_and(|v| !v.comment.trim().is_empty());
            if d.percent.is_some_and(|p| p.abs() > limit) && !commented {
                out.push(Msg::new(
                    format!(
                        "{} «{}»: отклонение от плана больше {limit} % — поясните его в комментарии.",
                        i.code, i.name_ru
                    ),
                    format!(
                        "{} “{}”: the deviation from the plan is over {limit} %: explain it in a comment.",
                        i.code, i.name_en
                    ),
                ));
            }
        }
    }
    for b in broken.iter().filter(|b| b.rule.importance == "high") {
        out.push(Msg::new(
            format!("Правило «{}» нарушено.", b.rule.message),
            format!("The rule “{}” is broken.", b.rule.message),
        ));
    }
    out
}

fn key(alert_id: i64) -> String {
    format!("reports:{alert_id}")
}

async fn clear(
    tx: &mut Tx,
    state: &AppState,
    form: &FormRow,
    org: &str,
    period: &str,
    note: &str,
) -> AppResult<()> {
    for a in queries::open_alerts(tx, form.form_id)
        .await?
        .into_iter()
        .filter(|a| a.organisation_id == org && a.period == period)
    {
        if queries::clear_alert(tx, a.alert_id).await? {
            let core = crate::integration::core_for(tx, state, org).await?;
            crate::integration::exchange::emit(
                tx,
                &core,
                Body::ControlCleared(ControlCleared {
                    key: key(a.alert_id),
                    note: note.into(),
                }),
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn raise(
    tx: &mut Tx,
    state: &AppState,
    form: &FormRow,
    org: &str,
    period: &str,
    reason: &str,
    title: String,
    description: String,
    deadline: OffsetDateTime,
) -> AppResult<bool> {
    let Some(id) = queries::raise_alert(tx, form.form_id, org, period, reason).await? else {
        return Ok(false);
    };
    let core = crate::integration::core_for(tx, state, org).await?;
    crate::integration::exchange::emit(
        tx,
        &core,
        Body::ControlRaised(ControlRaised {
            key: key(id),
            organisation_id: org.to_owned(),
            title,
            description,
            url: format!(
                "{}/pm/reports/{}/{}/{}",
                state.config.base_url(),
                form.code,
                org,
                period
            ),
            deadline,
        }),
    )
    .await?;
    Ok(true)
}

/// Submits: checks, then submitted (accepted at once where the form
/// needs no approval); the late and returned orders close.
pub async fn submit(
    state: &AppState,
    user: &CurrentUser,
    form: &FormRow,
    org: &str,
    p: Period,
) -> AppResult<()> {
    refuse(rights(user, form, org).fill)?;
    let items = queries::items(&state.db, form.form_id).await?;
    let rules = queries::rules(&state.db, form.form_id).await?;
    let plans: BTreeMap<i64, f64> = queries::plans(&state.db, form.form_id, org)
        .await?
        .into_iter()
        .filter(|x| x.period == p.to_string())
        .map(|x| (x.item_id, x.value))
        .collect();
    let period = p.to_string();
    let mut tx = state.db.begin().await?;
    // The row is held (the upsert locks it) until the commit, so a save
    // in between cannot slip values past these checks.
    let s = queries::submission_tx(&mut tx, form.form_id, org, &period).await?;
    editable(form, p, &s)?;
    let values = queries::submission_values_tx(&mut tx, s.submission_id).await?;
    let broken = violations(&items, &rules, &values);
    let blocking = blockers(form, &items, &values, &plans, &broken);
    if !blocking.is_empty() {
        let joined = |f: fn(&Msg) -> String| blocking.iter().map(f).collect::<Vec<_>>().join(" ");
        return Err(AppError::unprocessable(
            "not_submittable",
            Msg::new(joined(|m| m.ru.to_string()), joined(|m| m.en.to_string())),
        ));
    }
    let next = if form.approval {
        "submitted"
    } else {
        "accepted"
    };
    if next == "accepted" {
        queries::set_state(&mut tx, s.submission_id, "submitted", "").await?;
    }
    queries::set_state(&mut tx, s.submission_id, next, "").await?;
    queries::event(
        &mut tx,
        s.submission_id,
        "submitted",
        "",
        Some(user.account_id),
    )
    .await?;
    clear(&mut tx, state, form, org, &period, "Отчёт сдан.").await?;
    // Accepted at once (no approval): its values may be published.
    if next == "accepted" && form.public {
        crate::datasets::request_refresh(&mut tx, super::SOURCE).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The owner's decision on a submitted report: returned with a note (an
/// order opens for the organisation), or accepted.
pub async fn decide(
    state: &AppState,
    user: &CurrentUser,
    form: &FormRow,
    org: &str,
    p: Period,
    accept: bool,
    note: &str,
) -> AppResult<()> {
    refuse(rights(user, form, org).own)?;
    let period = p.to_string();
    let returns = match queries::submission(&state.db, form.form_id, org, &period).await? {
        Some(s) => queries::events(&state.db, s.submission_id)
            .await?
            .iter()
            .filter(|e| e.kind == "returned")
            .count(),
        None => 0,
    };
    let mut tx = state.db.begin().await?;
    let s = queries::submission_tx(&mut tx, form.form_id, org, &period).await?;
    if s.state != "submitted" {
        return Err(AppError::conflict(
            "not_submitted",
            Msg::new(
                "Решение принимают по сданному отчёту.",
                "Only a submitted report is decided on.",
            ),
        ));
    }
    if accept {
        queries::set_state(&mut tx, s.submission_id, "accepted", "").await?;
        queries::event(
            &mut tx,
            s.submission_id,
            "accepted",
            note,
            Some(user.account_id),
        )
        .await?;
    } else {
        if note.trim().is_empty() {
            return Err(AppError::invalid(
                "Напишите, что доработать.",
                "Say what to rework.",
            ));
        }
        queries::set_state(&mut tx, s.submission_id, "returned", note).await?;
        queries::event(
            &mut tx,
            s.submission_id,
            "returned",
            note,
            Some(user.account_id),
        )
        .await?;
        let round = returns + 1;
        // Three days for the rework, as the core gives a returned report.
        let deadline = crate::db::now() + Duration::days(3);
        raise(
            &mut tx,
            state,
            form,
            org,
            &period,
            &format!("return:{round}"),
            format!("Доработать отчёт «{}» за {period}", form.name_ru),
            format!("Отчёт возвращён на доработку: {note}"),
            deadline,
        )
        .await?;
    }
    // Accepted values may be published.
    if accept && form.public {
        crate::datasets::request_refresh(&mut tx, super::SOURCE).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The owner's unlock of a locked report for three days.
pub async fn unlock(
    state: &AppState,
    user: &CurrentUser,
    form: &FormRow,
    org: &str,
    p: Period,
) -> AppResult<()> {
    refuse(rights(user, form, org).own)?;
    let mut tx = state.db.begin().await?;
    let s = queries::submission_tx(&mut tx, form.form_id, org, &p.to_string()).await?;
    queries::unlock(
        &mut tx,
        s.submission_id,
        crate::db::now() + Duration::days(3),
    )
    .await?;
    queries::event(
        &mut tx,
        s.submission_id,
        "unlocked",
        "",
        Some(user.account_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Plans for an organisation's period, each changed one a new version
/// with its basis; how many changed.
pub async fn set_plans(
    state: &AppState,
    user: &CurrentUser,
    form: &FormRow,
    org: &str,
    p: Period,
    plans: &[(i64, f64)],
    basis: &str,
) -> AppResult<usize> {
    refuse(rights(user, form, org).own)?;
    let mut tx = state.db.begin().await?;
    let mut changed = 0;
    for (item, value) in plans {
        if queries::set_plan(
            &mut tx,
            *item,
            org,
            &p.to_string(),
            *value,
            basis,
            user.account_id,
        )
        .await?
        {
            changed += 1;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// The hourly sweep: every owed report past its due date and never
/// submitted opens one order for its organisation, due at the lock date
/// (or in two days when that has passed too). How many opened.
pub async fn sweep(state: &AppState) -> AppResult<usize> {
    let now = crate::db::now();
    let forms = queries::forms(&state.db).await?;
    let owed = queries::owed(&state.db, 0).await?;
    let submitted: BTreeMap<(i64, String, String), bool> = queries::submissions(&state.db, 0)
        .await?
        .into_iter()
        .map(|s| {
            (
                (s.form_id, s.organisation_id, s.period),
                s.first_submitted_at.is_some(),
            )
        })
        .collect();
    let mut tx = state.db.begin().await?;
    let mut opened = 0;
    for form in &forms {
        // The last year of periods: older gaps are history, not orders.
        let periods: Vec<Period> = owed_periods(form, now)
            .into_iter()
            .filter(|p| due_at(form, *p) < now && due_at(form, *p) > now - Duration::days(370))
            .collect();
        for (_, org) in owed.iter().filter(|(f, _)| *f == form.form_id) {
            for p in &periods {
                let period = p.to_string();
                if submitted
                    .get(&(form.form_id, org.clone(), period.clone()))
                    .copied()
                    .unwrap_or(false)
                {
                    continue;
                }
                let deadline = lock_at(form, *p).max(now + Duration::days(2));
                if raise(
                    &mut tx,
                    state,
                    form,
                    org,
                    &period,
                    "late",
                    format!("Сдать отчёт «{}» за {period}", form.name_ru),
                    format!(
                        "Срок сдачи отчёта «{}» за {period} истёк {}. Сдайте отчёт.",
                        form.name_ru,
                        crate::web::components::date(
                            crate::web::i18n::Locale::Ru,
                            due_at(form, *p).to_offset(MSK).date()
                        )
                    ),
                    deadline,
                )
                .await?
                {
                    opened += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(opened)
}

/// A new form with its items, the organisations that owe it and its
/// rules, in one transaction. The owner must be one of the person's
/// organisations (any, for an administrator).
pub async fn create_form(
    state: &AppState,
    user: &CurrentUser,
    form: &FormRow,
    items: &[ItemRow],
    owed: &[String],
    rules: &[RuleRow],
) -> AppResult<()> {
    refuse(user.is_admin() || user.is_officer_of(&form.organisation_id))?;
    let mut tx = state.db.begin().await?;
    let Some(id) = queries::insert_form(&mut tx, form, user.account_id).await? else {
        return Err(AppError::conflict(
            "duplicate",
            Msg::new(
                "Форма с таким кодом уже есть.",
                "A form with this code exists already.",
            ),
        ));
    };
    for i in items {
        queries::insert_item(
            &mut tx,
            &ItemRow {
                form_id: id,
                ..i.clone()
            },
        )
        .await?;
    }
    for o in owed {
        queries::insert_owed(&mut tx, id, o).await?;
    }
    for r in rules {
        queries::insert_rule(
            &mut tx,
            &RuleRow {
                form_id: id,
                ..r.clone()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
