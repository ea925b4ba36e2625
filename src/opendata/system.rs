//! Datasets veche derives from what it knows: the 44 municipalities and the
//! towns of the krai (real data, kept as files in `datasets/`, checked by a
//! test against their sources), and the registries it keeps itself (the
//! organisation directory now; citizens' reports and constructions later),
//! which it republishes whenever they change, without personal data.

use crate::app::AppState;
use crate::datasets::{REFRESH_QUEUE as QUEUE, RefreshJob};
use crate::db::queue;
use crate::geo::{GeoPoint, geography};
use crate::opendata::domain::FieldFormat;

pub use crate::datasets::{TEXT, Table, field};

/// The 44 municipalities: name, kind, OKTMO, area, centroid.
pub fn municipalities() -> Table {
    let mut t = Table::with_fields(vec![
        field("id", "Identifier", "Идентификатор", TEXT),
        field("name", "Name in Russian", "Наименование", TEXT),
        field(
            "name_en",
            "Name in English",
            "Наименование на английском языке",
            TEXT,
        ),
        field(
            "kind",
            "Kind of municipal formation",
            "Вид муниципального образования",
            TEXT,
        ),
        field(
            "oktmo",
            "OKTMO code (where known)",
            "Код ОКТМО (если известен)",
            TEXT,
        ),
        field(
            "admin_centre",
            "Administrative centre",
            "Административный центр",
            TEXT,
        ),
        field(
            "area_km2",
            "Area computed from the boundary, km²",
            "Площадь по границе, км²",
            FieldFormat::Float,
        ),
        field(
            "centroid_lat",
            "Latitude of the centroid",
            "Широта центра территории",
            FieldFormat::Float,
        ),
        field(
            "centroid_lon",
            "Longitude of the centroid",
            "Долгота центра территории",
            FieldFormat::Float,
        ),
    ]);
    for m in geography().all() {
        t.rows.push(vec![
            m.id.clone(),
            m.name_ru.clone(),
            m.name_en.clone(),
            m.kind.label(crate::web::i18n::Locale::Ru).to_owned(),
            m.oktmo.clone().unwrap_or_default(),
            m.admin_centre_ru.clone(),
            format!("{:.1}", m.area_km2),
            format!("{:.5}", m.centroid.0),
            format!("{:.5}", m.centroid.1),
        ]);
    }
    t
}

const CITIES: &str = include_str!("../../datasets/geo/cities_krasnodar_krai.csv");

/// The towns of the krai, with the municipality each lies in.
pub fn towns() -> anyhow::Result<Table> {
    let mut t = Table::with_fields(vec![
        field("name", "Town", "Город", TEXT),
        field(
            "municipality_id",
            "Municipality (veche id)",
            "Муниципальное образование (идентификатор)",
            TEXT,
        ),
        field("postal_code", "Postal code", "Почтовый индекс", TEXT),
        field("okato", "OKATO code", "Код ОКАТО", TEXT),
        field("oktmo", "OKTMO code", "Код ОКТМО", TEXT),
        field("fias_id", "FIAS identifier", "Идентификатор ФИАС", TEXT),
        field("lat", "Latitude", "Широта", FieldFormat::Float),
        field("lon", "Longitude", "Долгота", FieldFormat::Float),
        field(
            "population_2010",
            "Population, 2010 census",
            "Население по переписи 2010 года",
            FieldFormat::Integer,
        ),
        field(
            "foundation_year",
            "Year of foundation",
            "Год основания",
            FieldFormat::Integer,
        ),
    ]);
    let mut reader = csv::Reader::from_reader(CITIES.as_bytes());
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow::anyhow!("no column {name}"))
    };
    let (city, postal, okato, oktmo, fias, lat, lon, pop, year) = (
        col("city")?,
        col("postal_code")?,
        col("okato")?,
        col("oktmo")?,
        col("fias_id")?,
        col("geo_lat")?,
        col("geo_lon")?,
        col("population")?,
        col("foundation_year")?,
    );
    for r in reader.records() {
        let r = r?;
        let (la, lo): (f64, f64) = (r[lat].parse()?, r[lon].parse()?);
        let municipality = GeoPoint::parse(la, lo)
            .ok()
            .and_then(|p| geography().locate(p).ok())
            .map(|m| m.id.clone())
            .unwrap_or_default();
        t.rows.push(vec![
            r[city].to_owned(),
            municipality,
            r[postal].to_owned(),
            r[okato].to_owned(),
            r[oktmo].to_owned(),
            r[fias].to_owned(),
            r[lat].to_owned(),
            r[lon].to_owned(),
            r[pop].to_owned(),
            r[year].to_owned(),
        ]);
    }
    Ok(t)
}

