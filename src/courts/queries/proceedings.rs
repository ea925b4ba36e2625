//! SQL of what happens in a case after it is entered: hearings, the
//! chronology, enforcement, the deadline rules and alerts, and the open
//! statistics.

use sqlx::FromRow;
use time::{Date, OffsetDateTime, UtcOffset};

use super::stamp;
use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

#[derive(Debug, Clone, FromRow)]
pub struct HearingRow {
    pub hearing_id: i64,
    pub instance_id: i64,
    pub case_id: i64,
    pub organisation_id: String,
    pub subject: String,
    pub level: String,
    pub court: String,
    pub number: String,
    pub starts_at: OffsetDateTime,
    pub courtroom: String,
    pub result: String,
    pub lawyer_email: Option<String>,
    /// Whether the lawyer was reminded of it.
    pub reminded: bool,
}

macro_rules! hearing_columns {
    () => {
        "select h.hearing_id, h.instance_id, i.case_id, c.organisation_id, c.subject, i.level,
             i.court, i.number, h.starts_at, h.courtroom, h.result, a.email as lawyer_email,
             h.reminded_at is not null as reminded
         from court_hearing h
         join court_instance i on i.instance_id = h.instance_id
         join court_case c on c.case_id = i.case_id
         left join account a on a.account_id = c.lawyer_account_id"
    };
}

pub async fn insert_hearing(
    tx: &mut Tx,
    instance_id: i64,
    starts_at: OffsetDateTime,
    courtroom: &str,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into court_hearing (instance_id, starts_at, courtroom) values ($1, $2, $3)",
        instance_id,
        starts_at.to_offset(UtcOffset::UTC),
        courtroom
    )
}

pub async fn set_hearing_result(
    tx: &mut Tx,
    case_id: i64,
    hearing_id: i64,
    result: &str,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update court_hearing set result = $3
         where hearing_id = $2
           and instance_id in (select instance_id from court_instance where case_id = $1)",
        case_id,
        hearing_id,
        result
    )
}

pub async fn hearings_of_case(db: &Db, case_id: i64) -> Result<Vec<HearingRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        HearingRow,
        concat!(
            hearing_columns!(),
            " where i.case_id = $1 order by h.starts_at"
        ),
        case_id
    )
}

/// Hearings from `from` (inclusive) to `to` (exclusive), by time: the
/// calendar reads a window through the index on `starts_at`.
pub async fn hearings_between(
    db: &Db,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<HearingRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        HearingRow,
        concat!(
            hearing_columns!(),
            " where h.starts_at >= $1 and h.starts_at < $2 order by h.starts_at, h.hearing_id"
        ),
        from.to_offset(UtcOffset::UTC),
        to.to_offset(UtcOffset::UTC)
    )
}

/// Marks a reminder sent; false when another run already did.
pub async fn mark_reminded(tx: &mut Tx, hearing_id: i64) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update court_hearing set reminded_at = $2 where hearing_id = $1 and reminded_at is null",
        hearing_id,
        stamp()
    )? == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub event_id: i64,
    pub instance_id: i64,
    pub day: Date,
    pub kind: String,
    pub result: String,
    pub document: String,
}

pub async fn insert_event(
    tx: &mut Tx,
    instance_id: i64,
    day: Date,
    kind: &str,
    result: &str,
    document: &str,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into court_event (instance_id, day, kind, result, document)
         values ($1, $2, $3, $4, $5)",
        instance_id,
        day,
        kind,
        result,
        document
    )
}

pub async fn events(db: &Db, case_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        EventRow,
        "select e.event_id, e.instance_id, e.day, e.kind, e.result, e.document
         from court_event e join court_instance i on i.instance_id = e.instance_id
         where i.case_id = $1 order by e.day, e.event_id",
        case_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct EnforcementRow {
    pub enforcement_id: i64,
    pub case_id: i64,
    pub writ_number: String,
    pub writ_date: Date,
    pub body: String,
    pub received_on: Date,
    pub due_on: Date,
    pub amount: i64,
    pub paid: i64,
}

pub struct NewEnforcement<'a> {
    pub writ_number: &'a str,
    pub writ_date: Date,
    pub body: &'a str,
    pub received_on: Date,
    pub due_on: Date,
    pub amount: i64,
}

pub async fn insert_enforcement(
    tx: &mut Tx,
    case_id: i64,
    e: &NewEnforcement<'_>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into court_enforcement (case_id, writ_number, writ_date, body, received_on,
             due_on, amount)
         values ($1, $2, $3, $4, $5, $6, $7)",
        case_id,
        e.writ_number,
        e.writ_date,
        e.body,
        e.received_on,
        e.due_on,
        e.amount
    )
}

/// Adds a payment; false (nothing written) when it would pay more than
/// the writ's amount.
pub async fn add_payment(
    tx: &mut Tx,
    case_id: i64,
    enforcement_id: i64,
    amount: i64,
) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update court_enforcement set paid = paid + $3
         where enforcement_id = $2 and case_id = $1 and paid + $3 <= amount",
        case_id,
        enforcement_id,
        amount
    )? == 1)
}

