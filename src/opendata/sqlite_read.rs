//! Reads of version tables on SQLite through `rusqlite` on the blocking pool.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! row across a channel; for a page of a hundred rows the hand-offs cost more
//! than the query. Version tables are written once and then only read, so
//! their reads go through a small pool of read-only connections to the same
//! file (WAL lets them read beside the writer), decoded in place. Writes and
//! everything else stay on sqlx. Both drivers link the one SQLite library.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::opendata::domain::{FieldDef, FieldFormat, Value};
use crate::opendata::store::StoredRow;

/// Read connections per database file: twice the cores, at least six.
/// Reads wait for one of them rather than open another: a connection's
/// first statement parses the whole schema (every version's table), which
/// took a third of the table view's time under 32 clients when each
/// request beyond the kept ones opened and closed its own (docs/PERFORMANCE.md).
fn connections() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    (2 * cores).max(6)
}

/// Pages of the file mapped rather than copied into each connection's cache.
const MMAP_BYTES: i64 = 1 << 30;

pub struct Readers {
    path: PathBuf,
    /// `connections()`, worked out once (it reads the cgroup's files).
    size: usize,
    idle: Mutex<Vec<Connection>>,
    /// One permit per connection: at most that many reads at once.
    permits: Arc<tokio::sync::Semaphore>,
}

/// Pools by file. The application state holds each pool; this map only
/// finds it, so the connections close when the state goes.
static READERS: OnceLock<Mutex<HashMap<PathBuf, Weak<Readers>>>> = OnceLock::new();

/// The reader pool of a database file.
pub fn readers(path: &Path) -> Arc<Readers> {
    let map = READERS.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = map.get(path).and_then(Weak::upgrade) {
        return r;
    }
    map.retain(|_, w| w.strong_count() > 0);
    let size = connections();
    let r = Arc::new(Readers {
        path: path.to_owned(),
        size,
        idle: Mutex::new(Vec::new()),
        permits: Arc::new(tokio::sync::Semaphore::new(size)),
    });
    map.insert(path.to_owned(), Arc::downgrade(&r));
    r
}

fn error(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Protocol(format!("sqlite read: {e}"))
}

impl Readers {
    /// Runs `read` on the blocking pool once a connection is free (waiters
    /// are served in order, so one slow read does not starve the others).
    /// The wait has no limit of its own: the scans that can take long (text
    /// filters, spreadsheet selections) pass the `expensive` gate first, so
    /// they cannot hold every connection. A sort on a column without an
    /// index is not gated and waits its turn here like any read.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        read: impl FnOnce(&Readers) -> Result<T, sqlx::Error> + Send + 'static,
    ) -> Result<T, sqlx::Error> {
        let permit = self.permits.clone().acquire_owned().await.map_err(error)?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            read(&this)
        })
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?
    }

    fn take(&self) -> Result<Connection, sqlx::Error> {
        if let Some(c) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(c);
        }
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(error)?;
        c.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(error)?;
        c.set_prepared_statement_cache_capacity(64);
        c.pragma_update(None, "mmap_size", MMAP_BYTES)
            .map_err(error)?;
        register_regexp(&c).map_err(error)?;
        Ok(c)
    }

    fn give_back(&self, c: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.size {
            idle.push(c);
        }
    }

    fn bind(
        stmt: &mut rusqlite::CachedStatement<'_>,
        params: &[(Value, FieldFormat)],
    ) -> Result<(), sqlx::Error> {
        // Parameters are `$1…$n`, each once and in order: bind by position.
        for (i, (v, _)) in params.iter().enumerate() {
            let idx = i + 1;
            let r = match v {
                Value::Null => stmt.raw_bind_parameter(idx, rusqlite::types::Null),
                Value::Text(s) | Value::Date(s) => stmt.raw_bind_parameter(idx, s.as_str()),
                Value::Int(n) => stmt.raw_bind_parameter(idx, n),
                Value::Float(f) => stmt.raw_bind_parameter(idx, f),
                Value::Bool(b) => stmt.raw_bind_parameter(idx, i64::from(*b)),
            };
            r.map_err(error)?;
        }
        Ok(())
    }

    /// Runs a `select _row, c0, …` and decodes it by the fields' formats.
    pub fn fetch(
        &self,
        sql: &str,
        params: &[(Value, FieldFormat)],
        fields: &[FieldDef],
    ) -> Result<Vec<StoredRow>, sqlx::Error> {
        let conn = self.take()?;
        let out = (|| {
            let mut stmt = conn.prepare_cached(sql).map_err(error)?;
            Readers::bind(&mut stmt, params)?;
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(error)? {
                let row = r.get::<_, i64>(0).map_err(error)?;
                let mut values = Vec::with_capacity(fields.len());
                for (i, f) in fields.iter().enumerate() {
                    let v = r.get_ref(i + 1).map_err(error)?;
                    values.push(decode(v, f.format));
                }
                out.push(StoredRow { row, values });
            }
            Ok(out)
        })();
        self.give_back(conn);
        out
    }

    pub fn count(&self, sql: &str, params: &[(Value, FieldFormat)]) -> Result<i64, sqlx::Error> {
        let conn = self.take()?;
        let out = (|| {
            let mut stmt = conn.prepare_cached(sql).map_err(error)?;
            Readers::bind(&mut stmt, params)?;
            let mut rows = stmt.raw_query();
            match rows.next().map_err(error)? {
                Some(r) => r.get::<_, i64>(0).map_err(error),
                None => Ok(0),
            }
        })();
        self.give_back(conn);
        out
    }
}

/// `X REGEXP P` (the function `regexp(P, X)`), as sqlx's SQLite connections
/// have it (`with_regexp`): text filters are case-insensitive patterns
/// (`opendata::store::contains_sql`) whichever driver reads. The compiled
/// pattern is kept for the statement.
fn register_regexp(c: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    c.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let re = ctx.get_or_create_aux(0, |v| -> Result<regex::Regex, BoxError> {
                Ok(regex::Regex::new(v.as_str()?)?)
            })?;
            Ok(match ctx.get_raw(1) {
                ValueRef::Text(t) => std::str::from_utf8(t).is_ok_and(|t| re.is_match(t)),
                _ => false,
            })
        },
    )
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

fn decode(v: ValueRef<'_>, format: FieldFormat) -> Value {
    match (v, format) {
        (ValueRef::Null, FieldFormat::String { .. }) => Value::Text(String::new()),
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(i), FieldFormat::Boolean) => Value::Bool(i != 0),
        (ValueRef::Integer(i), FieldFormat::Float) => Value::Float(i as f64),
        (ValueRef::Integer(i), _) => Value::Int(i),
        (ValueRef::Real(f), _) => Value::Float(f),
        (ValueRef::Text(t), FieldFormat::Date) => {
            Value::Date(String::from_utf8_lossy(t).into_owned())
        }
        (ValueRef::Text(t), _) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(b), _) => Value::Text(String::from_utf8_lossy(b).into_owned()),
    }
}
