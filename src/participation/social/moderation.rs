//! Moderation of everything the social layer holds: anyone signed in flags
//! an item (a publication, a comment, an album, a photo; the recipient of a
//! direct message reports it); moderators see the flagged items in one
//! queue, hide or restore each with a reason (kept in the item's log and
//! told to its author), and may ban a person from posting for some days
//! with a reason they are told.
//!
//! Hiding is one transaction: the item, its log entry, its activity in
//! every feed (`activity::hide`), its search document and the open
//! dataset of publications.

use axum::http::StatusCode;
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::{exec_tx, fetch_db, fetch_tx};

crate::texts!(ItemTexts {
    publication: "Публикация", "Publication";
    comment: "Комментарий", "Comment";
    album: "Альбом", "Album";
    photo: "Фотография", "Photo";
    message: "Личное сообщение", "Direct message";
});

/// What may be flagged and hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Publication,
    Comment,
    Album,
    Photo,
    Message,
}

impl Item {
    pub const ALL: [Item; 5] = [
        Item::Publication,
        Item::Comment,
        Item::Album,
        Item::Photo,
        Item::Message,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Item::Publication => "publication",
            Item::Comment => "comment",
            Item::Album => "album",
            Item::Photo => "photo",
            Item::Message => "message",
        }
    }

    pub fn parse(s: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.as_str() == s)
    }

    pub fn label(self, l: crate::web::i18n::Locale) -> &'static str {
        let t = ItemTexts::get(l);
        match self {
            Item::Publication => t.publication,
            Item::Comment => t.comment,
            Item::Album => t.album,
            Item::Photo => t.photo,
            Item::Message => t.message,
        }
    }

    /// The statements that read and settle an item of this kind.
    fn sql(self) -> ItemSql {
        match self {
            Item::Publication => ItemSql {
                state: "select author_id, hidden from publication where publication_id = $1",
                flagged: Some(
                    "update publication set flag_count = flag_count + 1 where publication_id = $1",
                ),
                settle: "update publication set flag_count = 0 where publication_id = $1",
            },
            Item::Comment => ItemSql {
                state: "select author_id, hidden from publication_comment where comment_id = $1",
                flagged: Some(
                    "update publication_comment set flag_count = flag_count + 1 where comment_id = $1",
                ),
                settle: "update publication_comment set flag_count = 0 where comment_id = $1",
            },
            Item::Album => ItemSql {
                state: "select owner_id, hidden from album where album_id = $1",
                flagged: Some("update album set flag_count = flag_count + 1 where album_id = $1"),
                settle: "update album set flag_count = 0 where album_id = $1",
            },
            Item::Photo => ItemSql {
                state: "select a.owner_id, p.hidden from album_photo p join album a on a.album_id = p.album_id
                 where p.photo_id = $1",
                flagged: Some(
                    "update album_photo set flag_count = flag_count + 1 where photo_id = $1",
                ),
                settle: "update album_photo set flag_count = 0 where photo_id = $1",
            },
            // A message keeps its one report in its own row (`flag_in`).
            Item::Message => ItemSql {
                state: "select sender_id, hidden from direct_message where message_id = $1",
                flagged: None,
                settle: "update direct_message set reported_at = null where message_id = $1",
            },
        }
    }

    /// The activity subject of the item (what hiding hides in feeds).
    pub fn subject(self, id: i64) -> String {
        crate::activity::topic(self.as_str(), id)
    }
}

/// An item kind's statements, each bound to the item's id only.
struct ItemSql {
    /// Its author and whether it is hidden.
    state: &'static str,
    /// One more report counted; `None` where the row keeps the report.
    flagged: Option<&'static str>,
    /// Its reports cleared (a decision was taken on them).
    settle: &'static str,
}

pub const REASON_MAX: usize = 500;

/// One item in the moderators' queue, or an item as its log shows it.
#[derive(Debug, Clone, FromRow)]
pub struct QueueRow {
    pub item_kind: String,
    pub item_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub excerpt: String,
    pub link: String,
    pub flag_count: i64,
    pub hidden: bool,
    pub created_at: OffsetDateTime,
}

