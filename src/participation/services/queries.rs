//! SQL of service ratings. Sums are cast to bigint: PostgreSQL sums bigints
//! into numeric.

use serde::Serialize;
use sqlx::FromRow;
use time::OffsetDateTime;

use super::domain::{Month, Scores, Sums};
use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

macro_rules! service_columns {
    () => {
        "s.service_id, s.grp, s.name_ru, s.name_en, s.organisation_id,
         o.name_ru as organisation_ru, o.name_en as organisation_en, s.municipality_id, s.channel,
         s.active
         from gov_service s join organisation o on o.organisation_id = s.organisation_id"
    };
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ServiceRow {
    pub service_id: String,
    pub grp: String,
    pub name_ru: String,
    pub name_en: String,
    pub organisation_id: String,
    pub organisation_ru: String,
    pub organisation_en: String,
    pub municipality_id: Option<String>,
    pub channel: String,
    pub active: bool,
}

pub async fn services(db: &Db) -> Result<Vec<ServiceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ServiceRow,
        concat!(
            "select ",
            service_columns!(),
            " order by s.grp, s.municipality_id is not null, s.municipality_id, s.channel, s.service_id"
        )
    )
}

pub async fn service(db: &Db, id: &str) -> Result<Option<ServiceRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        ServiceRow,
        concat!("select ", service_columns!(), " where s.service_id = $1"),
        id
    )
}

pub async fn service_tx(tx: &mut Tx, id: &str) -> Result<Option<ServiceRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        ServiceRow,
        concat!("select ", service_columns!(), " where s.service_id = $1"),
        id
    )
}

pub struct NewService<'a> {
    pub service_id: &'a str,
    pub grp: &'a str,
    pub name_ru: &'a str,
    pub name_en: &'a str,
    pub organisation_id: &'a str,
    pub municipality_id: Option<&'a str>,
    pub channel: &'a str,
}

/// Adds a service unless one with its id exists.
pub async fn insert_service(tx: &mut Tx, s: &NewService<'_>) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into gov_service (service_id, grp, name_ru, name_en, organisation_id,
                                  municipality_id, channel, active, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (service_id) do nothing",
        s.service_id,
        s.grp,
        s.name_ru,
        s.name_en,
        s.organisation_id,
        s.municipality_id,
        s.channel,
        true,
        crate::db::now()
    )
    .map(|n| n > 0)
}

/// Records a rating; `false` when the citizen already rated the service
/// this month (the constraint decides, so two tabs cannot both count).
pub async fn insert_rating(
    tx: &mut Tx,
    service_id: &str,
    account_id: i64,
    month: Month,
    s: Scores,
    comment: &str,
) -> Result<Option<i64>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into service_rating (service_id, account_id, month, quality, convenience, speed,
                                     comment, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (service_id, account_id, month) do nothing
         returning rating_id",
        service_id,
        account_id,
        month.to_string(),
        i64::from(s.quality),
        i64::from(s.convenience),
        i64::from(s.speed),
        comment,
        crate::db::now()
    )
    .map(|r| r.map(|r| r.0))
}

pub async fn link_feedback(tx: &mut Tx, rating_id: i64, appeal_id: i64) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update service_rating set appeal_id = $2 where rating_id = $1",
        rating_id,
        appeal_id
    )
    .map(|_| ())
}

#[derive(Debug, Clone, FromRow)]
pub struct MyRating {
    pub quality: i64,
    pub convenience: i64,
    pub speed: i64,
    pub appeal_id: Option<i64>,
}

/// The citizen's rating of the service this month, if any.
pub async fn my_rating(
    db: &Db,
    service_id: &str,
    account_id: i64,
    month: Month,
) -> Result<Option<MyRating>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        MyRating,
        "select quality, convenience, speed, appeal_id from service_rating
         where service_id = $1 and account_id = $2 and month = $3",
        service_id,
        account_id,
        month.to_string()
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct SumsRow {
    pub subject_id: String,
    pub n: i64,
    pub q: i64,
    pub qq: i64,
    pub c: i64,
    pub cc: i64,
    pub s: i64,
    pub ss: i64,
    pub t: i64,
    pub tt: i64,
}

impl SumsRow {
    pub fn sums(&self) -> Sums {
        Sums {
            n: self.n,
            quality: (self.q, self.qq),
            convenience: (self.c, self.cc),
            speed: (self.s, self.ss),
            triple: (self.t, self.tt),
        }
    }
}

macro_rules! sums_columns {
    () => {
        "count(*) as n,
         cast(sum(r.quality) as bigint) as q, cast(sum(r.quality * r.quality) as bigint) as qq,
         cast(sum(r.convenience) as bigint) as c, cast(sum(r.convenience * r.convenience) as bigint) as cc,
         cast(sum(r.speed) as bigint) as s, cast(sum(r.speed * r.speed) as bigint) as ss,
         cast(sum(r.quality + r.convenience + r.speed) as bigint) as t,
         cast(sum((r.quality + r.convenience + r.speed) * (r.quality + r.convenience + r.speed)) as bigint) as tt"
    };
}

/// A month's sums per service.
pub async fn sums_by_service(db: &Db, month: Month) -> Result<Vec<SumsRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        SumsRow,
        concat!(
            "select r.service_id as subject_id, ",
            sums_columns!(),
            " from service_rating r where r.month = $1 group by r.service_id"
        ),
        month.to_string()
    )
}

