//! Indexes veche adds by itself. Every column of a version has an index,
//! which answers a filter or a sort alone; a filter *and* a sort on another
//! column ("rows of Sochi, largest amount first") still has to sort every
//! matching row. When such a pair is asked of a large version again and
//! again (`ASKS_BEFORE_BUILD` times: the observed workload, not one
//! anonymous query, decides), veche builds a composite index for it in the
//! background; later requests are range scans. Each version gets at most
//! `MAX_PER_VERSION` of them, so storage stays bounded; small versions never
//! need them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::Db;
use crate::opendata::store::{self, Filter, Op, Sort};

/// Below this many rows a sort of the matches is cheap enough.
pub const MIN_ROWS: i64 = 20_000;
pub const MAX_PER_VERSION: usize = 12;
/// Requests for one (version, filter, sort) pair before its index is built.
pub const ASKS_BEFORE_BUILD: u32 = 25;
/// Pairs counted at once: a client walking through every pair of columns
/// cannot grow the map without bound.
const MAX_COUNTED: usize = 10_000;

/// A (version, filter column, sort column) pair.
type Pair = (i64, usize, usize);

#[derive(Clone, Default)]
pub struct AdaptiveIndexes {
    /// Requests seen per pair; `u32::MAX` marks a pair whose index is built
    /// (or being built).
    asked: Arc<Mutex<HashMap<Pair, u32>>>,
}

impl AdaptiveIndexes {
    /// Notes a request; starts building its index when it would help.
    pub fn observe(
        &self,
        db: &Db,
        version_id: i64,
        row_count: i64,
        filters: &[Filter],
        sort: Option<Sort>,
    ) {
        let Some(sort) = sort else { return };
        if row_count < MIN_ROWS {
            return;
        }
        let Some(filter) = filters
            .iter()
            .find(|f| matches!(f.op, Op::Eq | Op::In) && f.field != sort.field)
        else {
            return;
        };
        let key = (version_id, filter.field, sort.field);
        {
            let Ok(mut asked) = self.asked.lock() else {
                return;
            };
            if !asked.contains_key(&key) && asked.len() >= MAX_COUNTED {
                // Forget pairs that never reached the threshold.
                asked.retain(|_, n| *n == u32::MAX);
                if asked.len() >= MAX_COUNTED {
                    return;
                }
            }
            let built = asked
                .iter()
                .filter(|(k, n)| k.0 == version_id && **n == u32::MAX)
                .count();
            let n = asked.entry(key).or_insert(0);
            if *n == u32::MAX || built >= MAX_PER_VERSION {
                return;
            }
            *n += 1;
            if *n < ASKS_BEFORE_BUILD {
                return;
            }
            *n = u32::MAX;
        }
        let db = db.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            match store::create_pair_index(&db, version_id, key.1, key.2).await {
                Ok(()) => tracing::info!(
                    version_id,
                    filter = key.1,
                    sort = key.2,
                    ms = started.elapsed().as_millis() as u64,
                    "added an index for a filter and sort pair"
                ),
                Err(e) => tracing::warn!(version_id, error = %e, "could not add an index"),
            }
        });
    }
}
