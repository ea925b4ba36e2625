//! SQL of staff completeness. Dates are `time::Date` (`date` on
//! PostgreSQL, `YYYY-MM-DD` text on SQLite, which compares as dates);
//! times are written in UTC.
//!
//! The readers take an organisation or `""` for every organisation, so the
//! region's dashboard and one organisation's page are the same queries.

use std::collections::BTreeMap;

use sqlx::FromRow;
use time::{Date, OffsetDateTime, UtcOffset};

use super::domain::{Category, Holding, Line, Rates, Thresholds, Unit};
use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

/// Runs a query of one organisation (`$1`) or of all (`$1` empty) with
/// the date `$2`: two statements, so that the one organisation's is a
/// plain equality the planner serves from an index (`$1 = '' or … = $1`
/// would scan every organisation's rows).
macro_rules! scoped {
    ($db:expr, $fetch:ident, $row:ty, $org:expr, $at:expr, $select:expr, $column:literal, $rest:expr) => {
        if $org.is_empty() {
            fetch_db!(
                $db,
                $fetch,
                $row,
                concat!($select, " where $1 = '' ", $rest),
                $org,
                $at
            )
        } else {
            fetch_db!(
                $db,
                $fetch,
                $row,
                concat!($select, " where ", $column, " = $1 ", $rest),
                $org,
                $at
            )
        }
    };
}

/// The versions in force on `$2` (at most one per organisation, of `$1`
/// or of all): a subquery over the few schedules, not over their lines.
macro_rules! in_force {
    () => {
        "(select s2.schedule_id from staff_schedule s2
          where ($1 = '' or s2.organisation_id = $1)
            and s2.valid_from <= $2 and (s2.valid_to is null or s2.valid_to >= $2)
            and s2.valid_from = (select max(s3.valid_from) from staff_schedule s3
                                 where s3.organisation_id = s2.organisation_id
                                   and s3.valid_from <= $2
                                   and (s3.valid_to is null or s3.valid_to >= $2)))"
    };
}

pub fn stamp() -> OffsetDateTime {
    crate::db::now().to_offset(UtcOffset::UTC)
}

#[derive(Debug, Clone, FromRow)]
pub struct UnitRow {
    pub unit_id: i64,
    pub organisation_id: String,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

impl UnitRow {
    pub fn unit(&self) -> Unit {
        Unit {
            unit_id: self.unit_id,
            parent_id: self.parent_id,
            code: self.code.clone(),
            name: self.name.clone(),
        }
    }
}

pub async fn units(db: &Db, org: &str) -> Result<Vec<UnitRow>, sqlx::Error> {
    // The date is not used: `$2` only keeps the two statements alike.
    scoped!(
        db,
        fetch_all,
        UnitRow,
        org,
        "",
        "select unit_id, organisation_id, parent_id, code, name from staff_unit",
        "organisation_id",
        "and $2 = $2 order by organisation_id, code"
    )
}

pub async fn units_tx(tx: &mut Tx, org: &str) -> Result<Vec<UnitRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        UnitRow,
        "select unit_id, organisation_id, parent_id, code, name from staff_unit
         where organisation_id = $1 order by code",
        org
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct ScheduleRow {
    pub schedule_id: i64,
    pub organisation_id: String,
    pub order_number: String,
    pub order_date: Date,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

pub async fn schedules(db: &Db, org: &str) -> Result<Vec<ScheduleRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ScheduleRow,
        "select schedule_id, organisation_id, order_number, order_date, valid_from, valid_to
         from staff_schedule where organisation_id = $1 order by valid_from desc",
        org
    )
}

/// The organisations that keep a schedule, with the first day of their
/// earliest.
pub async fn organisations(db: &Db) -> Result<Vec<(String, Date)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, Date),
        "select organisation_id, min(valid_from) from staff_schedule
         group by organisation_id order by organisation_id"
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct LineRow {
    pub organisation_id: String,
    pub position_id: i64,
    pub code: String,
    pub unit_id: i64,
    pub title: String,
    pub category: String,
    pub grade: String,
    pub key_position: bool,
    pub rates: i64,
    pub salary: i64,
    pub allowances: i64,
    /// The first day the position is in any schedule.
    pub since: Option<Date>,
}

impl LineRow {
    pub fn line(&self) -> Line {
        Line {
            position_id: self.position_id,
            unit_id: self.unit_id,
            title: self.title.clone(),
            category: Category::parse(&self.category).unwrap_or(Category::Specialists),
            key: self.key_position,
            rates: Rates(self.rates),
        }
    }
}

