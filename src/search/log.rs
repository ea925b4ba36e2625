//! The search event log (docs/SCALE.md): an append-only table of the
//! documents that changed, written in the transaction of the change, and a
//! cursor per node into it. Each node keeps its own index and reads the
//! log after its cursor, so nodes share nothing but the database, a new
//! node rebuilds from the database and catches up, and one that stops
//! resumes where it was.
//!
//! A position is `(xid, seq)`. On SQLite writes are serialised, so `seq`
//! is the order of commits and `xid` is 0. On PostgreSQL `seq` comes from a
//! sequence, handed out before commit: a transaction holding seq 10 may
//! commit after the one holding seq 11, and a reader that had moved past 11
//! would never see 10. The reader therefore takes only rows of transactions
//! older than every writing transaction still running in this database
//! ([`final_below`]), in `(xid, seq)` order: those rows are final, nothing
//! can join them. The price is that one long writing transaction holds the
//! index back until it ends.

use std::time::Duration;

use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{on_db, on_tx};

/// The cursor row that marks where the log was cut.
const PRUNED: &str = "~pruned";

/// A node whose cursor has not moved for this long no longer holds the
/// log: it is cut without it, and the node rebuilds if it comes back.
pub const NODE_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// A place in the log: every event at or before it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct Position {
    pub xid: i64,
    pub seq: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub xid: i64,
    pub seq: i64,
    pub kind: String,
    pub doc_id: String,
}

impl Event {
    pub fn position(&self) -> Position {
        Position {
            xid: self.xid,
            seq: self.seq,
        }
    }
}

/// Appends `kind:id` inside the caller's transaction.
pub async fn append(tx: &mut Tx, kind: &str, id: &str) -> Result<(), sqlx::Error> {
    let at = now();
    on_tx!(tx, |conn| {
        sqlx::query("insert into search_event (kind, doc_id, at) values ($1, $2, $3)")
            .bind(kind)
            .bind(id)
            .bind(at)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The position a rebuild that starts now covers: events after it may
/// not be in what the rebuild reads, so they are applied after it.
pub async fn now_position(db: &Db) -> Result<Position, sqlx::Error> {
    match db {
        Db::Postgres(pool) => {
            // Every transaction below the bound has ended; rows of the bound
            // and later are read again (seq starts at 1).
            let xid = final_below(pool).await?;
            Ok(Position { xid, seq: 0 })
        }
        Db::Sqlite(pool) => {
            // The last number handed out (the log is `autoincrement`), not
            // the largest still in the log: once pruned to nothing that was
            // 0, below the cut, and every start of the node rebuilt its
            // index again.
            let seq: i64 = sqlx::query_scalar(
                "select coalesce((select seq from sqlite_sequence where name = 'search_event'), 0)",
            )
            .fetch_one(pool)
            .await?;
            Ok(Position { xid: 0, seq })
        }
    }
}

/// PostgreSQL: every transaction of this database with an id below the
/// returned one has ended, so its rows in the log are final.
///
/// `pg_snapshot_xmin` alone would do, but it spans the whole cluster: a
/// long transaction in another database (another installation of the
/// federation, another application, a neighbouring test) would hold this
/// index back though it cannot write here. So the bound is the oldest
/// transaction still running in the current snapshot that is not known to
/// belong to another database (its backend is connected to another one, or
/// it is prepared in another one), else the snapshot's `xmax`. Whatever
/// cannot be placed holds the index back rather than being skipped: a
/// transaction of this database is never taken for another's (an id
/// belongs to one backend), however the activity and the snapshot
/// interleave. `pg_stat_activity` shows a 32-bit `xid`, the snapshot 64-bit
/// ids: running ids lie within 2^31 of each other, so the low 32 bits match
/// exactly one. Callers read the log in a later statement, whose snapshot
/// sees every transaction that had ended before this one's.
async fn final_below(pool: &sqlx::PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "with snap as (select pg_current_snapshot() as s),
              elsewhere as (
                select backend_xid::text::bigint as x from pg_stat_activity
                 where datname <> current_database() and backend_xid is not null
                union all
                select transaction::text::bigint from pg_prepared_xacts
                 where database <> current_database())
         select coalesce(
                  (select min(r::text::bigint)
                     from snap, pg_snapshot_xip(snap.s) as r
                    where r::text::bigint % 4294967296 not in (select x from elsewhere)),
                  (select pg_snapshot_xmax(s)::text::bigint from snap))",
    )
    .fetch_one(pool)
    .await
}

/// Up to `limit` final events after `after`, in order.
pub async fn read_after(db: &Db, after: Position, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    match db {
        Db::Postgres(pool) => {
            // Two statements: the read's snapshot must come after the bound
            // was taken, so that every transaction below it is visible.
            let below = final_below(pool).await?;
            sqlx::query_as::<_, Event>(
                "select xid, seq, kind, doc_id from search_event
                 where (xid, seq) > ($1, $2) and xid < $4
                 order by xid, seq limit $3",
            )
            .bind(after.xid)
            .bind(after.seq)
            .bind(limit)
            .bind(below)
            .fetch_all(pool)
            .await
        }
        Db::Sqlite(pool) => {
            sqlx::query_as::<_, Event>(
                "select xid, seq, kind, doc_id from search_event
                 where (xid, seq) > ($1, $2)
                 order by xid, seq limit $3",
            )
            .bind(after.xid)
            .bind(after.seq)
            .bind(limit)
            .fetch_all(pool)
            .await
        }
    }
}

/// The cursor of `node`, if it has one.
pub async fn cursor(db: &Db, node: &str) -> Result<Option<Position>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, Position>("select xid, seq from search_cursor where node_id = $1")
            .bind(node)
            .fetch_optional(pool)
            .await
    })
}

