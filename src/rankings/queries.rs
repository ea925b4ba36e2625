//! SQL of rankings and indicators. Dates are `time::Date` (`date` on
//! PostgreSQL, `YYYY-MM-DD` text on SQLite); times are written in UTC.

use sqlx::FromRow;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx};

pub fn stamp() -> OffsetDateTime {
    crate::db::now().to_offset(UtcOffset::UTC)
}

#[derive(Debug, Clone, FromRow)]
pub struct RankingRow {
    pub ranking_id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub publisher: String,
    pub methodology_url: String,
    pub periodicity: String,
    pub entities: i64,
    pub lower_is_better: bool,
    pub groups: String,
}

const RANKING_COLUMNS: &str = "ranking_id, code, name_ru, name_en, publisher, methodology_url, \
                               periodicity, entities, lower_is_better, groups";

pub async fn rankings(db: &Db) -> Result<Vec<RankingRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RankingRow,
        sqlx::AssertSqlSafe(format!(
            "select {RANKING_COLUMNS} from ranking order by name_ru"
        ))
    )
}

pub async fn ranking(db: &Db, code: &str) -> Result<Option<RankingRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        RankingRow,
        sqlx::AssertSqlSafe(format!(
            "select {RANKING_COLUMNS} from ranking where code = $1"
        )),
        code
    )
}

pub struct NewRanking<'a> {
    pub code: &'a str,
    pub name_ru: &'a str,
    pub name_en: &'a str,
    pub publisher: &'a str,
    pub methodology_url: &'a str,
    pub periodicity: &'a str,
    pub entities: i64,
    pub lower_is_better: bool,
    pub groups: &'a str,
}

/// The new ranking's id; `None` when its code is taken.
pub async fn insert_ranking(tx: &mut Tx, r: &NewRanking<'_>) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into ranking (code, name_ru, name_en, publisher, methodology_url, periodicity,
             entities, lower_is_better, groups, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (code) do nothing returning ranking_id",
        r.code,
        r.name_ru,
        r.name_en,
        r.publisher,
        r.methodology_url,
        r.periodicity,
        r.entities,
        r.lower_is_better,
        r.groups,
        stamp()
    )?;
    Ok(row.map(|r| r.0))
}

#[derive(Debug, Clone, FromRow)]
pub struct EditionRow {
    pub edition_id: i64,
    pub ranking_id: i64,
    pub period: String,
    pub published_on: Date,
    pub source_url: String,
}

/// A ranking's editions (or every ranking's, `0`), oldest first.
pub async fn editions(db: &Db, ranking_id: i64) -> Result<Vec<EditionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        EditionRow,
        "select edition_id, ranking_id, period, published_on, source_url from ranking_edition
         where ($1 = 0 or ranking_id = $1) order by ranking_id, period",
        ranking_id
    )
}

/// The edition of a period, created or found: its id and whether it is
/// new.
pub async fn edition(
    tx: &mut Tx,
    ranking_id: i64,
    period: &str,
    published_on: Date,
    source_url: &str,
    by: i64,
) -> Result<(i64, bool), sqlx::Error> {
    let new: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into ranking_edition (ranking_id, period, published_on, source_url, created_by,
             created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict (ranking_id, period) do nothing
         returning edition_id",
        ranking_id,
        period,
        published_on,
        source_url,
        by,
        stamp()
    )?;
    if let Some((id,)) = new {
        return Ok((id, true));
    }
    let (id,): (i64,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "select edition_id from ranking_edition where ranking_id = $1 and period = $2",
        ranking_id,
        period
    )?;
    exec_tx!(
        tx,
        "update ranking_edition set published_on = $2, source_url = $3 where edition_id = $1",
        id,
        published_on,
        source_url
    )?;
    Ok((id, false))
}

#[derive(Debug, Clone, FromRow)]
pub struct ResultRow {
    pub edition_id: i64,
    pub region: String,
    pub place: i64,
    pub score: Option<f64>,
    pub grp: String,
}

/// An edition's table is replaced whole: a corrected upload is the
/// publisher's corrected table.
pub async fn replace_results(
    tx: &mut Tx,
    edition_id: i64,
    rows: &[ResultRow],
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "delete from ranking_result where edition_id = $1",
        edition_id
    )?;
    for r in rows {
        exec_tx!(
            tx,
            "insert into ranking_result (edition_id, region, place, score, grp)
             values ($1, $2, $3, $4, $5)",
            edition_id,
            &r.region,
            r.place,
            r.score,
            &r.grp
        )?;
    }
    Ok(())
}

