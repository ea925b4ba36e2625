//! Loading passports and data files: the demo datasets compiled into the
//! binary at start-up, and any folder with `veche import`. A folder holds
//! `passports/<identifier>.json` and `datasets/<identifier>/` with
//! `structure-<S>.csv` and `data-<D>-structure-<S>.csv` (or `.xlsx`) files,
//! as Methodical Recommendations 3.0 name them. Loading is idempotent:
//! unchanged passports and files add nothing; changed ones add a version.

use std::path::{Path, PathBuf};

use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::domain::Email;
use crate::datasets::LiveDatasets;
use crate::db::Db;
use crate::error::Msg;
use crate::geo::geography;
use crate::opendata::domain::{
    FieldDef, FieldFormat, FileName, Identifier, LICENSES, PassportFile, Stamp, TOPICS,
    check_fields, license,
};
use crate::opendata::import::{self, ImportError, Outcome, Progress, Source};
use crate::opendata::queries::{self, DatasetRow, PassportFields, StructureRow};
use crate::opendata::system;

#[derive(RustEmbed)]
#[folder = "passports/"]
struct EmbeddedPassports;

#[derive(RustEmbed)]
#[folder = "datasets/"]
#[include = "[0-9]*/*"]
struct EmbeddedData;

/// What a load did, one line per dataset (and per problem).
#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<String>,
    pub errors: usize,
}

impl Report {
    fn ok(&mut self, line: String) {
        self.lines.push(line);
    }

    fn err(&mut self, line: String) {
        self.errors += 1;
        self.lines.push(line);
    }
}

/// Parses a structure file (`field name,english description,russian description,format`).
pub fn parse_structure(bytes: &[u8]) -> Result<Vec<FieldDef>, Msg> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Msg::new(
            "Файл структуры не в кодировке UTF-8.",
            "The structure file is not UTF-8.",
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            Msg::new(
                format!("Файл структуры не читается: {e}"),
                format!("The structure file cannot be read: {e}"),
            )
        })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let expected = [
        "field name",
        "english description",
        "russian description",
        "format",
    ];
    if header != expected {
        return Err(Msg::new(
            format!(
                "Заголовок файла структуры должен быть «{}», а не «{}».",
                expected.join(","),
                header.join(",")
            ),
            format!(
                "The structure file's header must be “{}”, not “{}”.",
                expected.join(","),
                header.join(",")
            ),
        ));
    }
    let mut fields = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let line = i + 2;
        let r =
            r.map_err(|e| Msg::new(format!("Строка {line}: {e}"), format!("Line {line}: {e}")))?;
        if r.len() != 4 {
            return Err(Msg::new(
                format!(
                    "Строка {line} структуры: ожидалось 4 значения, а их {}.",
                    r.len()
                ),
                format!(
                    "Structure line {line}: expected 4 values, found {}.",
                    r.len()
                ),
            ));
        }
        let format = FieldFormat::parse(&r[3]).ok_or_else(|| {
            Msg::new(
                format!("Строка {line} структуры: формат «{}» неизвестен (string, varchar(n), integer, float, date, boolean).", &r[3]),
                format!("Structure line {line}: unknown format “{}” (string, varchar(n), integer, float, date, boolean).", &r[3]),
            )
        })?;
        fields.push(FieldDef {
            name: r[0].trim().to_owned(),
            en: r[1].trim().to_owned(),
            ru: r[2].trim().to_owned(),
            format,
        });
    }
    check_fields(&fields)?;
    Ok(fields)
}