/// Stores the cursor of `node` (also as a sign of life).
pub async fn store_cursor(db: &Db, node: &str, at: Position) -> Result<(), sqlx::Error> {
    let now = now();
    on_db!(db, |pool| {
        sqlx::query(
            "insert into search_cursor (node_id, xid, seq, updated_at) values ($1, $2, $3, $4)
             on conflict (node_id) do update
             set xid = excluded.xid, seq = excluded.seq, updated_at = excluded.updated_at",
        )
        .bind(node)
        .bind(at.xid)
        .bind(at.seq)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Whether `cursor` stands before the cut, so events it still needs are gone.
pub async fn is_pruned_past(db: &Db, cursor: Position) -> Result<bool, sqlx::Error> {
    Ok(self::cursor(db, PRUNED).await?.is_some_and(|p| cursor < p))
}

/// Deletes the events every node seen within [`NODE_RETENTION`] has
/// applied; returns how many.
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    let since = now() - NODE_RETENTION;
    let lowest = on_db!(db, |pool| {
        sqlx::query_as::<_, Position>(
            "select xid, seq from search_cursor where node_id <> $1 and updated_at >= $2
             order by xid, seq limit 1",
        )
        .bind(PRUNED)
        .bind(since)
        .fetch_optional(pool)
        .await
    })?;
    let Some(lowest) = lowest else {
        return Ok(0);
    };
    // The mark first: a node that reads it after the delete must see it.
    let at = now();
    on_db!(db, |pool| {
        sqlx::query(
            "insert into search_cursor (node_id, xid, seq, updated_at) values ($1, $2, $3, $4)
             on conflict (node_id) do update
             set xid = excluded.xid, seq = excluded.seq, updated_at = excluded.updated_at
             where (search_cursor.xid, search_cursor.seq) < (excluded.xid, excluded.seq)",
        )
        .bind(PRUNED)
        .bind(lowest.xid)
        .bind(lowest.seq)
        .bind(at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    on_db!(db, |pool| {
        sqlx::query("delete from search_event where (xid, seq) <= ($1, $2)")
            .bind(lowest.xid)
            .bind(lowest.seq)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
}

/// How far a node is behind: events after its cursor (final or not) and
/// the age in seconds of the oldest of them.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Lag {
    pub events: i64,
    pub seconds: i64,
}

pub async fn lag(db: &Db, after: Position) -> Result<Lag, sqlx::Error> {
    let (events, oldest) = on_db!(db, |pool| {
        sqlx::query_as::<_, (i64, Option<OffsetDateTime>)>(
            "select count(*), min(at) from search_event where (xid, seq) > ($1, $2)",
        )
        .bind(after.xid)
        .bind(after.seq)
        .fetch_one(pool)
        .await
    })?;
    let seconds = oldest.map_or(0, |t| (now() - t).whole_seconds().max(0));
    Ok(Lag { events, seconds })
}
