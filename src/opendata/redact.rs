//! Withdrawing personal data from versions already published.
//!
//! Versions are otherwise never rewritten: a user who downloaded one can
//! check it against the hash the catalogue states. Personal data is the
//! exception the law makes. When a registry learns that a value it published
//! is personal (a construction whose right-holder was a company's name on a
//! legal object turns out to be an illegal private house), its feature asks,
//! in the transaction of that change, for the value to be withdrawn
//! (`datasets::request_withdrawal`): every
//! published version of every dataset fed by the source has the named
//! fields of the matching rows emptied, in its table (which serves the
//! table pages, the CKAN DataStore, JSON and XML) and in its stored CSV
//! file, whose size and hash the catalogue then states anew.
//!
//! A job is idempotent: the file is rewritten only when a row still holds a
//! value, the table is updated by key every time, and the version's size and
//! hash are set from the file as it is. A crash anywhere leaves the job in
//! the outbox, and the next run finishes it.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;

use crate::app::AppState;
use crate::db::{Tx, queue};
use crate::on_tx;
use crate::opendata::domain::{Ext, FieldDef, FieldFormat};
use crate::opendata::{queries, store};

use crate::datasets::{Redaction, WITHDRAW_QUEUE as QUEUE};

/// Carries out every waiting withdrawal; returns how many versions changed.
/// Runs in the same worker as the registry refreshes, after them, so a
/// version that a refresh began before the change is published by then and
/// withdrawn here too.
pub async fn run(state: &AppState) -> anyhow::Result<usize> {
    let mut changed = 0;
    loop {
        let jobs =
            queue::claim(&state.db, QUEUE, BATCH, std::time::Duration::from_secs(600)).await?;
        if jobs.is_empty() {
            return Ok(changed);
        }
        // Withdrawals of the same fields from the same registry share one
        // pass over its versions (an import can turn a thousand objects
        // illegal at once; a pass per object would read every version a
        // thousand times).
        let mut groups: BTreeMap<GroupKey, Vec<(queue::Job, String)>> = BTreeMap::new();
        for job in jobs {
            match job.payload::<Redaction>() {
                Ok(r) => groups
                    .entry((r.source, r.key_field, r.fields))
                    .or_default()
                    .push((job, r.key)),
                // A payload this code cannot read is kept for the
                // administrators' dead-letter view, never dropped.
                Err(e) => queue::fail(&state.db, &job, &format!("{e:#}")).await?,
            }
        }
        for ((source, key_field, fields), members) in groups {
            let keys: HashSet<String> = members.iter().map(|(_, k)| k.clone()).collect();
            let group = Group {
                source,
                key_field,
                fields,
                keys,
            };
            match apply(state, &group).await {
                Ok(n) => {
                    changed += n;
                    let ids: Vec<i64> = members.iter().map(|(j, _)| j.outbox_id).collect();
                    queue::complete(&state.db, &ids).await?;
                }
                Err(e) => {
                    for (job, _) in &members {
                        queue::fail(&state.db, job, &format!("{e:#}")).await?;
                    }
                    return Err(e);
                }
            }
        }
    }
}

/// A registry, its key field and the fields to empty.
type GroupKey = (String, String, Vec<String>);

/// Jobs claimed at once, and so the most keys one pass withdraws.
const BATCH: i64 = 500;

/// Withdrawals that share a registry, a key field and the fields to empty.
struct Group {
    source: String,
    key_field: String,
    fields: Vec<String>,
    keys: HashSet<String>,
}

