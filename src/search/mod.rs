//! Full-text search (tantivy) with Russian and English stemming.
//!
//! The database is the source of truth; the index is a derived cache. A change
//! that should reach search appends `kind:id` to the search event log in the
//! same transaction ([`enqueue`], [`log`]). Every node keeps its own index
//! and one writer for it, which reads the log after the node's cursor: it
//! loads each document's current state from the database, replaces it in the
//! index, commits, reloads the reader and only then moves the cursor. A crash
//! between the commit of the change and the indexing loses nothing, and a new
//! node rebuilds from the database and catches up (docs/SCALE.md).
//!
//! Features describe their documents in their own `search.rs` and register
//! them (`sources::DocumentSource`, wired in `features.rs`); this module
//! knows no kind by name.

mod handlers;
pub mod log;
mod nums;
pub mod schema;
pub mod sources;
mod stems;
mod yo;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};
use tokio::sync::Notify;

use crate::app::AppState;
use crate::db::{Db, Tx};
use schema::Fields;
pub use sources::{DocumentSource, Sources};
pub use stems::{stem, stems};

const BATCH: i64 = 500;

/// How often a node looks at the log without being woken: changes made by
/// other nodes reach this one within about this long.
const POLL: Duration = Duration::from_secs(1);

/// The file in the index folder that names the node when `VECHE_NODE_ID`
/// does not: a new folder is a new node.
const NODE_FILE: &str = "veche-node-id";

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(handlers::search_page))
}

/// A document as features describe it.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    pub kind: &'static str,
    pub id: String,
    /// A numeric id, read from a fast column when only ids are wanted
    /// (datasets: their `dataset_id`; 0 where unused).
    pub num: u64,
    pub url: String,
    pub title_ru: String,
    pub title_en: String,
    pub body_ru: String,
    pub body_en: String,
}

/// A search result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub kind: String,
    pub id: String,
    pub url: String,
    pub title_ru: String,
    pub title_en: String,
    pub score: f32,
}

/// Records, inside the caller's transaction, that document `kind:id` must be
/// (re)indexed or removed.
pub async fn enqueue(tx: &mut Tx, kind: &str, id: &str) -> Result<(), sqlx::Error> {
    log::append(tx, kind, id).await
}