/// The lines of each organisation's schedule in force on `at`: the version
/// with the latest start on or before it that has not ended.
pub async fn lines_at(db: &Db, org: &str, at: Date) -> Result<Vec<LineRow>, sqlx::Error> {
    scoped!(
        db,
        fetch_all,
        LineRow,
        org,
        at,
        "select p.organisation_id, l.position_id, p.code, l.unit_id, l.title, l.category,
                l.grade, l.key_position, l.rates, l.salary, l.allowances, p.since
         from staff_line l join staff_position p on p.position_id = l.position_id",
        "p.organisation_id",
        concat!(
            "and l.schedule_id in ",
            in_force!(),
            " order by p.organisation_id, p.code"
        )
    )
}

/// The lines of one version.
pub async fn lines_of(db: &Db, schedule_id: i64) -> Result<Vec<LineRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        LineRow,
        "select s.organisation_id, l.position_id, p.code, l.unit_id, l.title, l.category,
                l.grade, l.key_position, l.rates, l.salary, l.allowances, p.since
         from staff_schedule s
         join staff_line l on l.schedule_id = s.schedule_id
         join staff_position p on p.position_id = l.position_id
         where s.schedule_id = $1 order by p.code",
        schedule_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct HoldingRow {
    pub assignment_id: i64,
    pub position_id: i64,
    pub person_name: String,
    pub rate: i64,
    pub acting: bool,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub away: bool,
    pub absence: Option<String>,
}

impl HoldingRow {
    pub fn holding(&self) -> Holding {
        Holding {
            position_id: self.position_id,
            rate: Rates(self.rate),
            acting: self.acting,
            starts: self.starts_on,
            ends: self.ends_on,
            away: self.away,
        }
    }
}

/// Who holds what on `at`, and whether they are away on a leave that
/// keeps the post.
pub async fn holdings_at(db: &Db, org: &str, at: Date) -> Result<Vec<HoldingRow>, sqlx::Error> {
    scoped!(
        db,
        fetch_all,
        HoldingRow,
        org,
        at,
        "select a.assignment_id, a.position_id, a.person_name, a.rate, a.acting, a.starts_on,
                a.ends_on, b.kind is not null as away, b.kind as absence
         from staff_assignment a
         join staff_position p on p.position_id = a.position_id
         left join staff_absence b on b.absence_id =
             (select b2.absence_id from staff_absence b2
              where b2.assignment_id = a.assignment_id and b2.starts_on <= $2
                and (b2.ends_on is null or b2.ends_on >= $2)
              order by b2.starts_on desc limit 1)",
        "p.organisation_id",
        "and a.starts_on <= $2 and (a.ends_on is null or a.ends_on >= $2)
         order by a.position_id, a.starts_on"
    )
}

/// Position → date, from a two-column query.
fn dated(rows: Vec<(i64, Option<Date>)>) -> BTreeMap<i64, Date> {
    rows.into_iter()
        .filter_map(|(p, d)| d.map(|d| (p, d)))
        .collect()
}

/// The opening date of each position's vacancy open on `at`.
pub async fn vacancies_open(
    db: &Db,
    org: &str,
    at: Date,
) -> Result<BTreeMap<i64, Date>, sqlx::Error> {
    scoped!(
        db,
        fetch_all,
        (i64, Option<Date>),
        org,
        at,
        "select v.position_id, min(v.opened_on) from staff_vacancy v
         join staff_position p on p.position_id = v.position_id",
        "p.organisation_id",
        "and v.opened_on <= $2 and (v.closed_on is null or v.closed_on > $2)
         group by v.position_id"
    )
    .map(dated)
}

/// The day after each position was last held before `at`.
pub async fn last_held(db: &Db, org: &str, at: Date) -> Result<BTreeMap<i64, Date>, sqlx::Error> {
    scoped!(
        db,
        fetch_all,
        (i64, Option<Date>),
        org,
        at,
        "select a.position_id, max(a.ends_on) from staff_assignment a
         join staff_position p on p.position_id = a.position_id",
        "p.organisation_id",
        "and a.ends_on < $2 group by a.position_id"
    )
    .map(|rows| {
        dated(rows)
            .into_iter()
            .filter_map(|(p, d)| d.next_day().map(|d| (p, d)))
            .collect()
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct VacancyRow {
    pub vacancy_id: i64,
    pub position_id: i64,
    pub opened_on: Date,
    pub published_on: Option<Date>,
    pub closed_on: Option<Date>,
}

pub async fn vacancies(db: &Db, org: &str) -> Result<Vec<VacancyRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        VacancyRow,
        "select v.vacancy_id, v.position_id, v.opened_on, v.published_on, v.closed_on
         from staff_vacancy v join staff_position p on p.position_id = v.position_id
         where p.organisation_id = $1 order by v.opened_on desc, v.vacancy_id desc",
        org
    )
}

pub async fn thresholds(db: &Db, org: &str) -> Result<Thresholds, sqlx::Error> {
    let row: Option<(i64, i64, i64)> = fetch_db!(
        db,
        fetch_optional,
        (i64, i64, i64),
        "select key_vacant_days, unit_min_fill, acting_max from staff_thresholds
         where organisation_id = $1",
        org
    )?;
    Ok(
        row.map_or_else(Thresholds::default, |(k, f, a)| Thresholds {
            key_vacant_days: k,
            unit_min_fill: f,
            acting_max: a,
        }),
    )
}

pub async fn set_thresholds(tx: &mut Tx, org: &str, t: &Thresholds) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into staff_thresholds (organisation_id, key_vacant_days, unit_min_fill, acting_max)
         values ($1, $2, $3, $4)
         on conflict (organisation_id) do update set key_vacant_days = excluded.key_vacant_days,
             unit_min_fill = excluded.unit_min_fill, acting_max = excluded.acting_max",
        org,
        t.key_vacant_days,
        t.unit_min_fill,
        t.acting_max
    )
}

