//! All SQL of the organisation directory.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::exec_tx;
use crate::{fetch_db, fetch_tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct OrgRow {
    pub organisation_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name_ru: String,
    pub name_en: String,
    pub short_name_ru: String,
    pub short_name_en: String,
    pub inn: Option<String>,
    pub municipality_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl OrgRow {
    /// The organisation as an option of a select: its id, and its name in
    /// the reader's language.
    pub fn option(&self, l: crate::web::i18n::Locale) -> (String, String) {
        (
            self.organisation_id.clone(),
            l.pick(&self.name_ru, &self.name_en).to_owned(),
        )
    }
}

/// The columns of [`OrgRow`], as a literal so queries stay `&'static str`.
macro_rules! columns {
    () => {
        "organisation_id, parent_id, kind, name_ru, name_en, short_name_ru,
         short_name_en, inn, municipality_id, email, phone, website, updated_at"
    };
}

/// Every organisation, in a stable order (kind, then Russian name).
pub async fn list(db: &Db) -> Result<Vec<OrgRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        columns!(),
        " from organisation order by kind, name_ru, organisation_id"
    );
    fetch_db!(db, fetch_all, OrgRow, sql)
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<OrgRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        columns!(),
        " from organisation where organisation_id = $1"
    );
    fetch_db!(db, fetch_optional, OrgRow, sql, id)
}

pub async fn by_id_tx(tx: &mut Tx, id: &str) -> Result<Option<OrgRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        columns!(),
        " from organisation where organisation_id = $1"
    );
    fetch_tx!(tx, fetch_optional, OrgRow, sql, id)
}

pub async fn children(db: &Db, id: &str) -> Result<Vec<OrgRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        columns!(),
        " from organisation where parent_id = $1 order by name_ru"
    );
    fetch_db!(db, fetch_all, OrgRow, sql, id)
}

/// The administration of a municipality, if the directory has one.
pub async fn administration_of(
    db: &Db,
    municipality_id: &str,
) -> Result<Option<OrgRow>, sqlx::Error> {
    let sql = concat!(
        "select ",
        columns!(),
        " from organisation
         where municipality_id = $1 and kind = 'municipal_administration'
         order by organisation_id limit 1"
    );
    fetch_db!(db, fetch_optional, OrgRow, sql, municipality_id)
}

/// The fields an administrator edits.
#[derive(Debug, Clone)]
pub struct OrgFields {
    pub parent_id: Option<String>,
    pub kind: String,
    pub name_ru: String,
    pub name_en: String,
    pub short_name_ru: String,
    pub short_name_en: String,
    pub inn: Option<String>,
    pub municipality_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

/// Inserts an organisation unless one with this id exists; returns whether
/// a row was written.
pub async fn insert(tx: &mut Tx, id: &str, f: &OrgFields) -> Result<bool, sqlx::Error> {
    write(
        tx,
        "insert into organisation (organisation_id, parent_id, kind, name_ru, name_en,
             short_name_ru, short_name_en, inn, municipality_id, email, phone, website,
             created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         on conflict (organisation_id) do nothing",
        id,
        f,
    )
    .await
}

pub async fn update(tx: &mut Tx, id: &str, f: &OrgFields) -> Result<bool, sqlx::Error> {
    write(
        tx,
        "update organisation set parent_id = $2, kind = $3, name_ru = $4, name_en = $5,
             short_name_ru = $6, short_name_en = $7, inn = $8, municipality_id = $9,
             email = $10, phone = $11, website = $12, updated_at = $13
         where organisation_id = $1",
        id,
        f,
    )
    .await
}

/// Runs the insert or the update: `$1` the id, `$2`…`$12` the fields in
/// the order of [`OrgFields`], `$13` now; true when one row changed.
async fn write(
    tx: &mut Tx,
    sql: &'static str,
    id: &str,
    f: &OrgFields,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        sql,
        id,
        &f.parent_id,
        &f.kind,
        &f.name_ru,
        &f.name_en,
        &f.short_name_ru,
        &f.short_name_en,
        &f.inn,
        &f.municipality_id,
        &f.email,
        &f.phone,
        &f.website,
        now()
    )?;
    Ok(n == 1)
}

/// The chain of parents of `id` (nearest first), to refuse cycles.
pub async fn ancestors(tx: &mut Tx, id: &str) -> Result<Vec<String>, sqlx::Error> {
    let mut chain = Vec::new();
    let mut current = id.to_owned();
    // The directory is a few levels deep; the bound guards against a cycle
    // already present in data loaded by hand.
    for _ in 0..64 {
        let parent = on_tx!(tx, |conn| sqlx::query_scalar::<_, Option<String>>(
            "select parent_id from organisation where organisation_id = $1"
        )
        .bind(&current)
        .fetch_optional(conn)
        .await)?
        .flatten();
        match parent {
            Some(p) => {
                chain.push(p.clone());
                current = p;
            }
            None => break,
        }
    }
    Ok(chain)
}
