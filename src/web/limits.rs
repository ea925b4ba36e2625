//! Limits on work a request may cause. Two kinds:
//!
//! - **Caps** (constants below): how much one request may ask for — list
//!   lengths, nesting, offsets, sort keys, export rows. Parsers check them
//!   and answer a 4xx naming the limit.
//! - **Gates** (`Gates`): how many expensive requests run at once. Exports,
//!   PDF reports, spreadsheet reading, text scans of open-data tables and
//!   photo decoding each take a permit; when none is free within the wait,
//!   the request gets 503 with `Retry-After` instead of piling up memory and
//!   CPU until the process is killed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::LimitsConfig;
use crate::error::{AppError, AppResult};

/// Values in one `__in` (or CKAN list) filter. SQLite allows 32,766 bound
/// parameters per statement; a hundred values is far more than a person
/// types and keeps every statement well inside that.
pub const MAX_IN_VALUES: usize = 100;
/// Filters in one request.
pub const MAX_FILTERS: usize = 20;
/// Characters of one filter value.
pub const MAX_FILTER_VALUE_CHARS: usize = 500;
/// Sort keys in one request.
pub const MAX_SORT_KEYS: usize = 3;
/// Rows a client may skip with an offset. Deeper pages are reached by keyset
/// pages (`_next`) or by downloading the file; an offset makes the database
/// walk every skipped row.
pub const MAX_OFFSET: i64 = 100_000;
/// Rows of one CSV/XLSX export built on request.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// One kind of expensive work and how many may run at once.
#[derive(Clone)]
pub struct Gate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Gate {
    pub fn new(concurrency: usize, wait: Duration) -> Gate {
        Gate {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            wait,
        }
    }

    /// Waits for a turn; `Busy` (503, `Retry-After`) when none comes in time.
    /// The work runs while the permit is held.
    pub async fn enter(&self) -> AppResult<OwnedSemaphorePermit> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // Timed out, or closed (never closed today).
            _ => Err(AppError::Busy {
                retry_after_secs: self.wait.as_secs().clamp(1, 60),
            }),
        }
    }

    /// Permits free now (for tests and /health).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

/// The gates of the application state.
#[derive(Clone)]
pub struct Gates {
    /// Exports, PDF reports, spreadsheet reading, text scans.
    pub expensive: Gate,
    /// Photo decoding and resizing.
    pub photos: Gate,
}

impl Gates {
    pub fn from_config(c: &LimitsConfig) -> Gates {
        let wait = Duration::from_secs(c.expensive_wait_secs);
        Gates {
            expensive: Gate::new(c.expensive_concurrency, wait),
            photos: Gate::new(c.photo_concurrency, wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_sheds_with_retry_after() {
        let gate = Gate::new(1, Duration::from_millis(50));
        let held = gate.enter().await.expect("the first enters");
        match gate.enter().await {
            Err(AppError::Busy { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("expected Busy, got {:?}", other.map(|_| ())),
        }
        drop(held);
        assert!(
            gate.enter().await.is_ok(),
            "free again after the first left"
        );
    }
}
