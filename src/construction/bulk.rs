//! The spreadsheet import's SQL in bulk: the registry objects a file's rows
//! may be the same as, looked up once per import, and the new objects and
//! their history written in multi-row statements. One query per row made a
//! 50,000-row import spend most of its time waiting on the database
//! (docs/CONSTRUCTION.md, "Import speed").

use std::collections::HashMap;

use super::domain::ObjectInput;
use super::queries::ObjectRow;
use crate::db::{Tx, now};
use crate::on_tx;

/// Keys per `in (…)` list: far under SQLite's 32,766 and PostgreSQL's
/// 65,535 bound values.
const KEYS_PER_QUERY: usize = 5_000;
/// Objects per multi-row insert: 23 values each, 23,000 bound values.
const OBJECTS_PER_INSERT: usize = 1_000;
/// History entries per multi-row insert: 6 values each.
const HISTORY_PER_INSERT: usize = 4_000;
/// Rows per PostgreSQL `unnest` insert: the parameters are arrays, so the
/// bound is the statement's memory, not the number of parameters.
const ROWS_PER_UNNEST: usize = 10_000;

/// A registry object as the import sees it: one already in the registry
/// (its id), or the `n`-th the import adds. The order is the order of
/// their ids (added objects get ids above every existing one), which is
/// what "the first object with this key" means in [`KeyIndex::find`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ref {
    Existing(i64),
    Added(usize),
}

/// Objects by the two keys a row is matched on (`queries::find_same`):
/// the cadastral number, and the normalised address. The keys are borrowed
/// from the rows and objects the import holds anyway; nearly every key
/// names one object, so the ids are a short sorted vector.
#[derive(Debug, Default)]
pub struct KeyIndex<'a> {
    cadastral: HashMap<&'a str, Vec<Ref>>,
    address: HashMap<&'a str, Vec<Ref>>,
}

fn insert_sorted(v: &mut Vec<Ref>, r: Ref) {
    if let Err(at) = v.binary_search(&r) {
        v.insert(at, r);
    }
}

fn remove_sorted(v: &mut Vec<Ref>, r: Ref) {
    if let Ok(at) = v.binary_search(&r) {
        v.remove(at);
    }
}

impl<'a> KeyIndex<'a> {
    pub fn with_capacity(n: usize) -> Self {
        KeyIndex {
            cadastral: HashMap::with_capacity(n),
            address: HashMap::with_capacity(n),
        }
    }

    pub fn add(&mut self, r: Ref, cadastral: Option<&'a str>, address_norm: &'a str) {
        if let Some(c) = cadastral {
            insert_sorted(self.cadastral.entry(c).or_default(), r);
        }
        insert_sorted(self.address.entry(address_norm).or_default(), r);
    }

    pub fn remove(&mut self, r: Ref, cadastral: Option<&str>, address_norm: &str) {
        if let Some(v) = cadastral.and_then(|c| self.cadastral.get_mut(c)) {
            remove_sorted(v, r);
        }
        if let Some(v) = self.address.get_mut(address_norm) {
            remove_sorted(v, r);
        }
    }

    /// The object a row is the same as, exactly as `queries::find_same`
    /// answers it: the first with the cadastral number, else the first
    /// with the normalised address (an empty one matches nothing).
    pub fn find(&self, cadastral: Option<&str>, address_norm: &str) -> Option<Ref> {
        let first =
            |m: &HashMap<&'a str, Vec<Ref>>, k: &str| m.get(k).and_then(|v| v.first().copied());
        if let Some(r) = cadastral.and_then(|c| first(&self.cadastral, c)) {
            return Some(r);
        }
        if address_norm.is_empty() {
            return None;
        }
        first(&self.address, address_norm)
    }
}

/// A registry object with the normalised address it is matched on (as
/// stored: `find_same` compares the column, not a recomputed value).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyedObject {
    #[sqlx(flatten)]
    pub row: ObjectRow,
    pub address_norm: String,
}

