//! SQL of periodic reports. Times are written in UTC; periods are text
//! (`2026-07`, `2026-Q3`, `2026`).

use sqlx::FromRow;
use time::{OffsetDateTime, UtcOffset};

use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

pub fn stamp() -> OffsetDateTime {
    crate::db::now().to_offset(UtcOffset::UTC)
}

#[derive(Debug, Clone, FromRow)]
pub struct FormRow {
    pub form_id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub period_type: String,
    pub organisation_id: String,
    pub due_days: i64,
    pub lock_days: i64,
    pub approval: bool,
    pub comment_threshold: Option<f64>,
    pub band_good: f64,
    pub band_fair: f64,
    pub public: bool,
    pub starts: String,
}

const FORM_COLUMNS: &str = "form_id, code, name_ru, name_en, period_type, organisation_id, \
     due_days, lock_days, approval, comment_threshold, band_good, band_fair, public, starts";

pub async fn forms(db: &Db) -> Result<Vec<FormRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        FormRow,
        sqlx::AssertSqlSafe(format!(
            "select {FORM_COLUMNS} from report_form order by code"
        ))
    )
}

pub async fn form(db: &Db, code: &str) -> Result<Option<FormRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        FormRow,
        sqlx::AssertSqlSafe(format!(
            "select {FORM_COLUMNS} from report_form where code = $1"
        )),
        code
    )
}

pub async fn insert_form(tx: &mut Tx, f: &FormRow, by: i64) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into report_form (code, name_ru, name_en, period_type, organisation_id, due_days,
             lock_days, approval, comment_threshold, band_good, band_fair, public, starts,
             created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         on conflict (code) do nothing returning form_id",
        &f.code,
        &f.name_ru,
        &f.name_en,
        &f.period_type,
        &f.organisation_id,
        f.due_days,
        f.lock_days,
        f.approval,
        f.comment_threshold,
        f.band_good,
        f.band_fair,
        f.public,
        &f.starts,
        by,
        stamp()
    )?;
    Ok(row.map(|r| r.0))
}

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub item_id: i64,
    pub form_id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub unit: String,
    pub required: bool,
    pub direction: String,
    pub aggregation: String,
    pub decimals: i64,
    pub sort: i64,
}

pub async fn items(db: &Db, form_id: i64) -> Result<Vec<ItemRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ItemRow,
        "select item_id, form_id, code, name_ru, name_en, unit, required, direction, aggregation,
             decimals, sort
         from report_item where ($1 = 0 or form_id = $1) order by form_id, sort",
        form_id
    )
}

pub async fn insert_item(tx: &mut Tx, i: &ItemRow) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into report_item (form_id, code, name_ru, name_en, unit, required, direction,
             aggregation, decimals, sort)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        i.form_id,
        &i.code,
        &i.name_ru,
        &i.name_en,
        &i.unit,
        i.required,
        &i.direction,
        &i.aggregation,
        i.decimals,
        i.sort
    )?;
    Ok(())
}

/// The organisations owing a form (`0`: every form's), as (form, org).
pub async fn owed(db: &Db, form_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (i64, String),
        "select form_id, organisation_id from report_owed where ($1 = 0 or form_id = $1)
         order by form_id, organisation_id",
        form_id
    )
}

pub async fn insert_owed(tx: &mut Tx, form_id: i64, org: &str) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into report_owed (form_id, organisation_id) values ($1, $2)
         on conflict do nothing",
        form_id,
        org
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub rule_id: i64,
    pub form_id: i64,
    pub left_side: String,
    pub operator: String,
    pub right_side: String,
    pub importance: String,
    pub message: String,
}

pub async fn rules(db: &Db, form_id: i64) -> Result<Vec<RuleRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RuleRow,
        "select rule_id, form_id, left_side, operator, right_side, importance, message
         from report_rule where form_id = $1 order by rule_id",
        form_id
    )
}

pub async fn insert_rule(tx: &mut Tx, r: &RuleRow) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into report_rule (form_id, left_side, operator, right_side, importance, message)
         values ($1, $2, $3, $4, $5, $6)",
        r.form_id,
        &r.left_side,
        &r.operator,
        &r.right_side,
        &r.importance,
        &r.message
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct SubmissionRow {
    pub submission_id: i64,
    pub form_id: i64,
    pub organisation_id: String,
    pub period: String,
    pub state: String,
    pub submitted_at: Option<OffsetDateTime>,
    pub first_submitted_at: Option<OffsetDateTime>,
    pub accepted_at: Option<OffsetDateTime>,
    pub note: String,
    pub unlocked_until: Option<OffsetDateTime>,
}

const SUBMISSION_COLUMNS: &str = "submission_id, form_id, organisation_id, period, state, \
     submitted_at, first_submitted_at, accepted_at, note, unlocked_until from report_submission";

/// One organisation's period.
const ONE_SUBMISSION: &str = "select submission_id, form_id, organisation_id, period, state, \
     submitted_at, first_submitted_at, accepted_at, note, unlocked_until from report_submission \
     where form_id = $1 and organisation_id = $2 and period = $3";

