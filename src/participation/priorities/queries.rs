//! SQL of priority ranks. Times are written in UTC (`stamp`), so the
//! text timestamps of SQLite compare as times.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::FromRow;
use time::{OffsetDateTime, UtcOffset};

use super::domain::{Count, Quarter, Ranked, State, Tallies};
use crate::db::{Db, Tx};
use crate::{exec_tx, fetch_db, fetch_tx, on_tx};

/// The service clock in UTC.
pub fn stamp() -> OffsetDateTime {
    crate::db::now().to_offset(UtcOffset::UTC)
}

macro_rules! priority_columns {
    () => {
        "p.priority_id, p.title, p.description, p.municipality_id, p.topic, p.organisation_id,
         o.name_ru as organisation_ru, o.name_en as organisation_en, p.state, p.state_note,
         p.proposed_by, p.created_at, p.published_at
         from priority p join organisation o on o.organisation_id = p.organisation_id"
    };
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct PriorityRow {
    pub priority_id: i64,
    pub title: String,
    pub description: String,
    pub municipality_id: Option<String>,
    pub topic: String,
    pub organisation_id: String,
    pub organisation_ru: String,
    pub organisation_en: String,
    pub state: String,
    /// Why it was rejected or frozen (shown to staff only).
    #[serde(skip)]
    pub state_note: String,
    #[serde(skip)]
    pub proposed_by: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

impl PriorityRow {
    pub fn state(&self) -> State {
        State::parse(&self.state)
    }
}

pub struct NewPriority<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub municipality_id: Option<&'a str>,
    pub topic: &'a str,
    pub organisation_id: &'a str,
    pub proposed_by: i64,
}

pub async fn insert(tx: &mut Tx, p: &NewPriority<'_>) -> Result<i64, sqlx::Error> {
    let now = stamp();
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into priority (title, description, municipality_id, topic, organisation_id,
                               state, proposed_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, 'proposed', $6, $7, $7) returning priority_id",
        p.title,
        p.description,
        p.municipality_id,
        p.topic,
        p.organisation_id,
        p.proposed_by,
        now
    )
    .map(|r| r.0)
}

pub async fn priority(db: &Db, id: i64) -> Result<Option<PriorityRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        PriorityRow,
        concat!("select ", priority_columns!(), " where p.priority_id = $1"),
        id
    )
}

pub async fn priority_tx(tx: &mut Tx, id: i64) -> Result<Option<PriorityRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        PriorityRow,
        concat!("select ", priority_columns!(), " where p.priority_id = $1"),
        id
    )
}

/// Priorities in one of `states`, newest first.
pub async fn by_states(db: &Db, states: &[State]) -> Result<Vec<PriorityRow>, sqlx::Error> {
    let all: Vec<PriorityRow> = fetch_db!(
        db,
        fetch_all,
        PriorityRow,
        concat!(
            "select ",
            priority_columns!(),
            " order by p.priority_id desc"
        )
    )?;
    Ok(all
        .into_iter()
        .filter(|p| states.contains(&p.state()))
        .collect())
}

/// Moves a priority to `to` if it is in `from`; false when it was not.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    from: State,
    to: State,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let now = stamp();
    let published = (to == State::Published && from == State::Proposed).then_some(now);
    exec_tx!(
        tx,
        "update priority set state = $3, state_note = $4, updated_at = $5,
                published_at = coalesce(published_at, $6)
         where priority_id = $1 and state = $2",
        id,
        from.as_str(),
        to.as_str(),
        note,
        now,
        published
    )
    .map(|n| n == 1)
}

/// What supporting needs to know about the person, read under a lock on
/// their account row, so two supports of one person are counted one after
/// the other (SQLite: `BEGIN IMMEDIATE` serialises already).
#[derive(Debug, FromRow)]
pub struct Voter {
    pub municipality_id: Option<String>,
    pub municipality_status: Option<String>,
    pub confirmed: bool,
}

