//! All SQL of datasets, structures and versions (the rows themselves are in
//! `store.rs`).

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::opendata::domain::FieldDef;
use crate::{exec_db, exec_tx, fetch_db, fetch_tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, FromRow)]
pub struct DatasetRow {
    pub dataset_id: i64,
    pub uuid: String,
    pub identifier: String,
    pub identifier_norm: String,
    pub organisation_id: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    pub publisher_name: String,
    pub publisher_phone: String,
    pub publisher_mbox: String,
    pub format: String,
    pub subject: String,
    pub topic: String,
    pub municipality_id: Option<String>,
    pub license_id: String,
    pub frequency: String,
    pub source: String,
    pub created: String,
    pub modified: String,
    pub provenance: String,
    pub valid: String,
    pub passport_hash: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl DatasetRow {
    pub fn keywords(&self) -> Vec<String> {
        self.subject
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

macro_rules! dataset_columns {
    () => {
        "dataset_id, uuid, identifier, identifier_norm, organisation_id, title, title_en,
         description, description_en, publisher_name, publisher_phone, publisher_mbox, format,
         subject, topic, municipality_id, license_id, frequency, source, created, modified,
         provenance, valid, passport_hash, created_at, updated_at"
    };
}

pub async fn list_datasets(db: &Db) -> Result<Vec<DatasetRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        dataset_columns!(),
        " from dataset order by identifier_norm"
    );
    fetch_db!(db, fetch_all, DatasetRow, sql)
}

/// By identifier (any case) or CKAN uuid.
pub async fn dataset_by_key(db: &Db, key: &str) -> Result<Option<DatasetRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        dataset_columns!(),
        " from dataset where identifier_norm = $1 or uuid = $2"
    );
    fetch_db!(db, fetch_optional, DatasetRow, sql, key.to_lowercase(), key)
}

pub async fn dataset_by_id(db: &Db, id: i64) -> Result<Option<DatasetRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        dataset_columns!(),
        " from dataset where dataset_id = $1"
    );
    fetch_db!(db, fetch_optional, DatasetRow, sql, id)
}

pub async fn dataset_by_norm_tx(
    tx: &mut Tx,
    norm: &str,
) -> Result<Option<DatasetRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        dataset_columns!(),
        " from dataset where identifier_norm = $1"
    );
    fetch_tx!(tx, fetch_optional, DatasetRow, sql, norm)
}

/// `(count, newest change)`: cheap to ask, changes whenever the catalogue does.
pub async fn catalogue_generation(db: &Db) -> Result<(i64, Option<OffsetDateTime>), sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, (i64, Option<OffsetDateTime>)>(
            // Two subqueries, each answered from an index (together, SQLite
            // scanned the table; PostgreSQL's count is an index-only scan).
            "select (select count(*) from dataset), (select max(updated_at) from dataset)",
        )
        .fetch_one(pool)
        .await
    })
}

/// The passport fields of a dataset, as written.
#[derive(Debug, Clone)]
pub struct PassportFields {
    pub identifier: String,
    pub organisation_id: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    pub publisher_name: String,
    pub publisher_phone: String,
    pub publisher_mbox: String,
    pub format: String,
    pub subject: String,
    pub topic: String,
    pub municipality_id: Option<String>,
    pub license_id: String,
    pub frequency: String,
    pub source: String,
    pub passport_hash: String,
}

/// Creates a dataset (no versions yet); returns its id.
pub async fn insert_dataset(
    tx: &mut Tx,
    p: &PassportFields,
    today: &str,
    provenance: &str,
) -> Result<i64, sqlx::Error> {
    let now = now();
    let uuid = uuid::Uuid::now_v7().to_string();
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "insert into dataset (uuid, identifier, identifier_norm, organisation_id, title, title_en,
             description, description_en, publisher_name, publisher_phone, publisher_mbox, format,
             subject, topic, municipality_id, license_id, frequency, source, created, modified,
             provenance, valid, passport_hash, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $19, $20, $19, $21, $22, $22)
         returning dataset_id"
    )
    .bind(&uuid)
    .bind(&p.identifier)
    .bind(p.identifier.to_lowercase())
    .bind(&p.organisation_id)
    .bind(&p.title)
    .bind(&p.title_en)
    .bind(&p.description)
    .bind(&p.description_en)
    .bind(&p.publisher_name)
    .bind(&p.publisher_phone)
    .bind(&p.publisher_mbox)
    .bind(&p.format)
    .bind(&p.subject)
    .bind(&p.topic)
    .bind(&p.municipality_id)
    .bind(&p.license_id)
    .bind(&p.frequency)
    .bind(&p.source)
    .bind(today)
    .bind(provenance)
    .bind(&p.passport_hash)
    .bind(now)
    .fetch_one(conn)
    .await)
}

