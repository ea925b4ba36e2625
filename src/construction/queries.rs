//! SQL of the construction registries.

use serde::Serialize;
use sqlx::FromRow;
use time::OffsetDateTime;

use super::domain::{ObjectInput, Status, normalize_address};
use crate::db::filter::{Param, Where};
use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx, on_db, on_tx};

macro_rules! object_columns {
    () => {
        "object_id, name, address, lat, lon, footprint, municipality_id, cadastral_number,
         permit_number, permit_date, developer, purpose, floors, planned_start, planned_end,
         actual_start, actual_end, status, illegal, detected_on, source, created_at, updated_at"
    };
}

/// The fields of an object (a row or a form's input) as the form and the
/// history know them; the two differ only in the type of their status.
macro_rules! object_fields {
    ($s:expr, $status:expr) => {{
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("name", $s.name.clone()),
            ("address", $s.address.clone()),
            ("lat", format!("{}", $s.lat)),
            ("lon", format!("{}", $s.lon)),
            ("footprint", o(&$s.footprint)),
            ("cadastral_number", o(&$s.cadastral_number)),
            ("permit_number", o(&$s.permit_number)),
            ("permit_date", o(&$s.permit_date)),
            ("developer", $s.developer.clone()),
            ("purpose", $s.purpose.clone()),
            (
                "floors",
                $s.floors.map(|f| f.to_string()).unwrap_or_default(),
            ),
            ("planned_start", o(&$s.planned_start)),
            ("planned_end", o(&$s.planned_end)),
            ("actual_start", o(&$s.actual_start)),
            ("actual_end", o(&$s.actual_end)),
            ("status", $status),
            ("detected_on", o(&$s.detected_on)),
        ]
    }};
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ObjectRow {
    pub object_id: i64,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub footprint: Option<String>,
    pub municipality_id: String,
    pub cadastral_number: Option<String>,
    pub permit_number: Option<String>,
    pub permit_date: Option<String>,
    pub developer: String,
    pub purpose: String,
    pub floors: Option<i64>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub status: String,
    pub illegal: bool,
    pub detected_on: Option<String>,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Fields that may name a private person: the right-holder (developer) of
/// an illegal construction. Their values, and their history, are shown to
/// the authority's officers only.
pub const PERSONAL_FIELDS: &[&str] = &["developer"];

impl ObjectRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Planned)
    }

    /// Whether the right-holder is treated as a private person. The registry
    /// cannot tell a person from a company reliably (spreadsheets write
    /// «Иванов И. И.», «ИП Иванов», «ООО …» alike), and illegal constructions
    /// are mostly private houses, so every right-holder of an object in the
    /// illegal registry is personal data. The flag never goes back, so
    /// neither does the protection (nor the protection of its history).
    pub fn owner_is_personal(&self) -> bool {
        self.illegal
    }

    /// The row as the public may see it: personal fields emptied. Every
    /// public output (pages, API, exports, open datasets) goes through this.
    pub fn for_public(mut self) -> ObjectRow {
        if self.owner_is_personal() {
            self.developer.clear();
        }
        self
    }

    /// The fields as the form and the history know them.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        object_fields!(self, self.status.clone())
    }
}

impl ObjectInput {
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        object_fields!(self, self.status.as_str().to_owned())
    }
}

/// The columns of [`ObjectRow`], for statements built at run time.
pub(super) const OBJECT_COLUMNS: &str = object_columns!();

const OBJECT_BY_ID: &str = concat!(
    "select ",
    object_columns!(),
    " from construction_object where object_id = $1"
);

pub async fn object(db: &Db, id: i64) -> Result<Option<ObjectRow>, sqlx::Error> {
    fetch_db!(db, fetch_optional, ObjectRow, OBJECT_BY_ID, id)
}

pub async fn object_tx(tx: &mut Tx, id: i64) -> Result<Option<ObjectRow>, sqlx::Error> {
    fetch_tx!(tx, fetch_optional, ObjectRow, OBJECT_BY_ID, id)
}