/// Every result of a ranking's editions (`0`: of every ranking) for the
/// regions listed as `,a,b,` (or all, `""`). Region codes are letters and
/// hyphens: no wildcard of `like`.
pub async fn results(
    db: &Db,
    ranking_id: i64,
    regions: &str,
) -> Result<Vec<ResultRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ResultRow,
        "select r.edition_id, r.region, r.place, r.score, r.grp
         from ranking_result r join ranking_edition e on e.edition_id = r.edition_id
         where ($1 = 0 or e.ranking_id = $1)
           and ($2 = '' or $2 like '%,' || r.region || ',%')
         order by r.edition_id, r.place, r.region",
        ranking_id,
        regions
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct IndicatorRow {
    pub indicator_id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub unit: String,
    pub direction: String,
    pub band_low: Option<f64>,
    pub band_high: Option<f64>,
    pub decimals: i64,
    pub methodology: String,
    pub organisation_id: Option<String>,
    pub wording: String,
    pub source: String,
    pub base_year: Option<i64>,
    pub project_id: Option<i64>,
}

const INDICATOR_COLUMNS: &str = "indicator_id, code, name_ru, name_en, unit, direction, \
     band_low, band_high, decimals, methodology, organisation_id, wording, source, base_year, \
     project_id";

pub async fn indicators(db: &Db) -> Result<Vec<IndicatorRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        IndicatorRow,
        sqlx::AssertSqlSafe(format!(
            "select {INDICATOR_COLUMNS} from indicator order by code"
        ))
    )
}

pub async fn indicator(db: &Db, code: &str) -> Result<Option<IndicatorRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        IndicatorRow,
        sqlx::AssertSqlSafe(format!(
            "select {INDICATOR_COLUMNS} from indicator where code = $1"
        )),
        code
    )
}

/// Adds an indicator of the shipped list, or brings a known one's
/// wording in line with the list. The owner is the list's only while
/// none was set: a reassignment here outlives a new list.
pub async fn upsert_listed(
    tx: &mut Tx,
    i: &super::data::ListedIndicator,
    owner: Option<&str>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into indicator (code, name_ru, name_en, unit, direction, band_low, band_high,
             decimals, methodology, organisation_id, wording, source, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         on conflict (code) do update set name_ru = excluded.name_ru,
             name_en = excluded.name_en, unit = excluded.unit, direction = excluded.direction,
             band_low = excluded.band_low, band_high = excluded.band_high,
             decimals = excluded.decimals, methodology = excluded.methodology,
             organisation_id = coalesce(indicator.organisation_id, excluded.organisation_id),
             wording = excluded.wording, source = excluded.source",
        &i.code,
        &i.name_ru,
        &i.name_en,
        &i.unit,
        &i.direction,
        i.band_low,
        i.band_high,
        i.decimals,
        &i.methodology,
        owner,
        &i.wording,
        &i.source,
        stamp()
    )?;
    Ok(())
}

pub async fn set_project(
    tx: &mut Tx,
    indicator_id: i64,
    project_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update indicator set project_id = $2 where indicator_id = $1",
        indicator_id,
        project_id
    )?;
    Ok(())
}

pub async fn set_base_year(
    tx: &mut Tx,
    indicator_id: i64,
    base_year: Option<i64>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update indicator set base_year = $2 where indicator_id = $1",
        indicator_id,
        base_year
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct ValueRow {
    pub value_id: i64,
    pub indicator_id: i64,
    pub territory: String,
    pub year: i64,
    pub value: f64,
    pub status: String,
    pub revision: i64,
    pub current: bool,
    pub origin: String,
    pub recorder: Option<String>,
    pub recorded_at: OffsetDateTime,
}

const VALUE_COLUMNS: &str = "v.value_id, v.indicator_id, v.territory, v.year, v.value, \
     v.status, v.revision, v.current, v.origin, a.display_name as recorder, v.recorded_at \
     from indicator_value v left join account a on a.account_id = v.recorded_by";

/// The current values of every indicator (`0`) or one, in a territory
/// (`''`: the region), by indicator and year.
pub async fn current_values(
    db: &Db,
    indicator_id: i64,
    territory: &str,
) -> Result<Vec<ValueRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ValueRow,
        sqlx::AssertSqlSafe(format!(
            "select {VALUE_COLUMNS} where v.current = $3 and v.territory = $2
               and ($1 = 0 or v.indicator_id = $1)
             order by v.indicator_id, v.year"
        )),
        indicator_id,
        territory,
        true
    )
}

