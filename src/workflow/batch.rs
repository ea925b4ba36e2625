//! Group commit of supports (docs/SCALE.md): at the peak of a vote, many
//! citizens support requests at once, and a transaction each spends most
//! of its time beginning and committing (on PostgreSQL, a flush of the
//! write-ahead log per vote). One task per process takes every vote
//! waiting, up to [`MAX_BATCH`], and writes them in one transaction; while
//! it commits, the next votes gather, so the batch grows with the load and
//! a lone vote waits for nobody. Each vote is answered only after the
//! commit that holds it: every acknowledged vote is durable.
//!
//! On SQLite, which writes one transaction at a time, one task writes; on
//! PostgreSQL [`PG_WRITERS`] tasks write their batches at once, since a
//! batch's statements wait on round trips one after another. Each request
//! belongs to one writer (its id modulo the writers): two batches holding
//! votes for one request would take its row and its supports' keys in
//! opposite orders and deadlock (a 500 where a citizen's second vote is
//! due its 409). A request's votes wait on its row lock anyway, so the
//! split costs no parallelism; different requests spread over the writers.
//! Another node's writer can still meet ours on one request: each vote
//! locks the request's row before it writes (`queries::appeal_locked`), and
//! a batch's votes are sorted by request, so the two batches queue on the
//! row in one order. A vote that still meets another transaction's
//! deadlock or fresh key is rolled back to its savepoint and tried again.
//!
//! A vote that breaks a rule (already supported, request closed) gets its
//! own answer and does not touch the others: each vote runs inside a
//! savepoint, rolled back when it fails. A failed commit fails every vote
//! of the batch, none of which was acknowledged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::queries::AppealRow;
use super::support::{support_in, withdraw_in};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::on_tx;

/// The most votes in one transaction.
pub const MAX_BATCH: usize = 256;

/// Batches written at once on PostgreSQL.
pub const PG_WRITERS: usize = 8;

/// Tries of one vote that meets another transaction's (another node's)
/// deadlock or fresh key.
const TRIES: usize = 3;

/// Votes waiting for the writer before senders wait too.
const QUEUE: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vote {
    Support,
    Withdraw,
}

struct Job {
    vote: Vote,
    appeal_id: i64,
    account_id: i64,
    reply: oneshot::Sender<AppResult<AppealRow>>,
}

/// The process's support writer, started at the first vote.
#[derive(Clone, Default)]
pub struct Supports {
    /// One queue per writer; a request's votes go to one of them.
    senders: Arc<OnceLock<Vec<mpsc::Sender<Job>>>>,
    /// A transaction per vote instead (`VECHE_SUPPORT_BATCH=off`): the
    /// behaviour before group commit, for comparison and as a way back.
    one_by_one: bool,
    /// Transactions written and votes in them, since the start.
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    batches: AtomicU64,
    votes: AtomicU64,
}

impl Supports {
    /// Group commit unless `VECHE_SUPPORT_BATCH` is `off` (or `0`, `false`).
    pub fn from_env() -> Supports {
        let off = std::env::var("VECHE_SUPPORT_BATCH")
            .is_ok_and(|v| matches!(v.trim(), "off" | "0" | "false"));
        Supports {
            senders: Arc::default(),
            one_by_one: off,
            counts: Arc::default(),
        }
    }

    /// Gives or withdraws a citizen's support; answers once it is committed.
    pub async fn vote(
        &self,
        db: &Db,
        vote: Vote,
        appeal_id: i64,
        account_id: i64,
    ) -> AppResult<AppealRow> {
        if self.one_by_one {
            return match vote {
                Vote::Support => super::support::support(db, appeal_id, account_id).await,
                Vote::Withdraw => super::support::withdraw_support(db, appeal_id, account_id).await,
            };
        }
        let senders = self.senders.get_or_init(|| {
            let writers = match db {
                Db::Postgres(_) => PG_WRITERS,
                Db::Sqlite(_) => 1,
            };
            (0..writers)
                .map(|_| {
                    let (sender, receiver) = mpsc::channel(QUEUE);
                    tokio::spawn(run(db.clone(), receiver, self.counts.clone()));
                    sender
                })
                .collect()
        });
        let sender = &senders[appeal_id.unsigned_abs() as usize % senders.len()];
        let (reply, answer) = oneshot::channel();
        let job = Job {
            vote,
            appeal_id,
            account_id,
            reply,
        };
        sender
            .send(job)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the support writer has stopped")))?;
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the support writer dropped a vote")))?
    }

    /// Transactions written and votes in them since the start (the mean
    /// batch, for the benchmark and the metrics).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.counts.batches.load(Ordering::Relaxed),
            self.counts.votes.load(Ordering::Relaxed),
        )
    }
}

async fn run(db: Db, mut receiver: mpsc::Receiver<Job>, counts: Arc<Counts>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = receiver.recv_many(&mut jobs, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        // Row locks in one order across batches.
        jobs.sort_by_key(|j| j.appeal_id);
        counts.batches.fetch_add(1, Ordering::Relaxed);
        counts.votes.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        metrics::histogram!("veche_support_batch_size").record(jobs.len() as f64);
        write(&db, std::mem::take(&mut jobs)).await;
    }
}

/// Writes `jobs` in one transaction and answers each.
async fn write(db: &Db, jobs: Vec<Job>) {
    let mut tx = match db.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            let e = anyhow::Error::new(e);
            for job in jobs {
                let _ = job
                    .reply
                    .send(Err(AppError::Unavailable(anyhow::anyhow!("{e:#}"))));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let result = one(&mut tx, &job).await;
        answers.push((job.reply, result));
    }
    match tx.commit().await {
        Ok(()) => {
            for (reply, result) in answers {
                // A requester that gave up is no reason to fail the others.
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            let e = anyhow::Error::new(e);
            tracing::error!(error = %format!("{e:#}"), votes = answers.len(), "a batch of supports failed to commit");
            for (reply, _) in answers {
                let _ = reply.send(Err(AppError::Internal(anyhow::anyhow!("{e:#}"))));
            }
        }
    }
}

/// One vote inside its savepoint, tried again when it raced another
/// transaction.
async fn one(tx: &mut Tx, job: &Job) -> AppResult<AppealRow> {
    let mut tries = 0;
    loop {
        tries += 1;
        exec(tx, "savepoint vote").await?;
        let result = match job.vote {
            Vote::Support => support_in(tx, job.appeal_id, job.account_id).await,
            Vote::Withdraw => withdraw_in(tx, job.appeal_id, job.account_id).await,
        };
        if result.is_err() {
            exec(tx, "rollback to savepoint vote").await?;
        }
        exec(tx, "release savepoint vote").await?;
        match result {
            Err(e) if tries < TRIES && raced(&e) => {
                metrics::counter!("veche_support_retries_total").increment(1);
            }
            other => return other,
        }
    }
}

/// A deadlock, a serialization failure or a key another transaction just
/// wrote: the vote's outcome depends on that transaction, committed by the
/// time the next try runs.
fn raced(e: &AppError) -> bool {
    let AppError::Internal(e) = e else {
        return false;
    };
    e.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|d| d.code())
        .is_some_and(|c| matches!(c.as_ref(), "40P01" | "40001" | "23505"))
}

async fn exec(tx: &mut Tx, sql: &'static str) -> Result<(), sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query(sql)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