/// The registry objects whose cadastral number or normalised address is
/// one of the rows' keys, in a few queries whatever the number of rows.
pub async fn objects_with_keys(
    tx: &mut Tx,
    cadastrals: &[&str],
    addresses: &[&str],
) -> Result<Vec<KeyedObject>, sqlx::Error> {
    let mut out: Vec<KeyedObject> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (column, keys) in [
        ("cadastral_number", cadastrals),
        ("address_norm", addresses),
    ] {
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let rows = on_tx!(tx, |conn| {
                let mut q = sqlx::QueryBuilder::new("select ");
                q.push(super::queries::OBJECT_COLUMNS)
                    .push(", address_norm from construction_object where ")
                    .push(column)
                    .push(" in (");
                let mut list = q.separated(", ");
                for k in chunk {
                    list.push_bind(*k);
                }
                q.push(")");
                q.build_query_as::<KeyedObject>().fetch_all(conn).await
            })?;
            for r in rows {
                if seen.insert(r.row.object_id) {
                    out.push(r);
                }
            }
        }
    }
    Ok(out)
}

/// The head of both backends' inserts of objects, written once.
macro_rules! insert_objects {
    () => {
        "insert into construction_object (name, address, address_norm, lat, lon, footprint,
             municipality_id, cadastral_number, permit_number, permit_date, developer,
             purpose, floors, planned_start, planned_end, actual_start, actual_end, status,
             illegal, detected_on, source, created_at, updated_at)"
    };
}

/// Adds objects in multi-row inserts; returns their ids in the order given.
///
/// The ids of one statement are taken in the order of its rows (the VALUES
/// list on SQLite, the arrays' elements through `unnest` on PostgreSQL: a
/// rowid or an identity drawn row by row), so the returned ids, sorted, are
/// the objects' in that order; RETURNING itself promises no order.
pub async fn insert_objects(
    tx: &mut Tx,
    objects: &[(&ObjectInput, &str)],
    source: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let now = now();
    let mut ids = Vec::with_capacity(objects.len());
    let per_insert = match tx {
        Tx::Postgres(_) => ROWS_PER_UNNEST,
        Tx::Sqlite(_) => OBJECTS_PER_INSERT,
    };
    for chunk in objects.chunks(per_insert) {
        let mut got = match tx {
            Tx::Postgres(t) => insert_objects_unnest(t, chunk, source, now).await?,
            Tx::Sqlite(_) => insert_objects_values(tx, chunk, source, now).await?,
        };
        if got.len() != chunk.len() {
            return Err(sqlx::Error::Protocol(format!(
                "{} objects inserted, {} ids returned",
                chunk.len(),
                got.len()
            )));
        }
        got.sort_unstable();
        ids.extend(got);
    }
    Ok(ids)
}

/// PostgreSQL: one array per column and `unnest`, so a statement has 21
/// parameters whatever the number of rows. The multi-row VALUES of SQLite
/// made PostgreSQL parse and bind 23,000 parameters per statement: the
/// import stayed just under 20,000 rows/s (docs/CONSTRUCTION.md).
async fn insert_objects_unnest(
    conn: &mut sqlx::PgConnection,
    chunk: &[(&ObjectInput, &str)],
    source: &str,
    now: time::OffsetDateTime,
) -> Result<Vec<i64>, sqlx::Error> {
    fn col<'a, T>(
        chunk: &[(&'a ObjectInput, &'a str)],
        f: impl Fn(&'a ObjectInput) -> T,
    ) -> Vec<T> {
        chunk.iter().map(|(o, _)| f(o)).collect()
    }
    let text = |f: fn(&ObjectInput) -> &str| col(chunk, f);
    let opt = |f: fn(&ObjectInput) -> Option<&str>| col(chunk, f);
    let norms: Vec<&str> = chunk.iter().map(|(_, n)| *n).collect();
    sqlx::query_scalar::<_, i64>(concat!(
        insert_objects!(),
        "
         select name, address, address_norm, lat, lon, footprint, municipality_id,
             cadastral_number, permit_number, permit_date, developer, purpose, floors,
             planned_start, planned_end, actual_start, actual_end, status, true, detected_on,
             $20, $21, $21
         from unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[],
             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
             $12::text[], $13::int8[], $14::text[], $15::text[], $16::text[], $17::text[],
             $18::text[], $19::text[])
           as t(name, address, address_norm, lat, lon, footprint, municipality_id,
             cadastral_number, permit_number, permit_date, developer, purpose, floors,
             planned_start, planned_end, actual_start, actual_end, status, detected_on)
         returning object_id"
    ))
    .bind(text(|o| &o.name))
    .bind(text(|o| &o.address))
    .bind(norms)
    .bind(col(chunk, |o| o.lat))
    .bind(col(chunk, |o| o.lon))
    .bind(opt(|o| o.footprint.as_deref()))
    .bind(text(|o| &o.municipality_id))
    .bind(opt(|o| o.cadastral_number.as_deref()))
    .bind(opt(|o| o.permit_number.as_deref()))
    .bind(opt(|o| o.permit_date.as_deref()))
    .bind(text(|o| &o.developer))
    .bind(text(|o| &o.purpose))
    .bind(col(chunk, |o| o.floors))
    .bind(opt(|o| o.planned_start.as_deref()))
    .bind(opt(|o| o.planned_end.as_deref()))
    .bind(opt(|o| o.actual_start.as_deref()))
    .bind(opt(|o| o.actual_end.as_deref()))
    .bind(text(|o| o.status.as_str()))
    .bind(opt(|o| o.detected_on.as_deref()))
    .bind(source)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// SQLite: multi-row VALUES (SQLite has no arrays to unnest).
