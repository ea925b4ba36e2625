//! The store: one code path over SQLite (embedded default) and PostgreSQL.
//!
//! Queries are runtime-checked `sqlx` calls written in a portable SQL subset
//! (`$n` placeholders, `returning`, `on conflict`, timestamps bound from Rust).
//! [`on_db!`] and [`on_tx!`] expand one body once per backend, so the same
//! source compiles against both drivers; backend-specific SQL is written as
//! explicit match arms where the dialects really differ. Both backends run the
//! whole test suite.

pub mod changes;
pub mod filter;
pub mod lease;
pub mod queue;
pub mod replica;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;

use crate::config::Config;

pub static PG_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");
pub static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// A connection pool to whichever backend is configured. Cloning is cheap.
#[derive(Clone, Debug)]
pub enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// An open write transaction. On SQLite it holds the write lock from its first
/// statement (`BEGIN IMMEDIATE`), so two writers never deadlock upgrading a
/// read lock; they queue on the busy timeout instead.
pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// Runs `$body` with `$pool` bound to the active pool (`&PgPool` or
/// `&SqlitePool`). The body is compiled once per backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Postgres($pool) => $body,
            $crate::db::Db::Sqlite($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection
/// (`&mut PgConnection` or `&mut SqliteConnection`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Runs `$body` with `$conn` bound to a held connection's
/// (`&mut PgConnection` or `&mut SqliteConnection`): see [`Conn`].
#[macro_export]
macro_rules! on_conn {
    ($c:expr, |$conn:ident| $body:expr) => {
        match $c {
            $crate::db::Conn::Postgres(c) => {
                let $conn = &mut **c;
                $body
            }
            $crate::db::Conn::Sqlite(c) => {
                let $conn = &mut **c;
                $body
            }
        }
    };
}

/// Runs one statement with its bound values in a transaction and returns
/// how many rows it touched: the common case of `on_tx!`, written once.
///
/// ```ignore
/// exec_tx!(tx, "update account set name = $2 where account_id = $1", id, name)?;
/// ```
#[macro_export]
macro_rules! exec_tx {
    ($tx:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_tx!($tx, |conn| sqlx::query($sql)
            $(.bind($arg))*
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
    };
}

/// Runs one statement with its bound values on the pool and returns how
/// many rows it touched: `exec_tx!` outside a transaction.
#[macro_export]
macro_rules! exec_db {
    ($db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_db!($db, |pool| sqlx::query($sql)
            $(.bind($arg))*
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    };
}

/// Runs one query with its bound values on the pool and decodes its rows as
/// `$row` with `$fetch` (`fetch_all`, `fetch_optional`, `fetch_one`): the
/// common case of `on_db!`, written once.
///
/// ```ignore
/// fetch_db!(db, fetch_optional, OrgRow, "select … where id = $1", id)
/// ```
#[macro_export]
macro_rules! fetch_db {
    ($db:expr, $fetch:ident, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_db!($db, |pool| sqlx::query_as::<_, $row>($sql)
            $(.bind($arg))*
            .$fetch(pool)
            .await)
    };
}

/// `fetch_db!` inside a transaction.
#[macro_export]
macro_rules! fetch_tx {
    ($tx:expr, $fetch:ident, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_tx!($tx, |conn| sqlx::query_as::<_, $row>($sql)
            $(.bind($arg))*
            .$fetch(conn)
            .await)
    };
}

/// One pooled connection held for a few reads in a row, outside any
/// transaction (a page's). sqlx sends a `select 1` down a connection each
/// time it goes back to the pool (not configurable: sqlx-core's
/// `return_to_pool`), a round trip to the SQLite connection's thread; reads
/// made on one held connection pay it once, not once per query. Do not
/// acquire another connection while holding one: with every connection
/// held, that waits forever.
pub enum Conn {
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
}

impl Db {
    /// Connects to the configured database, creating the data folder and the
    /// SQLite file when they do not exist yet.
    pub async fn connect(config: &Config) -> anyhow::Result<Db> {
        let url = match &config.database_url {
            Some(url) if !url.expose_secret().is_empty() => url.expose_secret().to_owned(),
            _ => {
                std::fs::create_dir_all(&config.data_dir).with_context(|| {
                    format!(
                        "cannot create the data folder {}",
                        config.data_dir.display()
                    )
                })?;
                format!("sqlite://{}", config.data_dir.join("veche.db").display())
            }
        };
        Db::connect_url(&url, config.db_max_connections).await
    }

    /// Connects to `url`: `postgres://…`/`postgresql://…` or `sqlite://…`.
    pub async fn connect_url(url: &str, max_connections: u32) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .context("DATABASE_URL is not a valid PostgreSQL URL")?
                .application_name("veche");
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("cannot connect to PostgreSQL")?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .context("DATABASE_URL is not a valid SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Case-insensitive text filters of open data (`opendata::store`):
                // SQLite's own lower() folds only ASCII.
                .with_regexp();
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                // No `select 1` before handing out a connection: a SQLite
                // connection is a file handle on a thread of its own and
                // cannot be dropped by a network, and the ping was a second
                // round trip to that thread for every query (14 % of a
                // report page's samples, docs/PROBLEMS.md "Performance").
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .context("cannot open the SQLite database")?;
            Ok(Db::Sqlite(pool))
        } else {
            anyhow::bail!("DATABASE_URL must start with postgres:// or sqlite:")
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies the migrations of the active backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Postgres(pool) => PG_MIGRATOR.run(pool).await?,
            Db::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
        }
        Ok(())
    }

    /// Whether a migration shipped with the binary has not run yet.
    pub async fn has_pending_migrations(&self) -> anyhow::Result<bool> {
        let migrator = match self {
            Db::Postgres(_) => &PG_MIGRATOR,
            Db::Sqlite(_) => &SQLITE_MIGRATOR,
        };
        // A fresh database has no table of applied migrations yet.
        let applied: Vec<i64> = on_db!(self, |pool| sqlx::query_scalar(
            "select version from _sqlx_migrations where success"
        )
        .fetch_all(pool)
        .await)
        .unwrap_or_default();
        Ok(migrator
            .iter()
            .any(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version)))
    }

    /// Starts a write transaction (see [`Tx`]).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    /// Starts a transaction that only reads: one consistent view for a page
    /// that asks several things, without SQLite's write lock (a deferred
    /// `BEGIN`), so readers never queue behind writers.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN DEFERRED").await?),
        })
    }

    /// A connection to hold for a few reads in a row (see [`Conn`]).
    pub async fn conn(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
        })
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, |pool| sqlx::query("select 1")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Postgres(_) => Backend::Postgres,
            Tx::Sqlite(_) => Backend::Sqlite,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Postgres(t) => t.commit().await,
            Tx::Sqlite(t) => t.commit().await,
        }
    }
}

