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

use crate::app::AppState;
use crate::db::{Tx, queue};
use crate::opendata::store;

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
        // One version at a time: its indexes hold SQLite's write lock about
        // a second each, and other writers get in between them.
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
                store::create_indexes(&state.db, version_id, columns).await?;
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
