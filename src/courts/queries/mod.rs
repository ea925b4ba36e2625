//! SQL of court cases. Dates are `time::Date` (`date` on PostgreSQL,
//! `YYYY-MM-DD` text on SQLite); times are written in UTC, so the text of
//! SQLite compares as time.

use sqlx::FromRow;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

mod proceedings;
pub use proceedings::*;

pub fn stamp() -> OffsetDateTime {
    crate::db::now().to_offset(UtcOffset::UTC)
}

macro_rules! case_columns {
    () => {
        "c.case_id, c.organisation_id, c.role, c.subject, c.category, c.procedure, c.claimed,
         c.awarded, c.risk, c.lawyer_account_id, a.display_name as lawyer_name, c.link,
         c.outcome, c.final_on
         from court_case c left join account a on a.account_id = c.lawyer_account_id"
    };
}

#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub case_id: i64,
    pub organisation_id: String,
    pub role: String,
    pub subject: String,
    pub category: String,
    pub procedure: String,
    pub claimed: i64,
    pub awarded: Option<i64>,
    pub risk: String,
    pub lawyer_account_id: Option<i64>,
    pub lawyer_name: Option<String>,
    pub link: String,
    pub outcome: String,
    pub final_on: Option<Date>,
}

pub struct NewCase<'a> {
    pub organisation_id: &'a str,
    pub role: &'a str,
    pub subject: &'a str,
    pub category: &'a str,
    pub procedure: &'a str,
    pub claimed: i64,
    pub risk: &'a str,
    pub lawyer_account_id: Option<i64>,
    pub link: &'a str,
    pub created_by: Option<i64>,
}

pub async fn insert_case(tx: &mut Tx, c: &NewCase<'_>) -> Result<i64, sqlx::Error> {
    let now = stamp();
    let (id,): (i64,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into court_case (organisation_id, role, subject, category, procedure, claimed,
             risk, lawyer_account_id, link, created_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) returning case_id",
        c.organisation_id,
        c.role,
        c.subject,
        c.category,
        c.procedure,
        c.claimed,
        c.risk,
        c.lawyer_account_id,
        c.link,
        c.created_by,
        now
    )?;
    Ok(id)
}

pub async fn case(db: &Db, id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        CaseRow,
        concat!("select ", case_columns!(), " where c.case_id = $1"),
        id
    )
}

pub async fn case_tx(tx: &mut Tx, id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        CaseRow,
        concat!("select ", case_columns!(), " where c.case_id = $1"),
        id
    )
}

/// The filter of the case list: the organisations of a scope (`Scope`),
/// one outcome's (or all, `""`).
macro_rules! case_filter {
    () => {
        " where ($1 = '' or $1 like '%,' || c.organisation_id || ',%') and ($2 = '' or c.outcome = $2) "
    };
}

/// Which organisations' cases a page reads: every one (`""`), or those
/// listed as `,a,b,` (one organisation, or a portfolio's). Directory ids
/// are lower-case letters, digits and hyphens: no wildcard of `like`.
pub struct Scope(String);

impl Scope {
    pub fn all() -> Scope {
        Scope(String::new())
    }

