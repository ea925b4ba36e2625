//! SQL of suggestions: what a suggestion adds to its request (a title and
//! what it answers) and the moderated comments.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Conn, Db, Tx};
use crate::{exec_tx, fetch_db, on_conn};

#[derive(Debug, Clone, FromRow)]
pub struct SuggestionRow {
    pub appeal_id: i64,
    pub title: String,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    appeal_id: i64,
    title: &str,
    target: Option<(&str, i64)>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into suggestion (appeal_id, title, target_kind, target_id) values ($1, $2, $3, $4)",
        appeal_id,
        title,
        target.map(|t| t.0),
        target.map(|t| t.1)
    )
    .map(|_| ())
}

pub async fn suggestion(db: &Db, appeal_id: i64) -> Result<Option<SuggestionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        SuggestionRow,
        "select appeal_id, title, target_kind, target_id from suggestion where appeal_id = $1",
        appeal_id
    )
}

pub async fn suggestion_tx(
    tx: &mut Tx,
    appeal_id: i64,
) -> Result<Option<SuggestionRow>, sqlx::Error> {
    crate::fetch_tx!(
        tx,
        fetch_optional,
        SuggestionRow,
        "select appeal_id, title, target_kind, target_id from suggestion where appeal_id = $1",
        appeal_id
    )
}

/// The suggestions made for the request `id` of `kind`, on a held
/// connection (the report page's, `db::Conn`).
pub async fn for_target_on(
    c: &mut Conn,
    kind: &str,
    id: i64,
) -> Result<Vec<SuggestionRow>, sqlx::Error> {
    on_conn!(c, |conn| sqlx::query_as::<_, SuggestionRow>(
        "select appeal_id, title, target_kind, target_id from suggestion
         where target_kind = $1 and target_id = $2 order by appeal_id limit 100"
    )
    .bind(kind)
    .bind(id)
    .fetch_all(conn)
    .await)
}

/// Suggestions by request, for lists.
pub async fn all(db: &Db) -> Result<Vec<SuggestionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        SuggestionRow,
        "select appeal_id, title, target_kind, target_id from suggestion order by appeal_id desc"
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub comment_id: i64,
    pub appeal_id: i64,
    pub author_id: i64,
    /// Empty when the author hides their name (the account's setting).
    pub author_name: String,
    pub body: String,
    pub state: String,
    pub created_at: OffsetDateTime,
}

macro_rules! comment_columns {
    () => {
        "c.comment_id, c.appeal_id, c.author_id,
         case when a.hide_name then '' else a.display_name end as author_name, c.body, c.state,
         c.created_at
         from suggestion_comment c join account a on a.account_id = c.author_id"
    };
}

/// The comments that `$rest` (a where clause and an order) picks.
macro_rules! select_comments {
    ($db:expr, $rest:literal $(, $arg:expr)* $(,)?) => {
        fetch_db!(
            $db,
            fetch_all,
            CommentRow,
            concat!("select ", comment_columns!(), " ", $rest)
            $(, $arg)*
        )
    };
}

pub async fn add_comment(
    tx: &mut Tx,
    appeal_id: i64,
    author_id: i64,
    body: &str,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into suggestion_comment (appeal_id, author_id, body, state, created_at)
         values ($1, $2, $3, 'pending', $4)",
        appeal_id,
        author_id,
        body,
        crate::db::now()
    )
    .map(|_| ())
}

/// A suggestion's published comments, oldest first.
pub async fn published(db: &Db, appeal_id: i64) -> Result<Vec<CommentRow>, sqlx::Error> {
    select_comments!(
        db,
        "where c.appeal_id = $1 and c.state = 'published' order by c.comment_id",
        appeal_id
    )
}

/// Comments waiting for a moderator, oldest first.
pub async fn pending(db: &Db) -> Result<Vec<CommentRow>, sqlx::Error> {
    select_comments!(
        db,
        "where c.state = 'pending' order by c.comment_id limit 200"
    )
}

/// The author's own comments on a suggestion still waiting for a moderator.
pub async fn pending_of(
    db: &Db,
    appeal_id: i64,
    author_id: i64,
) -> Result<Vec<CommentRow>, sqlx::Error> {
    select_comments!(
        db,
        "where c.appeal_id = $1 and c.author_id = $2 and c.state = 'pending' order by c.comment_id",
        appeal_id,
        author_id
    )
}

pub async fn comment_exists(tx: &mut Tx, comment_id: i64) -> Result<bool, sqlx::Error> {
    crate::fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select comment_id from suggestion_comment where comment_id = $1",
        comment_id
    )
    .map(|r| r.is_some())
}

/// Publishes or rejects a pending comment; `false` when it is not pending
/// (another moderator decided first).
pub async fn moderate(
    tx: &mut Tx,
    comment_id: i64,
    state: &str,
    moderator_id: i64,
) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "update suggestion_comment set state = $2, moderator_id = $3, moderated_at = $4
         where comment_id = $1 and state = 'pending'",
        comment_id,
        state,
        moderator_id,
        crate::db::now()
    )
    .map(|n| n > 0)
}

/// The appeal ids of answered suggestions and service feedback, newest
/// answer first (the feed of official answers).
pub async fn answered(db: &Db, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = fetch_db!(
        db,
        fetch_all,
        (i64,),
        "select appeal_id from appeal
         where kind in ('suggestion', 'service_feedback') and reacted_at is not null
           and reaction_text is not null
         order by reacted_at desc, appeal_id desc limit $1",
        limit
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