pub async fn enforcements(db: &Db, case_id: i64) -> Result<Vec<EnforcementRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        EnforcementRow,
        "select enforcement_id, case_id, writ_number, writ_date, body, received_on, due_on,
             amount, paid
         from court_enforcement where case_id = $1 order by enforcement_id",
        case_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub rule_code: String,
    pub procedure: String,
    pub from_level: String,
    pub next_level: String,
    pub anchor: String,
    pub months: i32,
    pub warn_days: i32,
    pub article: String,
}

pub async fn rules(db: &Db) -> Result<Vec<RuleRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RuleRow,
        "select rule_code, procedure, from_level, next_level, anchor, months, warn_days, article
         from court_deadline_rule order by procedure, from_level"
    )
}

/// A decided instance a rule applies to, with what the deadline needs.
#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    pub instance_id: i64,
    pub case_id: i64,
    pub organisation_id: String,
    pub court: String,
    pub number: String,
    pub decided_on: Option<Date>,
    pub full_text_on: Option<Date>,
    pub in_force_on: Option<Date>,
    pub outcome: Option<String>,
    pub rule_code: String,
    /// Whether the case already has an instance of the rule's next level.
    pub next_recorded: bool,
}

/// The decided instances of `case_id` (or of every case, `0`) with the
/// rule of their procedure and level.
pub async fn decided(tx: &mut Tx, case_id: i64) -> Result<Vec<PendingRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        PendingRow,
        "select i.instance_id, i.case_id, c.organisation_id, i.court, i.number,
             i.decided_on, i.full_text_on, i.in_force_on, i.outcome, r.rule_code,
             exists (select 1 from court_instance n
                     where n.case_id = i.case_id and n.level = r.next_level) as next_recorded
         from court_instance i
         join court_case c on c.case_id = i.case_id
         join court_deadline_rule r on r.procedure = c.procedure and r.from_level = i.level
         where i.decided_on is not null and ($1 = 0 or i.case_id = $1)
         order by i.instance_id",
        case_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct AlertRow {
    pub alert_id: i64,
    pub instance_id: i64,
    pub rule_code: String,
    pub due_on: Date,
}

pub async fn open_alerts(tx: &mut Tx, case_id: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        AlertRow,
        "select a.alert_id, a.instance_id, a.rule_code, a.due_on from court_alert a
         join court_instance i on i.instance_id = a.instance_id
         where a.closed_at is null and ($1 = 0 or i.case_id = $1)
         order by a.alert_id",
        case_id
    )
}

/// The open alerts of a case, for its page.
pub async fn alerts_of_case(db: &Db, case_id: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AlertRow,
        "select a.alert_id, a.instance_id, a.rule_code, a.due_on from court_alert a
         join court_instance i on i.instance_id = a.instance_id
         where i.case_id = $1 and a.closed_at is null order by a.alert_id",
        case_id
    )
}

/// Records a deadline's alert; `None` when it was raised before (by this
/// run or another).
pub async fn raise_alert(
    tx: &mut Tx,
    instance_id: i64,
    rule_code: &str,
    due_on: Date,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into court_alert (instance_id, rule_code, due_on, opened_at)
         values ($1, $2, $3, $4) on conflict do nothing returning alert_id",
        instance_id,
        rule_code,
        due_on,
        stamp()
    )?;
    Ok(row.map(|r| r.0))
}

pub async fn close_alert(tx: &mut Tx, alert_id: i64) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update court_alert set closed_at = $2 where alert_id = $1 and closed_at is null",
        alert_id,
        stamp()
    )? == 1)
}

/// The organisation of the directory with this ИНН, if one.
pub async fn organisation_by_inn(tx: &mut Tx, inn: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = fetch_tx!(
        tx,
        fetch_optional,
        (String,),
        "select organisation_id from organisation where inn = $1 order by organisation_id limit 1",
        inn
    )?;
    Ok(row.map(|r| r.0))
}

/// The officers of an organisation, who may be a case's lawyer.
pub async fn officers(db: &Db, org: &str) -> Result<Vec<(i64, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (i64, String),
        "select a.account_id, a.display_name from membership m
         join account a on a.account_id = m.account_id
         where m.organisation_id = $1 and m.kind = 'officer'
         order by a.display_name, a.account_id",
        org
    )
}

pub async fn is_officer(tx: &mut Tx, account_id: i64, org: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select account_id from membership
         where account_id = $1 and organisation_id = $2 and kind = 'officer'",
        account_id,
        org
    )?;
    Ok(row.is_some())
}

/// Counts and sums per organisation and outcome: the open dataset's rows.
#[derive(Debug, Clone, FromRow)]
pub struct StatRow {
    pub organisation_id: String,
    pub outcome: String,
    pub cases: i64,
    pub claimed: f64,
    pub awarded: f64,
}

pub async fn stats(db: &Db) -> Result<Vec<StatRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        StatRow,
        "select organisation_id, outcome, count(*) as cases,
             cast(coalesce(sum(cast(claimed as double precision)), 0) as double precision) as claimed,
             cast(coalesce(sum(cast(awarded as double precision)), 0) as double precision) as awarded
         from court_case group by organisation_id, outcome order by organisation_id, outcome"
    )
}
