//! The accounts a newcomer signs in with, one per role, all with one
//! password. They are demo people who already have a history (the citizen's
//! own reports, the officer's queue, the executor's orders), opened only
//! while only this machine can reach the server (a loopback listener, no
//! reverse proxy, no public base URL: `Config::reachable_from_this_machine_only`):
//! started any other way, veche takes their passwords away and ends their
//! sessions.

use super::MAIL_DOMAIN;
use crate::app::AppState;
use crate::auth::domain::GlobalRole;
use crate::db::{Db, Tx};
use crate::error::Msg;
use crate::on_tx;

/// The one password of the demo accounts (printed at start, shown on
/// `/demo`).
pub const PASSWORD: &str = "veche-demo-2026";

/// A demo account one may sign in with.
#[derive(Debug, Clone)]
pub struct RoleAccount {
    pub role: Msg,
    pub email: String,
    pub name: String,
}

/// Which demo person stands for which role: the mailbox name pattern, and
/// the order that picks the one with the most to show.
const ROLES: &[(&str, &str, &str)] = &[
    ("Житель", "Citizen", "citizen-0@"),
    ("Модератор", "Moderator", "moderator-desk@"),
    ("Специалист ведомства", "Department officer", "officer.%"),
    ("Исполнитель", "Executor", "executor-0.%"),
    ("Администратор", "Administrator", "admin@"),
];

/// Opens the role accounts (loopback) or closes every demo account to
/// sign-in (any other address). Returns the open ones.
pub async fn apply(state: &AppState, loopback: bool) -> anyhow::Result<Vec<RoleAccount>> {
    let mut tx = state.db.begin().await?;
    if !loopback {
        let like = format!("%@{MAIL_DOMAIN}");
        let closed = crate::exec_tx!(
            &mut tx,
            "update account set password_hash = null
             where email_norm like $1 and password_hash is not null",
            &like
        )?;
        crate::exec_tx!(
            &mut tx,
            "delete from session where account_id in
                 (select account_id from account where email_norm like $1)",
            &like
        )?;
        tx.commit().await?;
        if closed > 0 {
            tracing::warn!(
                accounts = closed,
                "not on a loopback address: the demo accounts can no longer sign in"
            );
        }
        return Ok(Vec::new());
    }
    let admin = admin(&mut tx).await?;
    let hash = crate::auth::password::hash(PASSWORD.to_owned()).await?;
    let mut open = Vec::new();
    for (ru, en, pattern) in ROLES {
        let id = match *pattern {
            "admin@" => Some(admin),
            p => pick(&mut tx, p).await?,
        };
        let Some(id) = id else { continue };
        crate::exec_tx!(
            &mut tx,
            "update account set password_hash = $2 where account_id = $1 and password_hash is null",
            id,
            &hash
        )?;
        if let Some(a) = shown(&mut tx, id, ru, en).await? {
            open.push(a);
        }
    }
    tx.commit().await?;
    Ok(open)
}

/// The open role accounts, for the «Демо» page.
pub async fn open_accounts(db: &Db) -> anyhow::Result<Vec<RoleAccount>> {
    let mut tx = db.begin().await?;
    let mut open = Vec::new();
    for (ru, en, pattern) in ROLES {
        let Some(id) = pick(&mut tx, pattern).await? else {
            continue;
        };
        if let Some(a) = shown(&mut tx, id, ru, en).await? {
            open.push(a);
        }
    }
    tx.commit().await?;
    Ok(open)
}

/// A role account as shown, when it can sign in.
async fn shown(
    tx: &mut Tx,
    id: i64,
    ru: &'static str,
    en: &'static str,
) -> Result<Option<RoleAccount>, sqlx::Error> {
    let row = on_tx!(tx, |conn| {
        sqlx::query_as::<_, (String, String)>(
            "select email, display_name from account
             where account_id = $1 and password_hash is not null and disabled_at is null",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })?;
    Ok(row.map(|(email, name)| RoleAccount {
        role: Msg::new(ru, en),
        email,
        name,
    }))
}

/// The demo person for a role: the officer and executor of the organisation
/// that answers the most requests, so their pages are full.
async fn pick(tx: &mut Tx, pattern: &str) -> Result<Option<i64>, sqlx::Error> {
    // `officer.%` stands for any organisation's officer; `citizen-0@` for
    // one person.
    let like = format!("{pattern}{MAIL_DOMAIN}")
        .replace("%@", "%")
        .replace(".%", ".%@");
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "select a.account_id from account a
             left join membership m on m.account_id = a.account_id
             where a.email_norm like $1
             order by (select count(*) from appeal p
                       where p.organisation_id = m.organisation_id and p.kind = 'problem') desc,
                      a.email_norm
             limit 1",
        )
        .bind(like)
        .fetch_optional(conn)
        .await
    })
}

/// The demo administrator, created when first needed.
async fn admin(tx: &mut Tx) -> anyhow::Result<i64> {
    let id =
        super::people::account(tx, &format!("admin@{MAIL_DOMAIN}"), "Администратор (демо)").await?;
    crate::auth::queries::grant_role(tx, id, GlobalRole::Administrator).await?;
    Ok(id)
}
