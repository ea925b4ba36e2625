//! The catalogue in memory: every dataset's passport, owner, versions and
//! current structure, reloaded when the catalogue changes. Filters, facets,
//! sorting and paging of both the HTML catalogue and the CKAN API run over
//! it; full-text matching comes from the search index. Ten thousand passports
//! fit in a few megabytes and are filtered in well under a millisecond.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::db::Db;
use crate::opendata::domain::FieldDef;
use crate::opendata::queries::{self, DatasetRow, StructureRow, VersionRow};

/// One dataset as the catalogue sees it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub dataset: DatasetRow,
    pub org_name_ru: String,
    pub org_name_en: String,
    pub org_inn: Option<String>,
    /// Published versions, newest first.
    pub versions: Vec<VersionRow>,
    /// The structure of the newest version.
    pub structure: Option<StructureRow>,
    pub fields: Vec<FieldDef>,
    pub keywords: Vec<String>,
    /// The title as the catalogue sorts it (lower case), made once here
    /// rather than at every comparison.
    pub title_key: String,
    /// `updated_at` and `created_at` as instants (nanoseconds since 1970),
    /// which compare in one instruction; `OffsetDateTime`'s comparison
    /// converts offsets, and was a sixth of a search at 100,000 passports.
    pub modified_key: i128,
    pub created_key: i128,
}

impl Entry {
    pub fn current(&self) -> Option<&VersionRow> {
        self.versions.first()
    }

    /// The formats every version is offered in.
    pub fn formats(&self) -> &'static [&'static str] {
        &["CSV", "JSON", "XML"]
    }

    pub fn has_coordinates(&self) -> bool {
        crate::opendata::domain::coordinate_fields(&self.fields).is_some()
    }
}

pub struct Snapshot {
    pub entries: Vec<Arc<Entry>>,
    by_key: HashMap<String, usize>,
    /// Place in `entries` by dataset id (what the search index returns),
    /// `u32::MAX` for none. A vector, not a hash map: ids are a database
    /// sequence, so it is dense, and a search looks up every hit (38,000
    /// for a common word at 100,000 passports), where the map's probes
    /// missed the cache and took three quarters of the loop.
    by_id: Vec<u32>,
    /// Each entry's `modified_key` and `created_key` by place, clamped to
    /// `i64`: the page's selection reads them for every result, and a
    /// column is read without following each entry's pointer.
    pub(crate) modified_keys: Vec<i64>,
    pub(crate) created_keys: Vec<i64>,
    /// Whether no instant was clamped.
    pub(crate) instants_exact: bool,
    generation: (i64, Option<OffsetDateTime>),
    /// When it was read (this process's clock).
    loaded_at: OffsetDateTime,
}

/// Instants in the store are whole seconds, so the generation check cannot
/// tell two changes within one second apart: a snapshot read in the second
/// of a change (or shortly after it: another node's clock, a commit landing
/// after its stamp) may miss a second change, and is read once more when
/// this much time has passed.
const SETTLE: time::Duration = time::Duration::seconds(2);

impl Snapshot {
    /// Whether a change the generation cannot show may be missing (`SETTLE`).
    /// Bounded on both sides: a stamp far in the future (another node's
    /// clock, SQL written by hand) would otherwise reload the snapshot every
    /// two seconds until that time came.
    fn unsettled(&self) -> bool {
        let near = self.loaded_at - SETTLE..=self.loaded_at + SETTLE;
        self.generation
            .1
            .is_some_and(|newest| near.contains(&newest))
            && self.loaded_at + SETTLE <= OffsetDateTime::now_utc()
    }
}

impl Snapshot {
    /// By identifier (any case) or CKAN uuid.
    pub fn get(&self, key: &str) -> Option<&Arc<Entry>> {
        self.by_key
            .get(key)
            .or_else(|| self.by_key.get(&key.to_lowercase()))
            .map(|&i| &self.entries[i])
    }

    /// The place in `entries` of a dataset id.
    pub fn place(&self, dataset_id: i64) -> Option<usize> {
        let i = *self.by_id.get(usize::try_from(dataset_id).ok()?)?;
        (i != u32::MAX).then_some(i as usize)
    }