async fn apply(state: &AppState, r: &Group) -> anyhow::Result<usize> {
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    let mut changed = 0;
    for e in snapshot
        .entries
        .iter()
        .filter(|e| e.dataset.source == r.source)
    {
        for v in queries::published_versions(&state.db, e.dataset.dataset_id).await? {
            let Some(structure) = queries::structure_by_id(&state.db, v.structure_id).await? else {
                continue;
            };
            let fields = structure.fields();
            let Some(target) = Target::new(&fields, r) else {
                continue;
            };
            // The stored file, copied to this node's disk to be read (twice)
            // and rewritten; the store may be a bucket.
            let key = crate::opendata::import::csv_key(&e.dataset, &v.file_name(Ext::Csv));
            let dir = state.config.data_dir.join("tmp");
            tokio::fs::create_dir_all(&dir).await?;
            let path = dir.join(format!("withdrawing-{}.csv", uuid::Uuid::new_v4()));
            if !state.media.get_file(&key, &path).await? {
                let _ = tokio::fs::remove_file(&path).await;
                anyhow::bail!(
                    "the file of {} {} is missing",
                    e.dataset.identifier,
                    v.stamp
                );
            }
            let (t, keys, p) = (target.clone(), r.keys.clone(), path.clone());
            let rewritten = tokio::task::spawn_blocking(move || rewrite(&p, &t, &keys)).await?;
            let saved = match rewritten {
                Ok(rewritten) => {
                    let saved = save(
                        state,
                        &v,
                        e.dataset.dataset_id,
                        &target,
                        &r.keys,
                        &rewritten,
                        &key,
                    )
                    .await;
                    if let Some(tmp) = &rewritten.tmp {
                        let _ = tokio::fs::remove_file(tmp).await;
                    }
                    saved
                }
                Err(err) => Err(err),
            };
            let _ = tokio::fs::remove_file(&path).await;
            let (rows, differs) = saved?;
            if rows > 0 || differs {
                changed += 1;
                // Only where and how many: the value itself is the personal
                // data being withdrawn.
                tracing::info!(dataset = %e.dataset.identifier, stamp = %v.stamp, rows, "personal data withdrawn from a published version");
            }
        }
    }
    if changed > 0 {
        state.catalogue.invalidate();
    }
    Ok(changed)
}

/// The table, the version's size and hash, and the file, in one
/// transaction. Returns the rows emptied and whether the file changed.
async fn save(
    state: &AppState,
    v: &queries::VersionRow,
    dataset_id: i64,
    target: &Target,
    keys: &HashSet<String>,
    rewritten: &Rewritten,
    key: &str,
) -> anyhow::Result<(u64, bool)> {
    let mut tx = state.db.begin().await?;
    let rows = target.update_table(&mut tx, v.version_id, keys).await?;
    let differs = rewritten.sha256 != v.sha256;
    if differs {
        let size = i64::try_from(rewritten.bytes).unwrap_or(i64::MAX);
        let (id, dataset, sha) = (v.version_id, dataset_id, &rewritten.sha256);
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "update dataset_version set byte_size = $2, sha256 = $3 where version_id = $1",
            )
            .bind(id)
            .bind(size)
            .bind(sha)
            .execute(&mut *conn)
            .await?;
            sqlx::query("update dataset set updated_at = $2 where dataset_id = $1")
                .bind(dataset)
                .bind(crate::db::now())
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    // The new file takes the old one's place before the commit: a
    // crash between the two leaves the job to run again, which finds
    // the file clean and states its hash.
    if let Some(tmp) = &rewritten.tmp {
        state.media.put_file(key, tmp).await?;
    }
    tx.commit().await?;
    Ok((rows, differs))
}

/// The columns of one structure that a redaction touches.
#[derive(Debug, Clone)]
struct Target {
    key: usize,
    key_format: FieldFormat,
    blank: Vec<usize>,
}

impl Target {
    fn new(fields: &[FieldDef], r: &Group) -> Option<Target> {
        let at = |name: &str| fields.iter().position(|f| f.name == name);
        let key = at(&r.key_field)?;
        let blank: Vec<usize> = r
            .fields
            .iter()
            .filter_map(|f| at(f))
            // Only text can be emptied; a number would become NULL and a
            // structure's types are not for a redaction to change.
            .filter(|&i| matches!(fields[i].format, FieldFormat::String { .. }))
            .collect();
        (!blank.is_empty()).then_some(Target {
            key,
            key_format: fields[key].format,
            blank,
        })
    }

