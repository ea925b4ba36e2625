//! The planner's SQL.

use sqlx::FromRow;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::domain::{Kind, Zone};
use super::rrule::Rule;
use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub item_id: i64,
    pub account_id: i64,
    pub kind: String,
    pub title: String,
    pub notes: String,
    pub at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub all_day: bool,
    pub tz: String,
    pub rrule: Option<String>,
    pub series_end: Option<OffsetDateTime>,
    pub remind: String,
    pub link_key: Option<String>,
    pub link_title: Option<String>,
    pub link_url: Option<String>,
    pub done_at: Option<OffsetDateTime>,
    pub decided_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    /// The viewer's answer when invited; `None` on their own items.
    pub response: Option<String>,
}

const COLUMNS: &str =
    "i.item_id, i.account_id, i.kind, i.title, i.notes, i.at, i.ends_at, i.all_day,
    i.tz, i.rrule, i.series_end, i.remind, i.link_key, i.link_title, i.link_url, i.done_at,
    i.decided_at, i.updated_at";

impl ItemRow {
    pub fn zone(&self) -> Zone {
        Zone::of(&self.tz)
    }

    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Task)
    }

    pub fn start(&self) -> PrimitiveDateTime {
        self.zone().local(self.at)
    }

    /// The stored rule, read back (it was valid when written).
    pub fn rule(&self) -> Option<Rule> {
        let text = self.rrule.as_deref()?;
        Rule::parse(text, self.start(), self.zone().offset()).ok()
    }

    /// The starts of its occurrences in `[from, to)`.
    pub fn occurrences(&self, from: OffsetDateTime, to: OffsetDateTime) -> Vec<OffsetDateTime> {
        match self.rule() {
            None if self.at >= from && self.at < to => vec![self.at],
            None => Vec::new(),
            Some(r) => {
                let z = self.zone();
                r.between(self.start(), z.local(from), z.local(to))
                    .into_iter()
                    .map(|t| z.moment(t))
                    .collect()
            }
        }
    }

    /// The first occurrence starting after `after`.
    pub fn next_after(&self, after: OffsetDateTime) -> Option<OffsetDateTime> {
        match self.rule() {
            None => (self.at > after).then_some(self.at),
            Some(r) => {
                let z = self.zone();
                let local = z.local(after);
                r.occurrences(self.start())
                    .find(|t| *t > local)
                    .map(|t| z.moment(t))
            }
        }
    }

    pub fn reminders(&self) -> Vec<i64> {
        super::domain::parse_reminders(&self.remind).unwrap_or_default()
    }
}

/// What an item's window condition reads: one occurrence in it, or a
/// series that overlaps it.
const IN_WINDOW: &str = "((i.rrule is null and i.at >= $2 and i.at < $3)
      or (i.rrule is not null and i.at < $3 and (i.series_end is null or i.series_end >= $2)))";

/// My items and the meetings I am invited to that may occur in
/// `[from, to)`.
pub async fn items_in(
    db: &Db,
    account_id: i64,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<ItemRow>, sqlx::Error> {
    // UTC, as stored: SQLite compares the text.
    let (from, to) = (from.to_offset(UtcOffset::UTC), to.to_offset(UtcOffset::UTC));
    let sql = format!(
        "select {COLUMNS}, cast(null as text) as response from planner_item i
          where i.account_id = $1 and {IN_WINDOW}
         union all
         select {COLUMNS}, v.response from planner_item i
           join planner_invitee v on v.item_id = i.item_id
          where v.account_id = $1 and {IN_WINDOW}
         order by 6"
    );
    fetch_db!(
        db,
        fetch_all,
        ItemRow,
        sqlx::AssertSqlSafe(sql),
        account_id,
        from,
        to
    )
}

/// An item as `account_id` may see it: their own, or a meeting they are
/// invited to.
pub async fn item_for(db: &Db, account_id: i64, id: i64) -> Result<Option<ItemRow>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS}, v.response from planner_item i
           left join planner_invitee v on v.item_id = i.item_id and v.account_id = $1
          where i.item_id = $2 and (i.account_id = $1 or v.account_id is not null)"
    );
    fetch_db!(
        db,
        fetch_optional,
        ItemRow,
        sqlx::AssertSqlSafe(sql),
        account_id,
        id
    )
}

pub async fn item_tx(tx: &mut Tx, id: i64) -> Result<Option<ItemRow>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS}, cast(null as text) as response from planner_item i where i.item_id = $1"
    );
    fetch_tx!(tx, fetch_optional, ItemRow, sqlx::AssertSqlSafe(sql), id)
}

/// The columns a form writes.
pub struct Write<'a> {
    pub kind: Kind,
    pub title: &'a str,
    pub notes: &'a str,
    pub at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub all_day: bool,
    pub tz: &'a str,
    pub rrule: Option<String>,
    pub series_end: Option<OffsetDateTime>,
    pub remind: String,
    pub link: Option<(String, String, String)>,
}