    /// The entry owning a resource (version) id.
    pub fn by_resource(&self, uuid: &str) -> Option<(&Arc<Entry>, &VersionRow)> {
        self.entries
            .iter()
            .find_map(|e| e.versions.iter().find(|v| v.uuid == uuid).map(|v| (e, v)))
    }

    /// The newest change in the catalogue.
    pub fn modified(&self) -> Option<OffsetDateTime> {
        self.generation.1
    }
}

/// A handle shared by all requests.
#[derive(Clone, Default)]
pub struct Catalogue {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
    dirty: Arc<AtomicBool>,
    last_check: Arc<Mutex<Option<Instant>>>,
    reload: Arc<tokio::sync::Mutex<()>>,
    /// Download counts not yet written (`downloads.rs`).
    pub downloads: crate::opendata::downloads::Downloads,
}

impl Catalogue {
    /// Marks the snapshot stale (after a change made by this process).
    pub fn invalidate(&self) {
        self.dirty.store(true, Ordering::SeqCst);
    }

    /// The current snapshot. Changes made by this process show at once;
    /// changes by another process sharing the database within a second or
    /// two (three at most: `SETTLE`).
    pub async fn snapshot(&self, db: &Db) -> anyhow::Result<Arc<Snapshot>> {
        if let Some(s) = self.still_current(db).await? {
            return Ok(s);
        }
        let _guard = self.reload.lock().await;
        // Another request may have reloaded while this one waited.
        if let Some(s) = self.still_current(db).await? {
            return Ok(s);
        }
        self.dirty.store(false, Ordering::SeqCst);
        let snapshot = Arc::new(load(db).await?);
        *self
            .current
            .write()
            .map_err(|_| anyhow::anyhow!("catalogue lock"))? = Some(snapshot.clone());
        *self
            .last_check
            .lock()
            .map_err(|_| anyhow::anyhow!("catalogue lock"))? = Some(Instant::now());
        Ok(snapshot)
    }

    /// The cached snapshot, if nothing changed since it was loaded: checked
    /// against the database at most once a second.
    async fn still_current(&self, db: &Db) -> anyhow::Result<Option<Arc<Snapshot>>> {
        if self.dirty.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let Some(s) = self
            .current
            .read()
            .map_err(|_| anyhow::anyhow!("catalogue lock"))?
            .clone()
        else {
            return Ok(None);
        };
        // The request that finds the check due claims it: the others keep
        // answering from the snapshot meanwhile instead of all asking the
        // database at once.
        {
            let mut last = self
                .last_check
                .lock()
                .map_err(|_| anyhow::anyhow!("catalogue lock"))?;
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
                return Ok(Some(s));
            }
            *last = Some(Instant::now());
        }
        if queries::catalogue_generation(db).await? == s.generation && !s.unsettled() {
            return Ok(Some(s));
        }
        // Stale for everyone from now on, including the check `snapshot`
        // repeats under the reload lock (the claim above would pass it).
        self.invalidate();
        Ok(None)
    }
}

