//! Supports, follows, followers and notifications.

use super::*;
use crate::{exec_db, exec_tx};

// ---- support and follows ------------------------------------------------

/// Adds a support; `false` when the citizen already supports the request.
/// The primary key makes a second support impossible, whatever the race.
pub async fn add_support(
    tx: &mut Tx,
    appeal_id: i64,
    account_id: i64,
) -> Result<bool, sqlx::Error> {
    let now = now();
    let n = exec_tx!(
        tx,
        "insert into appeal_support (appeal_id, account_id, created_at) values ($1, $2, $3)
         on conflict (appeal_id, account_id) do nothing",
        appeal_id,
        account_id,
        now
    )?;
    if n == 1 {
        exec_tx!(
            tx,
            "update appeal set support_count = support_count + 1 where appeal_id = $1",
            appeal_id
        )?;
    }
    Ok(n == 1)
}

/// Takes a citizen's support back; false when there was none.
pub async fn remove_support(
    tx: &mut Tx,
    appeal_id: i64,
    account_id: i64,
) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(
        tx,
        "delete from appeal_support where appeal_id = $1 and account_id = $2",
        appeal_id,
        account_id
    )?;
    if n == 1 {
        exec_tx!(
            tx,
            "update appeal set support_count = support_count - 1 where appeal_id = $1",
            appeal_id
        )?;
    }
    Ok(n == 1)
}

pub async fn supports(db: &Db, appeal_id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from appeal_support where appeal_id = $1 and account_id = $2"
    )
    .bind(appeal_id)
    .bind(account_id)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}

pub async fn follow(tx: &mut Tx, appeal_id: i64, account_id: i64) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into appeal_follow (appeal_id, account_id, created_at) values ($1, $2, $3)
         on conflict (appeal_id, account_id) do nothing",
        appeal_id,
        account_id,
        now
    )?;
    Ok(())
}

pub async fn unfollow(db: &Db, appeal_id: i64, account_id: i64) -> Result<(), sqlx::Error> {
    exec_db!(
        db,
        "delete from appeal_follow where appeal_id = $1 and account_id = $2",
        appeal_id,
        account_id
    )?;
    Ok(())
}

pub async fn follows(db: &Db, appeal_id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from appeal_follow where appeal_id = $1 and account_id = $2"
    )
    .bind(appeal_id)
    .bind(account_id)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}

/// Followers with their addresses, for notifications.
#[derive(Debug, Clone, FromRow)]
pub struct Follower {
    pub account_id: i64,
    pub email: Option<String>,
    pub email_confirmed: bool,
    pub locale: String,
    /// Whether they want notifications by mail too (`/account/notifications`).
    pub mail: bool,
}

pub async fn followers(tx: &mut Tx, appeal_id: i64) -> Result<Vec<Follower>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, Follower>(
        "select a.account_id, a.email, a.email_confirmed_at is not null as email_confirmed, a.locale,
                a.notify_by_mail as mail
         from appeal_follow f join account a on a.account_id = f.account_id
         where f.appeal_id = $1 and a.disabled_at is null order by a.account_id"
    )
    .bind(appeal_id)
    .fetch_all(conn)
    .await
    })
}

/// Officers (members) of an organisation, for reminders and escalations.
pub async fn members_of(tx: &mut Tx, organisation_id: &str) -> Result<Vec<Follower>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, Follower>(
        "select distinct a.account_id, a.email, a.email_confirmed_at is not null as email_confirmed, a.locale,
                a.notify_by_mail as mail
         from membership m join account a on a.account_id = m.account_id
         where m.organisation_id = $1 and m.kind = 'officer' and a.disabled_at is null
         order by a.account_id"
    )
    .bind(organisation_id)
    .fetch_all(conn)
    .await
    })
}

/// One person, to notify them directly (an order given to them).
pub async fn person(tx: &mut Tx, account_id: i64) -> Result<Option<Follower>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, Follower>(
            "select account_id, email, email_confirmed_at is not null as email_confirmed, locale,
                    notify_by_mail as mail
             from account where account_id = $1 and disabled_at is null",
        )
        .bind(account_id)
        .fetch_optional(conn)
        .await
    })
}

/// Moderators and administrators: who hears of requests waiting for
/// moderation.
pub async fn moderators(tx: &mut Tx) -> Result<Vec<Follower>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, Follower>(
            "select distinct a.account_id, a.email, a.email_confirmed_at is not null as email_confirmed,
                    a.locale, a.notify_by_mail as mail
             from account_role r join account a on a.account_id = r.account_id
             where r.role in ('moderator', 'administrator') and a.disabled_at is null
             order by a.account_id",
        )
        .fetch_all(conn)
        .await
    })
}

/// Requests waiting for moderation: how many in all, and how many came in
/// after `since`.
pub async fn awaiting_moderation(
    tx: &mut Tx,
    since: OffsetDateTime,
) -> Result<(i64, i64), sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, (i64, i64)>(
            "select count(*), coalesce(sum(case when created_at > $1 then 1 else 0 end), 0)
             from appeal where state = 'submitted'",
        )
        .bind(since)
        .fetch_one(conn)
        .await
    })
}

/// Whether the person wants notifications by mail too.
pub async fn notify_by_mail(db: &Db, account_id: i64) -> Result<bool, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, bool>(
        "select notify_by_mail from account where account_id = $1"
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await)
    .map(|v| v.unwrap_or(true))
}

/// Mail or the site only, as the person chose.
pub async fn set_notify_by_mail(db: &Db, account_id: i64, mail: bool) -> Result<(), sqlx::Error> {
    exec_db!(
        db,
        "update account set notify_by_mail = $2 where account_id = $1",
        account_id,
        mail
    )?;
    Ok(())
}

// ---- notifications ----------------------------------------------------------

pub async fn insert_notification(
    tx: &mut Tx,
    account_id: i64,
    appeal_id: Option<i64>,
    text_ru: &str,
    text_en: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into notification (account_id, appeal_id, text_ru, text_en, link, created_at)
         values ($1, $2, $3, $4, $5, $6)",
        account_id,
        appeal_id,
        text_ru,
        text_en,
        link,
        now
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub notification_id: i64,
    pub text_ru: String,
    pub text_en: String,
    pub link: String,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

pub async fn notifications(
    db: &Db,
    account_id: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, NotificationRow>(
        "select notification_id, text_ru, text_en, link, created_at, read_at from notification
         where account_id = $1 order by notification_id desc limit $2"
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

pub async fn unread_count(db: &Db, account_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from notification where account_id = $1 and read_at is null"
    )
    .bind(account_id)
    .fetch_one(pool)
    .await)
}

pub async fn mark_read(db: &Db, account_id: i64) -> Result<(), sqlx::Error> {
    let now = now();
    exec_db!(
        db,
        "update notification set read_at = $2 where account_id = $1 and read_at is null",
        account_id,
        now
    )?;
    Ok(())
}