pub async fn voter_locked(tx: &mut Tx, account_id: i64) -> Result<Option<Voter>, sqlx::Error> {
    exec_tx!(
        tx,
        "update account set updated_at = updated_at where account_id = $1",
        account_id
    )?;
    voter_tx(tx, account_id).await
}

const VOTER: &str = "select municipality_id, municipality_status,
        (email_confirmed_at is not null
         or exists (select 1 from account_identity i where i.account_id = a.account_id)) as confirmed
   from account a where account_id = $1 and disabled_at is null";

pub async fn voter_tx(tx: &mut Tx, account_id: i64) -> Result<Option<Voter>, sqlx::Error> {
    fetch_tx!(tx, fetch_optional, Voter, VOTER, account_id)
}

pub async fn voter(db: &Db, account_id: i64) -> Result<Option<Voter>, sqlx::Error> {
    fetch_db!(db, fetch_optional, Voter, VOTER, account_id)
}

/// The supports of a quarter (`$2`) not withdrawn, of one account or of
/// one priority (`$1`).
macro_rules! current_supports {
    (account) => {
        "from priority_support where account_id = $1 and quarter = $2 and withdrawn_at is null"
    };
    (priority) => {
        "from priority_support where priority_id = $1 and quarter = $2 and withdrawn_at is null"
    };
}

/// The priorities a person supports in a quarter.
pub async fn supported_by(
    db: &Db,
    account_id: i64,
    quarter: Quarter,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = fetch_db!(
        db,
        fetch_all,
        (i64,),
        concat!("select priority_id ", current_supports!(account)),
        account_id,
        quarter.to_string()
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn active_supports_tx(
    tx: &mut Tx,
    account_id: i64,
    quarter: Quarter,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        concat!("select count(*) ", current_supports!(account)),
        account_id,
        quarter.to_string()
    )
    .map(|r| r.0)
}

/// Records a support with the residence of this moment; a support
/// withdrawn earlier in the quarter is given again. False when the person
/// supports it already.
pub async fn add_support(
    tx: &mut Tx,
    priority_id: i64,
    account_id: i64,
    quarter: Quarter,
    municipality_id: &str,
    residence: &str,
) -> Result<bool, sqlx::Error> {
    let now = stamp();
    let q = quarter.to_string();
    let revived = exec_tx!(
        tx,
        "update priority_support set withdrawn_at = null, municipality_id = $4, residence = $5,
                created_at = $6
         where priority_id = $1 and account_id = $2 and quarter = $3 and withdrawn_at is not null",
        priority_id,
        account_id,
        &q,
        municipality_id,
        residence,
        now
    )?;
    if revived == 1 {
        return Ok(true);
    }
    exec_tx!(
        tx,
        "insert into priority_support (priority_id, account_id, quarter, municipality_id,
                                       residence, created_at)
         values ($1, $2, $3, $4, $5, $6) on conflict do nothing",
        priority_id,
        account_id,
        &q,
        municipality_id,
        residence,
        now
    )
    .map(|n| n == 1)
}

pub async fn withdraw_support(
    tx: &mut Tx,
    priority_id: i64,
    account_id: i64,
    quarter: Quarter,
) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "update priority_support set withdrawn_at = $4
         where priority_id = $1 and account_id = $2 and quarter = $3 and withdrawn_at is null",
        priority_id,
        account_id,
        quarter.to_string(),
        stamp()
    )
    .map(|n| n == 1)
}

