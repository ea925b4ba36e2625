//! Integration partners: other veche instances and outside document-flow
//! systems, with the secret each shares with us and the organisations an
//! outside system may act for.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_db, exec_tx, on_db, on_tx};

#[derive(Debug, Clone, FromRow)]
pub struct Partner {
    pub partner_id: String,
    pub name: String,
    /// `instance` (another veche), `system` (an outside system speaking
    /// veche's JSON) or `medo` (a doc-flow system reached through МЭДО
    /// folders, `integration::medo`).
    pub kind: String,
    pub url: Option<String>,
    pub secret: String,
    pub all_organisations: bool,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
    /// An instance of the federation file: its Ed25519 public key (base64),
    /// which its signatures are checked against instead of `secret`.
    pub public_key: Option<String>,
    /// Its role in the federation (`portal`, `core`, `control`).
    pub federation_role: Option<String>,
}

impl Partner {
    pub fn is_instance(&self) -> bool {
        self.kind == "instance"
    }
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Partner>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, Partner>(
            "select partner_id, name, kind, url, secret, all_organisations, created_at, disabled_at,
                    public_key, federation_role
             from integration_partner where partner_id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

pub async fn all(db: &Db) -> Result<Vec<Partner>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, Partner>(
            "select partner_id, name, kind, url, secret, all_organisations, created_at, disabled_at,
                    public_key, federation_role
             from integration_partner order by partner_id",
        )
        .fetch_all(pool)
        .await
    })
}

pub async fn organisations(db: &Db, id: &str) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, String>(
            "select organisation_id from integration_partner_organisation
             where partner_id = $1 order by organisation_id",
        )
        .bind(id)
        .fetch_all(pool)
        .await
    })
}

/// Whether `partner` may act on orders of `organisation_id`.
pub async fn may_act_for(
    tx: &mut Tx,
    partner: &Partner,
    organisation_id: &str,
) -> Result<bool, sqlx::Error> {
    if partner.all_organisations {
        return Ok(true);
    }
    let n = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from integration_partner_organisation
             where partner_id = $1 and organisation_id = $2",
        )
        .bind(&partner.partner_id)
        .bind(organisation_id)
        .fetch_one(conn)
        .await
    })?;
    Ok(n > 0)
}

/// Outside systems that receive webhooks about `organisation_id`'s orders.
pub async fn watching(tx: &mut Tx, organisation_id: &str) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, String>(
            "select p.partner_id from integration_partner p
             where p.disabled_at is null
               and ((p.kind = 'system' and p.url is not null) or p.kind = 'medo'
                    or p.federation_role = 'control')
               and (p.all_organisations or exists (
                   select 1 from integration_partner_organisation o
                   where o.partner_id = p.partner_id and o.organisation_id = $1))
             order by p.partner_id",
        )
        .bind(organisation_id)
        .fetch_all(conn)
        .await
    })
}

/// Whether `partner_id` is a document-flow (МЭДО) partner in service: the
/// partner whose document an order carries out hears of each of its steps.
pub async fn is_document_partner(tx: &mut Tx, partner_id: &str) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from integration_partner
             where partner_id = $1 and kind = 'medo' and disabled_at is null",
        )
        .bind(partner_id)
        .fetch_one(conn)
        .await
    })?;
    Ok(n > 0)
}

pub struct NewPartner<'a> {
    pub partner_id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub url: Option<&'a str>,
    pub secret: &'a str,
    pub all_organisations: bool,
    pub organisations: &'a [String],
    /// A МЭДО partner's transport.
    pub medo: Option<&'a super::medo::partner::Transport>,
}

/// Creates or replaces a partner (with its organisations) in one
/// transaction.
pub async fn upsert(db: &Db, p: &NewPartner<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let now = now();
    exec_tx!(
        &mut tx,
        "insert into integration_partner (partner_id, name, kind, url, secret,
                 all_organisations, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (partner_id) do update set name = excluded.name, kind = excluded.kind,
                 url = excluded.url, secret = excluded.secret,
                 all_organisations = excluded.all_organisations, disabled_at = null,
                 public_key = null, federation_role = null",
        p.partner_id,
        p.name,
        p.kind,
        p.url,
        p.secret,
        p.all_organisations,
        now
    )?;
    exec_tx!(
        &mut tx,
        "delete from integration_partner_organisation where partner_id = $1",
        p.partner_id
    )?;
    for o in p.organisations {
        exec_tx!(
            &mut tx,
            "insert into integration_partner_organisation (partner_id, organisation_id)
                 values ($1, $2)",
            p.partner_id,
            o
        )?;
    }
    exec_tx!(
        &mut tx,
        "delete from integration_medo where partner_id = $1",
        p.partner_id
    )?;
    if let Some(m) = p.medo {
        super::medo::partner::insert(&mut tx, p.partner_id, m).await?;
    }
    tx.commit().await
}

/// Marks a partner as an instance of the federation file, with its public
/// key and role (`federation::keys::register_partners`).
pub async fn set_federation(
    db: &Db,
    id: &str,
    public_key: Option<&str>,
    role: Option<&str>,
) -> Result<(), sqlx::Error> {
    exec_db!(
        db,
        "update integration_partner set public_key = $2, federation_role = $3
          where partner_id = $1",
        id,
        public_key,
        role
    )
    .map(|_| ())
}

pub async fn set_disabled(db: &Db, id: &str, disabled: bool) -> Result<bool, sqlx::Error> {
    let at = disabled.then(now);
    exec_db!(
        db,
        "update integration_partner set disabled_at = $2 where partner_id = $1",
        id,
        at
    )
    .map(|n| n == 1)
}

/// Records a received message; `false` when it was received before.
pub async fn record_received(
    tx: &mut Tx,
    partner_id: &str,
    message_id: &str,
    message_type: &str,
) -> Result<bool, sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into integration_inbox (partner_id, message_id, message_type, received_at)
             values ($1, $2, $3, $4) on conflict (partner_id, message_id) do nothing",
        partner_id,
        message_id,
        message_type,
        now
    )
    .map(|n| n == 1)
}

/// Records that a citizen's request was sent to `partner_id` (`local` or a
/// partner) with an `order.requested`: that partner may answer or refer it,
/// and hears of its later changes.
pub async fn record_request_sent(
    tx: &mut Tx,
    appeal_id: i64,
    partner_id: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into integration_request_partner (appeal_id, partner_id, sent_at)
             values ($1, $2, $3) on conflict (appeal_id, partner_id) do nothing",
        appeal_id,
        partner_id,
        now
    )?;
    Ok(())
}

/// A request's order moved from `from` to `to` (a reorganisation in a
/// federation): its later messages go to `to` only, and `to` may answer it.
/// Nothing when it was never sent to `from` (false).
pub async fn request_moved(
    tx: &mut Tx,
    appeal_id: i64,
    from: &str,
    to: &str,
) -> Result<bool, sqlx::Error> {
    let gone = exec_tx!(
        tx,
        "delete from integration_request_partner where appeal_id = $1 and partner_id = $2",
        appeal_id,
        from
    )?;
    if gone == 1 {
        record_request_sent(tx, appeal_id, to).await?;
    }
    Ok(gone == 1
        || request_sent_to(tx, appeal_id)
            .await?
            .iter()
            .any(|p| p == to))
}

/// Where a citizen's request was sent (none before it was published).
pub async fn request_sent_to(tx: &mut Tx, appeal_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, String>(
            "select partner_id from integration_request_partner
             where appeal_id = $1 order by partner_id",
        )
        .bind(appeal_id)
        .fetch_all(conn)
        .await
    })
}