/// The structure file's content for a structure.
pub fn structure_csv(fields: &[FieldDef]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "field name",
        "english description",
        "russian description",
        "format",
    ]);
    for f in fields {
        let _ = w.write_record([f.name.as_str(), &f.en, &f.ru, &f.format.name()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Checks a passport against the directory and the vocabularies.
async fn check_passport(
    db: &Db,
    live_datasets: &LiveDatasets,
    p: &PassportFile,
    hash: &str,
) -> Result<PassportFields, String> {
    let id = Identifier::parse(&p.identifier).map_err(|m| m.en.into_owned())?;
    let org = crate::directory::queries::by_id(db, &p.owner)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("owner \"{}\" is not in the organisation directory", p.owner))?;
    if let Some(inn) = &org.inn
        && inn != &id.inn
    {
        return Err(format!(
            "the identifier's INN {} is not the owner's INN {inn}",
            id.inn
        ));
    }
    if !TOPICS.iter().any(|t| t.0 == p.topic) {
        return Err(format!(
            "topic \"{}\" is unknown; topics: {}",
            p.topic,
            TOPICS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
        ));
    }
    if license(&p.license).is_none() {
        return Err(format!(
            "licence \"{}\" is unknown; licences: {}",
            p.license,
            LICENSES.iter().map(|l| l.0).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(m) = &p.municipality
        && geography().by_id(m).is_none()
    {
        return Err(format!("municipality \"{m}\" is not one of the 44"));
    }
    if p.source != "file" && live_datasets.get(&p.source).is_none() {
        return Err(format!(
            "source \"{}\" is unknown; use \"file\" or one of {:?}",
            p.source,
            live_datasets.sources()
        ));
    }
    for (name, value) in [
        ("title", &p.title),
        ("description", &p.description),
        ("subject", &p.subject),
        ("publisher.name", &p.publisher.name),
        ("publisher.phone", &p.publisher.phone),
    ] {
        if value.trim().is_empty() {
            return Err(format!("{name} is empty"));
        }
    }
    Email::parse(&p.publisher.mbox).map_err(|m| format!("publisher.mbox: {}", m.en))?;
    Ok(PassportFields {
        identifier: id.value,
        organisation_id: p.owner.clone(),
        title: p.title.trim().to_owned(),
        title_en: p.title_en.trim().to_owned(),
        description: p.description.trim().to_owned(),
        description_en: p.description_en.trim().to_owned(),
        publisher_name: p.publisher.name.trim().to_owned(),
        publisher_phone: p.publisher.phone.trim().to_owned(),
        publisher_mbox: p.publisher.mbox.trim().to_owned(),
        format: p.format.trim().to_uppercase(),
        subject: p.subject.trim().to_owned(),
        topic: p.topic.clone(),
        municipality_id: p.municipality.clone(),
        license_id: p.license.clone(),
        frequency: p.frequency.trim().to_owned(),
        source: p.source.clone(),
        passport_hash: hash.to_owned(),
    })
}

fn sha_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates or updates the dataset of a passport file.
async fn upsert_dataset(
    state: &AppState,
    bytes: &[u8],
    name: &str,
    report: &mut Report,
) -> Option<(DatasetRow, PassportFile)> {
    let passport: PassportFile = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) => {
            report.err(format!("{name}: not a valid passport: {e}"));
            return None;
        }
    };
    // A registry kept internal unless an administrator publishes it (court
    // statistics) has its passport skipped until then.
    if let Some(live) = state.live_datasets.get(&passport.source)
        && !live.published(&state.config)
    {
        return None;
    }
    let hash = sha_hex(bytes);
    let fields = match check_passport(&state.db, &state.live_datasets, &passport, &hash).await {
        Ok(f) => f,
        Err(e) => {
            report.err(format!("{name}: {e}"));
            return None;
        }
    };
    let result = async {
        let today = crate::opendata::today_iso();
        let mut tx = state.db.begin().await?;
        let norm = fields.identifier.to_lowercase();
        let existing = queries::dataset_by_norm_tx(&mut tx, &norm).await?;
        let changed = match &existing {
            None => {
                let provenance = if passport.provenance.is_empty() {
                    "Первичная публикация набора данных"
                } else {
                    &passport.provenance
                };
                queries::insert_dataset(&mut tx, &fields, &today, provenance).await?;
                true
            }
            Some(d) if d.passport_hash != hash => {
                queries::update_passport(&mut tx, d.dataset_id, &fields, &today).await?;
                true
            }
            Some(_) => false,
        };
        if changed {
            crate::search::enqueue(&mut tx, crate::opendata::search::KIND, &norm).await?;
        }
        tx.commit().await?;
        let row = queries::dataset_by_key(&state.db, &norm)
            .await?
            .ok_or_else(|| anyhow::anyhow!("dataset vanished"))?;
        Ok::<_, anyhow::Error>((row, changed, existing.is_none()))
    }
    .await;
    match result {
        Ok((row, changed, created)) => {
            if created {
                report.ok(format!("{}: passport created", row.identifier));
            } else if changed {
                report.ok(format!("{}: passport updated", row.identifier));
            }
            state.catalogue.invalidate();
            Some((row, passport))
        }
        Err(e) => {
            report.err(format!("{name}: {e:#}"));
            None
        }
    }
}

/// Finds or records a structure version; a changed structure under an
/// existing date is refused (a new structure needs a new date).
pub async fn ensure_structure(
    db: &Db,
    dataset: &DatasetRow,
    stamp: &str,
    fields: &[FieldDef],
) -> Result<StructureRow, String> {
    if let Some(s) = queries::structure_by_stamp(db, dataset.dataset_id, stamp)
        .await
        .map_err(|e| e.to_string())?
    {
        if s.fields() != fields {
            return Err(format!(
                "structure-{stamp} differs from the one already published under that date; publish a changed structure with a new date"
            ));
        }
        return Ok(s);
    }
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    queries::insert_structure(&mut tx, dataset.dataset_id, stamp, fields)
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    queries::structure_by_stamp(db, dataset.dataset_id, stamp)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "structure vanished".to_owned())
}

fn describe(outcome: &Result<Outcome, ImportError>, file: &str) -> (bool, String) {
    match outcome {
        Ok(Outcome::Published { stamp, rows }) => (
            true,
            format!("{file}: published as version {stamp} ({rows} rows)"),
        ),
        Ok(Outcome::Unchanged { .. }) => (true, String::new()),
        Err(e) => (false, format!("{file}: {}", e.report(20))),
    }
}

/// One file of a dataset folder, on disk.
struct DataFile {
    name: String,
    path: PathBuf,
}

/// Loads one dataset: its passport, its structures and its data files (or
/// its registry).
async fn load_dataset(
    state: &AppState,
    passport_bytes: &[u8],
    passport_name: &str,
    files: Vec<DataFile>,
    progress: &dyn Fn(&str) -> Progress,
    report: &mut Report,
) {
    let Some((dataset, passport)) =
        upsert_dataset(state, passport_bytes, passport_name, report).await
    else {
        return;
    };
    let provenance = if passport.provenance.is_empty() {
        "Обновление набора открытых данных".to_owned()
    } else {
        passport.provenance.clone()
    };
    if passport.source != "file" {
        if let Err(e) = refresh_dataset(state, &dataset).await {
            report.err(format!("{}: {e:#}", dataset.identifier));
        }
        return;
    }
    let mut structures = Vec::new();
    let mut data = Vec::new();
    for f in files {
        match FileName::parse(&f.name) {
            Some(FileName::Structure { stamp, .. }) if f.name.ends_with(".csv") => {
                structures.push((stamp, f))
            }
            Some(FileName::Data {
                data: d, structure, ..
            }) => data.push((d, structure, f)),
            _ if f.name.to_ascii_lowercase().ends_with(".xlsx") && f.name.starts_with("data-") => {
                let stem = f.name.trim_end_matches(".xlsx").trim_end_matches(".XLSX");
                match FileName::parse(&format!("{stem}.csv")) {
                    Some(FileName::Data {
                        data: d, structure, ..
                    }) => data.push((d, structure, f)),
                    _ => report.err(format!(
                        "{}/{}: the name is not data-<date>-structure-<date>",
                        dataset.identifier, f.name
                    )),
                }
            }
            _ => report.err(format!(
                "{}/{}: not a structure or data file name of MR 3.0",
                dataset.identifier, f.name
            )),
        }
    }
    let mut known = std::collections::HashMap::new();
    for (stamp, f) in structures {
        let fields = match std::fs::read(&f.path)
            .map_err(|e| e.to_string())
            .and_then(|b| parse_structure(&b).map_err(|m| m.en.into_owned()))
        {
            Ok(fields) => fields,
            Err(e) => {
                report.err(format!("{}/{}: {e}", dataset.identifier, f.name));
                continue;
            }
        };
        match ensure_structure(&state.db, &dataset, &stamp, &fields).await {
            Ok(s) => {
                known.insert(stamp, s);
            }
            Err(e) => report.err(format!("{}/{}: {e}", dataset.identifier, f.name)),
        }
    }
    // Oldest first, so the newest ends up current.
    data.sort_by_key(|(d, _, _)| Stamp::parse(d).map(|s| s.date));
    for (d, s, f) in data {
        let structure = match known.get(&s) {
            Some(st) => st.clone(),
            None => match queries::structure_by_stamp(&state.db, dataset.dataset_id, &s).await {
                Ok(Some(st)) => st,
                _ => {
                    report.err(format!(
                        "{}/{}: there is no structure-{s}.csv for it",
                        dataset.identifier, f.name
                    ));
                    continue;
                }
            },
        };
        let source = if f.name.to_ascii_lowercase().ends_with(".xlsx") {
            Source::Xlsx(f.path.clone())
        } else {
            Source::Csv(f.path.clone())
        };
        let outcome = import::publish(
            state,
            &dataset,
            &structure,
            source,
            Stamp::parse(&d),
            &provenance,
            progress(&f.name),
        )
        .await;
        let (ok, line) = describe(&outcome, &format!("{}/{}", dataset.identifier, f.name));
        if !line.is_empty() {
            if ok {
                report.ok(line)
            } else {
                report.err(line)
            }
        }
    }
}

/// How a live dataset's day is told in its provenance (and recognised).
const PRELIMINARY: &str = "Предварительная версия за ";
const FINAL: &str = "Окончательная версия за ";

/// «30.11.2026» of a stamp `20261130…`.
fn stamp_day(stamp: &str) -> String {
    match (stamp.get(0..4), stamp.get(4..6), stamp.get(6..8)) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}"),
        _ => stamp.to_owned(),
    }
}