/// The object a spreadsheet row or a new record is the same as: by
/// cadastral number first, else by normalised address.
pub async fn find_same(
    tx: &mut Tx,
    cadastral: Option<&str>,
    address: &str,
) -> Result<Option<i64>, sqlx::Error> {
    if let Some(c) = cadastral {
        let id = on_tx!(tx, |conn| {
            sqlx::query_scalar::<_, i64>(
                "select object_id from construction_object where cadastral_number = $1
                 order by object_id limit 1",
            )
            .bind(c)
            .fetch_optional(conn)
            .await
        })?;
        if id.is_some() {
            return Ok(id);
        }
    }
    let norm = normalize_address(address);
    if norm.is_empty() {
        return Ok(None);
    }
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "select object_id from construction_object where address_norm = $1
             order by object_id limit 1",
        )
        .bind(&norm)
        .fetch_optional(conn)
        .await
    })
}

/// Binds an object's columns in the order both `insert` and `update` list
/// them (a macro: the two statements are of different sqlx types).
macro_rules! bind_object {
    ($q:expr, $o:expr, $illegal:expr) => {
        $q.bind(&$o.name)
            .bind(&$o.address)
            .bind(normalize_address(&$o.address))
            .bind($o.lat)
            .bind($o.lon)
            .bind(&$o.footprint)
            .bind(&$o.municipality_id)
            .bind(&$o.cadastral_number)
            .bind(&$o.permit_number)
            .bind(&$o.permit_date)
            .bind(&$o.developer)
            .bind(&$o.purpose)
            .bind($o.floors)
            .bind(&$o.planned_start)
            .bind(&$o.planned_end)
            .bind(&$o.actual_start)
            .bind(&$o.actual_end)
            .bind($o.status.as_str())
            .bind($illegal || $o.status == Status::Illegal)
            .bind(&$o.detected_on)
    };
}

