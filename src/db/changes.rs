//! Whether anything was committed to the database since a moment, asked
//! without a round trip: what lets a cache keep a page exactly as long as
//! nothing it was made of can have changed.
//!
//! SQLite counts commits for us: `PRAGMA data_version` on a connection
//! changes whenever another connection, of this process or any other, has
//! committed to the file since that connection last looked. The pragma only
//! reads the WAL index's header in shared memory (a few microseconds), so it
//! is asked on the async worker itself, on one connection of its own that
//! never writes. PostgreSQL has no such counter (its commits are known only
//! by asking the server), so there `version` is always `None` and callers
//! read as if they kept nothing.

use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use super::Db;

/// The database's commit counter, where the backend has one.
pub struct Changes {
    watch: Option<Mutex<Connection>>,
}

impl Changes {
    /// The counter of `db`'s file; none for PostgreSQL and an in-memory
    /// SQLite database (whose other connections are other databases).
    pub fn of(db: &Db) -> Changes {
        let watch = match db {
            Db::Sqlite(pool) => {
                let options = pool.connect_options();
                let path = options.get_filename();
                let file = !path.as_os_str().is_empty() && path.to_str() != Some(":memory:");
                file.then(|| open(path)).and_then(|c| match c {
                    Ok(c) => Some(Mutex::new(c)),
                    Err(error) => {
                        tracing::warn!(%error, "cannot watch the database for changes: nothing is kept");
                        None
                    }
                })
            }
            Db::Postgres(_) => None,
        };
        Changes { watch }
    }

    /// A number that differs from every earlier answer once anything has
    /// been committed since; `None` when it cannot be known (PostgreSQL, or
    /// the file was busy: a caller then neither keeps nor reuses).
    ///
    /// Ask it before reading what is to be kept: whatever the reads then
    /// see is at least as new as the number, so a later change is always
    /// noticed.
    pub fn version(&self) -> Option<i64> {
        let watch = self.watch.as_ref()?;
        let c = watch.lock().unwrap_or_else(|e| e.into_inner());
        let mut stmt = c.prepare_cached("pragma data_version").ok()?;
        stmt.query_row([], |r| r.get::<_, i64>(0)).ok()
    }
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A busy file (a checkpoint restarting the log) answers at once, as
    // "unknown", rather than holding an async worker.
    c.busy_timeout(std::time::Duration::ZERO)?;
    Ok(c)
}