fn preliminary(stamp: &str) -> String {
    format!(
        "{PRELIMINARY}{} (обновляется при каждом изменении реестра до конца дня по Москве, затем становится окончательной). Автоматическое обновление по изменениям реестра",
        stamp_day(stamp)
    )
}

fn final_provenance(stamp: &str) -> String {
    format!(
        "{FINAL}{} (последнее состояние реестра за этот день). Автоматическое обновление по изменениям реестра",
        stamp_day(stamp)
    )
}

/// Republishes a dataset fed by a registry veche keeps. With daily
/// versions (`VECHE_LIVE_VERSIONS`, the default) the day's earlier
/// preliminary version is replaced by the new one, so a registry that
/// changes all day leaves one version a day, not one per change.
async fn refresh_dataset(state: &AppState, dataset: &DatasetRow) -> anyhow::Result<()> {
    let table = system::live_table_of(state, &dataset.source, &dataset.identifier).await?;
    // The structure of a registry changes only with veche's code, which
    // dates it.
    let stamp = state
        .live_datasets
        .get(&dataset.source)
        .map_or("20261124", |d| d.structure_stamp());
    let structure = ensure_structure(&state.db, dataset, stamp, &table.fields)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let daily = state.config.live_versions == crate::config::LiveVersions::Daily;
    let today = crate::opendata::domain::Stamp::today().text;
    let (provenance, earlier_today) = if daily {
        let current = queries::published_versions(&state.db, dataset.dataset_id)
            .await?
            .into_iter()
            .next()
            .filter(|v| v.stamp.starts_with(&today) && v.provenance.starts_with(PRELIMINARY));
        (preliminary(&today), current)
    } else {
        (
            "Автоматическое обновление по изменениям реестра".to_owned(),
            None,
        )
    };
    let outcome = import::publish(
        state,
        dataset,
        &structure,
        Source::Cells(table.rows),
        None,
        &provenance,
        None,
    )
    .await;
    match outcome {
        Ok(Outcome::Published { .. }) => {
            if let Some(old) = earlier_today {
                supersede(state, dataset, &old).await?;
            }
            Ok(())
        }
        Ok(Outcome::Unchanged { .. }) => Ok(()),
        Err(e) => Err(anyhow::anyhow!(e.report(5))),
    }
}