pub async fn submission(
    db: &Db,
    form_id: i64,
    org: &str,
    period: &str,
) -> Result<Option<SubmissionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        SubmissionRow,
        ONE_SUBMISSION,
        form_id,
        org,
        period
    )
}

/// A form's submissions (every form's, `0`).
pub async fn submissions(db: &Db, form_id: i64) -> Result<Vec<SubmissionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        SubmissionRow,
        sqlx::AssertSqlSafe(format!(
            "select {SUBMISSION_COLUMNS} where ($1 = 0 or form_id = $1)
             order by form_id, organisation_id, period"
        )),
        form_id
    )
}

/// The submission of an organisation's period, made a draft when new;
/// read inside the transaction that changes it.
pub async fn submission_tx(
    tx: &mut Tx,
    form_id: i64,
    org: &str,
    period: &str,
) -> Result<SubmissionRow, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into report_submission (form_id, organisation_id, period, state, updated_at)
         values ($1, $2, $3, 'draft', $4)
         on conflict (form_id, organisation_id, period)
         do update set updated_at = report_submission.updated_at",
        form_id,
        org,
        period,
        stamp()
    )?;
    fetch_tx!(
        tx,
        fetch_one,
        SubmissionRow,
        ONE_SUBMISSION,
        form_id,
        org,
        period
    )
}

/// Moves a submission to `state` (and stamps what the state means).
pub async fn set_state(
    tx: &mut Tx,
    submission_id: i64,
    state: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    let now = stamp();
    exec_tx!(
        tx,
        "update report_submission set state = $2, note = $3, updated_at = $4,
             submitted_at = case when $2 = 'submitted' then $4 else submitted_at end,
             first_submitted_at = case when $2 = 'submitted' and first_submitted_at is null
                 then $4 else first_submitted_at end,
             accepted_at = case when $2 = 'accepted' then $4 else accepted_at end
         where submission_id = $1",
        submission_id,
        state,
        note,
        now
    )?;
    Ok(())
}

pub async fn unlock(
    tx: &mut Tx,
    submission_id: i64,
    until: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update report_submission set unlocked_until = $2, updated_at = $3
         where submission_id = $1",
        submission_id,
        until,
        stamp()
    )?;
    Ok(())
}

pub async fn event(
    tx: &mut Tx,
    submission_id: i64,
    kind: &str,
    note: &str,
    actor: Option<i64>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into report_event (submission_id, kind, note, actor_id, created_at)
         values ($1, $2, $3, $4, $5)",
        submission_id,
        kind,
        note,
        actor,
        stamp()
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub kind: String,
    pub note: String,
    pub actor: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn events(db: &Db, submission_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        EventRow,
        "select e.kind, e.note, a.display_name as actor, e.created_at
         from report_event e left join account a on a.account_id = e.actor_id
         where e.submission_id = $1 order by e.event_id",
        submission_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct ValueRow {
    pub submission_id: i64,
    pub item_id: i64,
    pub value: Option<f64>,
    pub comment: String,
    pub follow_up: bool,
}

/// The values of a submission (`0`: of every submission of `form_id`).
pub async fn values(
    db: &Db,
    form_id: i64,
    submission_id: i64,
) -> Result<Vec<ValueRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ValueRow,
        "select v.submission_id, v.item_id, v.value, v.comment, v.follow_up
         from report_value v join report_submission s on s.submission_id = v.submission_id
         where s.form_id = $1 and ($2 = 0 or v.submission_id = $2)",
        form_id,
        submission_id
    )
}

/// A submission's values inside the transaction that holds its row.
pub async fn submission_values_tx(
    tx: &mut Tx,
    submission_id: i64,
) -> Result<Vec<ValueRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        ValueRow,
        "select submission_id, item_id, value, comment, follow_up
         from report_value where submission_id = $1",
        submission_id
    )
}

/// Writes a value with its audit line when anything changed; whether it
/// did.
pub async fn write_value(tx: &mut Tx, v: &ValueRow, by: i64) -> Result<bool, sqlx::Error> {
    let old: Option<(Option<f64>, String, bool)> = fetch_tx!(
        tx,
        fetch_optional,
        (Option<f64>, String, bool),
        "select value, comment, follow_up from report_value
         where submission_id = $1 and item_id = $2",
        v.submission_id,
        v.item_id
    )?;
    let (old_value, old_comment, old_follow) = old.clone().unwrap_or((None, String::new(), false));
    if old.is_some()
        && old_value == v.value
        && old_comment == v.comment
        && old_follow == v.follow_up
    {
        return Ok(false);
    }
    if old.is_none() && v.value.is_none() && v.comment.is_empty() && !v.follow_up {
        return Ok(false);
    }
    exec_tx!(
        tx,
        "insert into report_value (submission_id, item_id, value, comment, follow_up)
         values ($1, $2, $3, $4, $5)
         on conflict (submission_id, item_id) do update set value = excluded.value,
             comment = excluded.comment, follow_up = excluded.follow_up",
        v.submission_id,
        v.item_id,
        v.value,
        &v.comment,
        v.follow_up
    )?;
    exec_tx!(
        tx,
        "insert into report_audit (submission_id, item_id, old_value, new_value, old_comment,
             new_comment, old_follow_up, new_follow_up, changed_by, changed_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        v.submission_id,
        v.item_id,
        old_value,
        v.value,
        &old_comment,
        &v.comment,
        old_follow,
        v.follow_up,
        by,
        stamp()
    )?;
    Ok(true)
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub item_id: i64,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub old_comment: String,
    pub new_comment: String,
    pub who: Option<String>,
    pub changed_at: OffsetDateTime,
}

