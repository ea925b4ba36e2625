//! SQL of law-making: initiatives, their timeline, supports, the
//! discussion, versions of the text with annotations and amendments, and
//! the expertise.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

#[derive(Debug, Clone, FromRow)]
pub struct InitiativeRow {
    pub initiative_id: i64,
    pub title: String,
    pub problem: String,
    pub idea: String,
    pub level: String,
    pub municipality_id: Option<String>,
    pub initiator_kind: String,
    pub initiator_group: String,
    pub initiator_organisation_id: Option<String>,
    pub author_id: i64,
    /// Empty when the initiator hides their name (the account's setting).
    pub author_name: String,
    pub organisation_id: String,
    pub organisation_ru: String,
    pub organisation_en: String,
    pub stage: String,
    pub outcome: Option<String>,
    pub supports_needed: i64,
    pub support_count: i64,
    pub stage_started_at: OffsetDateTime,
    pub stage_ends_at: Option<OffsetDateTime>,
    pub act_due_at: Option<OffsetDateTime>,
    pub decision_number: String,
    pub decision_date: Option<String>,
    pub decision_link: String,
    pub decision_reasons: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl InitiativeRow {
    pub fn stage(&self) -> super::domain::Stage {
        super::domain::Stage::parse(&self.stage).unwrap_or(super::domain::Stage::Closed)
    }

    pub fn outcome(&self) -> Option<super::domain::Outcome> {
        self.outcome
            .as_deref()
            .and_then(super::domain::Outcome::parse)
    }

    /// Whether the act the current stage owes is late.
    pub fn overdue(&self, at: OffsetDateTime) -> bool {
        self.act_due_at.is_some_and(|d| d < at)
    }
}

macro_rules! initiative_select {
    ($where:literal) => {
        concat!(
            "select i.initiative_id, i.title, i.problem, i.idea, i.level, i.municipality_id,
                i.initiator_kind, i.initiator_group, i.initiator_organisation_id, i.author_id,
                case when a.hide_name then '' else a.display_name end as author_name,
                i.organisation_id, o.name_ru as organisation_ru, o.name_en as organisation_en,
                i.stage, i.outcome, i.supports_needed, i.support_count, i.stage_started_at,
                i.stage_ends_at, i.act_due_at, i.decision_number, i.decision_date,
                i.decision_link, i.decision_reasons, i.created_at, i.updated_at
             from initiative i
             join account a on a.account_id = i.author_id
             join organisation o on o.organisation_id = i.organisation_id ",
            $where
        )
    };
}

pub async fn initiative(db: &Db, id: i64) -> Result<Option<InitiativeRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        InitiativeRow,
        initiative_select!("where i.initiative_id = $1"),
        id
    )
}

/// Locks the initiative's row for the rest of the transaction
/// (PostgreSQL; SQLite's write transaction holds the whole database).
pub async fn lock(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    if let Tx::Postgres(_) = tx {
        exec_tx!(
            tx,
            "select initiative_id from initiative where initiative_id = $1 for update",
            id
        )?;
    }
    Ok(())
}

pub async fn initiative_tx(tx: &mut Tx, id: i64) -> Result<Option<InitiativeRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        InitiativeRow,
        initiative_select!("where i.initiative_id = $1"),
        id
    )
}

/// Every initiative past moderation, newest first (the public list, the
/// dataset, the search documents).
pub async fn public(db: &Db) -> Result<Vec<InitiativeRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        InitiativeRow,
        initiative_select!(
            "where i.stage <> 'moderation' and coalesce(i.outcome, '') <> 'declined'
             order by i.initiative_id desc limit 1000"
        )
    )
}

/// Concepts waiting for a moderator, oldest first.
pub async fn awaiting_moderation(db: &Db) -> Result<Vec<InitiativeRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        InitiativeRow,
        initiative_select!("where i.stage = 'moderation' order by i.initiative_id limit 200")
    )
}

/// Initiatives whose stage has ended by `at` (a concept's support period,
/// a discussion's fixed time): the scheduled job moves them on.
pub async fn stage_ended(tx: &mut Tx, at: OffsetDateTime) -> Result<Vec<i64>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        (i64,),
        "select initiative_id from initiative
         where stage in ('concept', 'discussion') and stage_ends_at <= $1
         order by initiative_id limit 500",
        at
    )
    .map(|rows| rows.into_iter().map(|r| r.0).collect())
}

