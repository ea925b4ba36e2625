//! SQL of the draft: versions of the text, annotations on passages and
//! amendments to paragraphs.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version_id: i64,
    pub initiative_id: i64,
    pub number: i64,
    pub body: String,
    pub changelog: String,
    pub created_at: OffsetDateTime,
}

impl VersionRow {
    /// The stored text, read back (it was stored in normal form, so it
    /// parses; an unreadable one shows as empty rather than failing a page).
    pub fn document(&self) -> super::text::Document {
        super::text::Document::parse(&self.body).unwrap_or(super::text::Document {
            articles: Vec::new(),
        })
    }
}

macro_rules! version_select {
    ($where:literal) => {
        concat!(
            "select version_id, initiative_id, number, body, changelog, created_at
             from initiative_version ",
            $where
        )
    };
}

pub async fn versions(db: &Db, id: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        VersionRow,
        version_select!("where initiative_id = $1 order by number"),
        id
    )
}

pub async fn latest_tx(tx: &mut Tx, id: i64) -> Result<Option<VersionRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        VersionRow,
        version_select!("where initiative_id = $1 order by number desc limit 1"),
        id
    )
}

pub async fn version_tx(tx: &mut Tx, version_id: i64) -> Result<Option<VersionRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        VersionRow,
        version_select!("where version_id = $1"),
        version_id
    )
}

/// Stores the next version; returns its id and number.
pub async fn add_version(
    tx: &mut Tx,
    id: i64,
    body: &str,
    changelog: &str,
    author: i64,
) -> Result<(i64, i64), sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64, i64),
        "insert into initiative_version (initiative_id, number, body, changelog, author_id,
             created_at)
         values ($1, (select coalesce(max(number), 0) + 1 from initiative_version
                      where initiative_id = $1), $2, $3, $4, $5)
         returning version_id, number",
        id,
        body,
        changelog,
        author,
        now()
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct AnnotationRow {
    pub annotation_id: i64,
    pub version_id: i64,
    pub version_number: i64,
    pub paragraph: String,
    pub quote: String,
    pub body: String,
    /// Empty when the author hides their name.
    pub author_name: String,
    pub created_at: OffsetDateTime,
}

pub async fn annotations(db: &Db, id: i64) -> Result<Vec<AnnotationRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AnnotationRow,
        "select n.annotation_id, n.version_id, v.number as version_number, n.paragraph, n.quote,
             n.body, case when a.hide_name then '' else a.display_name end as author_name,
             n.created_at
         from initiative_annotation n
         join initiative_version v on v.version_id = n.version_id
         join account a on a.account_id = n.author_id
         where n.initiative_id = $1 and not n.hidden
         order by n.annotation_id limit 5000",
        id
    )
}

pub struct NewAnnotation<'a> {
    pub version_id: i64,
    pub paragraph: &'a str,
    pub quote: &'a str,
    pub body: &'a str,
}

pub async fn annotate(
    tx: &mut Tx,
    id: i64,
    author: i64,
    n: &NewAnnotation<'_>,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into initiative_annotation (initiative_id, version_id, paragraph, quote, body,
             author_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning annotation_id",
        id,
        n.version_id,
        n.paragraph,
        n.quote,
        n.body,
        author,
        now()
    )
    .map(|r| r.0)
}

#[derive(Debug, Clone, FromRow)]
pub struct AmendmentRow {
    pub amendment_id: i64,
    pub initiative_id: i64,
    pub version_number: i64,
    pub paragraph: String,
    pub proposed: String,
    pub author_name: String,
    pub state: String,
    pub reason: String,
    pub applied_number: Option<i64>,
    pub created_at: OffsetDateTime,
}

macro_rules! amendment_select {
    ($where:literal) => {
        concat!(
            "select m.amendment_id, m.initiative_id, v.number as version_number, m.paragraph,
                 m.proposed, case when a.hide_name then '' else a.display_name end as author_name,
                 m.state, m.reason, w.number as applied_number, m.created_at
             from initiative_amendment m
             join initiative_version v on v.version_id = m.version_id
             left join initiative_version w on w.version_id = m.applied_in
             join account a on a.account_id = m.author_id ",
            $where
        )
    };
}

pub async fn amendments(db: &Db, id: i64) -> Result<Vec<AmendmentRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        AmendmentRow,
        amendment_select!("where m.initiative_id = $1 order by m.amendment_id limit 2000"),
        id
    )
}

pub async fn amendment_tx(
    tx: &mut Tx,
    amendment_id: i64,
) -> Result<Option<AmendmentRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_optional,
        AmendmentRow,
        amendment_select!("where m.amendment_id = $1"),
        amendment_id
    )
}

/// Accepted amendments not yet in a version: the next version applies them.
pub async fn accepted_pending(tx: &mut Tx, id: i64) -> Result<Vec<AmendmentRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        AmendmentRow,
        amendment_select!(
            "where m.initiative_id = $1 and m.state = 'accepted' and m.applied_in is null
             order by m.amendment_id"
        ),
        id
    )
}

pub async fn open_amendments(tx: &mut Tx, id: i64) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "select count(*) from initiative_amendment where initiative_id = $1 and state = 'open'",
        id
    )
    .map(|r| r.0)
}

pub async fn amend(
    tx: &mut Tx,
    id: i64,
    version_id: i64,
    paragraph: &str,
    proposed: &str,
    author: i64,
) -> Result<i64, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into initiative_amendment (initiative_id, version_id, paragraph, proposed,
             author_id, state, created_at)
         values ($1, $2, $3, $4, $5, 'open', $6) returning amendment_id",
        id,
        version_id,
        paragraph,
        proposed,
        author,
        now()
    )
    .map(|r| r.0)
}

/// Decides an open amendment; `false` when it was decided already.
pub async fn decide_amendment(
    tx: &mut Tx,
    amendment_id: i64,
    state: &str,
    reason: &str,
    by: i64,
) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative_amendment set state = $2, reason = $3, decided_by = $4,
             decided_at = $5
         where amendment_id = $1 and state = 'open'",
        amendment_id,
        state,
        reason,
        by,
        now()
    )
    .map(|n| n == 1)
}

pub async fn mark_applied(
    tx: &mut Tx,
    amendment_id: i64,
    version_id: i64,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update initiative_amendment set applied_in = $2 where amendment_id = $1",
        amendment_id,
        version_id
    )
}