/// The flagged items still shown, most flagged first, across kinds; a
/// reported message shows its text here only.
pub async fn queue(db: &Db) -> Result<Vec<QueueRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        QueueRow,
        "select * from (
           select 'publication' as item_kind, x.publication_id as item_id, x.author_id,
                  a.display_name as author_name, x.title as excerpt,
                  '/publications/' || cast(x.publication_id as text) as link,
                  x.flag_count, x.hidden, x.created_at
           from publication x join account a on a.account_id = x.author_id
           where x.flag_count > 0 and not x.hidden
           union all
           select 'comment', x.comment_id, x.author_id, a.display_name, x.body,
                  '/publications/' || cast(x.publication_id as text) || '#comment-'
                      || cast(x.comment_id as text),
                  x.flag_count, x.hidden, x.created_at
           from publication_comment x join account a on a.account_id = x.author_id
           where x.flag_count > 0 and not x.hidden
           union all
           select 'album', x.album_id, x.owner_id, a.display_name, x.title,
                  '/galleries/' || cast(x.album_id as text), x.flag_count, x.hidden, x.created_at
           from album x join account a on a.account_id = x.owner_id
           where x.flag_count > 0 and not x.hidden
           union all
           select 'photo', x.photo_id, al.owner_id, a.display_name, x.caption,
                  '/galleries/' || cast(x.album_id as text) || '#photo-' || cast(x.photo_id as text),
                  x.flag_count, x.hidden, x.created_at
           from album_photo x join album al on al.album_id = x.album_id
               join account a on a.account_id = al.owner_id
           where x.flag_count > 0 and not x.hidden
           union all
           select 'message', x.message_id, x.sender_id, a.display_name,
                  x.body || ' — ' || x.report_reason, '', 1, x.hidden, x.created_at
           from direct_message x join account a on a.account_id = x.sender_id
           where x.reported_at is not null and not x.hidden
         ) q order by flag_count desc, created_at limit 200"
    )
}

/// The author of an item, whatever its state.
async fn item_author(tx: &mut Tx, item: Item, id: i64) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64, bool)> =
        fetch_tx!(tx, fetch_optional, (i64, bool), item.sql().state, id)?;
    Ok(row.map(|r| r.0))
}

/// A reason as typed, cleaned (`required`: it may not be empty).
fn clean_reason(reason: &str, required: bool) -> AppResult<String> {
    crate::workflow::input::clean_text(reason, REASON_MAX, "причина", "reason", required)
        .map_err(|m| AppError::unprocessable("invalid_input", m))
}

