//! Server-side sessions (`tower-sessions`) stored in our own database.
//!
//! The published SQL store for tower-sessions is built on an older sqlx, so
//! this is a small store over [`Db`]. The session id is stored as a SHA-256
//! hash; the account id is copied to its own column so that a password reset
//! can end every other session of the account.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::{Db, DbErrorExt, now};
use crate::{exec_db, on_db};

/// Session key of the signed-in account.
pub const ACCOUNT_KEY: &str = "account_id";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> DbSessionStore {
        DbSessionStore { db }
    }

    /// Deletes expired sessions; run periodically.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let now = now();
        exec_db!(&self.db, "delete from session where expires_at < $1", now)
    }
}

fn hash_id(id: &Id) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn account_of(record: &Record) -> Option<i64> {
    record.data.get(ACCOUNT_KEY).and_then(|v| v.as_i64())
}

fn utc(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0).unwrap_or(t)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // Ids are 128 random bits; a collision is astronomically unlikely, but
        // a new id is drawn rather than overwriting someone's session.
        for _ in 0..8 {
            let hash = hash_id(&record.id);
            let inserted = exec_db!(
                &self.db,
                "insert into session (session_hash, account_id, data, expires_at)
                     values ($1, $2, $3, $4)",
                &hash,
                account_of(record),
                &data,
                utc(record.expiry_date)
            );
            match inserted {
                Ok(_) => return Ok(()),
                Err(e) if e.is_unique_violation() => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
        Err(backend("could not allocate a session id"))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let hash = hash_id(&record.id);
        exec_db!(
            &self.db,
            "insert into session (session_hash, account_id, data, expires_at)
                 values ($1, $2, $3, $4)
                 on conflict (session_hash) do update
                 set account_id = excluded.account_id, data = excluded.data,
                     expires_at = excluded.expires_at",
            &hash,
            account_of(record),
            &data,
            utc(record.expiry_date)
        )
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let hash = hash_id(id);
        let now = now();
        let row: Option<(String, OffsetDateTime)> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "select data, expires_at from session where session_hash = $1 and expires_at > $2",
            )
            .bind(&hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(backend)?;
        let Some((data, expiry_date)) = row else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let hash = hash_id(id);
        exec_db!(
            &self.db,
            "delete from session where session_hash = $1",
            &hash
        )
        .map_err(backend)?;
        Ok(())
    }
}