/// Rewrites a changed passport; the change is recorded as the last one.
pub async fn update_passport(
    tx: &mut Tx,
    id: i64,
    p: &PassportFields,
    today: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "update dataset set organisation_id = $2, title = $3, title_en = $4, description = $5,
             description_en = $6, publisher_name = $7, publisher_phone = $8, publisher_mbox = $9,
             format = $10, subject = $11, topic = $12, municipality_id = $13, license_id = $14,
             frequency = $15, source = $16, passport_hash = $17, modified = $18,
             provenance = 'Изменение паспорта набора данных', updated_at = $19
         where dataset_id = $1",
        id,
        &p.organisation_id,
        &p.title,
        &p.title_en,
        &p.description,
        &p.description_en,
        &p.publisher_name,
        &p.publisher_phone,
        &p.publisher_mbox,
        &p.format,
        &p.subject,
        &p.topic,
        &p.municipality_id,
        &p.license_id,
        &p.frequency,
        &p.source,
        &p.passport_hash,
        today,
        now
    )?;
    Ok(())
}

// ---- structures --------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct StructureRow {
    pub structure_id: i64,
    pub dataset_id: i64,
    pub stamp: String,
    pub fields: String,
    pub created_at: OffsetDateTime,
}

impl StructureRow {
    pub fn fields(&self) -> Vec<FieldDef> {
        serde_json::from_str(&self.fields).unwrap_or_default()
    }
}

macro_rules! structure_select {
    () => {
        "select structure_id, dataset_id, stamp, fields, created_at from dataset_structure "
    };
}

/// Structures of a dataset, newest first.
pub async fn structures(db: &Db, dataset_id: i64) -> Result<Vec<StructureRow>, sqlx::Error> {
    let sql = concat!(
        structure_select!(),
        "where dataset_id = $1 order by structure_id desc"
    );
    fetch_db!(db, fetch_all, StructureRow, sql, dataset_id)
}

pub async fn structure_by_id(db: &Db, id: i64) -> Result<Option<StructureRow>, sqlx::Error> {
    let sql = concat!(structure_select!(), "where structure_id = $1");
    fetch_db!(db, fetch_optional, StructureRow, sql, id)
}

pub async fn structure_by_stamp(
    db: &Db,
    dataset_id: i64,
    stamp: &str,
) -> Result<Option<StructureRow>, sqlx::Error> {
    let sql = concat!(structure_select!(), "where dataset_id = $1 and stamp = $2");
    fetch_db!(db, fetch_optional, StructureRow, sql, dataset_id, stamp)
}

pub async fn insert_structure(
    tx: &mut Tx,
    dataset_id: i64,
    stamp: &str,
    fields: &[FieldDef],
) -> Result<i64, sqlx::Error> {
    let json = serde_json::to_string(fields).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "insert into dataset_structure (dataset_id, stamp, fields, created_at) values ($1, $2, $3, $4)
         returning structure_id"
    )
    .bind(dataset_id)
    .bind(stamp)
    .bind(&json)
    .bind(now)
    .fetch_one(conn)
    .await
    })
}

// ---- versions -----------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version_id: i64,
    pub uuid: String,
    pub dataset_id: i64,
    pub structure_id: i64,
    pub stamp: String,
    pub structure_stamp: String,
    pub provenance: String,
    pub valid: String,
    pub row_count: i64,
    pub byte_size: i64,
    pub sha256: String,
    pub state: String,
    pub created_at: OffsetDateTime,
    pub published_at: Option<OffsetDateTime>,
}

impl VersionRow {
    pub fn file_name(&self, ext: crate::opendata::domain::Ext) -> String {
        crate::opendata::domain::data_file_name(&self.stamp, &self.structure_stamp, ext)
    }
}

macro_rules! version_select {
    () => {
        "select v.version_id, v.uuid, v.dataset_id, v.structure_id, v.stamp, s.stamp as structure_stamp,
                v.provenance, v.valid, v.row_count, v.byte_size, v.sha256, v.state, v.created_at, v.published_at
         from dataset_version v join dataset_structure s on s.structure_id = v.structure_id "
    };
}

/// Published versions of a dataset, newest first.
pub async fn published_versions(db: &Db, dataset_id: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = concat!(
        version_select!(),
        "where v.dataset_id = $1 and v.state = 'published' order by v.version_id desc"
    );
    fetch_db!(db, fetch_all, VersionRow, sql, dataset_id)
}

/// Published versions whose provenance begins with `prefix` (a live
/// dataset's preliminary versions).
pub async fn preliminary_versions(db: &Db, prefix: &str) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = concat!(
        version_select!(),
        "where v.state = 'published' and v.provenance like $1 order by v.version_id"
    );
    // The prefix is veche's own text, without `%` or `_`.
    fetch_db!(db, fetch_all, VersionRow, sql, format!("{prefix}%"))
}