// ---- Writes of a schedule (the Т-3 import) ---------------------------------

/// The unit with `code`, made or renamed; its id.
pub async fn upsert_unit(
    tx: &mut Tx,
    org: &str,
    code: &str,
    name: &str,
    parent_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into staff_unit (organisation_id, code, name, parent_id) values ($1, $2, $3, $4)
         on conflict (organisation_id, code) do update
             set name = excluded.name, parent_id = coalesce(excluded.parent_id, staff_unit.parent_id)
         returning unit_id",
        org,
        code,
        name,
        parent_id
    )
    .map(|r| r.0)
}

pub async fn set_unit_parent(
    tx: &mut Tx,
    unit_id: i64,
    parent_id: Option<i64>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update staff_unit set parent_id = $2 where unit_id = $1",
        unit_id,
        parent_id
    )
}

/// The position with `code`, made if new; `since` moves back to the start
/// of the version it is written in, if that is earlier.
pub async fn upsert_position(
    tx: &mut Tx,
    org: &str,
    code: &str,
    since: Date,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into staff_position (organisation_id, code, since) values ($1, $2, $3)
         on conflict (organisation_id, code) do update set since =
             case when staff_position.since is null or staff_position.since > excluded.since
                  then excluded.since else staff_position.since end
         returning position_id",
        org,
        code,
        since
    )
    .map(|r| r.0)
}

pub struct NewSchedule<'a> {
    pub organisation_id: &'a str,
    pub order_number: &'a str,
    pub order_date: Date,
    pub valid_from: Date,
    pub imported_by: i64,
}

/// Ends the version in force before `valid_from` on the day before it and
/// adds the new one; None when a version already starts that day.
pub async fn insert_schedule(tx: &mut Tx, s: &NewSchedule<'_>) -> Result<Option<i64>, sqlx::Error> {
    let Some(day_before) = s.valid_from.previous_day() else {
        return Ok(None);
    };
    exec_tx!(
        tx,
        "update staff_schedule set valid_to = $3
         where organisation_id = $1 and valid_from < $2 and (valid_to is null or valid_to >= $2)",
        s.organisation_id,
        s.valid_from,
        day_before
    )?;
    // A later version already in the table bounds the new one.
    let next: Option<(Date,)> = fetch_tx!(
        tx,
        fetch_optional,
        (Date,),
        "select valid_from from staff_schedule where organisation_id = $1 and valid_from > $2
         order by valid_from limit 1",
        s.organisation_id,
        s.valid_from
    )?;
    let valid_to = next.and_then(|(d,)| d.previous_day());
    let id: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into staff_schedule (organisation_id, order_number, order_date, valid_from,
                                     valid_to, imported_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (organisation_id, valid_from) do nothing
         returning schedule_id",
        s.organisation_id,
        s.order_number,
        s.order_date,
        s.valid_from,
        valid_to,
        s.imported_by,
        stamp()
    )?;
    Ok(id.map(|r| r.0))
}

pub struct NewLine<'a> {
    pub schedule_id: i64,
    pub position_id: i64,
    pub unit_id: i64,
    pub title: &'a str,
    pub category: &'a str,
    pub grade: &'a str,
    pub key_position: bool,
    pub rates: i64,
    pub salary: i64,
    pub allowances: i64,
}

pub async fn insert_line(tx: &mut Tx, l: &NewLine<'_>) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into staff_line (schedule_id, position_id, unit_id, title, category, grade,
                                 key_position, rates, salary, allowances)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        l.schedule_id,
        l.position_id,
        l.unit_id,
        l.title,
        l.category,
        l.grade,
        l.key_position,
        l.rates,
        l.salary,
        l.allowances
    )
}

// ---- Placement -------------------------------------------------------------