async fn insert_objects_values(
    tx: &mut Tx,
    chunk: &[(&ObjectInput, &str)],
    source: &str,
    now: time::OffsetDateTime,
) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new(concat!(insert_objects!(), " "));
        q.push_values(chunk, |mut b, (o, address_norm)| {
            b.push_bind(o.name.as_str())
                .push_bind(o.address.as_str())
                .push_bind(*address_norm)
                .push_bind(o.lat)
                .push_bind(o.lon)
                .push_bind(o.footprint.as_deref())
                .push_bind(o.municipality_id.as_str())
                .push_bind(o.cadastral_number.as_deref())
                .push_bind(o.permit_number.as_deref())
                .push_bind(o.permit_date.as_deref())
                .push_bind(o.developer.as_str())
                .push_bind(o.purpose.as_str())
                .push_bind(o.floors)
                .push_bind(o.planned_start.as_deref())
                .push_bind(o.planned_end.as_deref())
                .push_bind(o.actual_start.as_deref())
                .push_bind(o.actual_end.as_deref())
                .push_bind(o.status.as_str())
                // Imported objects are in the illegal registry, as
                // `queries::insert(…, illegal: true, …)` puts them.
                .push_bind(true)
                .push_bind(o.detected_on.as_deref())
                .push_bind(source)
                .push_bind(now)
                .push_bind(now);
        });
        q.push(" returning object_id");
        q.build_query_scalar::<i64>().fetch_all(conn).await
    })
}

/// One history entry to write: object, action, what changed (JSON).
pub struct HistoryEntry {
    pub object_id: i64,
    pub action: &'static str,
    pub changes: String,
}

/// Writes history entries in multi-row inserts, in the order given.
pub async fn insert_history(
    tx: &mut Tx,
    actor_id: Option<i64>,
    entries: &[HistoryEntry],
) -> Result<(), sqlx::Error> {
    let now = now();
    if let Tx::Postgres(t) = tx {
        // As `insert_objects_unnest`: arrays, not thousands of parameters.
        for chunk in entries.chunks(ROWS_PER_UNNEST) {
            sqlx::query(
                "insert into construction_history (object_id, actor_id, actor_label, action,
                     changes, created_at)
                 select object_id, $4, '', action, changes, $5
                 from unnest($1::int8[], $2::text[], $3::text[]) as t(object_id, action, changes)",
            )
            .bind(chunk.iter().map(|e| e.object_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.action).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.changes.as_str()).collect::<Vec<_>>())
            .bind(actor_id)
            .bind(now)
            .execute(&mut **t)
            .await?;
        }
        return Ok(());
    }
    for chunk in entries.chunks(HISTORY_PER_INSERT) {
        on_tx!(tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into construction_history (object_id, actor_id, actor_label, action,
                     changes, created_at) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.object_id)
                    .push_bind(actor_id)
                    .push_bind("")
                    .push_bind(e.action)
                    .push_bind(e.changes.as_str())
                    .push_bind(now);
            });
            q.build().execute(conn).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