/// The transaction of a moderator's decision on an item, and the item's
/// author (not found when there is no such item).
async fn deciding(state: &AppState, item: Item, id: i64) -> AppResult<(Tx, i64)> {
    let mut tx = state.db.begin().await?;
    let author = item_author(&mut tx, item, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((tx, author))
}

/// Flags an item once per person. A direct message may be reported by its
/// recipient only (nobody else can see it).
pub async fn flag(
    state: &AppState,
    user: &CurrentUser,
    item: Item,
    id: i64,
    reason: &str,
) -> AppResult<bool> {
    let reason = clean_reason(reason, false)?;
    let mut tx = state.db.begin().await?;
    let added = flag_in(&mut tx, user.account_id, item, id, &reason).await?;
    tx.commit().await?;
    Ok(added)
}

/// [`flag`] inside the caller's transaction, `reason` already clean.
pub async fn flag_in(
    tx: &mut Tx,
    account: i64,
    item: Item,
    id: i64,
    reason: &str,
) -> AppResult<bool> {
    if item_author(tx, item, id).await?.is_none() {
        return Err(AppError::not_found());
    }
    if item == Item::Message {
        let n = exec_tx!(
            tx,
            "update direct_message set reported_at = coalesce(reported_at, $3), report_reason = $4
             where message_id = $1 and recipient_id = $2",
            id,
            account,
            now(),
            reason
        )?;
        if n == 0 {
            return Err(AppError::not_found());
        }
        return Ok(true);
    }
    let added = exec_tx!(
        tx,
        "insert into moderation_flag (item_kind, item_id, account_id, reason, created_at)
         values ($1, $2, $3, $4, $5) on conflict do nothing",
        item.as_str(),
        id,
        account,
        reason,
        now()
    )? == 1;
    if let (true, Some(sql)) = (added, item.sql().flagged) {
        exec_tx!(tx, sql, id)?;
    }
    Ok(added)
}

async fn set_hidden(
    tx: &mut Tx,
    item: Item,
    id: i64,
    hidden: bool,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    match item {
        Item::Publication => exec_tx!(
            tx,
            "update publication set hidden = $2, hidden_reason = $3 where publication_id = $1 and hidden <> $2",
            id,
            hidden,
            reason
        ),
        Item::Comment => exec_tx!(
            tx,
            "update publication_comment set hidden = $2, hidden_reason = $3 where comment_id = $1 and hidden <> $2",
            id,
            hidden,
            reason
        ),
        Item::Album => exec_tx!(
            tx,
            "update album set hidden = $2, hidden_reason = $3 where album_id = $1 and hidden <> $2",
            id,
            hidden,
            reason
        ),
        Item::Photo => exec_tx!(
            tx,
            "update album_photo set hidden = $2, hidden_reason = $3 where photo_id = $1 and hidden <> $2",
            id,
            hidden,
            reason
        ),
        Item::Message => exec_tx!(
            tx,
            "update direct_message set hidden = $2 where message_id = $1 and hidden <> $2",
            id,
            hidden
        ),
    }
}

/// The search documents an item's visibility changes, as `(kind, id)`.
async fn search_documents(tx: &mut Tx, item: Item, id: i64) -> AppResult<Vec<(&'static str, i64)>> {
    Ok(match item {
        Item::Publication => vec![(super::publications::KIND, id)],
        Item::Album => vec![(super::galleries::KIND, id)],
        Item::Photo => fetch_tx!(
            tx,
            fetch_optional,
            (i64,),
            "select album_id from album_photo where photo_id = $1",
            id
        )?
        .map(|(album,)| vec![(super::galleries::KIND, album)])
        .unwrap_or_default(),
        Item::Comment | Item::Message => Vec::new(),
    })
}

/// Hides (or restores) an item with the moderator's reason, in one
/// transaction with its log, its activity, its search document and the
/// dataset of publications; the author is told why.
pub async fn decide(
    state: &AppState,
    moderator: &CurrentUser,
    item: Item,
    id: i64,
    hide: bool,
    reason: &str,
) -> AppResult<()> {
    let reason = clean_reason(reason, true)?;
    let (mut tx, author) = deciding(state, item, id).await?;
    let changed = set_hidden(&mut tx, item, id, hide, &reason).await? > 0;
    // A decision settles the reports made so far: the item leaves the queue
    // until someone reports it again.
    settle(&mut tx, item, id).await?;
    log(
        &mut tx,
        item.as_str(),
        id,
        moderator.account_id,
        if hide { "hide" } else { "restore" },
        &reason,
    )
    .await?;
    // A comment's activity names its publication: it stays hidden while
    // the publication is.
    let parent_hidden = item == Item::Comment && {
        let p: Option<(bool,)> = fetch_tx!(
            &mut tx,
            fetch_optional,
            (bool,),
            "select p.hidden from publication_comment c
             join publication p on p.publication_id = c.publication_id where c.comment_id = $1",
            id
        )?;
        p.is_some_and(|p| p.0)
    };
    crate::activity::hide(&mut tx, &item.subject(id), hide || parent_hidden).await?;
    if item == Item::Publication {
        // Its comments' activity goes with it, and comes back with it
        // except for the comments hidden on their own.
        exec_tx!(
            &mut tx,
            "update activity set hidden = $2 where subject in (
                 select 'comment:' || cast(comment_id as text) from publication_comment
                 where publication_id = $1 and ($2 or not hidden))",
            id,
            hide
        )?;
    }
    if item == Item::Comment && changed {
        // The count of a publication's comments is of the ones shown.
        exec_tx!(
            &mut tx,
            "update publication set comment_count = comment_count + $2
             where publication_id = (select publication_id from publication_comment
                                     where comment_id = $1)",
            id,
            if hide { -1_i64 } else { 1 }
        )?;
    }
    for (kind, doc) in search_documents(&mut tx, item, id).await? {
        crate::search::enqueue(&mut tx, kind, &doc.to_string()).await?;
    }
    if matches!(item, Item::Publication | Item::Comment) {
        crate::datasets::request_refresh(&mut tx, super::publications::DATASET).await?;
    }
    let (what_ru, what_en) = (
        item.label(crate::web::i18n::Locale::Ru).to_lowercase(),
        item.label(crate::web::i18n::Locale::En).to_lowercase(),
    );
    let (ru, en) = if hide {
        (
            format!("Модератор скрыл ваш материал ({what_ru}). Причина: {reason}"),
            format!("A moderator hid your {what_en}. Reason: {reason}"),
        )
    } else {
        (
            format!("Модератор вернул ваш материал ({what_ru}). {reason}"),
            format!("A moderator restored your {what_en}. {reason}"),
        )
    };
    crate::workflow::notify::person(
        &mut tx,
        &state.config,
        author,
        None,
        ("Решение модератора", "A moderator's decision"),
        (&ru, &en),
        "/feed",
    )
    .await?;
    tx.commit().await?;
    state.search.notify();
    state.mailer.notify();
    Ok(())
}

/// Clears an item's reports (a decision was taken on them).
async fn settle(tx: &mut Tx, item: Item, id: i64) -> Result<u64, sqlx::Error> {
    exec_tx!(tx, item.sql().settle, id)
}