/// Removes a day's preliminary version that a newer one replaced: its row
/// first (the catalogue, CKAN and DCAT stop listing it), then its table
/// and file. A download of it already under way keeps its open file (in a
/// folder; a bucket's may end early); an export streamed from its table
/// ends early, as its version is gone.
async fn supersede(
    state: &AppState,
    dataset: &DatasetRow,
    old: &queries::VersionRow,
) -> anyhow::Result<()> {
    queries::delete_published_version(&state.db, dataset.dataset_id, old.version_id).await?;
    state.catalogue.invalidate();
    crate::opendata::store::drop_table(&state.db, old.version_id).await?;
    let file = import::csv_key(dataset, &old.file_name(crate::opendata::domain::Ext::Csv));
    if let Err(e) = state.media.delete(&file).await {
        tracing::warn!(file = %file, error = %e, "superseded version's file not removed");
    }
    tracing::info!(dataset = %dataset.identifier, stamp = %old.stamp, "preliminary version replaced");
    Ok(())
}

/// After midnight (Moscow), the preliminary versions of earlier days are
/// final: their provenance, and the passport's while such a version is
/// current, say so. Idempotent; cheap when there is nothing to do.
pub async fn finalize_days(state: &AppState) -> anyhow::Result<usize> {
    let today = crate::opendata::domain::Stamp::today().text;
    let mut done = 0;
    for v in queries::preliminary_versions(&state.db, PRELIMINARY).await? {
        if v.stamp.starts_with(&today) {
            continue;
        }
        queries::set_version_provenance(
            &state.db,
            v.dataset_id,
            v.version_id,
            &final_provenance(&v.stamp),
        )
        .await?;
        done += 1;
    }
    if done > 0 {
        state.catalogue.invalidate();
    }
    Ok(done)
}

