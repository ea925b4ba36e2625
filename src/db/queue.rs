//! A durable outbox: work that must happen after a change (send a mail, update
//! the search index, deliver a message) is written as a row in the same
//! transaction as the change. Workers claim due rows, do the work and delete
//! them; failures are retried with exponential backoff and end in a dead-letter
//! state that administrators can see. A crash between commit and delivery loses
//! nothing: the row is still there when the process comes back.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{on_db, on_tx};

/// Attempts before a job is moved to the dead-letter state.
pub const MAX_ATTEMPTS: i64 = 12;

/// A claimed job. `attempts` counts this attempt too.
#[derive(Debug, Clone, FromRow)]
pub struct Job {
    pub outbox_id: i64,
    pub queue: String,
    pub payload: String,
    pub attempts: i64,
}

impl Job {
    pub fn payload<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        Ok(serde_json::from_str(&self.payload)?)
    }
}

/// A job that gave up, for the administrators' dead-letter view.
#[derive(Debug, Clone, FromRow)]
pub struct DeadJob {
    pub outbox_id: i64,
    pub queue: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub dead_at: Option<OffsetDateTime>,
}

/// Enqueues `payload` on `queue` inside the caller's transaction.
/// With a `dedup_key`, a second job with the same key on the same queue is
/// silently dropped (idempotent producers).
pub async fn push(
    tx: &mut Tx,
    queue: &str,
    dedup_key: Option<&str>,
    payload: &impl Serialize,
) -> Result<(), sqlx::Error> {
    let payload = sqlx::types::Json(payload);
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query(
            "insert into outbox (queue, dedup_key, payload, attempts, run_after, created_at)
             values ($1, $2, $3, 0, $4, $4)
             on conflict (queue, dedup_key) do nothing",
        )
        .bind(queue)
        .bind(dedup_key)
        .bind(payload)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Claims up to `limit` due jobs of `queue` for `lease`. A claimed job is
/// invisible to other workers until its lease runs out, so a worker that dies
/// mid-job has its work picked up again.
pub async fn claim(
    db: &Db,
    queue: &str,
    limit: i64,
    lease: Duration,
) -> Result<Vec<Job>, sqlx::Error> {
    let now = now();
    let until = now + lease;
    let mut jobs = match db {
        Db::Postgres(pool) => {
            // Several processes may share one PostgreSQL database: SKIP LOCKED
            // lets them claim disjoint rows without waiting on each other.
            sqlx::query_as::<_, Job>(
                "update outbox set locked_until = $3, attempts = attempts + 1
                 where outbox_id in (
                     select outbox_id from outbox
                     where queue = $1 and dead_at is null and run_after <= $2
                       and (locked_until is null or locked_until < $2)
                     order by outbox_id
                     limit $4
                     for update skip locked)
                 returning outbox_id, queue, payload::text as payload, attempts",
            )
            .bind(queue)
            .bind(now)
            .bind(until)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        Db::Sqlite(pool) => {
            // SQLite has one writer at a time: the statement is atomic.
            sqlx::query_as::<_, Job>(
                "update outbox set locked_until = $3, attempts = attempts + 1
                 where outbox_id in (
                     select outbox_id from outbox
                     where queue = $1 and dead_at is null and run_after <= $2
                       and (locked_until is null or locked_until < $2)
                     order by outbox_id
                     limit $4)
                 returning outbox_id, queue, payload, attempts",
            )
            .bind(queue)
            .bind(now)
            .bind(until)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    // `update … returning` does not promise an order; work oldest first.
    jobs.sort_by_key(|j| j.outbox_id);
    Ok(jobs)
}

/// Removes finished jobs.
pub async fn complete(db: &Db, ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in ids {
        on_db!(db, |pool| {
            sqlx::query("delete from outbox where outbox_id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Records a failed attempt: retried after an exponential backoff, or moved to
/// the dead-letter state after [`MAX_ATTEMPTS`].
pub async fn fail(db: &Db, job: &Job, error: &str) -> Result<(), sqlx::Error> {
    fail_after(db, job, error, backoff(job.attempts)).await
}

/// [`fail`] with the caller's delay (queues with their own backoff base).
pub async fn fail_after(
    db: &Db,
    job: &Job,
    error: &str,
    delay: Duration,
) -> Result<(), sqlx::Error> {
    let now = now();
    let dead = job.attempts >= MAX_ATTEMPTS;
    let run_after = now + whole_seconds(delay);
    let error: String = error.chars().take(2000).collect();
    on_db!(db, |pool| {
        sqlx::query(
            "update outbox set locked_until = null, last_error = $2, run_after = $3,
                    dead_at = case when $4 then $5 else null end
             where outbox_id = $1",
        )
        .bind(job.outbox_id)
        .bind(&error)
        .bind(run_after)
        .bind(dead)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// 10 s, 20 s, 40 s, … capped at one hour.
pub fn backoff(attempts: i64) -> Duration {
    backoff_from(Duration::from_secs(10), attempts)
}

/// `base`, twice `base`, four times … capped at one hour.
pub fn backoff_from(base: Duration, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(1u32 << exp)
        .min(Duration::from_secs(3600))
}

/// Whether a job older than `outbox_id` whose dedup key starts with
/// `key_prefix` is still waiting (not dead) on `queue`: a later job waits
/// behind it, so one destination sees its messages in order.
pub async fn has_earlier(
    db: &Db,
    queue: &str,
    outbox_id: i64,
    key_prefix: &str,
) -> Result<bool, sqlx::Error> {
    let n = on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from outbox
             where queue = $1 and outbox_id < $2 and dead_at is null
               and substr(dedup_key, 1, length($3)) = $3",
        )
        .bind(queue)
        .bind(outbox_id)
        .bind(key_prefix)
        .fetch_one(pool)
        .await
    })?;
    Ok(n > 0)
}

/// Times are stored to the second (SQLite compares them as text, where a
/// fraction would sort wrongly), so delays round up to whole seconds.
fn whole_seconds(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

/// Gives a claimed job back without counting the attempt: it waits behind
/// an earlier job that failed, to keep the order of delivery.
pub async fn postpone(db: &Db, job: &Job, delay: Duration) -> Result<(), sqlx::Error> {
    let run_after = now() + whole_seconds(delay);
    on_db!(db, |pool| {
        sqlx::query(
            "update outbox set locked_until = null, attempts = attempts - 1, run_after = $2
             where outbox_id = $1",
        )
        .bind(job.outbox_id)
        .bind(run_after)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Number of jobs waiting (not dead) on `queue`.
pub async fn pending(db: &Db, queue: &str) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from outbox where queue = $1 and dead_at is null",
        )
        .bind(queue)
        .fetch_one(pool)
        .await
    })
}

/// Jobs in the dead-letter state, newest first.
pub async fn dead_jobs(db: &Db, limit: i64) -> Result<Vec<DeadJob>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, DeadJob>(
            "select outbox_id, queue, attempts, last_error, created_at, dead_at
             from outbox where dead_at is not null order by dead_at desc, outbox_id desc limit $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}

/// Puts a dead job back in line (an administrator's "retry").
pub async fn retry_dead(db: &Db, outbox_id: i64) -> Result<bool, sqlx::Error> {
    let now = now();
    let result = on_db!(db, |pool| {
        sqlx::query(
            "update outbox set dead_at = null, attempts = 0, run_after = $2, locked_until = null
             where outbox_id = $1 and dead_at is not null",
        )
        .bind(outbox_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(result == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(2), Duration::from_secs(20));
        assert_eq!(backoff(4), Duration::from_secs(80));
        assert_eq!(backoff(12), Duration::from_secs(3600));
    }
}
