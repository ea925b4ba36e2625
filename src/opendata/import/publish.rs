//! Writing the canonical CSV, and publishing a checked file as a new version.

use super::*;

pub use crate::web::tables::protect_cell;

/// Writes CSV rows and hashes what it writes.
pub struct CsvOut<W: Write> {
    writer: csv::Writer<HashingWriter<W>>,
}

pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> CsvOut<W> {
    pub fn new(inner: W, fields: &[FieldDef]) -> std::io::Result<CsvOut<W>> {
        let mut writer = csv::WriterBuilder::new().from_writer(HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        });
        writer.write_record(fields.iter().map(|f| f.name.as_str()))?;
        Ok(CsvOut { writer })
    }

    pub fn row(&mut self, fields: &[FieldDef], values: &[Value]) -> std::io::Result<()> {
        for (f, v) in fields.iter().zip(values) {
            let text = v.to_text();
            match f.format {
                FieldFormat::String { .. } => {
                    self.writer.write_field(protect_cell(&text).as_bytes())?
                }
                _ => self.writer.write_field(text.as_bytes())?,
            }
        }
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flushes; returns (bytes, sha256 hex).
    pub fn finish(self) -> std::io::Result<(u64, String)> {
        let inner = self
            .writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut inner = inner;
        inner.flush()?;
        let hex = inner
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((inner.bytes, hex))
    }
}

pub(super) struct Checked {
    rows: i64,
    bytes: u64,
    sha256: String,
}

/// Pass 1 (blocking): checks every row and writes the canonical CSV to `out`.
pub(super) fn check(
    source: &Source,
    fields: &[FieldDef],
    out: &Path,
    progress: Progress,
) -> Result<Checked, ImportError> {
    let total_bytes = match source {
        Source::Csv(p) | Source::CsvAs(p, _) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        _ => 0,
    };
    // A registry veche keeps may be empty (no public reports yet) and says
    // so; a file someone uploads without rows is a mistake.
    let may_be_empty = matches!(source, Source::Cells(_));
    let report: Option<Box<dyn Fn(u64) + Send>> = progress.clone().map(|p| {
        Box::new(move |done| p(Phase::Checking, done, total_bytes)) as Box<dyn Fn(u64) + Send>
    });
    let (header, rows) = open(source, report)?;
    let mapping = map_header(&header, fields)?;
    let mut problems = Vec::new();
    let mut total = 0usize;
    let file = std::fs::File::create(out)?;
    let mut csv = CsvOut::new(std::io::BufWriter::with_capacity(256 * 1024, file), fields)?;
    let mut count = 0i64;
    for row in rows {
        match row {
            Ok((line, cells)) => {
                if let Some(values) = parse_row(
                    line,
                    &cells,
                    header.len(),
                    &mapping,
                    fields,
                    &mut problems,
                    &mut total,
                ) {
                    if total == 0 {
                        csv.row(fields, &values)?;
                    }
                    count += 1;
                }
            }
            Err(p) => {
                total += 1;
                if problems.len() < MAX_PROBLEMS {
                    problems.push(p);
                }
                // An encoding or CSV syntax error makes the rest unreliable.
                if problems.last().is_some_and(|p| p.field.is_empty()) {
                    break;
                }
            }
        }
    }
    if total > 0 {
        return Err(ImportError::Rejected { problems, total });
    }
    if count == 0 && !may_be_empty {
        return Err(ImportError::whole_file(Msg::new(
            "В файле нет ни одной строки данных.",
            "The file has no data rows.",
        )));
    }
    let (bytes, sha256) = csv.finish()?;
    if let Some(p) = &progress {
        p(Phase::Checking, total_bytes, total_bytes);
    }
    Ok(Checked {
        rows: count,
        bytes,
        sha256,
    })
}

