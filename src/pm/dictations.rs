//! Dictations between recognition and confirmation (table `pm_dictation`):
//! the recording's file and the transcript, the speaker's only. Confirming
//! gives the order and makes the recording its attachment in the same
//! transaction; one never confirmed is removed with its file after a day.

use time::{Duration, OffsetDateTime};

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

/// How long an unconfirmed dictation is kept.
pub const KEPT: Duration = Duration::days(1);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DictationRow {
    pub dictation_id: i64,
    pub account_id: i64,
    pub media_key: String,
    pub content_type: String,
    pub size: i64,
    pub transcript: String,
    pub order_id: Option<i64>,
}

pub async fn insert(
    db: &Db,
    account_id: i64,
    media_key: &str,
    content_type: &str,
    size: i64,
    transcript: &str,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id: (i64,) = fetch_tx!(
        &mut tx,
        fetch_one,
        (i64,),
        "insert into pm_dictation (account_id, media_key, content_type, size, transcript, created_at)
         values ($1, $2, $3, $4, $5, $6) returning dictation_id",
        account_id,
        media_key,
        content_type,
        size,
        transcript,
        now()
    )?;
    tx.commit().await?;
    Ok(id.0)
}

/// The speaker's own dictation, not yet confirmed, inside the transaction
/// that confirms it (locked on PostgreSQL by the update that follows).
pub async fn pending_tx(
    tx: &mut Tx,
    id: i64,
    account_id: i64,
) -> Result<Option<DictationRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        DictationRow,
        "select dictation_id, account_id, media_key, content_type, size, transcript, order_id
         from pm_dictation where dictation_id = $1 and account_id = $2 and order_id is null",
        id,
        account_id
    )
}

/// Marks a dictation as the order's; false when it was confirmed already.
pub async fn confirm(tx: &mut Tx, id: i64, order_id: i64) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        "update pm_dictation set order_id = $1 where dictation_id = $2 and order_id is null",
        order_id,
        id
    )?;
    Ok(n == 1)
}

/// Unconfirmed dictations older than [`KEPT`]: their rows are deleted and
/// their files' keys returned for removal.
pub async fn expire(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let before: OffsetDateTime = now() - KEPT;
    let rows: Vec<(String,)> = fetch_db!(
        db,
        fetch_all,
        (String,),
        "delete from pm_dictation where order_id is null and created_at < $1 returning media_key",
        before
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Staff members for matching a spoken name: account, name, organisation.
#[derive(Debug, sqlx::FromRow)]
pub struct StaffRow {
    pub account_id: i64,
    pub display_name: String,
    pub organisation_id: String,
}

pub async fn staff(db: &Db) -> Result<Vec<StaffRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        StaffRow,
        "select distinct m.account_id, a.display_name, m.organisation_id
         from membership m join account a on a.account_id = m.account_id
         order by a.display_name, m.account_id, m.organisation_id"
    )
}