pub async fn audit(db: &Db, submission_id: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AuditRow,
        "select r.item_id, r.old_value, r.new_value, r.old_comment, r.new_comment,
             a.display_name as who, r.changed_at
         from report_audit r left join account a on a.account_id = r.changed_by
         where r.submission_id = $1 order by r.audit_id desc",
        submission_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct PlanRow {
    pub item_id: i64,
    pub organisation_id: String,
    pub period: String,
    pub value: f64,
    pub version: i64,
    pub basis: String,
    pub current: bool,
    pub set_at: OffsetDateTime,
}

const PLAN_COLUMNS: &str =
    "p.item_id, p.organisation_id, p.period, p.value, p.version, p.basis, p.current, p.set_at";

/// The current plans of a form for one organisation (or all, `""`).
pub async fn plans(db: &Db, form_id: i64, org: &str) -> Result<Vec<PlanRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PlanRow,
        sqlx::AssertSqlSafe(format!(
            "select {PLAN_COLUMNS} from report_plan p join report_item i on i.item_id = p.item_id
             where i.form_id = $1 and ($2 = '' or p.organisation_id = $2) and p.current = $3"
        )),
        form_id,
        org,
        true
    )
}

/// Every version of the plans of an organisation's period, newest first.
pub async fn plan_history(
    db: &Db,
    form_id: i64,
    org: &str,
    period: &str,
) -> Result<Vec<PlanRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PlanRow,
        sqlx::AssertSqlSafe(format!(
            "select {PLAN_COLUMNS} from report_plan p join report_item i on i.item_id = p.item_id
             where i.form_id = $1 and p.organisation_id = $2 and p.period = $3
             order by i.sort, p.version desc"
        )),
        form_id,
        org,
        period
    )
}

/// A plan as a new version (the earlier ones stay); `false` when the
/// current plan is this value already.
pub async fn set_plan(
    tx: &mut Tx,
    item_id: i64,
    org: &str,
    period: &str,
    value: f64,
    basis: &str,
    by: i64,
) -> Result<bool, sqlx::Error> {
    let now: Option<(f64, i64)> = fetch_tx!(
        tx,
        fetch_optional,
        (f64, i64),
        "select value, version from report_plan
         where item_id = $1 and organisation_id = $2 and period = $3 and current = $4",
        item_id,
        org,
        period,
        true
    )?;
    if now.is_some_and(|(v, _)| v == value) {
        return Ok(false);
    }
    exec_tx!(
        tx,
        "update report_plan set current = $4
         where item_id = $1 and organisation_id = $2 and period = $3",
        item_id,
        org,
        period,
        false
    )?;
    exec_tx!(
        tx,
        "insert into report_plan (item_id, organisation_id, period, value, version, basis,
             current, set_by, set_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        item_id,
        org,
        period,
        value,
        now.map_or(1, |(_, v)| v + 1),
        basis,
        true,
        by,
        stamp()
    )?;
    Ok(true)
}

#[derive(Debug, Clone, FromRow)]
pub struct AlertRow {
    pub alert_id: i64,
    pub form_id: i64,
    pub organisation_id: String,
    pub period: String,
    pub reason: String,
    pub cleared_at: Option<OffsetDateTime>,
}

pub async fn open_alerts(tx: &mut Tx, form_id: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        AlertRow,
        "select alert_id, form_id, organisation_id, period, reason, cleared_at
         from report_alert where ($1 = 0 or form_id = $1) and cleared_at is null",
        form_id
    )
}

/// The alert, once: `None` when it was raised before.
pub async fn raise_alert(
    tx: &mut Tx,
    form_id: i64,
    org: &str,
    period: &str,
    reason: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into report_alert (form_id, organisation_id, period, reason, raised_at)
         values ($1, $2, $3, $4, $5) on conflict do nothing returning alert_id",
        form_id,
        org,
        period,
        reason,
        stamp()
    )?;
    Ok(row.map(|r| r.0))
}

pub async fn clear_alert(tx: &mut Tx, alert_id: i64) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update report_alert set cleared_at = $2 where alert_id = $1 and cleared_at is null",
        alert_id,
        stamp()
    )? > 0)
}
