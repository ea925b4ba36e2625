//! Background work that one node of several does at a time (docs/NODES.md).
//!
//! Several `veche` processes may serve one database behind a load balancer.
//! Request handling needs no coordination, but the periodic work (the
//! deadline sweeper, the features' scheduled work, the open data refreshes,
//! the feed poller, the planner's reminders) must not run on every node at
//! once: a quarter closed twice, a feed polled three times as often as its
//! owner allows.
//!
//! Each such job has a lease: a `job_lease` row that names its holder and
//! when the lease runs out. A node takes it with one conditional upsert
//! (free, expired, or already its own), which works the same on SQLite and
//! PostgreSQL and needs no session-bound advisory lock (a pooled connection
//! would carry a PostgreSQL advisory lock away with it). The holder renews
//! it well before it runs out; a node killed with SIGKILL stops renewing and
//! another takes over after the lease's time to live.
//!
//! A periodic job also claims its period (seconds since 1970 divided by the
//! job's period) on the lease row, in the transaction that logs the run in
//! `job_run`: a node that takes over in the same period does not run it
//! again, and the log shows each period once.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use time::OffsetDateTime;

use crate::db::{Db, now};
use crate::{exec_db, exec_tx};

/// This node's name in leases and in the run log: `VECHE_NODE_ID`, or the
/// host name and the process id.
pub fn node_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        std::env::var("VECHE_NODE_ID")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| {
                let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .ok()
                    .map(|h| h.trim().to_owned())
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| "node".to_owned());
                format!("{host}-{}", std::process::id())
            })
    })
}

fn secs(d: Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
}

/// Takes or renews the lease `name` for `holder` until `at + ttl`; whether
/// `holder` holds it now.
pub async fn try_hold_as(
    db: &Db,
    name: &str,
    holder: &str,
    at: OffsetDateTime,
    ttl: Duration,
) -> Result<bool, sqlx::Error> {
    let until = at + secs(ttl);
    let n = exec_db!(
        db,
        "insert into job_lease (name, holder, expires_at) values ($1, $2, $3)
         on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
         where job_lease.holder = excluded.holder or job_lease.expires_at < $4",
        name,
        holder,
        until,
        at
    )?;
    Ok(n == 1)
}

/// [`try_hold_as`] for this node, now.
pub async fn try_hold(db: &Db, name: &str, ttl: Duration) -> Result<bool, sqlx::Error> {
    try_hold_as(db, name, node_id(), now(), ttl).await
}

/// Gives the lease up (a graceful stop), so another node need not wait.
pub async fn release(db: &Db, name: &str) -> Result<(), sqlx::Error> {
    exec_db!(
        db,
        "delete from job_lease where name = $1 and holder = $2",
        name,
        node_id()
    )?;
    Ok(())
}

/// Gives up every lease this node holds (a graceful stop).
pub async fn release_all(db: &Db) -> Result<u64, sqlx::Error> {
    exec_db!(db, "delete from job_lease where holder = $1", node_id())
}

/// The period `at` falls in, for a job run every `period`.
pub fn period_of(at: OffsetDateTime, period: Duration) -> i64 {
    at.unix_timestamp() / i64::try_from(period.as_secs().max(1)).unwrap_or(i64::MAX)
}

/// Claims `period` of job `name` for `holder`, who must hold its lease,
/// and logs the run; whether the run is this holder's to do.
pub async fn claim_period_as(
    db: &Db,
    name: &str,
    holder: &str,
    period: i64,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let n = exec_tx!(
        &mut tx,
        "update job_lease set last_period = $3
         where name = $1 and holder = $2 and expires_at >= $4
           and (last_period is null or last_period < $3)",
        name,
        holder,
        period,
        at
    )?;
    if n == 1 {
        exec_tx!(
            &mut tx,
            "insert into job_run (name, period, node, started_at) values ($1, $2, $3, $4)",
            name,
            period,
            holder,
            at
        )?;
        // The log is for checking, not history: a week is plenty.
        if period % 64 == 0 {
            exec_tx!(
                &mut tx,
                "delete from job_run where started_at < $1",
                at - time::Duration::days(7)
            )?;
        }
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// How often a node looks at a lease: often enough that a lease of
/// [`ttl_for`] is renewed three times before it runs out.
fn check_every(period: Duration) -> Duration {
    period.clamp(Duration::from_secs(1), Duration::from_secs(5))
}

/// A lease outlives three missed renewals, and no more: a killed holder's
/// work moves to another node within 15 seconds.
fn ttl_for(period: Duration) -> Duration {
    check_every(period) * 3
}

/// Runs `job` once per `period` on whichever node holds the lease `name`,
/// forever. A failed run is logged and counts as the period's run (the
/// next period tries again), as the loops it replaces did.
pub async fn every<F, Fut>(db: Db, name: &'static str, period: Duration, mut job: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut tick = tokio::time::interval(check_every(period));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let at = now();
        let mine = match try_hold(&db, name, ttl_for(period)).await {
            Ok(true) => claim_period_as(&db, name, node_id(), period_of(at, period), at).await,
            Ok(false) => Ok(false),
            Err(e) => Err(e),
        };
        match mine {
            Ok(true) => {
                // A long run keeps its lease, so no other node starts the
                // next period's run beside it.
                let run = job();
                tokio::pin!(run);
                let result = loop {
                    tokio::select! {
                        r = &mut run => break r,
                        _ = tick.tick() => {
                            let _ = try_hold(&db, name, ttl_for(period)).await;
                        }
                    }
                };
                if let Err(e) = result {
                    tracing::warn!(job = name, error = %format!("{e:#}"), "scheduled job failed; will retry next period");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(job = name, error = %e, "job lease not checked; will retry"),
        }
    }
}

/// Runs the endless worker `work` on whichever node holds the lease
/// `name`: started when the lease is taken, stopped (dropped) as soon as a
/// renewal fails, so two nodes never run it at once for longer than one
/// renewal interval.
pub async fn exclusive<F, Fut>(db: Db, name: &'static str, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let every = Duration::from_secs(5);
    let ttl = every * 3;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match try_hold(&db, name, ttl).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(job = name, error = %e, "job lease not checked; will retry");
                continue;
            }
        }
        let running = work();
        tokio::pin!(running);
        loop {
            tokio::select! {
                () = &mut running => break,
                _ = tick.tick() => {
                    if !matches!(try_hold(&db, name, ttl).await, Ok(true)) {
                        tracing::warn!(job = name, "job lease lost; stopped here");
                        break;
                    }
                }
            }
        }
    }
}