/// The current time, in UTC, truncated to whole seconds.
///
/// Every timestamp is bound from Rust, never taken from the database clock.
/// SQLite stores timestamps as RFC 3339 text, which sorts correctly only when
/// every value has the same shape; whole seconds in UTC guarantee that.
pub fn now() -> OffsetDateTime {
    // A clock set by hand may carry another offset (the demo writes its
    // history in Moscow time): converted here, or "13:47+03:00" would sort
    // after "10:51Z" and a queued message would wait three hours.
    let t = CLOCK
        .try_with(|c| c.get())
        .ok()
        .flatten()
        .unwrap_or_else(OffsetDateTime::now_utc)
        .to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0).unwrap_or(t)
}

tokio::task_local! {
    /// A clock set by hand, for writing a history that already happened (the
    /// demo region, whose reports were filed over the past weeks). Only code
    /// run inside [`with_clock`] sees it; everything else, and every
    /// signature timestamp, keeps the real time.
    static CLOCK: std::cell::Cell<Option<OffsetDateTime>>;
}

/// Runs `f` with a clock that [`set_clock`] moves; [`now`] reads it.
pub async fn with_clock<F: std::future::Future>(f: F) -> F::Output {
    CLOCK.scope(std::cell::Cell::new(None), f).await
}

/// Moves the clock of the enclosing [`with_clock`]; does nothing outside one
/// (so a server's own work can never run on a hand-set clock).
pub fn set_clock(t: OffsetDateTime) {
    let _ = CLOCK.try_with(|c| c.set(Some(t)));
}

/// Whether [`now`] reads a hand-set clock.
pub fn clock_is_set() -> bool {
    CLOCK.try_with(|c| c.get().is_some()).unwrap_or(false)
}

/// Helpers to classify database errors the same way on both backends.
pub trait DbErrorExt {
    fn is_unique_violation(&self) -> bool;
}

impl DbErrorExt for sqlx::Error {
    fn is_unique_violation(&self) -> bool {
        matches!(self, sqlx::Error::Database(e) if e.is_unique_violation())
    }
}

#[cfg(test)]
mod tests {
    /// A clock set in Moscow time still gives UTC, so that stored text
    /// timestamps of the demo and of the present sort together.
    #[tokio::test]
    async fn a_hand_set_clock_is_read_in_utc() {
        let msk = time::macros::datetime!(2026-11-30 13:47:12.5 +03:00);
        let t = super::with_clock(async {
            super::set_clock(msk);
            super::now()
        })
        .await;
        assert_eq!(t.offset(), time::UtcOffset::UTC);
        assert_eq!(t, time::macros::datetime!(2026-11-30 10:47:12 UTC));
    }
}
