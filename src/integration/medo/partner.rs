//! A МЭДО partner's transport: its participant uid, the folder its packages
//! arrive in, the folder veche writes to, and the encoding veche writes in.

use std::path::PathBuf;

use sqlx::FromRow;

use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::{exec_tx, on_db};

#[derive(Debug, Clone, FromRow)]
pub struct Transport {
    pub medo_uid: String,
    pub inbound_dir: String,
    pub outbound_dir: String,
    /// `windows-1251` or `utf-8`.
    pub encoding: String,
}

impl Transport {
    pub fn inbound(&self) -> PathBuf {
        PathBuf::from(&self.inbound_dir)
    }

    pub fn outbound(&self) -> PathBuf {
        PathBuf::from(&self.outbound_dir)
    }

    pub fn utf8(&self) -> bool {
        self.encoding == "utf-8"
    }
}

/// A partner with its transport.
#[derive(Debug, Clone, FromRow)]
pub struct MedoPartner {
    pub partner_id: String,
    pub name: String,
    #[sqlx(flatten)]
    pub transport: Transport,
}

/// Checks the fields of the admin form and `veche partner --kind medo`.
/// The folders must be absolute: veche's working folder is not the
/// gateway's business.
pub fn check(uid: &str, inbound: &str, outbound: &str, encoding: &str) -> AppResult<Transport> {
    let uid = uid.trim();
    if uuid::Uuid::parse_str(uid).is_err() {
        return Err(AppError::invalid(
            "Идентификатор участника МЭДО — GUID (например, 1b1b2c0e-…).",
            "The MEDO participant id is a GUID (e.g. 1b1b2c0e-…).",
        ));
    }
    let folder = |p: &str| -> AppResult<String> {
        let p = p.trim();
        if p.is_empty() || p.len() > 500 || !std::path::Path::new(p).is_absolute() {
            return Err(AppError::invalid(
                "Папки МЭДО — абсолютные пути (до 500 символов).",
                "MEDO folders are absolute paths (up to 500 characters).",
            ));
        }
        Ok(p.to_owned())
    };
    let (inbound_dir, outbound_dir) = (folder(inbound)?, folder(outbound)?);
    if inbound_dir == outbound_dir {
        return Err(AppError::invalid(
            "Входящая и исходящая папки МЭДО должны различаться.",
            "The MEDO inbound and outbound folders must differ.",
        ));
    }
    let encoding = match encoding.trim() {
        "" | "windows-1251" => "windows-1251",
        "utf-8" | "UTF-8" => "utf-8",
        _ => {
            return Err(AppError::invalid(
                "Кодировка: windows-1251 или utf-8.",
                "Encoding: windows-1251 or utf-8.",
            ));
        }
    };
    Ok(Transport {
        medo_uid: uid.to_lowercase(),
        inbound_dir,
        outbound_dir,
        encoding: encoding.to_owned(),
    })
}

pub async fn insert(tx: &mut Tx, partner_id: &str, t: &Transport) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into integration_medo (partner_id, medo_uid, inbound_dir, outbound_dir, encoding)
             values ($1, $2, $3, $4, $5)",
        partner_id,
        &t.medo_uid,
        &t.inbound_dir,
        &t.outbound_dir,
        &t.encoding
    )?;
    Ok(())
}

const SELECT: &str = "select p.partner_id, p.name, m.medo_uid, m.inbound_dir, m.outbound_dir,
        m.encoding
    from integration_partner p join integration_medo m on m.partner_id = p.partner_id";

/// The МЭДО partners in service.
pub async fn active(db: &Db) -> Result<Vec<MedoPartner>, sqlx::Error> {
    let sql =
        format!("{SELECT} where p.kind = 'medo' and p.disabled_at is null order by p.partner_id");
    on_db!(db, |pool| {
        sqlx::query_as::<_, MedoPartner>(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
    })
}

pub async fn get(db: &Db, partner_id: &str) -> Result<Option<MedoPartner>, sqlx::Error> {
    let sql = format!("{SELECT} where p.partner_id = $1");
    on_db!(db, |pool| {
        sqlx::query_as::<_, MedoPartner>(sqlx::AssertSqlSafe(sql))
            .bind(partner_id)
            .fetch_optional(pool)
            .await
    })
}