/// A month's sums per providing organisation (all its services' ratings).
pub async fn sums_by_organisation(db: &Db, month: Month) -> Result<Vec<SumsRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        SumsRow,
        concat!(
            "select s.organisation_id as subject_id, ",
            sums_columns!(),
            " from service_rating r join gov_service s on s.service_id = r.service_id
             where r.month = $1 group by s.organisation_id"
        ),
        month.to_string()
    )
}

/// The months with ratings that are not closed yet, before `before`.
pub async fn months_to_close(db: &Db, before: Month) -> Result<Vec<Month>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_db!(
        db,
        fetch_all,
        (String,),
        "select distinct r.month from service_rating r
         where r.month < $1 and not exists (select 1 from service_month m where m.month = r.month)
         order by r.month",
        before.to_string()
    )?;
    Ok(rows.iter().filter_map(|r| Month::parse(&r.0)).collect())
}

/// Marks a month closed; `false` when it already was (another run closed
/// it first: this one writes nothing).
pub async fn insert_month(tx: &mut Tx, month: Month, min_n: i64) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into service_month (month, min_n, closed_at) values ($1, $2, $3)
         on conflict (month) do nothing",
        month.to_string(),
        min_n,
        crate::db::now()
    )
    .map(|n| n > 0)
}

/// A closed month's stored result for one subject.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ResultRow {
    pub month: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub grp: String,
    pub n: i64,
    pub quality_mean: Option<f64>,
    pub quality_low: Option<f64>,
    pub quality_high: Option<f64>,
    pub convenience_mean: Option<f64>,
    pub convenience_low: Option<f64>,
    pub convenience_high: Option<f64>,
    pub speed_mean: Option<f64>,
    pub speed_low: Option<f64>,
    pub speed_high: Option<f64>,
    pub overall_mean: Option<f64>,
    pub overall_low: Option<f64>,
    pub overall_high: Option<f64>,
    pub position: Option<i64>,
    pub compared: i64,
}

macro_rules! result_columns {
    () => {
        "month, subject_kind, subject_id, grp, n, quality_mean, quality_low, quality_high,
         convenience_mean, convenience_low, convenience_high, speed_mean, speed_low, speed_high,
         overall_mean, overall_low, overall_high, position, compared"
    };
}

/// The stored results that `$rest` (what follows the table's name) picks.
macro_rules! select_results {
    ($db:expr, $rest:literal $(, $arg:expr)* $(,)?) => {
        fetch_db!(
            $db,
            fetch_all,
            ResultRow,
            concat!("select ", result_columns!(), " from service_result ", $rest)
            $(, $arg)*
        )
    };
}

pub async fn insert_result(tx: &mut Tx, r: &ResultRow) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        concat!(
            "insert into service_result (",
            result_columns!(),
            ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        ),
        &r.month,
        &r.subject_kind,
        &r.subject_id,
        &r.grp,
        r.n,
        r.quality_mean,
        r.quality_low,
        r.quality_high,
        r.convenience_mean,
        r.convenience_low,
        r.convenience_high,
        r.speed_mean,
        r.speed_low,
        r.speed_high,
        r.overall_mean,
        r.overall_low,
        r.overall_high,
        r.position,
        r.compared
    )
    .map(|_| ())
}

/// Every stored result, oldest month first (the open dataset).
pub async fn all_results(db: &Db) -> Result<Vec<ResultRow>, sqlx::Error> {
    select_results!(
        db,
        "order by month, subject_kind desc, grp, position is null, position, subject_id"
    )
}

/// A closed month's results.
pub async fn results_of_month(db: &Db, month: Month) -> Result<Vec<ResultRow>, sqlx::Error> {
    select_results!(
        db,
        "where month = $1 order by subject_kind desc, grp, position is null, position, subject_id",
        month.to_string()
    )
}

/// One subject's closed months, oldest first.
pub async fn results_of_subject(
    db: &Db,
    kind: &str,
    id: &str,
) -> Result<Vec<ResultRow>, sqlx::Error> {
    select_results!(
        db,
        "where subject_kind = $1 and subject_id = $2 order by month",
        kind,
        id
    )
}

/// The closed months, newest first.
pub async fn closed_months(db: &Db) -> Result<Vec<(Month, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> = fetch_db!(
        db,
        fetch_all,
        (String, i64),
        "select month, min_n from service_month order by month desc"
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, n)| Month::parse(&m).map(|m| (m, n)))
        .collect())
}

#[derive(Debug, Clone, FromRow)]
pub struct FeedbackRow {
    pub appeal_id: i64,
    pub state: String,
    pub created_at: OffsetDateTime,
}

/// The feedback requests a service's low ratings became, newest first.
pub async fn feedback_of(db: &Db, service_id: &str) -> Result<Vec<FeedbackRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        FeedbackRow,
        "select a.appeal_id, a.state, a.created_at from service_rating r
         join appeal a on a.appeal_id = r.appeal_id
         where r.service_id = $1 order by a.appeal_id desc limit 50",
        service_id
    )
}

/// The service a feedback request is about.
pub async fn service_of_feedback(db: &Db, appeal_id: i64) -> Result<Option<String>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        (String,),
        "select service_id from service_rating where appeal_id = $1",
        appeal_id
    )
    .map(|r| r.map(|r| r.0))
}
