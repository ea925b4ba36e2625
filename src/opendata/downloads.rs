//! Download counts of open datasets, for the reporting schema
//! (`mart_dataset_downloads`). A download is a data file (any format, any
//! version) or a table export (`table.csv`, `table.json`, `table.xlsx`)
//! answered in full (200): not a page view, not a 304, not a range of a
//! resumed download. Only the count is kept, never who.
//!
//! Downloads are a hot path, and on SQLite every write takes the one
//! writer lock: the count is kept in memory and added to the table every
//! few seconds by the open-data worker (`system::run_refreshes`), in one
//! transaction for all datasets. A crash loses at most those seconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::Db;
use crate::exec_tx;

#[derive(Clone, Default)]
pub struct Downloads(Arc<Mutex<HashMap<(i64, String), i64>>>);

/// The Moscow month (`YYYY-MM`) of now.
fn this_month() -> String {
    let d = crate::db::now().to_offset(time::macros::offset!(+3)).date();
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

impl Downloads {
    /// Counts one download of a dataset.
    pub fn count(&self, dataset_id: i64) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry((dataset_id, this_month())).or_default() += 1;
    }

    /// Adds the counts kept so far to `opendata_download`; on failure they
    /// are kept for the next flush. Returns how many rows were written.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<usize> {
        let taken: Vec<((i64, String), i64)> = {
            let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
            m.drain().collect()
        };
        if taken.is_empty() {
            return Ok(0);
        }
        let written = async {
            let mut tx = db.begin().await?;
            for ((dataset_id, month), n) in &taken {
                exec_tx!(
                    &mut tx,
                    "insert into opendata_download (dataset_id, month, count)
                     select dataset_id, $2, $3 from dataset where dataset_id = $1
                     on conflict (dataset_id, month)
                     do update set count = opendata_download.count + excluded.count",
                    *dataset_id,
                    month.as_str(),
                    *n
                )?;
            }
            tx.commit().await?;
            anyhow::Ok(taken.len())
        }
        .await;
        if written.is_err() {
            let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
            for (k, n) in taken {
                *m.entry(k).or_default() += n;
            }
        }
        written
    }
}