    async fn update_table(
        &self,
        tx: &mut Tx,
        version_id: i64,
        keys: &HashSet<String>,
    ) -> anyhow::Result<u64> {
        let integer = matches!(self.key_format, FieldFormat::Integer | FieldFormat::Boolean);
        // A key that cannot be a value of an integer column matches no row.
        let numbers: Vec<i64> = keys.iter().filter_map(|k| k.parse().ok()).collect();
        let count = if integer { numbers.len() } else { keys.len() };
        if count == 0 {
            return Ok(0);
        }
        // Column names are generated (`c<n>`), never taken from input; the
        // keys are bound.
        let set: Vec<String> = self.blank.iter().map(|i| format!("c{i} = ''")).collect();
        let any: Vec<String> = self.blank.iter().map(|i| format!("c{i} <> ''")).collect();
        let params: Vec<String> = (1..=count).map(|n| format!("${n}")).collect();
        let sql = format!(
            "update {} set {} where c{} in ({}) and ({})",
            store::table(version_id),
            set.join(", "),
            self.key,
            params.join(", "),
            any.join(" or ")
        );
        let n = on_tx!(tx, |conn| {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            if integer {
                for n in &numbers {
                    q = q.bind(*n);
                }
            } else {
                for k in keys {
                    q = q.bind(k.clone());
                }
            }
            q.execute(conn).await.map(|r| r.rows_affected())
        })?;
        Ok(n)
    }
}

struct Rewritten {
    /// The redacted file, when the stored one held a value to withdraw.
    tmp: Option<PathBuf>,
    bytes: u64,
    sha256: String,
}

/// Reads the stored CSV; when a row with the key still holds a value in a
/// field to empty, writes the redacted file beside it. Untouched rows are
/// written back byte for byte (the file was written by the same `csv`
/// writer with the same settings).
fn rewrite(path: &Path, t: &Target, keys: &HashSet<String>) -> anyhow::Result<Rewritten> {
    let hash_of = |p: &Path| -> anyhow::Result<(u64, String)> {
        use std::io::Read;
        let mut h = Sha256::new();
        let mut f = std::fs::File::open(p)?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut bytes = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            bytes += n as u64;
        }
        Ok((bytes, hex(&h.finalize())))
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)?;
    let mut found = false;
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    while reader.read_byte_record(&mut record)? {
        if !std::mem::take(&mut first) && matches(&record, t, keys) {
            found = true;
            break;
        }
    }
    if !found {
        let (bytes, sha256) = hash_of(path)?;
        return Ok(Rewritten {
            tmp: None,
            bytes,
            sha256,
        });
    }
    let tmp = path.with_extension(format!("redacting-{}", uuid::Uuid::new_v4()));
    let result = (|| -> anyhow::Result<()> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)?;
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(std::io::BufWriter::new(std::fs::File::create(&tmp)?));
        let mut first = true;
        let mut out = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record)? {
            if !std::mem::take(&mut first) && matches(&record, t, keys) {
                out.clear();
                for (i, cell) in record.iter().enumerate() {
                    out.push_field(if t.blank.contains(&i) { b"" } else { cell });
                }
                writer.write_byte_record(&out)?;
            } else {
                writer.write_byte_record(&record)?;
            }
        }
        writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .sync_all()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let (bytes, sha256) = hash_of(&tmp)?;
    Ok(Rewritten {
        tmp: Some(tmp),
        bytes,
        sha256,
    })
}

fn matches(record: &csv::ByteRecord, t: &Target, keys: &HashSet<String>) -> bool {
    record
        .get(t.key)
        .and_then(|k| std::str::from_utf8(k).ok())
        .is_some_and(|k| keys.contains(k))
        && t.blank
            .iter()
            .any(|&i| record.get(i).is_some_and(|c| !c.is_empty()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