/// Every revision of an indicator's values, newest first.
pub async fn history(db: &Db, indicator_id: i64) -> Result<Vec<ValueRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ValueRow,
        sqlx::AssertSqlSafe(format!(
            "select {VALUE_COLUMNS} where v.indicator_id = $1
             order by v.territory, v.year desc, v.revision desc"
        )),
        indicator_id
    )
}

pub struct NewValue<'a> {
    pub indicator_id: i64,
    pub territory: &'a str,
    pub year: i64,
    pub value: f64,
    /// `preliminary` or `final`; a change after a final value is stored
    /// as `revised`.
    pub status: &'a str,
    pub origin: &'a str,
    pub by: Option<i64>,
}

/// Records a value as a new revision; the earlier stays in the history.
/// `false` when the current value is this one already (an import read
/// twice changes nothing).
pub async fn record_value(tx: &mut Tx, v: &NewValue<'_>) -> Result<bool, sqlx::Error> {
    let now: Option<(f64, String, i64)> = fetch_tx!(
        tx,
        fetch_optional,
        (f64, String, i64),
        "select value, status, revision from indicator_value
         where indicator_id = $1 and territory = $2 and year = $3 and current = $4",
        v.indicator_id,
        v.territory,
        v.year,
        true
    )?;
    let (status, revision) = match &now {
        None => (v.status, 1),
        Some((value, status, revision)) => {
            let was_final = status != "preliminary";
            // After a final figure only the value matters: a preliminary
            // one of the same value (an older file read again) is no news.
            let same_status = status == v.status || was_final;
            if *value == v.value && same_status {
                return Ok(false);
            }
            // A final figure never goes back to preliminary: what changes
            // after it is a revision.
            let next = if was_final { "revised" } else { v.status };
            (next, revision + 1)
        }
    };
    exec_tx!(
        tx,
        "update indicator_value set current = $4
         where indicator_id = $1 and territory = $2 and year = $3",
        v.indicator_id,
        v.territory,
        v.year,
        false
    )?;
    exec_tx!(
        tx,
        "insert into indicator_value (indicator_id, territory, year, value, status, revision,
             current, origin, recorded_by, recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        v.indicator_id,
        v.territory,
        v.year,
        v.value,
        status,
        revision,
        true,
        v.origin,
        v.by,
        stamp()
    )?;
    Ok(true)
}

#[derive(Debug, Clone, FromRow)]
pub struct TargetRow {
    pub indicator_id: i64,
    pub year: i64,
    pub value: f64,
    pub basis: String,
}

/// Every indicator's targets (`0`) or one's, by year.
pub async fn targets(db: &Db, indicator_id: i64) -> Result<Vec<TargetRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        TargetRow,
        "select indicator_id, year, value, basis from indicator_target
         where ($1 = 0 or indicator_id = $1) order by indicator_id, year",
        indicator_id
    )
}

pub async fn set_target(tx: &mut Tx, t: &TargetRow, by: Option<i64>) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into indicator_target (indicator_id, year, value, basis, set_by, set_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (indicator_id, year) do update set value = excluded.value,
             basis = excluded.basis, set_by = excluded.set_by, set_at = excluded.set_at",
        t.indicator_id,
        t.year,
        t.value,
        &t.basis,
        by,
        stamp()
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AlertRow {
    pub alert_id: i64,
    pub indicator_id: i64,
    pub period: i64,
    pub status: String,
    pub raised_at: OffsetDateTime,
    pub cleared_at: Option<OffsetDateTime>,
}

const ALERTS: &str = "select alert_id, indicator_id, period, status, raised_at, cleared_at
     from indicator_alert where ($1 = 0 or indicator_id = $1)
     order by indicator_id, period desc";

/// Every alert of an indicator (`0`: of all), newest period first.
pub async fn alerts(db: &Db, indicator_id: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    fetch_db!(db, fetch_all, AlertRow, ALERTS, indicator_id)
}

pub async fn alerts_tx(tx: &mut Tx, indicator_id: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    fetch_tx!(tx, fetch_all, AlertRow, ALERTS, indicator_id)
}

/// The alert of an indicator's period, once: `None` when the period had
/// one already (open or cleared).
pub async fn raise_alert(
    tx: &mut Tx,
    indicator_id: i64,
    period: i64,
    status: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "insert into indicator_alert (indicator_id, period, status, raised_at)
         values ($1, $2, $3, $4) on conflict do nothing returning alert_id",
        indicator_id,
        period,
        status,
        stamp()
    )?;
    Ok(row.map(|r| r.0))
}

pub async fn clear_alert(tx: &mut Tx, alert_id: i64) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update indicator_alert set cleared_at = $2 where alert_id = $1 and cleared_at is null",
        alert_id,
        stamp()
    )? > 0)
}
