//! All SQL of accounts, roles, tokens and identities.

use sha2::{Digest, Sha256};
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use crate::auth::domain::{GlobalRole, MembershipKind};
use crate::db::{Db, Tx, now};
use crate::exec_tx;
use crate::{fetch_db, fetch_tx, on_db, on_tx};

#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub account_id: i64,
    pub email: Option<String>,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub email_confirmed_at: Option<OffsetDateTime>,
    pub municipality_id: Option<String>,
    pub municipality_status: Option<String>,
    pub hide_name: bool,
    pub locale: String,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
}

/// The columns of [`AccountRow`], as a literal so queries stay `&'static str`.
macro_rules! account_columns {
    () => {
        "account_id, email, display_name, password_hash, email_confirmed_at,
         municipality_id, municipality_status, hide_name, locale, created_at, disabled_at"
    };
}

const BY_ID: &str = concat!(
    "select ",
    account_columns!(),
    " from account where account_id = $1"
);
const BY_EMAIL: &str = concat!(
    "select ",
    account_columns!(),
    " from account where email_norm = $1"
);

pub async fn account_by_id(db: &Db, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    fetch_db!(db, fetch_optional, AccountRow, BY_ID, id)
}

pub async fn account_by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    fetch_tx!(tx, fetch_optional, AccountRow, BY_ID, id)
}

pub async fn account_by_email(db: &Db, norm: &str) -> Result<Option<AccountRow>, sqlx::Error> {
    fetch_db!(db, fetch_optional, AccountRow, BY_EMAIL, norm)
}

pub async fn account_by_email_tx(
    tx: &mut Tx,
    norm: &str,
) -> Result<Option<AccountRow>, sqlx::Error> {
    fetch_tx!(tx, fetch_optional, AccountRow, BY_EMAIL, norm)
}

pub struct NewAccount<'a> {
    pub email: Option<(&'a str, &'a str)>,
    pub display_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub email_confirmed: bool,
    pub municipality: Option<(&'a str, &'a str)>,
    pub locale: &'a str,
}

pub async fn insert_account(tx: &mut Tx, a: &NewAccount<'_>) -> Result<i64, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "insert into account (email, email_norm, display_name, password_hash,
                 email_confirmed_at, municipality_id, municipality_status, locale,
                 created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             returning account_id",
        )
        .bind(a.email.map(|e| e.0))
        .bind(a.email.map(|e| e.1))
        .bind(a.display_name)
        .bind(a.password_hash)
        .bind(a.email_confirmed.then_some(now))
        .bind(a.municipality.map(|m| m.0))
        .bind(a.municipality.map(|m| m.1))
        .bind(a.locale)
        .bind(now)
        .fetch_one(conn)
        .await
    })
}

pub async fn set_password(tx: &mut Tx, account_id: i64, hash: &str) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "update account set password_hash = $2, updated_at = $3 where account_id = $1",
        account_id,
        hash,
        now
    )?;
    Ok(())
}

/// Drops what the unproven holder of an address set on its account: the
/// password and the name (see `oidc::resolve_account`).
pub async fn reset_unproven_account(
    tx: &mut Tx,
    account_id: i64,
    display_name: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "update account set password_hash = null, display_name = $2, updated_at = $3
         where account_id = $1",
        account_id,
        display_name,
        now
    )?;
    Ok(())
}

pub async fn confirm_email(tx: &mut Tx, account_id: i64) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "update account set email_confirmed_at = coalesce(email_confirmed_at, $2), updated_at = $2
         where account_id = $1",
        account_id,
        now
    )?;
    Ok(())
}

pub async fn set_municipality(
    tx: &mut Tx,
    account_id: i64,
    municipality_id: &str,
    status: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "update account set municipality_id = $2, municipality_status = $3, updated_at = $4
         where account_id = $1",
        account_id,
        municipality_id,
        status,
        now
    )?;
    Ok(())
}

pub async fn update_profile(
    tx: &mut Tx,
    account_id: i64,
    display_name: &str,
    hide_name: bool,
    locale: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "update account set display_name = $2, hide_name = $3, locale = $4, updated_at = $5
         where account_id = $1",
        account_id,
        display_name,
        hide_name,
        locale,
        now
    )?;
    Ok(())
}

// ---- roles -------------------------------------------------------------

pub async fn global_roles(db: &Db, account_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "select role from account_role where account_id = $1 order by role"
    )
    .bind(account_id)
    .fetch_all(pool)
    .await)
}

/// Every account's roles, for the administrators' list: `(account, role)`
/// for global roles and `(account, officer|executor)` for memberships, one
/// row per organisation. Both tables hold staff only, so they are read whole.
pub async fn all_roles(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, (i64, String)>(
        "select account_id, role from account_role
         union all
         select account_id, kind from membership
         order by 1, 2"
    )
    .fetch_all(pool)
    .await)
}

#[derive(Debug, Clone, FromRow)]
pub struct MembershipRow {
    pub organisation_id: String,
    pub kind: String,
    pub name_ru: String,
    pub name_en: String,
}

pub async fn memberships(db: &Db, account_id: i64) -> Result<Vec<MembershipRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, MembershipRow>(
        "select m.organisation_id, m.kind, o.name_ru, o.name_en
         from membership m join organisation o on o.organisation_id = m.organisation_id
         where m.account_id = $1 order by o.name_ru, m.kind"
    )
    .bind(account_id)
    .fetch_all(pool)
    .await)
}