/// The key of a version's canonical CSV in the media store (the path it
/// always had under `<data>/media`).
pub fn csv_key(dataset: &DatasetRow, file_name: &str) -> String {
    format!("opendata/{}/{file_name}", dataset.identifier_norm)
}

/// Publishes rows from `source` as a new version of `dataset` with
/// `structure`, unless they equal the current version.
///
/// `stamp`: the data stamp from a file name (file imports); `None` means
/// today's date (uploads, registries).
pub async fn publish(
    state: &AppState,
    dataset: &DatasetRow,
    structure: &StructureRow,
    source: Source,
    stamp: Option<Stamp>,
    provenance: &str,
    progress: Progress,
) -> Result<Outcome, ImportError> {
    let fields = structure.fields();
    // Written and checked on this node's disk, then stored whole (the store
    // may be a bucket every node shares).
    let dir = state.config.data_dir.join("tmp");
    tokio::fs::create_dir_all(&dir).await?;
    let tmp = dir.join(format!("incoming-{}.csv", uuid::Uuid::new_v4()));

    let started = std::time::Instant::now();
    // 1. Check.
    let checked = {
        let (fields, tmp_out) = (fields.clone(), tmp.clone());
        let source_ref = std::sync::Arc::new(source);
        let src = source_ref.clone();
        let p = progress.clone();
        let r = tokio::task::spawn_blocking(move || check(&src, &fields, &tmp_out, p)).await?;
        match r {
            Ok(c) => (c, source_ref),
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        }
    };
    let (checked, source) = checked;

    // 2. Unchanged?
    let versions = queries::published_versions(&state.db, dataset.dataset_id).await?;
    let same = |v: &&queries::VersionRow| {
        v.sha256 == checked.sha256 && v.structure_id == structure.structure_id
    };
    let unchanged = match &stamp {
        Some(s) => versions.iter().find(|v| v.stamp == s.text).filter(same),
        None => versions.first().filter(same),
    };
    if let Some(v) = unchanged {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Ok(Outcome::Unchanged {
            stamp: v.stamp.clone(),
        });
    }

    // A free stamp: the file's (or today's), else with the time of day,
    // then seconds, then a counter (a registry may change several times a
    // second). Every stamp the dataset ever had counts, whatever its state.
    let all_stamps = queries::all_stamps(&state.db, dataset.dataset_id).await?;
    let taken = |s: &str| all_stamps.iter().any(|v| v == s);
    let mut chosen = stamp.clone().unwrap_or_else(Stamp::today);
    if taken(&chosen.text) {
        chosen = chosen.with_time_now();
        if taken(&chosen.text) {
            // The next free second of the day (stamps keep the standard's
            // `YYYYMMDDTHHMMSS` shape, so no counters).
            let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+3));
            let date = chosen.text[..8].to_owned();
            let start = u32::from(now.hour()) * 3600
                + u32::from(now.minute()) * 60
                + u32::from(now.second());
            for t in start..86_400 {
                chosen.text = format!("{date}T{:02}{:02}{:02}", t / 3600, t / 60 % 60, t % 60);
                if !taken(&chosen.text) {
                    break;
                }
            }
        }
    }
    let valid = format!(
        "{:04}-{:02}-{:02}",
        chosen.date.year(),
        u8::from(chosen.date.month()),
        chosen.date.day()
    );
    let version_id = queries::insert_loading_version(
        &state.db,
        dataset.dataset_id,
        structure.structure_id,
        &chosen.text,
        provenance,
        &valid,
    )
    .await?;

    // 3. Load; on any failure, remove every trace.
    let file_name =
        crate::opendata::domain::data_file_name(&chosen.text, &structure.stamp, Ext::Csv);
    let key = csv_key(dataset, &file_name);
    let checked_in = started.elapsed();
    let loaded = load(state, version_id, &fields, source, checked.rows, progress).await;
    tracing::debug!(
        checked_ms = checked_in.as_millis() as u64,
        loaded_ms = (started.elapsed() - checked_in).as_millis() as u64,
        "import timings"
    );
    let result = match loaded {
        Ok(()) => {
            async {
                state.media.put_file(&key, &tmp).await?;
                let today = crate::opendata::today_iso();
                let mut tx = state.db.begin().await?;
                queries::publish_version(
                    &mut tx,
                    version_id,
                    dataset.dataset_id,
                    &queries::Published {
                        row_count: checked.rows,
                        byte_size: i64::try_from(checked.bytes).unwrap_or(i64::MAX),
                        sha256: &checked.sha256,
                        provenance,
                        valid: &valid,
                        today: &today,
                    },
                )
                .await?;
                crate::search::enqueue(
                    &mut tx,
                    crate::opendata::search::KIND,
                    &dataset.identifier_norm,
                )
                .await?;
                crate::opendata::indexes::request(&mut tx, version_id, fields.len()).await?;
                tx.commit().await?;
                Ok::<(), anyhow::Error>(())
            }
            .await
        }
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&tmp).await;
    match result {
        Ok(()) => {
            state.search.notify();
            state.catalogue.invalidate();
            tracing::info!(dataset = %dataset.identifier, stamp = %chosen.text, rows = checked.rows, "data version published");
            Ok(Outcome::Published {
                stamp: chosen.text,
                rows: checked.rows,
            })
        }
        Err(e) => {
            let _ = store::drop_table(&state.db, version_id).await;
            let _ = queries::delete_version(&state.db, version_id).await;
            let _ = state.media.delete(&key).await;
            Err(ImportError::Internal(e))
        }
    }
}