pub async fn insert_item(tx: &mut Tx, account_id: i64, w: &Write<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    let (k, t, u) = w
        .link
        .clone()
        .map_or((None, None, None), |(k, t, u)| (Some(k), Some(t), Some(u)));
    let row: (i64,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into planner_item (account_id, kind, title, notes, at, ends_at, all_day, tz, rrule,
             series_end, remind, link_key, link_title, link_url, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
         returning item_id",
        account_id,
        w.kind.as_str(),
        w.title,
        w.notes,
        w.at,
        w.ends_at,
        w.all_day,
        w.tz,
        w.rrule.as_deref(),
        w.series_end,
        &w.remind,
        k,
        t,
        u,
        now
    )?;
    Ok(row.0)
}

pub async fn update_item(tx: &mut Tx, id: i64, w: &Write<'_>) -> Result<u64, sqlx::Error> {
    let (k, t, u) = w
        .link
        .clone()
        .map_or((None, None, None), |(k, t, u)| (Some(k), Some(t), Some(u)));
    exec_tx!(
        tx,
        "update planner_item set kind = $2, title = $3, notes = $4, at = $5, ends_at = $6,
             all_day = $7, tz = $8, rrule = $9, series_end = $10, remind = $11, link_key = $12,
             link_title = $13, link_url = $14, updated_at = $15
          where item_id = $1",
        id,
        w.kind.as_str(),
        w.title,
        w.notes,
        w.at,
        w.ends_at,
        w.all_day,
        w.tz,
        w.rrule.as_deref(),
        w.series_end,
        &w.remind,
        k,
        t,
        u,
        now()
    )
}

/// Moves an item (and its end with it) and the end of its series.
pub async fn move_item(
    tx: &mut Tx,
    id: i64,
    at: OffsetDateTime,
    ends_at: Option<OffsetDateTime>,
    all_day: bool,
    series_end: Option<OffsetDateTime>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update planner_item set at = $2, ends_at = $3, all_day = $4, series_end = $5, updated_at = $6
          where item_id = $1",
        id,
        at,
        ends_at,
        all_day,
        series_end,
        now()
    )
}

pub async fn delete_item(tx: &mut Tx, id: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(tx, "delete from planner_reminder where item_id = $1", id)?;
    exec_tx!(tx, "delete from planner_invitee where item_id = $1", id)?;
    exec_tx!(tx, "delete from planner_decision where item_id = $1", id)?;
    exec_tx!(tx, "delete from planner_item where item_id = $1", id)
}

pub async fn set_done(tx: &mut Tx, id: i64, done: bool) -> Result<u64, sqlx::Error> {
    let at = done.then(now);
    exec_tx!(
        tx,
        "update planner_item set done_at = $2, updated_at = $3 where item_id = $1",
        id,
        at,
        now()
    )
}

// ---- Meetings --------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct InviteeRow {
    pub account_id: i64,
    pub display_name: String,
    pub response: String,
}

pub async fn invitees(db: &Db, item_id: i64) -> Result<Vec<InviteeRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        InviteeRow,
        "select v.account_id, a.display_name, v.response from planner_invitee v
           join account a on a.account_id = v.account_id
          where v.item_id = $1 order by a.display_name, v.account_id",
        item_id
    )
}

/// Sets who is invited: those no longer named are dropped, answers of
/// those still named kept.
pub async fn set_invitees(tx: &mut Tx, item_id: i64, ids: &[i64]) -> Result<(), sqlx::Error> {
    let old: Vec<(i64,)> = fetch_tx!(
        tx,
        fetch_all,
        (i64,),
        "select account_id from planner_invitee where item_id = $1",
        item_id
    )?;
    for (o,) in &old {
        if !ids.contains(o) {
            exec_tx!(
                tx,
                "delete from planner_invitee where item_id = $1 and account_id = $2",
                item_id,
                o
            )?;
        }
    }
    for id in ids {
        exec_tx!(
            tx,
            "insert into planner_invitee (item_id, account_id) values ($1, $2)
             on conflict (item_id, account_id) do nothing",
            item_id,
            id
        )?;
    }
    Ok(())
}

pub async fn respond(
    tx: &mut Tx,
    item_id: i64,
    account_id: i64,
    response: &str,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update planner_invitee set response = $3, responded_at = $4 where item_id = $1 and account_id = $2",
        item_id,
        account_id,
        response,
        now()
    )
}

/// Staff one may invite: the members of the inviter's organisations.
pub async fn colleagues(db: &Db, account_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (i64, String),
        "select distinct a.account_id, a.display_name from membership m
           join account a on a.account_id = m.account_id
          where m.organisation_id in (select organisation_id from membership where account_id = $1)
            and a.account_id <> $1
          order by a.display_name, a.account_id limit 500",
        account_id
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub n: i64,
    pub text: String,
    pub organisation_id: String,
    pub deadline: String,
}