/// A version's provenance, and the passport's while it is the current
/// version.
pub async fn set_version_provenance(
    db: &Db,
    dataset_id: i64,
    version_id: i64,
    provenance: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    exec_tx!(
        &mut tx,
        "update dataset_version set provenance = $2 where version_id = $1",
        version_id,
        provenance
    )?;
    exec_tx!(
        &mut tx,
        "update dataset set provenance = $3 where dataset_id = $1
           and $2 = (select max(version_id) from dataset_version
                     where dataset_id = $1 and state = 'published')",
        dataset_id,
        version_id,
        provenance
    )?;
    touch(&mut tx, dataset_id).await?;
    tx.commit().await
}

/// Deletes a published version (a day's preliminary one, replaced).
pub async fn delete_published_version(
    db: &Db,
    dataset_id: i64,
    version_id: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    exec_tx!(
        &mut tx,
        "delete from dataset_version where dataset_id = $1 and version_id = $2",
        dataset_id,
        version_id
    )?;
    touch(&mut tx, dataset_id).await?;
    tx.commit().await
}

/// Moves the passport's `updated_at`: that is how other nodes' catalogues
/// learn of a change to its versions (`catalogue_generation`). Without it a
/// node kept offering a version another had removed, and its download was
/// a 500.
async fn touch(tx: &mut Tx, dataset_id: i64) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update dataset set updated_at = $2 where dataset_id = $1",
        dataset_id,
        now()
    )?;
    Ok(())
}

/// Every published version of every dataset (for the catalogue), newest first.
pub async fn all_published_versions(db: &Db) -> Result<Vec<VersionRow>, sqlx::Error> {
    let sql = concat!(
        version_select!(),
        "where v.state = 'published' order by v.version_id desc"
    );
    fetch_db!(db, fetch_all, VersionRow, sql)
}

pub async fn version_by_stamp(
    db: &Db,
    dataset_id: i64,
    stamp: &str,
) -> Result<Option<VersionRow>, sqlx::Error> {
    let sql = concat!(
        version_select!(),
        "where v.dataset_id = $1 and v.stamp = $2"
    );
    fetch_db!(db, fetch_optional, VersionRow, sql, dataset_id, stamp)
}

pub async fn version_by_uuid(db: &Db, uuid: &str) -> Result<Option<VersionRow>, sqlx::Error> {
    let sql = concat!(
        version_select!(),
        "where v.uuid = $1 and v.state = 'published'"
    );
    fetch_db!(db, fetch_optional, VersionRow, sql, uuid)
}

/// Starts a version in the `loading` state (invisible to readers).
pub async fn insert_loading_version(
    db: &Db,
    dataset_id: i64,
    structure_id: i64,
    stamp: &str,
    provenance: &str,
    valid: &str,
) -> Result<i64, sqlx::Error> {
    let now = now();
    let uuid = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin().await?;
    let id = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "insert into dataset_version (uuid, dataset_id, structure_id, stamp, provenance, valid, state, created_at)
         values ($1, $2, $3, $4, $5, $6, 'loading', $7) returning version_id"
    )
    .bind(&uuid)
    .bind(dataset_id)
    .bind(structure_id)
    .bind(stamp)
    .bind(provenance)
    .bind(valid)
    .bind(now)
    .fetch_one(conn)
    .await
    })?;
    tx.commit().await?;
    Ok(id)
}

/// What a loaded version turned out to be.
pub struct Published<'a> {
    pub row_count: i64,
    pub byte_size: i64,
    pub sha256: &'a str,
    pub provenance: &'a str,
    pub valid: &'a str,
    pub today: &'a str,
}

/// Makes a loaded version visible and records it as the dataset's last change.
/// Every stamp a dataset's versions have, in any state.
pub async fn all_stamps(db: &Db, dataset_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, String>("select stamp from dataset_version where dataset_id = $1")
            .bind(dataset_id)
            .fetch_all(pool)
            .await
    })
}

pub async fn publish_version(
    tx: &mut Tx,
    version_id: i64,
    dataset_id: i64,
    p: &Published<'_>,
) -> Result<(), sqlx::Error> {
    let Published {
        row_count,
        byte_size,
        sha256,
        provenance,
        valid,
        today,
    } = *p;
    let now = now();
    exec_tx!(tx, "update dataset_version set state = 'published', row_count = $2, byte_size = $3, sha256 = $4,
             published_at = $5
         where version_id = $1 and state = 'loading'", version_id, row_count, byte_size, sha256, now)?;
    exec_tx!(
        tx,
        "update dataset set modified = $2, provenance = $3, valid = $4, updated_at = $5 where dataset_id = $1",
        dataset_id,
        today,
        provenance,
        valid,
        now
    )?;
    Ok(())
}

pub async fn delete_version(db: &Db, version_id: i64) -> Result<(), sqlx::Error> {
    exec_db!(
        db,
        "delete from dataset_version where version_id = $1 and state <> 'published'",
        version_id
    )?;
    Ok(())
}

/// Versions left `loading` by a process that died mid-import.
pub async fn stale_loading_versions(
    db: &Db,
    older_than: OffsetDateTime,
) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select version_id from dataset_version where state <> 'published' and created_at < $1"
    )
    .bind(older_than)
    .fetch_all(pool)
    .await)
}