/// Republishes every dataset fed by `source`, first adding the datasets
/// a source of several names anew (a report form made public).
pub async fn refresh_live(state: &AppState, source: &str) -> anyhow::Result<()> {
    if let Some(live) = state.live_datasets.get(source) {
        let members = live.members(state).await?;
        if !members.is_empty() {
            let mut report = Report::default();
            for m in &members {
                let bytes = serde_json::to_vec(&m.passport)?;
                upsert_dataset(
                    state,
                    &bytes,
                    &format!("{}.json", m.identifier),
                    &mut report,
                )
                .await;
            }
            if report.errors > 0 {
                anyhow::bail!("{}", report.lines.join("; "));
            }
            state.catalogue.invalidate();
        }
    }
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    for e in snapshot
        .entries
        .iter()
        .filter(|e| e.dataset.source == source)
    {
        refresh_dataset(state, &e.dataset).await?;
    }
    Ok(())
}

/// Start-up: the demo datasets compiled into the binary.
pub async fn load_embedded(state: &AppState) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let tmp = tempdir_in(&state.config.data_dir)?;
    let mut names: Vec<String> = EmbeddedPassports::iter().map(|n| n.into_owned()).collect();
    names.sort();
    for name in names.iter().filter(|n| n.ends_with(".json")) {
        let Some(file) = EmbeddedPassports::get(name) else {
            continue;
        };
        let identifier = name.trim_end_matches(".json");
        let mut files = Vec::new();
        for path in EmbeddedData::iter().filter(|p| p.starts_with(&format!("{identifier}/"))) {
            let Some(content) = EmbeddedData::get(&path) else {
                continue;
            };
            let file_name = path.rsplit('/').next().unwrap_or(&path).to_owned();
            let disk = tmp.join(&file_name);
            std::fs::write(&disk, content.data.as_ref())?;
            files.push(DataFile {
                name: file_name,
                path: disk,
            });
        }
        load_dataset(state, &file.data, name, files, &|_| None, &mut report).await;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(report)
}

fn tempdir_in(base: &Path) -> anyhow::Result<PathBuf> {
    let dir = base
        .join("tmp")
        .join(format!("embedded-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `veche import DIR`: every passport in `DIR/passports/` with its files in
/// `DIR/datasets/<identifier>/`.
pub async fn load_dir(
    state: &AppState,
    dir: &Path,
    progress: &dyn Fn(&str) -> Progress,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let passports = dir.join("passports");
    let entries = std::fs::read_dir(&passports)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", passports.display()))?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    if names.is_empty() {
        anyhow::bail!("no passports (*.json) in {}", passports.display());
    }
    for path in names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path)?;
        let identifier = name.trim_end_matches(".json");
        let folder = dir.join("datasets").join(identifier);
        let mut files = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&folder) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_file() {
                    files.push(DataFile {
                        name: e.file_name().to_string_lossy().into_owned(),
                        path: p,
                    });
                }
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        load_dataset(state, &bytes, &name, files, progress, &mut report).await;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_files_round_trip() {
        let fields = vec![
            FieldDef {
                name: "District".into(),
                en: "District name".into(),
                ru: "Наименование района".into(),
                format: FieldFormat::String { max: None },
            },
            FieldDef {
                name: "Provision".into(),
                en: "Provision, %".into(),
                ru: "Обеспеченность, %".into(),
                format: FieldFormat::Float,
            },
        ];
        assert_eq!(
            parse_structure(structure_csv(&fields).as_bytes()).unwrap(),
            fields
        );
    }

    #[test]
    fn bad_structure_files_are_explained() {
        assert!(
            parse_structure(b"name,format\na,string\n")
                .unwrap_err()
                .en
                .contains("header")
        );
        let unknown = parse_structure(
            b"field name,english description,russian description,format\na,b,c,blob\n",
        )
        .unwrap_err();
        assert!(unknown.en.contains("unknown format"));
        let dup = parse_structure(b"field name,english description,russian description,format\na,b,c,string\nA,b,c,string\n").unwrap_err();
        assert!(dup.en.contains("twice"));
        assert!(parse_structure(&[0xff, 0xfe]).is_err());
    }
}