/// The index, its reader, and the single writer of this process.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// `None` in a process that found the index owned by another (a CLI
    /// command beside a running server): it enqueues, the owner indexes.
    writer: Option<Arc<Mutex<IndexWriter>>>,
    /// Serialises drains, so an older state of a document never overwrites
    /// a newer one.
    drain_lock: tokio::sync::Mutex<()>,
    notify: Notify,
    needs_rebuild: bool,
    /// This node's name in the log's cursors.
    node: String,
    /// The kinds of document (`sources`).
    sources: Sources,
    /// Numeric ids by document, per segment (`search_nums`).
    tables: nums::Tables,
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir` and takes its writer lock. An
    /// index written with another schema version is wiped and marked for a
    /// rebuild.
    pub fn open(dir: &Path, sources: Sources) -> anyhow::Result<SearchIndex> {
        SearchIndex::open_inner(dir, sources, true)
    }

    /// Like [`SearchIndex::open`], but when another process owns the writer
    /// the index is opened for reading only (command-line tools beside a
    /// running server).
    pub fn open_shared(dir: &Path, sources: Sources) -> anyhow::Result<SearchIndex> {
        SearchIndex::open_inner(dir, sources, false)
    }

    fn open_inner(
        dir: &Path,
        sources: Sources,
        require_writer: bool,
    ) -> anyhow::Result<SearchIndex> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the index folder {}", dir.display()))?;
        let version_file = dir.join("veche-schema-version");
        let version = schema::schema_version();
        let stored = std::fs::read_to_string(&version_file).ok();
        let mut needs_rebuild = stored.as_deref() != Some(version.as_str());
        if needs_rebuild && stored.is_some() {
            tracing::info!("search schema changed; the index will be rebuilt");
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.is_file() && !path.ends_with(NODE_FILE) {
                    std::fs::remove_file(path)?;
                }
            }
        }
        let (schema, fields) = schema::build();
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema).context(
            "the search index is unreadable; delete the index folder and run `veche reindex`",
        )?;
        schema::register_tokenizers(&index);
        let writer = match index.writer_with_num_threads(1, 30_000_000) {
            Ok(w) => {
                // The log is applied in small batches, each a new segment,
                // and every search sets up each segment's union of four
                // fields: segments of a size are merged when there are four
                // of them, not tantivy's default eight.
                let mut policy = tantivy::indexer::LogMergePolicy::default();
                policy.set_min_num_segments(4);
                w.set_merge_policy(Box::new(policy));
                Some(w)
            }
            Err(tantivy::TantivyError::LockFailure(..)) if !require_writer => None,
            Err(tantivy::TantivyError::LockFailure(..)) => anyhow::bail!(
                "the search index in {} is in use by another veche process (only one may write it); stop that process first",
                dir.display()
            ),
            Err(other) => return Err(other.into()),
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        if writer.is_some() {
            std::fs::write(&version_file, &version)?;
        }
        needs_rebuild |= reader.searcher().num_docs() == 0;
        needs_rebuild &= writer.is_some();
        let node = node_id(dir, writer.is_some())?;
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                writer: writer.map(|w| Arc::new(Mutex::new(w))),
                drain_lock: tokio::sync::Mutex::new(()),
                notify: Notify::new(),
                needs_rebuild,
                node,
                sources,
                tables: nums::Tables::default(),
            }),
        })
    }

    /// Wakes the writer task after a commit that enqueued documents.
    pub fn notify(&self) {
        self.inner.notify.notify_one();
    }

    pub fn needs_rebuild(&self) -> bool {
        self.inner.needs_rebuild
    }

    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Reads every segment once (a count over all documents): fails when the
    /// index files are damaged or gone. For `/health`.
    pub async fn check(&self) -> anyhow::Result<u64> {
        let reader = self.inner.reader.clone();
        tokio::task::spawn_blocking(move || {
            let n = reader
                .searcher()
                .search(&tantivy::query::AllQuery, &Count)?;
            Ok(n as u64)
        })
        .await?
    }

    fn to_tantivy(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.inner.fields;
        doc!(
            f.key => format!("{}:{}", d.kind, d.id),
            f.kind => d.kind,
            f.id => d.id.clone(),
            f.num => d.num,
            f.url => d.url.clone(),
            f.title_ru => d.title_ru.clone(),
            f.title_en => d.title_en.clone(),
            f.body_ru => d.body_ru.clone(),
            f.body_en => d.body_en.clone(),
        )
    }

    /// Applies replacements and deletions, commits, and reloads the reader,
    /// on the blocking pool.
    async fn apply(
        &self,
        keys: Vec<String>,
        docs: Vec<TantivyDocument>,
        wipe: bool,
    ) -> anyhow::Result<()> {
        let Some(writer) = self.inner.writer.clone() else {
            return Ok(());
        };
        let key_field = self.inner.fields.key;
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut w = writer
                .lock()
                .map_err(|_| anyhow::anyhow!("search writer poisoned"))?;
            if wipe {
                w.delete_all_documents()?;
            }
            for key in keys {
                w.delete_term(Term::from_field_text(key_field, &key));
            }
            for d in docs {
                w.add_document(d)?;
            }
            w.commit()?;
            Ok(())
        })
        .await??;
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Applies the log after this node's cursor; returns how many events
    /// were applied. A node without a cursor (or one behind the log's cut)
    /// rebuilds instead.
    pub async fn drain(&self, db: &Db) -> anyhow::Result<usize> {
        if self.inner.writer.is_none() {
            return Ok(0);
        }
        let _guard = self.inner.drain_lock.lock().await;
        let mut at = match log::cursor(db, &self.inner.node).await? {
            Some(at) if !log::is_pruned_past(db, at).await? => at,
            _ => {
                self.rebuild_locked(db).await?;
                return Ok(0);
            }
        };
        let mut done = 0;
        loop {
            let events = log::read_after(db, at, BATCH).await?;
            let Some(last) = events.last() else {
                return Ok(done);
            };
            // One load per document, however often it changed in the batch.
            let wanted: std::collections::BTreeSet<(&str, &str)> = events
                .iter()
                .map(|e| (e.kind.as_str(), e.doc_id.as_str()))
                .collect();
            let mut keys = Vec::new();
            let mut docs = Vec::new();
            for (kind, id) in wanted {
                if let Some(d) = self.inner.sources.document(db, kind, id).await? {
                    docs.push(self.to_tantivy(&d));
                }
                keys.push(format!("{kind}:{id}"));
            }
            self.apply(keys, docs, false).await?;
            // After the commit: a crash before this line applies the batch
            // again, which changes nothing.
            at = last.position();
            log::store_cursor(db, &self.inner.node, at).await?;
            done += events.len();
        }
    }

    /// Rebuilds the whole index from the database.
    pub async fn rebuild(&self, db: &Db) -> anyhow::Result<usize> {
        anyhow::ensure!(
            self.inner.writer.is_some(),
            "the search index is in use by a running veche server; stop it to rebuild the index"
        );
        let _guard = self.inner.drain_lock.lock().await;
        self.rebuild_locked(db).await
    }

    /// The rebuild, under the drain lock: the log's position is taken
    /// first, so whatever changes while the documents are read is applied
    /// again afterwards (applying is idempotent).
    async fn rebuild_locked(&self, db: &Db) -> anyhow::Result<usize> {
        let at = log::now_position(db).await?;
        let docs = self.inner.sources.all(db).await?;
        let n = docs.len();
        let docs = docs.iter().map(|d| self.to_tantivy(d)).collect();
        self.apply(Vec::new(), docs, true).await?;
        log::store_cursor(db, &self.inner.node, at).await?;
        Ok(n)
    }

    /// At start: rebuilds the index when it is new, of another schema, or
    /// behind the log's cut (or its node has no cursor yet); otherwise the
    /// writer catches up from the cursor. The number of documents indexed
    /// by a rebuild.
    pub async fn prepare(&self, db: &Db) -> anyhow::Result<Option<usize>> {
        if self.inner.writer.is_none() {
            return Ok(None);
        }
        let stale = match log::cursor(db, &self.inner.node).await? {
            None => true,
            Some(at) => log::is_pruned_past(db, at).await?,
        };
        if self.inner.needs_rebuild || stale {
            return Ok(Some(self.rebuild(db).await?));
        }
        Ok(None)
    }

    /// This node's name in the log (`VECHE_NODE_ID`, else the index folder's).
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// How far this node's index is behind the log.
    pub async fn lag(&self, db: &Db) -> anyhow::Result<log::Lag> {
        match log::cursor(db, &self.inner.node).await? {
            Some(at) => Ok(log::lag(db, at).await?),
            None => Ok(log::Lag::default()),
        }
    }

    /// The writer task: applies the log whenever notified and every
    /// [`POLL`] (other nodes' changes), cuts the log once a minute and
    /// publishes the lag as metrics.
    pub async fn run_writer(self, db: Db) {
        let mut last_prune = std::time::Instant::now();
        loop {
            if let Err(e) = self.drain(&db).await {
                tracing::error!(error = %format!("{e:#}"), "search indexing failed; will retry");
            }
            if last_prune.elapsed() >= Duration::from_secs(60) {
                last_prune = std::time::Instant::now();
                if let Err(e) = log::prune(&db).await {
                    tracing::warn!(error = %e, "cutting the search log failed; will retry");
                }
                if let Ok(lag) = self.lag(&db).await {
                    metrics::gauge!("veche_search_lag_events").set(lag.events as f64);
                    metrics::gauge!("veche_search_lag_seconds").set(lag.seconds as f64);
                }
            }
            tokio::select! {
                _ = self.inner.notify.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Searches titles and texts in both languages; `kind` restricts to one
    /// kind of document. Runs on the blocking pool.
    pub async fn search(
        &self,
        q: &str,
        kind: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> anyhow::Result<(usize, Vec<Hit>)> {
        let this = self.clone();
        let q = q.to_owned();
        let kind = kind.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            let f = &this.inner.fields;
            let query = this.parse_query(&q, kind.as_deref());
            let searcher = this.inner.reader.searcher();
            let (top, total) = searcher.search(
                &query,
                &(
                    TopDocs::with_limit(limit.max(1))
                        .and_offset(offset)
                        .order_by_score(),
                    Count,
                ),
            )?;
            let text = |d: &TantivyDocument, field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let hits = top
                .into_iter()
                .map(|(score, address)| {
                    let d: TantivyDocument = searcher.doc(address)?;
                    Ok(Hit {
                        kind: text(&d, f.kind),
                        id: text(&d, f.id),
                        url: text(&d, f.url),
                        title_ru: text(&d, f.title_ru),
                        title_en: text(&d, f.title_en),
                        score,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok((total, hits))
        })
        .await?
    }

    /// Numeric ids (see [`SearchDoc::num`]) and scores of the documents of
    /// `kind` matching `q`, in no order and in one vector per segment,
    /// without loading the documents.
    pub async fn search_nums(&self, q: &str, kind: &str) -> anyhow::Result<Vec<Vec<(u64, f32)>>> {
        let this = self.clone();
        let q = q.to_owned();
        let kind = kind.to_owned();
        tokio::task::spawn_blocking(move || {
            // The kind is checked by the collector, not the query.
            let query = this.parse_query(&q, None);
            let searcher = this.inner.reader.searcher();
            let tables = this.inner.tables.of(&searcher, &kind)?;
            Ok(searcher.search(&query, &nums::Nums { tables })?)
        })
        .await?
    }

    fn parse_query(&self, q: &str, kind: Option<&str>) -> Box<dyn Query> {
        let f = &self.inner.fields;
        let mut parser = QueryParser::for_index(
            &self.inner.index,
            vec![f.title_ru, f.title_en, f.body_ru, f.body_en],
        );
        parser.set_field_boost(f.title_ru, 3.0);
        parser.set_field_boost(f.title_en, 3.0);
        parser.set_conjunction_by_default();
        // Lenient: a stray quote or colon in what a person typed is not an error.
        let (text_query, _errors) = parser.parse_query_lenient(&people_query(q));
        match kind {
            Some(k) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, text_query),
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.kind, k),
                        IndexRecordOption::Basic,
                    )),
                ),
            ])),
            None => text_query,
        }
    }
}

/// What a person typed, made safe for tantivy's query grammar: the grammar
/// recurses once per bracket, so thousands of `(` would overflow the stack
/// and abort the process, and `field:` naming a field the index lacks parses
/// leniently but fails at search time. People's searches neither group nor
/// name fields, so brackets and colons become spaces (found by the property
/// test in tests/http/hostile/fuzz.rs), and the text is cut to
/// [`MAX_QUERY_CHARS`].
pub fn people_query(q: &str) -> String {
    let text: String = q
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| match c {
            '(' | ')' | '[' | ']' | '{' | '}' | ':' => ' ',
            c => c,
        })
        .collect();
    // `NOT` recurses in the grammar too: a person writes one or two, a run of
    // them is read as words.
    if text.split_whitespace().filter(|w| *w == "NOT").count() > MAX_NOTS {
        text.split_whitespace()
            .map(|w| if w == "NOT" { "not" } else { w })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        text
    }
}

/// `NOT` operators kept in one search.
const MAX_NOTS: usize = 4;

/// The longest search text passed to the index.
pub const MAX_QUERY_CHARS: usize = 500;

/// The node's name: `VECHE_NODE_ID`, else the one stored in the index
/// folder, else a new one (the host's name and a random suffix), stored
/// there by a process that owns the index.
fn node_id(dir: &Path, owner: bool) -> anyhow::Result<String> {
    if let Ok(id) = std::env::var("VECHE_NODE_ID")
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_owned());
    }
    let file = dir.join(NODE_FILE);
    if let Ok(id) = std::fs::read_to_string(&file)
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_owned());
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let id = format!(
        "{}-{}",
        if host.is_empty() { "node" } else { &host },
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    if owner {
        std::fs::write(&file, &id)?;
    }
    Ok(id)
}

/// `veche reindex`: rebuilds the index from the database.
pub async fn reindex(db: &Db, search: &SearchIndex) -> anyhow::Result<usize> {
    search.rebuild(db).await
}