pub struct NewInitiative<'a> {
    pub title: &'a str,
    pub problem: &'a str,
    pub idea: &'a str,
    pub level: &'a str,
    pub municipality_id: Option<&'a str>,
    pub initiator_kind: &'a str,
    pub initiator_group: &'a str,
    pub initiator_organisation_id: Option<&'a str>,
    pub author_id: i64,
    pub organisation_id: &'a str,
}

pub async fn insert(tx: &mut Tx, i: &NewInitiative<'_>) -> Result<i64, sqlx::Error> {
    let at = now();
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into initiative (title, problem, idea, level, municipality_id, initiator_kind,
             initiator_group, initiator_organisation_id, author_id, organisation_id, stage,
             stage_started_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'moderation', $11, $11, $11)
         returning initiative_id",
        i.title,
        i.problem,
        i.idea,
        i.level,
        i.municipality_id,
        i.initiator_kind,
        i.initiator_group,
        i.initiator_organisation_id,
        i.author_id,
        i.organisation_id,
        at
    )
    .map(|r| r.0)
}

/// Moves an initiative to `stage` from `from` (nothing happens when another
/// request moved it first: the caller checks the count).
pub async fn set_stage(
    tx: &mut Tx,
    id: i64,
    from: &str,
    stage: &str,
    ends_at: Option<OffsetDateTime>,
    act_due_at: Option<OffsetDateTime>,
    supports_needed: Option<i64>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative set stage = $3, stage_started_at = $4, stage_ends_at = $5,
             act_due_at = $6, supports_needed = coalesce($7, supports_needed), updated_at = $4
         where initiative_id = $1 and stage = $2",
        id,
        from,
        stage,
        now(),
        ends_at,
        act_due_at,
        supports_needed
    )
}

/// The act the stage owed is done: its deadline no longer runs.
pub async fn act_done(tx: &mut Tx, id: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative set act_due_at = null, updated_at = $2 where initiative_id = $1",
        id,
        now()
    )
}

pub async fn close(tx: &mut Tx, id: i64, from: &str, outcome: &str) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative set stage = 'closed', outcome = $3, stage_started_at = $4,
             stage_ends_at = null, act_due_at = null, updated_at = $4
         where initiative_id = $1 and stage = $2",
        id,
        from,
        outcome,
        now()
    )
}

pub struct Decision<'a> {
    pub outcome: &'a str,
    pub number: &'a str,
    pub date: Option<&'a str>,
    pub link: &'a str,
    pub reasons: &'a str,
}

pub async fn decide(tx: &mut Tx, id: i64, d: &Decision<'_>) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative set stage = 'closed', outcome = $2, decision_number = $3,
             decision_date = $4, decision_link = $5, decision_reasons = $6,
             stage_started_at = $7, stage_ends_at = null, act_due_at = null, updated_at = $7
         where initiative_id = $1 and stage = 'reaction'",
        id,
        d.outcome,
        d.number,
        d.date,
        d.link,
        d.reasons,
        now()
    )
}

// ---- The timeline ------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub event_id: i64,
    pub at: OffsetDateTime,
    pub action: String,
    pub stage: String,
    pub actor_role: String,
    /// Empty for an official (named by role and organisation) and for a
    /// citizen who hides their name.
    pub actor_name: String,
    pub organisation_ru: Option<String>,
    pub organisation_en: Option<String>,
    pub note: String,
}

pub struct NewEvent<'a> {
    pub initiative_id: i64,
    pub action: &'a str,
    pub stage: &'a str,
    pub actor_id: Option<i64>,
    pub actor_role: &'a str,
    pub organisation_id: Option<&'a str>,
    pub note: &'a str,
}

pub async fn add_event(tx: &mut Tx, e: &NewEvent<'_>) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into initiative_event (initiative_id, at, action, stage, actor_id, actor_role,
             organisation_id, note)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.initiative_id,
        now(),
        e.action,
        e.stage,
        e.actor_id,
        e.actor_role,
        e.organisation_id,
        e.note
    )
    .map(|_| ())
}