pub async fn grant_role(tx: &mut Tx, account_id: i64, role: GlobalRole) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into account_role (account_id, role, granted_at) values ($1, $2, $3)
         on conflict (account_id, role) do nothing",
        account_id,
        role.as_str(),
        now
    )?;
    Ok(())
}

pub async fn revoke_role(
    tx: &mut Tx,
    account_id: i64,
    role: GlobalRole,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "delete from account_role where account_id = $1 and role = $2",
        account_id,
        role.as_str()
    )?;
    Ok(())
}

pub async fn count_admins(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "select count(*) from account_role where role = 'administrator'"
    )
    .fetch_one(conn)
    .await)
}

pub async fn grant_membership(
    tx: &mut Tx,
    account_id: i64,
    organisation_id: &str,
    kind: MembershipKind,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(tx, "insert into membership (account_id, organisation_id, kind, granted_at) values ($1, $2, $3, $4)
         on conflict (account_id, organisation_id, kind) do nothing", account_id, organisation_id, kind.as_str(), now)?;
    Ok(())
}

pub async fn revoke_membership(
    tx: &mut Tx,
    account_id: i64,
    organisation_id: &str,
    kind: MembershipKind,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "delete from membership where account_id = $1 and organisation_id = $2 and kind = $3",
        account_id,
        organisation_id,
        kind.as_str()
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AccountListRow {
    pub account_id: i64,
    pub email: Option<String>,
    pub display_name: String,
    pub created_at: OffsetDateTime,
    pub email_confirmed_at: Option<OffsetDateTime>,
}

/// Accounts for the administrators' list: newest first, optionally those whose
/// e-mail or name contains `q` (case-insensitively for e-mail).
pub async fn list_accounts(
    db: &Db,
    q: &str,
    limit: i64,
) -> Result<Vec<AccountListRow>, sqlx::Error> {
    let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
    on_db!(db, |pool| sqlx::query_as::<_, AccountListRow>(
        "select account_id, email, display_name, created_at, email_confirmed_at from account
         where $1 = '%%' or email_norm like $1 or display_name like $2
         order by account_id desc limit $3"
    )
    .bind(&pattern)
    .bind(format!("%{}%", q.replace(['%', '_'], "")))
    .bind(limit)
    .fetch_all(pool)
    .await)
}

// ---- one-time tokens ----------------------------------------------------

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Ends every unused token of `purpose` for the account (a newer reset
/// link; an address confirmed by one of several links).
pub async fn revoke_tokens(tx: &mut Tx, account_id: i64, purpose: &str) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update account_token set used_at = $3
         where account_id = $1 and purpose = $2 and used_at is null",
        account_id,
        purpose,
        now()
    )?;
    Ok(())
}

/// What a new token does to the earlier unused ones of its purpose.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    /// They stop working: a password-reset link, where only the latest
    /// mail may grant access.
    Revoke,
    /// They keep working until they expire: an address-confirmation link,
    /// where a resent mail must not break the link in the first one.
    Keep,
}

/// Stores a new token for `purpose` and returns it (the only time it exists
/// in clear); `earlier` says whether older unused tokens still work.
pub async fn issue_token(
    tx: &mut Tx,
    account_id: i64,
    purpose: &str,
    valid_for: Duration,
    earlier: Earlier,
) -> Result<String, sqlx::Error> {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let now = now();
    if earlier == Earlier::Revoke {
        revoke_tokens(tx, account_id, purpose).await?;
    }
    exec_tx!(
        tx,
        "insert into account_token (token_hash, account_id, purpose, expires_at, created_at)
         values ($1, $2, $3, $4, $5)",
        token_hash(&token),
        account_id,
        purpose,
        now + valid_for,
        now
    )?;
    Ok(token)
}

/// Marks a valid token used and returns its account, or `None` when the token
/// is unknown, expired or already used.
pub async fn use_token(
    tx: &mut Tx,
    token: &str,
    purpose: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let now = now();
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "update account_token set used_at = $3
         where token_hash = $1 and purpose = $2 and used_at is null and expires_at > $3
         returning account_id"
    )
    .bind(token_hash(token))
    .bind(purpose)
    .bind(now)
    .fetch_optional(conn)
    .await)
}

/// Whether a token is currently valid, without using it (to show the form).
pub async fn token_is_valid(db: &Db, token: &str, purpose: &str) -> Result<bool, sqlx::Error> {
    let now = now();
    let n = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from account_token
         where token_hash = $1 and purpose = $2 and used_at is null and expires_at > $3"
    )
    .bind(token_hash(token))
    .bind(purpose)
    .bind(now)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}

/// Ends every session of the account (after a password reset).
pub async fn delete_sessions(tx: &mut Tx, account_id: i64) -> Result<(), sqlx::Error> {
    exec_tx!(tx, "delete from session where account_id = $1", account_id)?;
    Ok(())
}

// ---- OIDC identities ----------------------------------------------------

pub async fn account_by_identity(
    tx: &mut Tx,
    issuer: &str,
    subject: &str,
) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "select account_id from account_identity where issuer = $1 and subject = $2"
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(conn)
    .await)
}

pub async fn link_identity(
    tx: &mut Tx,
    issuer: &str,
    subject: &str,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into account_identity (issuer, subject, account_id, created_at) values ($1, $2, $3, $4)",
        issuer,
        subject,
        account_id,
        now
    )?;
    Ok(())
}
