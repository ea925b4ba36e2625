//! The column indexes of a published version, built after publication.
//!
//! A version is readable as soon as its rows are loaded: every query the
//! table view, CKAN's DataStore and the exports run gives the same answer
//! with or without indexes, only slower without. Building the nine indexes
//! of a 1,000,000-row version takes about as long as loading its rows
//! (docs/PERFORMANCE.md), so the import publishes first and leaves this job
//! in the outbox, in the publishing transaction: a crash or a restart
//! finds it there and the next worker round builds what is still missing
//! (`create index if not exists`). The job runs in the open-data worker
//! (`system::run_refreshes`), one at a time, so two big imports do not
//! sort at once.

use serde::{Deserialize, Serialize};
use sqlx::AssertSqlSafe;

use crate::app::AppState;
use crate::db::{Backend, Db, Tx, queue};
use crate::opendata::store;
use crate::{on_db, on_tx};

pub const QUEUE: &str = "opendata.index";

#[derive(Debug, Serialize, Deserialize)]
struct IndexJob {
    version_id: i64,
    columns: usize,
}

/// Asks for the indexes of `version_id`'s `columns` columns, in the
/// transaction that publishes it.
pub async fn request(tx: &mut Tx, version_id: i64, columns: usize) -> Result<(), sqlx::Error> {
    let key = version_id.to_string();
    queue::push(
        tx,
        QUEUE,
        Some(&key),
        &IndexJob {
            version_id,
            columns,
        },
    )
    .await
}

/// Builds the indexes every waiting job asks for. Returns how many
/// versions were indexed.
pub async fn run(state: &AppState) -> anyhow::Result<usize> {
    let mut done = 0;
    loop {
        // One version at a time: a large version's indexes hold SQLite's
        // write lock about half a second each at 1,000,000 rows, and other
        // writers get in between them (a small version's go in one
        // transaction, `CELLS_PER_TRANSACTION`).
        // The lease as the refresh jobs': a node that dies mid-build leaves
        // the job to another within ten minutes; a build that outlasts it
        // and runs twice only finds its indexes there (`if not exists`).
        let jobs = queue::claim(&state.db, QUEUE, 1, std::time::Duration::from_secs(600)).await?;
        let Some(job) = jobs.into_iter().next() else {
            return Ok(done);
        };
        let Ok(IndexJob {
            version_id,
            columns,
        }) = job.payload()
        else {
            queue::complete(&state.db, &[job.outbox_id]).await?;
            continue;
        };
        // A version superseded before its turn has no table left to index.
        let built = async {
            if store::table_exists(&state.db, version_id).await? {
                let started = std::time::Instant::now();
                build(&state.db, version_id, columns).await?;
                tracing::info!(
                    version_id,
                    columns,
                    ms = started.elapsed().as_millis() as u64,
                    "data version indexed"
                );
            }
            Ok::<(), sqlx::Error>(())
        }
        .await;
        match built {
            Ok(()) => {
                queue::complete(&state.db, &[job.outbox_id]).await?;
                done += 1;
            }
            Err(e) => {
                tracing::warn!(version_id, error = %e, "data version not indexed; will retry");
                queue::fail(&state.db, &job, &e.to_string()).await?;
                return Ok(done);
            }
        }
    }
}

/// Cells (rows × columns) of the indexes built in one transaction. Each
/// committed `create index` is a schema change, after which every pooled
/// connection re-reads the whole schema before its next statement. The
/// twelve registries published at a first start had their 150 column
/// indexes built one statement each, about 10 ms apiece even on empty
/// tables, and for that second and more every page on SQLite was 30 to 40
/// times slower (docs/PERFORMANCE.md, "PM dashboards"). A large version's
/// indexes still get a transaction each (half a second each at 1,000,000
/// rows), so other writers get in between them.
const CELLS_PER_TRANSACTION: i64 = 1_000_000;

/// Indexes every column of a loaded version (faster than indexing row by
/// row). Idempotent: an index built before a crash is kept.
pub async fn build(db: &Db, version_id: i64, columns: usize) -> Result<(), sqlx::Error> {
    let t = store::table(version_id);
    // SQLite ends every index entry with the rowid, which `_row` is, and its
    // planner knows index order is `(column, rowid)`: naming `_row` again
    // only made each entry longer (eight column indexes of the benchmark's
    // 1,000,000 rows, timed by hand on a copy of the table, took 4.6 s with
    // it and 3.8 s without: docs/PERFORMANCE.md).
    // PostgreSQL needs it said.
    let tail = match db.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => ", _row",
    };
    let sql = format!("select coalesce(max(_row), 0) from {t}");
    let rows: i64 = on_db!(db, |pool| sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(pool)
        .await)?;
    let per_transaction = usize::try_from(CELLS_PER_TRANSACTION / rows.max(1))
        .unwrap_or(usize::MAX)
        .max(1);
    let all: Vec<usize> = (0..columns).collect();
    for group in all.chunks(per_transaction) {
        let mut tx = db.begin().await?;
        for i in group {
            let sql = format!("create index if not exists {t}_c{i} on {t} (c{i}{tail})");
            on_tx!(&mut tx, |conn| sqlx::query(AssertSqlSafe(sql))
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
    }
    Ok(())
}