/// The supports and participants of a quarter. A participant counts for
/// each municipality and kind of residence their supports recorded (one
/// who moved within the quarter counts in both places).
pub async fn tallies(db: &Db, quarter: Quarter) -> Result<Tallies, sqlx::Error> {
    let q = quarter.to_string();
    let supports: Vec<(i64, String, String, i64)> = fetch_db!(
        db,
        fetch_all,
        (i64, String, String, i64),
        "select priority_id, municipality_id, residence, count(*) from priority_support
         where quarter = $1 and withdrawn_at is null group by priority_id, municipality_id, residence",
        &q
    )?;
    let participants: Vec<(String, String, i64)> = fetch_db!(
        db,
        fetch_all,
        (String, String, i64),
        "select municipality_id, residence, count(distinct account_id) from priority_support
         where quarter = $1 and withdrawn_at is null group by municipality_id, residence",
        &q
    )?;
    let mut t = Tallies {
        supports: BTreeMap::new(),
        participants: BTreeMap::new(),
    };
    for (p, m, r, n) in supports {
        t.supports.entry((p, m)).or_default().add_residents(&r, n);
    }
    for (m, r, n) in participants {
        t.participants.entry(m).or_default().add_residents(&r, n);
    }
    Ok(t)
}

/// One position of a closed quarter.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct RankRow {
    pub quarter: String,
    pub scope: String,
    pub priority_id: i64,
    pub position: i64,
    pub score: f64,
    pub supporters_verified: i64,
    pub supporters_declared: i64,
    pub participants_verified: i64,
    pub participants_declared: i64,
    pub wilson_lower: f64,
}

impl RankRow {
    pub fn ranked(&self) -> Ranked {
        Ranked {
            priority_id: self.priority_id,
            position: self.position,
            score: self.score,
            supporters: Count {
                verified: self.supporters_verified,
                declared: self.supporters_declared,
            },
            participants: Count {
                verified: self.participants_verified,
                declared: self.participants_declared,
            },
            wilson_lower: self.wilson_lower,
        }
    }
}

macro_rules! rank_columns {
    () => {
        "select quarter, scope, priority_id, position, score, supporters_verified,
                supporters_declared, participants_verified, participants_declared, wilson_lower
         from priority_rank"
    };
}

/// A closed quarter's ranking of one scope, by position.
pub async fn snapshot_ranks(
    db: &Db,
    quarter: Quarter,
    scope: &str,
) -> Result<Vec<RankRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RankRow,
        concat!(
            rank_columns!(),
            " where quarter = $1 and scope = $2 order by position, priority_id"
        ),
        quarter.to_string(),
        scope
    )
}

/// Every scope's ranking of a closed quarter.
pub async fn quarter_ranks(db: &Db, quarter: Quarter) -> Result<Vec<RankRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RankRow,
        concat!(
            rank_columns!(),
            " where quarter = $1 order by scope, position, priority_id"
        ),
        quarter.to_string()
    )
}

/// Every position a priority held, oldest quarter first.
pub async fn history(db: &Db, priority_id: i64) -> Result<Vec<RankRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RankRow,
        concat!(
            rank_columns!(),
            " where priority_id = $1 order by quarter, scope"
        ),
        priority_id
    )
}

/// Every row of every closed quarter (the open dataset).
pub async fn all_ranks(db: &Db) -> Result<Vec<RankRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RankRow,
        concat!(
            rank_columns!(),
            " order by quarter, scope, position, priority_id"
        )
    )
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct SnapshotRow {
    pub quarter: String,
    #[serde(with = "time::serde::rfc3339")]
    pub computed_at: OffsetDateTime,
    pub declared_weight: f64,
    pub population_source: String,
    pub population_year: i64,
    pub priorities: i64,
    pub supports: i64,
}

pub async fn snapshots(db: &Db) -> Result<Vec<SnapshotRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        SnapshotRow,
        "select quarter, computed_at, declared_weight, population_source, population_year,
                priorities, supports
         from priority_snapshot order by quarter desc"
    )
}

pub async fn snapshot(db: &Db, quarter: Quarter) -> Result<Option<SnapshotRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        SnapshotRow,
        "select quarter, computed_at, declared_weight, population_source, population_year,
                priorities, supports
         from priority_snapshot where quarter = $1",
        quarter.to_string()
    )
}

