//! Whether anything was committed to the database since a moment, asked
//! without a round trip: what lets a cache keep a page exactly as long as
//! nothing it was made of can have changed.
//!
//! SQLite counts commits for us: `PRAGMA data_version` on a connection
//! changes whenever another connection, of this process or any other, has
//! committed to the file since that connection last looked. Asking it opens
//! and ends a read transaction: a lock on the WAL index in shared memory
//! and a read of its header, with no file read, so it is asked on the async
//! worker itself (a few microseconds), on one connection of its own that
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
    /// SQLite database (whose other connections are other databases). The
    /// file is the one the pool's connections have open, as SQLite names
    /// it (`pragma_database_list`: empty for a database in memory), not
    /// what the address says: `sqlite:x.db?mode=memory` names a file the
    /// database is not in.
    pub async fn of(db: &Db) -> Changes {
        let Db::Sqlite(pool) = db else {
            return Changes { watch: None };
        };
        let file: Result<String, sqlx::Error> =
            sqlx::query_scalar("select file from pragma_database_list where name = 'main'")
                .fetch_one(pool)
                .await;
        let watch = match file {
            Ok(f) if !f.is_empty() => match open(std::path::Path::new(&f)) {
                Ok(c) => Some(Mutex::new(c)),
                Err(error) => {
                    tracing::warn!(%error, "cannot watch the database for changes: nothing is kept");
                    None
                }
            },
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, "cannot name the database file: nothing is kept");
                None
            }
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
    // No busy handler: a busy file (a checkpoint restarting the log)
    // answers "unknown" rather than holding an async worker while it waits.
    c.busy_timeout(std::time::Duration::ZERO)?;
    Ok(c)
}
