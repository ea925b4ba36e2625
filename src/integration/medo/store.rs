//! The record of МЭДО packages (each read or written once, by its header
//! uid) and of clauses waiting for an administrator to name their
//! executor.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, on_tx};

pub struct NewPackage<'a> {
    pub partner_id: &'a str,
    /// `in` or `out`.
    pub direction: &'a str,
    pub message_uid: &'a str,
    /// `document`, `notification`, `acknowledgment`, or `unreadable`.
    pub kind: &'a str,
    pub document_uid: Option<&'a str>,
    pub document_number: Option<&'a str>,
    pub document_date: Option<&'a str>,
    pub order_id: Option<i64>,
    pub folder: &'a str,
    /// `registered`, `refused`, `applied` or `written`.
    pub status: &'a str,
    pub reason: &'a str,
    pub detail: &'a str,
}

/// Records a package; `None` when one with this uid was recorded before
/// (the folder came twice): nothing is written then.
pub async fn record(tx: &mut Tx, p: &NewPackage<'_>) -> Result<Option<i64>, sqlx::Error> {
    let at = now();
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "insert into integration_medo_package (partner_id, direction, message_uid, kind,
                 document_uid, document_number, document_date, order_id, folder, status,
                 reason, detail, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             on conflict (partner_id, direction, message_uid) do nothing
             returning package_id",
        )
        .bind(p.partner_id)
        .bind(p.direction)
        .bind(p.message_uid)
        .bind(p.kind)
        .bind(p.document_uid)
        .bind(p.document_number)
        .bind(p.document_date)
        .bind(p.order_id)
        .bind(p.folder)
        .bind(p.status)
        .bind(p.reason)
        .bind(p.detail)
        .bind(at)
        .fetch_optional(conn)
        .await
    })
}

/// Gives a registered document veche's number: `{package}-МЭДО`.
pub async fn set_registration(
    tx: &mut Tx,
    package_id: i64,
    number: &str,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update integration_medo_package set registration_number = $2 where package_id = $1",
        package_id,
        number
    )?;
    Ok(())
}

/// Whether a package with this uid was seen.
pub async fn seen(
    db: &Db,
    partner_id: &str,
    direction: &str,
    message_uid: &str,
) -> Result<bool, sqlx::Error> {
    let n: Option<(i64,)> = fetch_db!(
        db,
        fetch_optional,
        (i64,),
        "select package_id from integration_medo_package
         where partner_id = $1 and direction = $2 and message_uid = $3",
        partner_id,
        direction,
        message_uid
    )?;
    Ok(n.is_some())
}

/// A document as received from or sent to a partner.
#[derive(Debug, Clone, FromRow)]
pub struct DocumentRef {
    pub package_id: i64,
    pub document_uid: String,
    pub document_number: Option<String>,
    pub document_date: Option<String>,
    pub order_id: Option<i64>,
}

/// The document `uid` a partner sent (`in`) or veche sent it (`out`).
pub async fn document(
    tx: &mut Tx,
    partner_id: &str,
    direction: &str,
    uid: &str,
) -> Result<Option<DocumentRef>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, DocumentRef>(
            "select package_id, document_uid, document_number, document_date, order_id
             from integration_medo_package
             where partner_id = $1 and direction = $2 and kind = 'document'
               and document_uid = $3
             order by package_id limit 1",
        )
        .bind(partner_id)
        .bind(direction)
        .bind(uid)
        .fetch_optional(conn)
        .await
    })
}

/// The document veche sent a partner for an order, if any.
pub async fn sent_for_order(
    tx: &mut Tx,
    partner_id: &str,
    order_id: i64,
) -> Result<Option<DocumentRef>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, DocumentRef>(
            "select package_id, document_uid, document_number, document_date, order_id
             from integration_medo_package
             where partner_id = $1 and direction = 'out' and kind = 'document'
               and order_id = $2
             order by package_id limit 1",
        )
        .bind(partner_id)
        .bind(order_id)
        .fetch_optional(conn)
        .await
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct PackageRow {
    pub package_id: i64,
    pub partner_id: String,
    pub direction: String,
    pub message_uid: String,
    pub kind: String,
    pub document_number: Option<String>,
    pub document_date: Option<String>,
    pub folder: String,
    pub status: String,
    pub reason: String,
    pub detail: String,
    pub registration_number: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn package_tx(tx: &mut Tx, id: i64) -> Result<Option<PackageRow>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, PackageRow>(
            "select package_id, partner_id, direction, message_uid, kind, document_number,
                    document_date, folder, status, reason, detail, registration_number,
                    created_at
             from integration_medo_package where package_id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })
}

/// The latest packages, newest first.
pub async fn latest(db: &Db, limit: i64) -> Result<Vec<PackageRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PackageRow,
        "select package_id, partner_id, direction, message_uid, kind, document_number,
                document_date, folder, status, reason, detail, registration_number, created_at
         from integration_medo_package order by package_id desc limit $1",
        limit
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    pub pending_id: i64,
    pub package_id: i64,
    pub clause: String,
    pub principal: String,
    pub candidates: sqlx::types::Json<Vec<String>>,
    pub payload: sqlx::types::Json<super::super::messages::DocumentReceived>,
    pub organisation_id: Option<String>,
    pub resolved_at: Option<OffsetDateTime>,
}

pub async fn add_pending(
    tx: &mut Tx,
    package_id: i64,
    clause: &str,
    principal: &str,
    candidates: &[String],
    payload: &super::super::messages::DocumentReceived,
) -> Result<(), sqlx::Error> {
    let at = now();
    exec_tx!(
        tx,
        "insert into integration_medo_pending (package_id, clause, principal, candidates,
                 payload, created_at)
             values ($1, $2, $3, $4, $5, $6)",
        package_id,
        clause,
        principal,
        sqlx::types::Json(candidates),
        sqlx::types::Json(payload),
        at
    )?;
    Ok(())
}

/// Clauses still waiting, oldest first.
pub async fn waiting(db: &Db) -> Result<Vec<PendingRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PendingRow,
        "select pending_id, package_id, clause, principal, candidates, payload,
                organisation_id, resolved_at
         from integration_medo_pending where resolved_at is null order by pending_id"
    )
}

pub async fn pending_tx(tx: &mut Tx, id: i64) -> Result<Option<PendingRow>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, PendingRow>(
            "select pending_id, package_id, clause, principal, candidates, payload,
                    organisation_id, resolved_at
             from integration_medo_pending where pending_id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })
}

/// Marks a waiting clause resolved (with the organisation named, or none
/// when dropped); `false` when another administrator was first.
pub async fn resolve(
    tx: &mut Tx,
    id: i64,
    organisation_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let at = now();
    exec_tx!(
        tx,
        "update integration_medo_pending set organisation_id = $2, resolved_at = $3
             where pending_id = $1 and resolved_at is null",
        id,
        organisation_id,
        at
    )
    .map(|n| n == 1)
}
