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

/// Adds objects in multi-row inserts; returns their ids in the order given.
///
/// The ids of one statement are taken in the order of its VALUES list (a
/// rowid or an identity drawn row by row), so the returned ids, sorted,
/// are the objects' in that order; RETURNING itself promises no order.
pub async fn insert_objects(
    tx: &mut Tx,
    objects: &[(&ObjectInput, &str)],
    source: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let now = now();
    let mut ids = Vec::with_capacity(objects.len());
    for chunk in objects.chunks(OBJECTS_PER_INSERT) {
        let mut got = on_tx!(tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into construction_object (name, address, address_norm, lat, lon, footprint,
                     municipality_id, cadastral_number, permit_number, permit_date, developer,
                     purpose, floors, planned_start, planned_end, actual_start, actual_end, status,
                     illegal, detected_on, source, created_at, updated_at) ",
            );
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
        })?;
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