/// Pass 2: a reader thread parses the (already checked) source and sends
/// batches; this task inserts them.
pub(super) async fn load(
    state: &AppState,
    version_id: i64,
    fields: &[FieldDef],
    source: std::sync::Arc<Source>,
    total_rows: i64,
    progress: Progress,
) -> anyhow::Result<()> {
    store::create_table(&state.db, version_id, fields).await?;
    let batch = store::batch_rows(fields.len());
    let (tx, mut rx) = mpsc::channel::<Vec<(i64, Vec<Value>)>>(4);
    let reader_fields = fields.to_vec();
    let reader = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let (header, rows) = open(&source, None).map_err(|e| anyhow::anyhow!(e.report(3)))?;
        let mapping =
            map_header(&header, &reader_fields).map_err(|e| anyhow::anyhow!(e.report(3)))?;
        let mut problems = Vec::new();
        let mut total = 0;
        let mut chunk = Vec::with_capacity(batch);
        let mut n = 0i64;
        for row in rows {
            let (line, cells) =
                row.map_err(|p| anyhow::anyhow!("line {}: {}", p.line, p.reason.en))?;
            let values = parse_row(
                line,
                &cells,
                header.len(),
                &mapping,
                &reader_fields,
                &mut problems,
                &mut total,
            )
            .ok_or_else(|| anyhow::anyhow!("line {line} changed since it was checked"))?;
            n += 1;
            chunk.push((n, values));
            if chunk.len() == batch
                && tx
                    .blocking_send(std::mem::replace(&mut chunk, Vec::with_capacity(batch)))
                    .is_err()
            {
                return Ok(());
            }
        }
        if !chunk.is_empty() {
            let _ = tx.blocking_send(chunk);
        }
        Ok(())
    });
    let mut inserted = 0i64;
    while let Some(chunk) = rx.recv().await {
        store::insert_rows(&state.db, version_id, fields, &chunk).await?;
        inserted += chunk.len() as i64;
        if let Some(p) = &progress {
            p(Phase::Loading, inserted as u64, total_rows as u64);
        }
    }
    reader.await??;
    anyhow::ensure!(
        inserted == total_rows,
        "loaded {inserted} rows, checked {total_rows}"
    );
    // The column indexes come after publication (`opendata::indexes`).
    Ok(())
}