    pub fn of<'a>(orgs: impl IntoIterator<Item = &'a str>) -> Scope {
        let mut s = String::from(",");
        for o in orgs {
            s.push_str(o);
            s.push(',');
        }
        Scope(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A page of cases, newest first.
pub async fn cases(
    db: &Db,
    scope: &Scope,
    outcome: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<CaseRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        CaseRow,
        concat!(
            "select ",
            case_columns!(),
            case_filter!(),
            "order by c.case_id desc limit $3 offset $4"
        ),
        scope.as_str(),
        outcome,
        limit,
        offset
    )
}

pub async fn count_cases(db: &Db, scope: &Scope, outcome: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = fetch_db!(
        db,
        fetch_one,
        (i64,),
        concat!("select count(*) from court_case c", case_filter!()),
        scope.as_str(),
        outcome
    )?;
    Ok(n)
}

/// Sums of kopecks are summed as floating point: a hundred thousand
/// cases at the largest amount allowed would overflow a 64-bit integer
/// (an error on both stores), and a sum shown to the kopeck beyond 90
/// trillion roubles helps nobody.
///
/// The amount at risk of an organisation's cases: those pending, and the
/// sums claimed from it in cases it defends with no decision in force, by
/// the lawyer's assessment: what a defence not yet final may cost.
#[derive(Debug, Clone, Default, FromRow)]
pub struct RiskRow {
    pub organisation_id: String,
    pub pending: i64,
    pub probable: f64,
    pub possible: f64,
    pub remote: f64,
}

pub async fn risk_by_organisation(db: &Db, scope: &Scope) -> Result<Vec<RiskRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RiskRow,
        "select organisation_id,
             cast(sum(case when final_on is null then 1 else 0 end) as bigint) as pending,
             cast(sum(case when role = 'defendant' and final_on is null and risk = 'probable'
                      then cast(claimed as double precision) else 0 end) as double precision)
                 as probable,
             cast(sum(case when role = 'defendant' and final_on is null and risk = 'possible'
                      then cast(claimed as double precision) else 0 end) as double precision)
                 as possible,
             cast(sum(case when role = 'defendant' and final_on is null and risk = 'remote'
                      then cast(claimed as double precision) else 0 end) as double precision)
                 as remote
         from court_case where ($1 = '' or $1 like '%,' || organisation_id || ',%')
         group by organisation_id order by organisation_id",
        scope.as_str()
    )
}

/// Cases by category and outcome.
pub async fn outcomes(db: &Db, scope: &Scope) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, String, i64),
        "select category, outcome, count(*) from court_case
         where ($1 = '' or $1 like '%,' || organisation_id || ',%')
         group by category, outcome order by category, outcome",
        scope.as_str()
    )
}

/// What remains to pay under the writs of an organisation's cases (or
/// all).
pub async fn unpaid(db: &Db, scope: &Scope) -> Result<f64, sqlx::Error> {
    let (n,): (f64,) = fetch_db!(
        db,
        fetch_one,
        (f64,),
        "select cast(coalesce(sum(cast(e.amount - e.paid as double precision)), 0) as double precision)
         from court_enforcement e
         join court_case c on c.case_id = e.case_id
         where ($1 = '' or $1 like '%,' || c.organisation_id || ',%')",
        scope.as_str()
    )?;
    Ok(n)
}

pub async fn set_case_result(
    tx: &mut Tx,
    case_id: i64,
    outcome: &str,
    awarded: Option<i64>,
    final_on: Option<Date>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update court_case set outcome = $2, awarded = coalesce($3, awarded), final_on = $4,
             updated_at = $5
         where case_id = $1",
        case_id,
        outcome,
        awarded,
        final_on,
        stamp()
    )
}

pub async fn set_risk(tx: &mut Tx, case_id: i64, risk: &str) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update court_case set risk = $2, updated_at = $3 where case_id = $1",
        case_id,
        risk,
        stamp()
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct PartyRow {
    pub party_id: i64,
    pub case_id: i64,
    pub kind: String,
    pub role: String,
    pub name: String,
    pub inn: Option<String>,
    pub ogrn: Option<String>,
}

pub struct NewParty<'a> {
    pub kind: &'a str,
    pub role: &'a str,
    pub name: &'a str,
    pub inn: Option<&'a str>,
    pub ogrn: Option<&'a str>,
}

pub async fn insert_party(tx: &mut Tx, case_id: i64, p: &NewParty<'_>) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into court_party (case_id, kind, role, name, inn, ogrn)
         values ($1, $2, $3, $4, $5, $6)",
        case_id,
        p.kind,
        p.role,
        p.name,
        p.inn,
        p.ogrn
    )
}

pub async fn parties(db: &Db, case_id: i64) -> Result<Vec<PartyRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PartyRow,
        "select party_id, case_id, kind, role, name, inn, ogrn from court_party
         where case_id = $1 order by party_id",
        case_id
    )
}

/// The parties of the cases with ids from `lo` to `hi`: a page of the
/// list reads its cases' parties through the index on `case_id`.
pub async fn parties_between(db: &Db, lo: i64, hi: i64) -> Result<Vec<PartyRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PartyRow,
        "select party_id, case_id, kind, role, name, inn, ogrn from court_party
         where case_id between $1 and $2 order by party_id",
        lo,
        hi
    )
}