pub async fn insert(
    tx: &mut Tx,
    o: &ObjectInput,
    illegal: bool,
    source: &str,
) -> Result<i64, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        bind_object!(
            sqlx::query_scalar::<_, i64>(
                "insert into construction_object (name, address, address_norm, lat, lon, footprint,
                     municipality_id, cadastral_number, permit_number, permit_date, developer, purpose,
                     floors, planned_start, planned_end, actual_start, actual_end, status, illegal,
                     detected_on, source, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     $18, $19, $20, $21, $22, $22)
                 returning object_id",
            ),
            o,
            illegal
        )
        .bind(source)
        .bind(now)
        .fetch_one(conn)
        .await
    })
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    o: &ObjectInput,
    illegal: bool,
) -> Result<(), sqlx::Error> {
    let now = now();
    let was_illegal = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, bool>(
            "select illegal from construction_object where object_id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })?
    .unwrap_or(false);
    let becomes_illegal = !was_illegal && (illegal || o.status == Status::Illegal);
    on_tx!(tx, |conn| {
        bind_object!(
            sqlx::query(
            "update construction_object set name = $2, address = $3, address_norm = $4, lat = $5,
                 lon = $6, footprint = $7, municipality_id = $8, cadastral_number = $9,
                 permit_number = $10, permit_date = $11, developer = $12, purpose = $13,
                 floors = $14, planned_start = $15, planned_end = $16, actual_start = $17,
                 actual_end = $18, status = $19, illegal = $20, detected_on = $21, updated_at = $22
             where object_id = $1",
            )
            .bind(id),
            o,
            illegal
        )
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if becomes_illegal {
        // Its right-holder is personal data from now on (`owner_is_personal`),
        // also in the versions of the open registry published before.
        crate::datasets::request_withdrawal(
            tx,
            &crate::datasets::Redaction {
                source: super::REGISTRY.to_owned(),
                key_field: "id".to_owned(),
                key: id.to_string(),
                fields: PERSONAL_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            },
        )
        .await?;
    }
    Ok(())
}

pub async fn add_history(
    tx: &mut Tx,
    object_id: i64,
    actor_id: Option<i64>,
    actor_label: &str,
    action: &str,
    changes: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into construction_history (object_id, actor_id, actor_label, action, changes,
                 created_at) values ($1, $2, $3, $4, $5, $6)",
        object_id,
        actor_id,
        actor_label,
        action,
        changes.to_string(),
        now
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct HistoryRow {
    pub action: String,
    pub actor_name: Option<String>,
    pub actor_label: String,
    pub changes: String,
    pub created_at: OffsetDateTime,
}

pub async fn history(db: &Db, object_id: i64) -> Result<Vec<HistoryRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, HistoryRow>(
            "select h.action, a.display_name as actor_name, h.actor_label, h.changes, h.created_at
             from construction_history h left join account a on a.account_id = h.actor_id
             where h.object_id = $1 order by h.history_id desc",
        )
        .bind(object_id)
        .fetch_all(pool)
        .await
    })
}

/// Filters of the map, the table and the exports.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub municipality_id: Option<String>,
    pub illegal_only: bool,
    pub bbox: Option<[f64; 4]>,
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn filter_sql(f: &Filter) -> (String, Vec<Param>) {
    let mut w = Where::default();
    if let Some(s) = f.status {
        w.push("status = ?", Param::Text(s.as_str().into()));
    }
    if let Some(m) = &f.municipality_id {
        w.push("municipality_id = ?", Param::Text(m.clone()));
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let a = w.mark(Param::Text(format!("%{}%", normalize_address(q))));
        let b = w.mark(Param::Text(q.trim().to_owned()));
        w.raw(format!("(address_norm like {a} or cadastral_number = {b})"));
    }
    if let Some([x0, y0, x1, y1]) = f.bbox {
        for (c, v) in [
            ("lat >= ?", y0),
            ("lat <= ?", y1),
            ("lon >= ?", x0),
            ("lon <= ?", x1),
        ] {
            w.push(c, Param::Float(v));
        }
    }
    if f.illegal_only {
        w.raw("illegal");
    }
    (w.sql(), w.params)
}

pub async fn list(db: &Db, f: &Filter) -> Result<Vec<ObjectRow>, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let sql = format!(
        concat!(
            "select ",
            object_columns!(),
            " from construction_object where {} order by object_id limit {} offset {}"
        ),
        w,
        f.limit.clamp(1, 1_000_000),
        f.offset.max(0)
    );
    on_db!(db, |pool| {
        let q = sqlx::query_as::<_, ObjectRow>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_all(pool).await
    })
}

pub async fn count(db: &Db, f: &Filter) -> Result<i64, sqlx::Error> {
    let (w, params) = filter_sql(f);
    let sql = format!("select count(*) from construction_object where {w}");
    on_db!(db, |pool| {
        let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        crate::bind_params!(q, &params).fetch_one(pool).await
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct DocumentRow {
    pub document_id: i64,
    pub object_id: i64,
    pub title: String,
    pub media_key: String,
    pub file_name: String,
    pub size: i64,
}

pub async fn documents(db: &Db, object_id: i64) -> Result<Vec<DocumentRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, DocumentRow>(
            "select document_id, object_id, title, media_key, file_name, size
             from construction_document where object_id = $1 order by document_id",
        )
        .bind(object_id)
        .fetch_all(pool)
        .await
    })
}

pub async fn document(db: &Db, id: i64) -> Result<Option<DocumentRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, DocumentRow>(
            "select document_id, object_id, title, media_key, file_name, size
             from construction_document where document_id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

pub async fn insert_document(
    tx: &mut Tx,
    object_id: i64,
    title: &str,
    key: &str,
    file_name: &str,
    size: i64,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into construction_document (object_id, title, media_key, file_name, size,
                 created_at) values ($1, $2, $3, $4, $5, $6)",
        object_id,
        title,
        key,
        file_name,
        size,
        now
    )?;
    Ok(())
}