async fn load(db: &Db) -> anyhow::Result<Snapshot> {
    let loaded_at = OffsetDateTime::now_utc();
    let generation = queries::catalogue_generation(db).await?;
    let datasets = queries::list_datasets(db).await?;
    let orgs: HashMap<String, crate::directory::queries::OrgRow> =
        crate::directory::queries::list(db)
            .await?
            .into_iter()
            .map(|o| (o.organisation_id.clone(), o))
            .collect();
    let mut versions: HashMap<i64, Vec<VersionRow>> = HashMap::new();
    for v in queries::all_published_versions(db).await? {
        versions.entry(v.dataset_id).or_default().push(v);
    }
    let mut entries = Vec::with_capacity(datasets.len());
    let mut by_key = HashMap::new();
    let mut by_id = Vec::new();
    for d in datasets {
        let vs = versions.remove(&d.dataset_id).unwrap_or_default();
        let structure = match vs.first() {
            Some(v) => queries::structure_by_id(db, v.structure_id).await?,
            None => None,
        };
        let fields = structure
            .as_ref()
            .map(StructureRow::fields)
            .unwrap_or_default();
        let org = orgs.get(&d.organisation_id);
        let i = entries.len();
        by_key.insert(d.identifier_norm.clone(), i);
        by_key.insert(d.uuid.clone(), i);
        if let Ok(id) = usize::try_from(d.dataset_id) {
            if by_id.len() <= id {
                by_id.resize(id + 1, u32::MAX);
            }
            by_id[id] = u32::try_from(i).expect("fewer than 4 billion datasets");
        }
        entries.push(Arc::new(Entry {
            org_name_ru: org.map(|o| o.name_ru.clone()).unwrap_or_default(),
            org_name_en: org.map(|o| o.name_en.clone()).unwrap_or_default(),
            org_inn: org.and_then(|o| o.inn.clone()),
            keywords: d.keywords(),
            title_key: d.title.to_lowercase(),
            modified_key: d.updated_at.unix_timestamp_nanos(),
            created_key: d.created_at.unix_timestamp_nanos(),
            dataset: d,
            versions: vs,
            structure,
            fields,
        }));
    }
    // Nanoseconds in an i64 reach 2262; an instant beyond either end
    // clamps (a stamp written by hand), and the page's selection then uses
    // that key alone (`ranking::narrow`).
    let clamp = |n: i128| i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX });
    let instants_exact = entries
        .iter()
        .all(|e| i64::try_from(e.modified_key).is_ok() && i64::try_from(e.created_key).is_ok());
    let modified_keys = entries.iter().map(|e| clamp(e.modified_key)).collect();
    let created_keys = entries.iter().map(|e| clamp(e.created_key)).collect();
    Ok(Snapshot {
        entries,
        by_key,
        by_id,
        modified_keys,
        created_keys,
        instants_exact,
        generation,
        loaded_at,
    })
}

/// A facet: values and how many datasets have each.
#[derive(Debug, Clone, Default)]
pub struct Facet {
    pub counts: Vec<(String, usize)>,
}

/// The fields datasets can be faceted and filtered on (CKAN's names, plus
/// `municipality`).
pub fn field_values(e: &Entry, field: &str) -> Vec<String> {
    let d = &e.dataset;
    match field {
        "organization" | "owner_org" => vec![d.organisation_id.clone()],
        "groups" | "topic" => vec![d.topic.clone()],
        "tags" => e.keywords.clone(),
        "res_format" => e.formats().iter().map(|f| (*f).to_owned()).collect(),
        "license_id" => vec![d.license_id.clone()],
        "municipality" => d.municipality_id.clone().into_iter().collect(),
        "name" => vec![d.identifier_norm.clone()],
        "id" => vec![d.uuid.clone()],
        "identifier" => vec![d.identifier.clone()],
        "title" => vec![d.title.clone()],
        "title_string" => vec![d.title.clone()],
        "state" => vec!["active".to_owned()],
        "type" | "dataset_type" | "entity_type" => vec!["dataset".to_owned()],
        "metadata_modified" => vec![iso(d.updated_at)],
        "metadata_created" => vec![iso(d.created_at)],
        "author" | "maintainer" => vec![d.publisher_name.clone()],
        "maintainer_email" | "author_email" => vec![d.publisher_mbox.clone()],
        _ => Vec::new(),
    }
}

/// `2024-06-01T12:30:00Z`: the form CKAN's `fq` date ranges are written in.
pub fn iso(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub const FACET_FIELDS: &[&str] = &[
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "municipality",
];

pub fn facets(entries: &[&Arc<Entry>], fields: &[&str], limit: usize) -> HashMap<String, Facet> {
    let mut out = HashMap::new();
    for field in fields {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for e in entries {
            for v in field_values(e, field) {
                *counts.entry(v).or_default() += 1;
            }
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts.truncate(limit);
        out.insert((*field).to_owned(), Facet { counts });
    }
    out
}