/// Cases grouped by the other party: an organisation by its name and
/// ИНН, every private person in one row with an empty name (never read
/// here). Counts per group: cases, the sum claimed, won, lost (in whole or
/// part), the rest.
#[derive(Debug, Clone, FromRow)]
pub struct CounterpartyRow {
    pub person: bool,
    pub name: String,
    pub inn: String,
    pub cases: i64,
    pub claimed: f64,
    pub won: i64,
    pub lost: i64,
    pub other: i64,
}

pub async fn counterparties(db: &Db) -> Result<Vec<CounterpartyRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        CounterpartyRow,
        "select g.person, g.name, g.inn, count(*) as cases,
             cast(sum(cast(c.claimed as double precision)) as double precision) as claimed,
             cast(sum(case when c.outcome = 'won' then 1 else 0 end) as bigint) as won,
             cast(sum(case when c.outcome in ('lost', 'partly') then 1 else 0 end) as bigint) as lost,
             cast(sum(case when c.outcome in ('pending', 'settled') then 1 else 0 end) as bigint)
                 as other
         from (select distinct p.case_id, p.kind = 'person' as person,
                   case when p.kind = 'person' then '' else p.name end as name,
                   case when p.kind = 'person' then '' else coalesce(p.inn, '') end as inn
               from court_party p) g
         join court_case c on c.case_id = g.case_id
         group by g.person, g.name, g.inn
         order by count(*) desc, g.name, g.inn"
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct InstanceRow {
    pub instance_id: i64,
    pub case_id: i64,
    pub level: String,
    pub court: String,
    pub number: String,
    pub received_on: Date,
    pub decided_on: Option<Date>,
    pub full_text_on: Option<Date>,
    pub in_force_on: Option<Date>,
    pub outcome: Option<String>,
}

macro_rules! instance_columns {
    () => {
        "select instance_id, case_id, level, court, number, received_on, decided_on,
             full_text_on, in_force_on, outcome from court_instance"
    };
}

pub struct NewInstance<'a> {
    pub case_id: i64,
    pub level: &'a str,
    pub court: &'a str,
    pub number: &'a str,
    pub dedup_key: &'a str,
    pub received_on: Date,
}

/// A new instance; `None` when its court and number are already known
/// (or the case already has that level).
pub async fn insert_instance(tx: &mut Tx, i: &NewInstance<'_>) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into court_instance (case_id, level, court, number, dedup_key, received_on)
         values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning instance_id",
        i.case_id,
        i.level,
        i.court,
        i.number,
        i.dedup_key,
        i.received_on
    )?;
    Ok(row.map(|r| r.0))
}

/// The case a court's number belongs to.
pub async fn case_of_number(tx: &mut Tx, dedup_key: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select case_id from court_instance where dedup_key = $1",
        dedup_key
    )?;
    Ok(row.map(|r| r.0))
}

pub async fn instances(db: &Db, case_id: i64) -> Result<Vec<InstanceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        InstanceRow,
        concat!(
            instance_columns!(),
            " where case_id = $1 order by instance_id"
        ),
        case_id
    )
}

pub async fn instances_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<InstanceRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        InstanceRow,
        concat!(
            instance_columns!(),
            " where case_id = $1 order by instance_id"
        ),
        case_id
    )
}

/// The instances of the cases with ids from `lo` to `hi`: the list shows
/// each case's latest court number.
pub async fn instances_between(db: &Db, lo: i64, hi: i64) -> Result<Vec<InstanceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        InstanceRow,
        concat!(
            instance_columns!(),
            " where case_id between $1 and $2 order by instance_id"
        ),
        lo,
        hi
    )
}

pub struct Decision<'a> {
    pub decided_on: Option<Date>,
    pub full_text_on: Option<Date>,
    pub in_force_on: Option<Date>,
    pub outcome: Option<&'a str>,
}

pub async fn set_decision(
    tx: &mut Tx,
    instance_id: i64,
    d: &Decision<'_>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update court_instance set decided_on = $2, full_text_on = $3, in_force_on = $4,
             outcome = $5
         where instance_id = $1",
        instance_id,
        d.decided_on,
        d.full_text_on,
        d.in_force_on,
        d.outcome
    )
}