/// Claims a quarter's snapshot: false when it exists already (closed by
/// an earlier run, or by another process at the same moment).
pub async fn claim_snapshot(tx: &mut Tx, s: &SnapshotRow) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into priority_snapshot (quarter, computed_at, declared_weight, population_source,
                                        population_year, priorities, supports)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
        &s.quarter,
        s.computed_at,
        s.declared_weight,
        &s.population_source,
        s.population_year,
        s.priorities,
        s.supports
    )
    .map(|n| n == 1)
}

/// Writes positions, a hundred rows a statement (a quarter has tens of
/// thousands: one statement each would take seconds on PostgreSQL).
pub async fn insert_ranks(tx: &mut Tx, rows: &[RankRow]) -> Result<(), sqlx::Error> {
    const COLUMNS: usize = 10;
    for chunk in rows.chunks(100) {
        // Placeholders only: every value is bound.
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p: Vec<String> = (1..=COLUMNS)
                    .map(|c| format!("${}", r * COLUMNS + c))
                    .collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "insert into priority_rank (quarter, scope, priority_id, position, score,
                 supporters_verified, supporters_declared, participants_verified,
                 participants_declared, wilson_lower)
             values {}",
            values.join(", ")
        );
        on_tx!(tx, |conn| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                q = q
                    .bind(&r.quarter)
                    .bind(&r.scope)
                    .bind(r.priority_id)
                    .bind(r.position)
                    .bind(r.score)
                    .bind(r.supporters_verified)
                    .bind(r.supporters_declared)
                    .bind(r.participants_verified)
                    .bind(r.participants_declared)
                    .bind(r.wilson_lower);
            }
            q.execute(conn).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// The quarters before `current` that have supports but no snapshot.
pub async fn quarters_to_close(db: &Db, current: Quarter) -> Result<Vec<Quarter>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_db!(
        db,
        fetch_all,
        (String,),
        "select distinct s.quarter from priority_support s
         where not exists (select 1 from priority_snapshot n where n.quarter = s.quarter)"
    )?;
    let mut out: Vec<Quarter> = rows
        .iter()
        .filter_map(|r| Quarter::parse(&r.0))
        .filter(|q| *q < current)
        .collect();
    out.sort();
    Ok(out)
}

/// A priority's current supporters per municipality.
pub async fn supporters_by_municipality(
    db: &Db,
    priority_id: i64,
    quarter: Quarter,
) -> Result<BTreeMap<String, Count>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = fetch_db!(
        db,
        fetch_all,
        (String, String, i64),
        concat!(
            "select municipality_id, residence, count(*) ",
            current_supports!(priority),
            " group by municipality_id, residence"
        ),
        priority_id,
        quarter.to_string()
    )?;
    let mut out: BTreeMap<String, Count> = BTreeMap::new();
    for (m, r, n) in rows {
        out.entry(m).or_default().add_residents(&r, n);
    }
    Ok(out)
}

/// When each current support of a priority was given (for the chart).
pub async fn support_times(
    db: &Db,
    priority_id: i64,
    quarter: Quarter,
) -> Result<Vec<OffsetDateTime>, sqlx::Error> {
    let rows: Vec<(OffsetDateTime,)> = fetch_db!(
        db,
        fetch_all,
        (OffsetDateTime,),
        concat!(
            "select created_at ",
            current_supports!(priority),
            " order by created_at"
        ),
        priority_id,
        quarter.to_string()
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A recent support with the age of the account that gave it.
#[derive(Debug, FromRow)]
pub struct RecentSupport {
    pub priority_id: i64,
    pub created_at: OffsetDateTime,
    pub account_created_at: OffsetDateTime,
}

/// Supports given since `since` (withdrawn ones too: a burst withdrawn
/// later was still a burst), at most `limit`.
pub async fn recent_supports(
    db: &Db,
    since: OffsetDateTime,
    limit: i64,
) -> Result<Vec<RecentSupport>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        RecentSupport,
        "select s.priority_id, s.created_at, a.created_at as account_created_at
         from priority_support s join account a on a.account_id = s.account_id
         where s.created_at >= $1 order by s.created_at desc limit $2",
        since.to_offset(UtcOffset::UTC),
        limit
    )
}