pub async fn decisions(db: &Db, item_id: i64) -> Result<Vec<DecisionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        DecisionRow,
        "select n, text, organisation_id, deadline from planner_decision where item_id = $1 order by n",
        item_id
    )
}

pub async fn insert_decision(
    tx: &mut Tx,
    item_id: i64,
    d: &DecisionRow,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into planner_decision (item_id, n, text, organisation_id, deadline) values ($1, $2, $3, $4, $5)",
        item_id,
        d.n,
        &d.text,
        &d.organisation_id,
        &d.deadline
    )
}

/// Marks a meeting decided, once: false when it already was.
pub async fn mark_decided(tx: &mut Tx, item_id: i64) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update planner_item set decided_at = $2 where item_id = $1 and decided_at is null",
        item_id,
        now()
    )? == 1)
}

pub async fn organisations(db: &Db) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, String, String),
        "select organisation_id, short_name_ru, short_name_en from organisation order by short_name_ru"
    )
}

// ---- Reminders -------------------------------------------------------------

pub async fn drop_pending(tx: &mut Tx, item_id: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "delete from planner_reminder where item_id = $1 and sent_at is null",
        item_id
    )
}

pub async fn insert_reminder(
    tx: &mut Tx,
    item_id: i64,
    account_id: i64,
    occurrence_at: OffsetDateTime,
    minutes: i64,
) -> Result<u64, sqlx::Error> {
    let occurrence_at = occurrence_at.to_offset(UtcOffset::UTC);
    let due = occurrence_at - time::Duration::minutes(minutes);
    exec_tx!(
        tx,
        "insert into planner_reminder (item_id, account_id, occurrence_at, minutes, due_at)
         values ($1, $2, $3, $4, $5)
         on conflict (item_id, occurrence_at, minutes) do nothing",
        item_id,
        account_id,
        occurrence_at,
        minutes,
        due
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct DueRow {
    pub reminder_id: i64,
    pub item_id: i64,
    pub account_id: i64,
    pub occurrence_at: OffsetDateTime,
    pub minutes: i64,
}

/// Up to `limit` reminders due at `at`, the oldest first; on PostgreSQL
/// rows another worker holds are skipped.
pub async fn due(tx: &mut Tx, at: OffsetDateTime, limit: i64) -> Result<Vec<DueRow>, sqlx::Error> {
    let at = at.to_offset(UtcOffset::UTC);
    match tx {
        Tx::Postgres(t) => sqlx::query_as::<_, DueRow>(
            "select reminder_id, item_id, account_id, occurrence_at, minutes from planner_reminder
                  where sent_at is null and due_at <= $1 order by due_at limit $2
                  for update skip locked",
        )
        .bind(at)
        .bind(limit)
        .fetch_all(&mut **t)
        .await,
        Tx::Sqlite(t) => sqlx::query_as::<_, DueRow>(
            "select reminder_id, item_id, account_id, occurrence_at, minutes from planner_reminder
                  where sent_at is null and due_at <= $1 order by due_at limit $2",
        )
        .bind(at)
        .bind(limit)
        .fetch_all(&mut **t)
        .await,
    }
}

/// Marks one sent; false when another worker already did.
pub async fn mark_sent(
    tx: &mut Tx,
    reminder_id: i64,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    Ok(exec_tx!(
        tx,
        "update planner_reminder set sent_at = $2 where reminder_id = $1 and sent_at is null",
        reminder_id,
        at
    )? == 1)
}

// ---- Settings --------------------------------------------------------------

pub async fn settings(db: &Db, account_id: i64) -> Result<(Zone, Option<String>), sqlx::Error> {
    let row: Option<(String, Option<String>)> = fetch_db!(
        db,
        fetch_optional,
        (String, Option<String>),
        "select tz, feed_token from planner_settings where account_id = $1",
        account_id
    )?;
    Ok(row.map_or((super::domain::DEFAULT_ZONE, None), |(tz, t)| {
        (Zone::of(&tz), t)
    }))
}

pub async fn set_settings(
    tx: &mut Tx,
    account_id: i64,
    zone: Zone,
    token: Option<&str>,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into planner_settings (account_id, tz, feed_token, updated_at) values ($1, $2, $3, $4)
         on conflict (account_id) do update set tz = excluded.tz, feed_token = excluded.feed_token,
             updated_at = excluded.updated_at",
        account_id,
        zone.name(),
        token,
        now()
    )
}

/// The account whose feed this token opens.
pub async fn feed_owner(db: &Db, token: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        (i64, String),
        "select account_id, tz from planner_settings where feed_token = $1",
        token
    )
}