/// The organisation a position belongs to.
pub async fn position_org(tx: &mut Tx, position_id: i64) -> Result<Option<String>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        (String,),
        "select organisation_id from staff_position where position_id = $1",
        position_id
    )
    .map(|r| r.map(|r| r.0))
}

/// The position and organisation of an assignment.
pub async fn assignment_org(
    tx: &mut Tx,
    assignment_id: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        (i64, String),
        "select a.position_id, p.organisation_id from staff_assignment a
         join staff_position p on p.position_id = a.position_id where a.assignment_id = $1",
        assignment_id
    )
}

pub struct NewAssignment<'a> {
    pub position_id: i64,
    pub person_name: &'a str,
    pub rate: i64,
    pub acting: bool,
    pub starts_on: Date,
}

pub async fn insert_assignment(tx: &mut Tx, a: &NewAssignment<'_>) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into staff_assignment (position_id, person_name, rate, acting, starts_on, created_at)
         values ($1, $2, $3, $4, $5, $6) returning assignment_id",
        a.position_id,
        a.person_name,
        a.rate,
        a.acting,
        a.starts_on,
        stamp()
    )
    .map(|r| r.0)
}

/// Ends an assignment on `last_day` (only one still held then).
pub async fn end_assignment(
    tx: &mut Tx,
    assignment_id: i64,
    last_day: Date,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update staff_assignment set ends_on = $2
         where assignment_id = $1 and starts_on <= $2 and (ends_on is null or ends_on > $2)",
        assignment_id,
        last_day
    )
}

pub async fn insert_absence(
    tx: &mut Tx,
    assignment_id: i64,
    kind: &str,
    starts_on: Date,
    ends_on: Option<Date>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into staff_absence (assignment_id, kind, starts_on, ends_on) values ($1, $2, $3, $4)",
        assignment_id,
        kind,
        starts_on,
        ends_on
    )
}

pub async fn open_vacancy(
    tx: &mut Tx,
    position_id: i64,
    opened_on: Date,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into staff_vacancy (position_id, opened_on) select $1, $2
         where not exists (select 1 from staff_vacancy where position_id = $1 and closed_on is null)",
        position_id,
        opened_on
    )
}

/// Marks the open vacancy of a position published or closed on `day`.
pub async fn update_vacancy(
    tx: &mut Tx,
    position_id: i64,
    publish: bool,
    day: Date,
) -> Result<u64, sqlx::Error> {
    if publish {
        exec_tx!(
            tx,
            "update staff_vacancy set published_on = $2
             where position_id = $1 and closed_on is null and published_on is null",
            position_id,
            day
        )
    } else {
        exec_tx!(
            tx,
            "update staff_vacancy set closed_on = $2
             where position_id = $1 and closed_on is null and opened_on <= $2",
            position_id,
            day
        )
    }
}

// ---- Flags -----------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct FlagRow {
    pub flag_id: i64,
    pub organisation_id: String,
    pub kind: String,
    pub subject: i64,
    pub unit_id: i64,
    pub value: i64,
    pub raised_at: OffsetDateTime,
    pub cleared_at: Option<OffsetDateTime>,
}

/// The open flags (of an organisation, or `""`: all).
pub async fn open_flags(db: &Db, org: &str) -> Result<Vec<FlagRow>, sqlx::Error> {
    scoped!(
        db,
        fetch_all,
        FlagRow,
        org,
        "",
        "select flag_id, organisation_id, kind, subject, unit_id, value, raised_at, cleared_at
         from staff_flag",
        "organisation_id",
        "and $2 = $2 and cleared_at is null order by raised_at, flag_id"
    )
}

pub async fn open_flags_tx(tx: &mut Tx, org: &str) -> Result<Vec<FlagRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        FlagRow,
        "select flag_id, organisation_id, kind, subject, unit_id, value, raised_at, cleared_at
         from staff_flag where organisation_id = $1 and cleared_at is null order by flag_id",
        org
    )
}

/// Raises a flag unless the same one is open; its id when it was raised.
pub async fn raise_flag(
    tx: &mut Tx,
    org: &str,
    f: &super::domain::Flag,
) -> Result<Option<i64>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into staff_flag (organisation_id, kind, subject, unit_id, value, raised_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict do nothing returning flag_id",
        org,
        f.kind.as_str(),
        f.subject,
        f.unit_id,
        f.value,
        stamp()
    )
    .map(|r| r.map(|r| r.0))
}

pub async fn update_flag_value(tx: &mut Tx, flag_id: i64, value: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update staff_flag set value = $2 where flag_id = $1 and cleared_at is null",
        flag_id,
        value
    )
}

/// Clears an open flag; whether it was open.
pub async fn clear_flag(tx: &mut Tx, flag_id: i64) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "update staff_flag set cleared_at = $2 where flag_id = $1 and cleared_at is null",
        flag_id,
        stamp()
    )
    .map(|n| n == 1)
}