/// Dismisses the reports of an item that breaks no rule: it leaves the
/// queue, stays shown, and the decision is in its log.
pub async fn dismiss(
    state: &AppState,
    moderator: &CurrentUser,
    item: Item,
    id: i64,
    reason: &str,
) -> AppResult<()> {
    let reason = clean_reason(reason, true)?;
    let (mut tx, _) = deciding(state, item, id).await?;
    settle(&mut tx, item, id).await?;
    log(
        &mut tx,
        item.as_str(),
        id,
        moderator.account_id,
        "dismiss",
        &reason,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn log(
    tx: &mut Tx,
    kind: &str,
    id: i64,
    moderator: i64,
    action: &str,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into moderation_log (item_kind, item_id, moderator_id, action, reason, created_at)
         values ($1, $2, $3, $4, $5, $6)",
        kind,
        id,
        moderator,
        action,
        reason,
        now()
    )
}

/// One entry of an item's log.
#[derive(Debug, Clone, FromRow)]
pub struct LogRow {
    pub action: String,
    pub reason: String,
    pub moderator_name: String,
    pub created_at: OffsetDateTime,
}

/// What moderators did to an item, oldest first.
pub async fn item_log(db: &Db, kind: &str, id: i64) -> Result<Vec<LogRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        LogRow,
        "select l.action, l.reason, a.display_name as moderator_name, l.created_at
         from moderation_log l join account a on a.account_id = l.moderator_id
         where l.item_kind = $1 and l.item_id = $2 order by l.log_id limit 500",
        kind,
        id
    )
}

pub const BAN_DAYS_MAX: i64 = 365;

/// Bans `account` from posting for `days` with a reason they are told.
pub async fn ban(
    state: &AppState,
    moderator: &CurrentUser,
    account: i64,
    days: i64,
    reason: &str,
) -> AppResult<()> {
    if !(1..=BAN_DAYS_MAX).contains(&days) {
        return Err(AppError::unprocessable(
            "invalid_input",
            Msg::new(
                format!("Срок запрета — от 1 до {BAN_DAYS_MAX} дней."),
                format!("A ban lasts from 1 to {BAN_DAYS_MAX} days."),
            ),
        ));
    }
    let reason = clean_reason(reason, true)?;
    let mut tx = state.db.begin().await?;
    if crate::auth::queries::account_by_id_tx(&mut tx, account)
        .await?
        .is_none()
    {
        return Err(AppError::not_found());
    }
    let until = now() + Duration::days(days);
    exec_tx!(
        &mut tx,
        "insert into posting_ban (account_id, until_at, reason, moderator_id, created_at)
         values ($1, $2, $3, $4, $5)",
        account,
        until,
        &reason,
        moderator.account_id,
        now()
    )?;
    log(
        &mut tx,
        "account",
        account,
        moderator.account_id,
        "ban",
        &reason,
    )
    .await?;
    let shown = |l| crate::web::components::datetime(l, until);
    crate::workflow::notify::person(
        &mut tx,
        &state.config,
        account,
        None,
        ("Запрет на публикации", "A ban on posting"),
        (
            &format!(
                "Модератор запретил вам публиковать материалы, комментарии и сообщения до {}. Причина: {reason}",
                shown(crate::web::i18n::Locale::Ru)
            ),
            &format!(
                "A moderator banned you from posting publications, comments and messages until {}. Reason: {reason}",
                shown(crate::web::i18n::Locale::En)
            ),
        ),
        "/feed",
    )
    .await?;
    tx.commit().await?;
    state.mailer.notify();
    Ok(())
}

/// Refuses to post while the person is banned, saying until when and why.
pub async fn may_post(tx: &mut Tx, account: i64) -> AppResult<()> {
    let ban: Option<(OffsetDateTime, String)> = fetch_tx!(
        tx,
        fetch_optional,
        (OffsetDateTime, String),
        "select until_at, reason from posting_ban where account_id = $1 and until_at > $2
         order by until_at desc limit 1",
        account,
        now()
    )?;
    match ban {
        None => Ok(()),
        Some((until, reason)) => Err(AppError::client(
            StatusCode::FORBIDDEN,
            "posting_banned",
            Msg::new(
                format!(
                    "Модератор запретил вам публиковать до {}. Причина: {reason}",
                    crate::web::components::datetime(crate::web::i18n::Locale::Ru, until)
                ),
                format!(
                    "A moderator banned you from posting until {}. Reason: {reason}",
                    crate::web::components::datetime(crate::web::i18n::Locale::En, until)
                ),
            ),
        )),
    }
}

/// An item's author and whether it is hidden now.
pub async fn state_of(db: &Db, item: Item, id: i64) -> Result<Option<(i64, bool)>, sqlx::Error> {
    fetch_db!(db, fetch_optional, (i64, bool), item.sql().state, id)
}

/// [`may_post`] before anything is read or stored (an upload of photos
/// from a banned person is refused before it is decoded).
pub async fn may_post_now(db: &Db, account: i64) -> AppResult<()> {
    let mut tx = db.read().await?;
    let r = may_post(&mut tx, account).await;
    tx.commit().await?;
    r
}
