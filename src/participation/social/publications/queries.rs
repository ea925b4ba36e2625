//! The SQL of publications and their comments. Every list reads visible
//! publications only; a hidden one is read by id (`publication`) for the
//! moderators' view of its page.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

/// A publication with what its pages show: the organisation's names, and
/// the author's name (empty when the account hides it).
#[derive(Debug, Clone, FromRow)]
pub struct PublicationRow {
    pub publication_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub organisation_id: Option<String>,
    pub organisation_ru: Option<String>,
    pub organisation_en: Option<String>,
    pub municipality_id: Option<String>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub comment_count: i64,
    pub hidden: bool,
    pub hidden_reason: String,
    pub created_at: OffsetDateTime,
}

impl PublicationRow {
    /// The author as the public may see them: a citizen's post whose
    /// author shows their name (an official publication is the
    /// organisation's, whoever typed it).
    pub fn shown_author(&self) -> Option<(i64, &str)> {
        (self.organisation_id.is_none() && !self.author_name.is_empty())
            .then_some((self.author_id, self.author_name.as_str()))
    }

    pub fn organisation_name(&self, l: crate::web::i18n::Locale) -> Option<&str> {
        match (&self.organisation_ru, &self.organisation_en) {
            (Some(ru), Some(en)) => Some(l.pick(ru.as_str(), en.as_str())),
            _ => self.organisation_id.as_deref(),
        }
    }
}

macro_rules! select {
    ($($rest:tt)+) => {
        concat!(
            "select x.publication_id, x.author_id,
                 case when a.hide_name then '' else a.display_name end as author_name,
                 x.organisation_id, o.name_ru as organisation_ru, o.name_en as organisation_en,
                 x.municipality_id, x.kind, x.title, x.body, x.comment_count, x.hidden,
                 x.hidden_reason, x.created_at
             from publication x join account a on a.account_id = x.author_id
                 left join organisation o on o.organisation_id = x.organisation_id ",
            $($rest)+
        )
    };
}

/// The filters of lists, feeds and the API; an empty text or a zero
/// author is no filter. The author filter matches only posts whose author
/// is shown (`PublicationRow::shown_author`), so it never ties together
/// the posts of someone who hides their name.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub municipality: String,
    pub organisation: String,
    pub author: i64,
    pub kind: String,
}

/// The condition of [`Filter`] on `$1..$4`, visible publications only.
macro_rules! filtered {
    ($rest:literal) => {
        select!(concat!(
            "where not x.hidden
               and ($1 = '' or x.municipality_id = $1)
               and ($2 = '' or x.organisation_id = $2)
               and ($3 = 0 or (x.author_id = $3 and x.organisation_id is null
                               and not a.hide_name))
               and ($4 = '' or x.kind = $4) ",
            $rest
        ))
    };
}

/// One page of visible publications, newest first.
pub async fn list(
    db: &Db,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicationRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PublicationRow,
        filtered!("order by x.publication_id desc limit $5 offset $6"),
        &f.municipality,
        &f.organisation,
        f.author,
        &f.kind,
        limit,
        offset
    )
}

/// How many visible publications the filter matches.
pub async fn count(db: &Db, f: &Filter) -> Result<i64, sqlx::Error> {
    let (n,) = fetch_db!(
        db,
        fetch_one,
        (i64,),
        "select count(*) from publication x join account a on a.account_id = x.author_id
         where not x.hidden
           and ($1 = '' or x.municipality_id = $1)
           and ($2 = '' or x.organisation_id = $2)
           and ($3 = 0 or (x.author_id = $3 and x.organisation_id is null and not a.hide_name))
           and ($4 = '' or x.kind = $4)",
        &f.municipality,
        &f.organisation,
        f.author,
        &f.kind
    )?;
    Ok(n)
}

/// A publication, hidden or not.
pub async fn publication(db: &Db, id: i64) -> Result<Option<PublicationRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        PublicationRow,
        select!("where x.publication_id = $1"),
        id
    )
}

pub async fn publication_tx(tx: &mut Tx, id: i64) -> Result<Option<PublicationRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        PublicationRow,
        select!("where x.publication_id = $1"),
        id
    )
}

/// Every visible publication, for the open dataset (oldest first).
pub async fn all_visible(db: &Db) -> Result<Vec<PublicationRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        PublicationRow,
        select!("where not x.hidden order by x.publication_id")
    )
}

/// Every publication's id, for a rebuild of the search index.
pub async fn all_ids(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = fetch_db!(
        db,
        fetch_all,
        (i64,),
        "select publication_id from publication order by publication_id"
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// What is stored of a new publication.
pub struct Insert<'a> {
    pub author: i64,
    pub organisation: Option<&'a str>,
    pub municipality: Option<&'a str>,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

pub async fn insert(tx: &mut Tx, p: &Insert<'_>) -> Result<i64, sqlx::Error> {
    let (id,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into publication (author_id, organisation_id, municipality_id, kind, title, body,
             created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning publication_id",
        p.author,
        p.organisation,
        p.municipality,
        p.kind,
        p.title,
        p.body,
        now()
    )?;
    Ok(id)
}

/// Whether the account hides its name (the activity is then anonymous).
pub async fn hides_name(tx: &mut Tx, account: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(bool,)> = fetch_tx!(
        tx,
        fetch_optional,
        (bool,),
        "select hide_name from account where account_id = $1",
        account
    )?;
    Ok(row.is_some_and(|r| r.0))
}

/// A comment with its author's name (empty when hidden by the account).
#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub comment_id: i64,
    pub publication_id: i64,
    pub author_name: String,
    pub body: String,
    pub hidden: bool,
    pub hidden_reason: String,
    pub created_at: OffsetDateTime,
}

/// A publication's comments, oldest first (at most 1,000: a page is not
/// a forum's archive).
pub async fn comments(db: &Db, id: i64) -> Result<Vec<CommentRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        CommentRow,
        "select c.comment_id, c.publication_id,
             case when a.hide_name then '' else a.display_name end as author_name,
             c.body, c.hidden, c.hidden_reason, c.created_at
         from publication_comment c join account a on a.account_id = c.author_id
         where c.publication_id = $1 order by c.comment_id limit 1000",
        id
    )
}

pub async fn insert_comment(
    tx: &mut Tx,
    id: i64,
    author: i64,
    body: &str,
) -> Result<i64, sqlx::Error> {
    let (comment_id,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into publication_comment (publication_id, author_id, body, created_at)
         values ($1, $2, $3, $4) returning comment_id",
        id,
        author,
        body,
        now()
    )?;
    exec_tx!(
        tx,
        "update publication set comment_count = comment_count + 1 where publication_id = $1",
        id
    )?;
    Ok(comment_id)
}