pub async fn timeline(db: &Db, id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        EventRow,
        "select e.event_id, e.at, e.action, e.stage, e.actor_role,
             case when e.actor_role <> 'citizen' or a.account_id is null or a.hide_name then ''
                  else a.display_name end as actor_name,
             o.name_ru as organisation_ru, o.name_en as organisation_en, e.note
         from initiative_event e
         left join account a on a.account_id = e.actor_id
         left join organisation o on o.organisation_id = e.organisation_id
         where e.initiative_id = $1 order by e.event_id limit 5000",
        id
    )
}

// ---- Supports ----------------------------------------------------------------

/// Records a support once; returns the new count, or `None` when the
/// account had supported already.
pub async fn support(tx: &mut Tx, id: i64, account_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let added = exec_tx!(
        tx,
        "insert into initiative_support (initiative_id, account_id, created_at)
         values ($1, $2, $3) on conflict do nothing",
        id,
        account_id,
        now()
    )?;
    if added == 0 {
        return Ok(None);
    }
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "update initiative set support_count = support_count + 1 where initiative_id = $1
         returning support_count",
        id
    )
    .map(|r| Some(r.0))
}

pub async fn supported(tx: &mut Tx, id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select initiative_id from initiative_support where initiative_id = $1 and account_id = $2",
        id,
        account_id
    )
    .map(|r| r.is_some())
}

// ---- Experts -----------------------------------------------------------------

pub async fn is_expert(tx: &mut Tx, id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select account_id from initiative_expert where initiative_id = $1 and account_id = $2",
        id,
        account_id
    )
    .map(|r| r.is_some())
}

pub async fn appoint(tx: &mut Tx, id: i64, account_id: i64, by: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into initiative_expert (initiative_id, account_id, appointed_by, appointed_at)
         values ($1, $2, $3, $4) on conflict do nothing",
        id,
        account_id,
        by,
        now()
    )
}

/// The appointed experts' names: they act in their role, so they are shown.
pub async fn experts(db: &Db, id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (i64, String),
        "select a.account_id, case when a.hide_name then '' else a.display_name end
         from initiative_expert e
         join account a on a.account_id = e.account_id
         where e.initiative_id = $1 order by e.appointed_at, a.account_id",
        id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct ConclusionRow {
    pub conclusion_id: i64,
    pub initiative_id: i64,
    pub kind: String,
    pub verdict: String,
    pub summary: String,
    pub document: String,
    pub expert_name: String,
    pub created_at: OffsetDateTime,
}

macro_rules! conclusion_select {
    ($where:literal) => {
        concat!(
            "select c.conclusion_id, c.initiative_id, c.kind, c.verdict, c.summary, c.document,
                case when a.hide_name then '' else a.display_name end as expert_name, c.created_at
             from initiative_conclusion c join account a on a.account_id = c.expert_id ",
            $where
        )
    };
}

pub async fn conclusions(db: &Db, id: i64) -> Result<Vec<ConclusionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ConclusionRow,
        conclusion_select!("where c.initiative_id = $1 order by c.conclusion_id"),
        id
    )
}

/// Every conclusion of the public initiatives (the open dataset).
pub async fn all_conclusions(db: &Db) -> Result<Vec<ConclusionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        ConclusionRow,
        conclusion_select!("order by c.initiative_id, c.conclusion_id limit 10000")
    )
}

/// How many versions each initiative's text has.
pub async fn version_counts(db: &Db) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (i64, i64),
        "select initiative_id, count(*) from initiative_version group by initiative_id"
    )
}

pub async fn conclusion_count(tx: &mut Tx, id: i64) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "select count(*) from initiative_conclusion where initiative_id = $1",
        id
    )
    .map(|r| r.0)
}

pub struct NewConclusion<'a> {
    pub kind: &'a str,
    pub verdict: &'a str,
    pub summary: &'a str,
    pub document: &'a str,
}

/// Adds a conclusion; `false` when one of its kind exists already.
pub async fn conclude(
    tx: &mut Tx,
    id: i64,
    expert: i64,
    c: &NewConclusion<'_>,
) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into initiative_conclusion (initiative_id, kind, verdict, summary, document,
             expert_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
        id,
        c.kind,
        c.verdict,
        c.summary,
        c.document,
        expert,
        now()
    )
    .map(|n| n == 1)
}