/// The directory of authorities and state companies: structure and
/// institutional contacts (no person is named).
pub async fn organisations(state: &AppState) -> anyhow::Result<Table> {
    let mut t = Table::with_fields(vec![
        field("id", "Identifier", "Идентификатор", TEXT),
        field(
            "parent_id",
            "Parent organisation",
            "Вышестоящая организация",
            TEXT,
        ),
        field("kind", "Kind", "Вид", TEXT),
        field("name", "Full name", "Полное наименование", TEXT),
        field(
            "name_en",
            "Full name in English",
            "Полное наименование на английском языке",
            TEXT,
        ),
        field("short_name", "Short name", "Краткое наименование", TEXT),
        field("inn", "INN", "ИНН", TEXT),
        field(
            "municipality_id",
            "Municipality",
            "Муниципальное образование",
            TEXT,
        ),
        field(
            "email",
            "Official e-mail",
            "Официальная электронная почта",
            TEXT,
        ),
        field("phone", "Official phone", "Официальный телефон", TEXT),
        field("website", "Website", "Сайт", TEXT),
    ]);
    let mut orgs = crate::directory::queries::list(&state.db).await?;
    orgs.sort_by(|a, b| a.organisation_id.cmp(&b.organisation_id));
    for o in orgs {
        t.rows.push(vec![
            o.organisation_id,
            o.parent_id.unwrap_or_default(),
            o.kind,
            o.name_ru,
            o.name_en,
            o.short_name_ru,
            o.inn.unwrap_or_default(),
            o.municipality_id.unwrap_or_default(),
            o.email.unwrap_or_default(),
            o.phone.unwrap_or_default(),
            o.website.unwrap_or_default(),
        ]);
    }
    Ok(t)
}

/// The organisation directory, which the portal publishes itself (the
/// directory is reference data every feature uses, not a feature).
pub struct Organisations;

#[async_trait::async_trait]
impl crate::datasets::LiveDataset for Organisations {
    fn source(&self) -> &'static str {
        "organisations"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        organisations(state).await
    }
}

/// The current table of a live source.
pub async fn live_table(state: &AppState, source: &str) -> anyhow::Result<Table> {
    match state.live_datasets.get(source) {
        Some(d) => d.table(state).await,
        None => anyhow::bail!("unknown registry \"{source}\""),
    }
}

/// The current table of one dataset of a live source (a source that
/// publishes one dataset per record answers for each).
pub async fn live_table_of(
    state: &AppState,
    source: &str,
    identifier: &str,
) -> anyhow::Result<Table> {
    match state.live_datasets.get(source) {
        Some(d) => d.table_of(state, identifier).await,
        None => anyhow::bail!("unknown registry \"{source}\""),
    }
}

/// Republishes every registry with a waiting request, builds the indexes of
/// the versions published (`indexes`), then carries out the waiting
/// withdrawals of personal data (`redact`).
pub async fn run_refreshes(state: &AppState) -> anyhow::Result<usize> {
    // The download counts kept in memory since the last round; a failure
    // keeps them for the next round and holds up nothing else (the
    // withdrawals of personal data below must not wait on a statistic).
    if let Err(e) = state.catalogue.downloads.flush(&state.db).await {
        tracing::warn!(error = %e, "download counts not written; kept for the next round");
    }
    let mut done = 0;
    loop {
        let jobs = queue::claim(&state.db, QUEUE, 10, std::time::Duration::from_secs(600)).await?;
        if jobs.is_empty() {
            // The indexes of versions just published (theirs and imports').
            crate::opendata::indexes::run(state).await?;
            // Withdrawals after the refreshes they may concern.
            crate::opendata::redact::run(state).await?;
            // Yesterday's preliminary versions are final after midnight,
            // whether or not anything changed since.
            crate::opendata::loader::finalize_days(state).await?;
            return Ok(done);
        }
        for job in jobs {
            // Removed before the work, so a change that happens meanwhile
            // queues a new request instead of being coalesced into this one.
            queue::complete(&state.db, &[job.outbox_id]).await?;
            let Ok(RefreshJob { source }) = job.payload() else {
                continue;
            };
            if let Err(e) = crate::opendata::loader::refresh_live(state, &source).await {
                tracing::warn!(source, error = %format!("{e:#}"), "registry dataset refresh failed; will retry");
                let mut tx = state.db.begin().await?;
                queue::push(
                    &mut tx,
                    QUEUE,
                    Some(&source),
                    &RefreshJob {
                        source: source.clone(),
                    },
                )
                .await?;
                tx.commit().await?;
                return Err(e);
            }
            done += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed data files are exactly what the sources give; run with
    /// `UPDATE_DATASETS=1` to rewrite them after a source changes.
    #[test]
    fn committed_files_match_their_sources() {
        for (dir, table) in [
            ("2312823003-municipalities", municipalities()),
            ("2312823003-towns", towns().unwrap()),
        ] {
            let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("datasets")
                .join(dir);
            let mut out = Vec::new();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                for r in &table.rows {
                    w.write_record(r).unwrap();
                }
            }
            let data = std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("data-")
                })
                .unwrap();
            if std::env::var("UPDATE_DATASETS").is_ok() {
                std::fs::write(&data, &out).unwrap();
            }
            assert_eq!(
                std::fs::read(&data).unwrap(),
                out,
                "{} is stale: run UPDATE_DATASETS=1 cargo test",
                data.display()
            );
            let structure = std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("structure-")
                })
                .unwrap();
            let parsed =
                crate::opendata::loader::parse_structure(&std::fs::read(&structure).unwrap())
                    .unwrap();
            assert_eq!(parsed, table.fields, "{}", structure.display());
        }
    }

    #[test]
    fn every_town_lies_in_a_municipality() {
        let t = towns().unwrap();
        assert_eq!(t.rows.len(), 27, "26 towns and the header");
        assert!(
            t.rows.iter().skip(1).all(|r| !r[1].is_empty()),
            "all located"
        );
        let krasnodar = t.rows.iter().find(|r| r[0] == "Краснодар").unwrap();
        assert_eq!(krasnodar[1], "krasnodar");
    }
}
