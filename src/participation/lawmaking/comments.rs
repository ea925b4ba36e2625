//! SQL of the discussion: threaded comments with supports, flags, pins and
//! a moderator's hiding.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub comment_id: i64,
    pub initiative_id: i64,
    pub parent_id: Option<i64>,
    pub thread_id: Option<i64>,
    /// Empty when the author hides their name.
    pub author_name: String,
    pub body: String,
    pub official: bool,
    pub pinned: bool,
    pub support_count: i64,
    pub flag_count: i64,
    pub hidden: bool,
    pub hidden_reason: String,
    pub created_at: OffsetDateTime,
}

macro_rules! comment_select {
    ($where:literal) => {
        concat!(
            "select c.comment_id, c.initiative_id, c.parent_id, c.thread_id,
                 case when a.hide_name then '' else a.display_name end as author_name, c.body,
                 c.official, c.pinned, c.support_count, c.flag_count, c.hidden, c.hidden_reason,
                 c.created_at
             from initiative_comment c join account a on a.account_id = c.author_id ",
            $where
        )
    };
}

/// How many comments an initiative has, and how many threads.
pub async fn counts(db: &Db, id: i64) -> Result<(i64, i64), sqlx::Error> {
    fetch_db!(
        db,
        fetch_one,
        (i64, i64),
        "select count(*), cast(coalesce(sum(case when parent_id is null then 1 else 0 end), 0) as bigint)
         from initiative_comment where initiative_id = $1",
        id
    )
}

/// One page of an initiative's threads: pinned first, then in order.
pub async fn threads(
    db: &Db,
    id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<CommentRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        CommentRow,
        comment_select!(
            "where c.initiative_id = $1 and c.parent_id is null
             order by c.pinned desc, c.comment_id limit $2 offset $3"
        ),
        id,
        limit,
        offset
    )
}

/// The replies in the threads numbered `from..=to`, oldest first (the
/// caller keeps those of the threads it shows).
pub async fn replies(db: &Db, id: i64, from: i64, to: i64) -> Result<Vec<CommentRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        CommentRow,
        comment_select!(
            "where c.initiative_id = $1 and c.parent_id is not null
               and c.thread_id between $2 and $3
             order by c.comment_id limit 10000"
        ),
        id,
        from,
        to
    )
}

pub async fn comment_tx(tx: &mut Tx, comment_id: i64) -> Result<Option<CommentRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        CommentRow,
        comment_select!("where c.comment_id = $1"),
        comment_id
    )
}

/// Comments still shown that someone flagged, most flagged first: the
/// moderators' queue (one flag is enough to be looked at).
pub async fn flagged(db: &Db) -> Result<Vec<CommentRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        CommentRow,
        comment_select!(
            "where not c.hidden and c.flag_count >= 1
             order by c.flag_count desc, c.comment_id limit 200"
        )
    )
}

pub async fn add(
    tx: &mut Tx,
    id: i64,
    parent: Option<i64>,
    author: i64,
    body: &str,
    official: bool,
) -> Result<i64, sqlx::Error> {
    let (comment_id,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into initiative_comment (initiative_id, parent_id, thread_id, author_id, body,
             official, created_at)
         values ($1, $2, (select coalesce(thread_id, comment_id) from initiative_comment
                          where comment_id = $2), $3, $4, $5, $6)
         returning comment_id",
        id,
        parent,
        author,
        body,
        official,
        now()
    )?;
    if parent.is_none() {
        exec_tx!(
            tx,
            "update initiative_comment set thread_id = comment_id where comment_id = $1",
            comment_id
        )?;
    }
    Ok(comment_id)
}

/// Supports a comment once; `false` when the account had already.
pub async fn support(tx: &mut Tx, comment_id: i64, account: i64) -> Result<bool, sqlx::Error> {
    let added = exec_tx!(
        tx,
        "insert into initiative_comment_support (comment_id, account_id) values ($1, $2)
         on conflict do nothing",
        comment_id,
        account
    )?;
    if added == 1 {
        exec_tx!(
            tx,
            "update initiative_comment set support_count = support_count + 1
             where comment_id = $1",
            comment_id
        )?;
    }
    Ok(added == 1)
}

/// Flags a comment once per account; `false` when the account had already.
pub async fn flag(
    tx: &mut Tx,
    comment_id: i64,
    account: i64,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let added = exec_tx!(
        tx,
        "insert into initiative_comment_flag (comment_id, account_id, reason, created_at)
         values ($1, $2, $3, $4) on conflict do nothing",
        comment_id,
        account,
        reason,
        now()
    )?;
    if added == 1 {
        exec_tx!(
            tx,
            "update initiative_comment set flag_count = flag_count + 1 where comment_id = $1",
            comment_id
        )?;
    }
    Ok(added == 1)
}

pub async fn set_pinned(tx: &mut Tx, comment_id: i64, pinned: bool) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative_comment set pinned = $2 where comment_id = $1",
        comment_id,
        pinned
    )
}

/// Hides or restores a comment with the moderator's reason.
pub async fn set_hidden(
    tx: &mut Tx,
    comment_id: i64,
    hidden: bool,
    reason: &str,
    moderator: i64,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative_comment set hidden = $2, hidden_reason = $3, moderator_id = $4
         where comment_id = $1",
        comment_id,
        hidden,
        reason,
        moderator
    )
}
