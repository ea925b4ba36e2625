//! The activity stream: what was done on the site, in public, and the
//! follows through which people see it in their personal feed
//! (docs/PARTICIPATION.md, "The social layer").
//!
//! A shared service, like `search::enqueue`: the transaction that changes
//! something records its activity here (`record`), naming the topics it
//! touches (`person:12`, `initiative:5`, `request:7`, `priority:3`,
//! `org:dep-roads`, `publication:9`, `album:4`). A person's feed is the
//! activity of the topics they follow, and of the requests they follow
//! through the request machinery (`appeal_follow`), newest first.
//!
//! Privacy is decided when the stream is read, not when it is written, so
//! that a person who makes their activity private again hides what is
//! already there: an activity with an actor shows only when the actor made
//! its category public (`profile.public_activity`), did not hide their
//! name on the item, or is the reader. Hiding a thing (moderation) hides
//! its activity everywhere (`hide`).

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Tx, now};
use crate::{exec_tx, fetch_db, fetch_tx};

/// What kind of a person's own activity a row is: the choices of the
/// profile, as bits of `profile.public_activity`. `Authored` is content
/// published as such (a publication, an album): public by nature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Authored,
    Reports,
    Supports,
    Suggestions,
    Initiatives,
    Comments,
}

impl Category {
    /// The categories a person chooses to show, in the profile's order.
    pub const CHOOSABLE: [Category; 5] = [
        Category::Reports,
        Category::Supports,
        Category::Suggestions,
        Category::Initiatives,
        Category::Comments,
    ];

    pub fn bit(self) -> i64 {
        match self {
            Category::Authored => 0,
            Category::Reports => 1,
            Category::Supports => 2,
            Category::Suggestions => 4,
            Category::Initiatives => 8,
            Category::Comments => 16,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Category::Authored => "authored",
            Category::Reports => "reports",
            Category::Supports => "supports",
            Category::Suggestions => "suggestions",
            Category::Initiatives => "initiatives",
            Category::Comments => "comments",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::CHOOSABLE.into_iter().find(|c| c.name() == s)
    }

    /// Every choosable bit.
    pub fn all_bits() -> i64 {
        Category::CHOOSABLE.iter().map(|c| c.bit()).sum()
    }
}

/// The kinds of topic a person may follow.
pub const FOLLOWABLE: [&str; 5] = ["person", "initiative", "priority", "request", "org"];

/// A topic's key: `kind:id`.
pub fn topic(kind: &str, id: impl std::fmt::Display) -> String {
    format!("{kind}:{id}")
}

/// An activity to record.
pub struct NewActivity<'a> {
    /// Who did it; `None` for an organisation acting in its role, or the
    /// site itself.
    pub actor: Option<i64>,
    /// The actor hid their name on this item.
    pub anonymous: bool,
    pub category: Category,
    /// The thing it is about (`publication:9`): hidden with it.
    pub subject: &'a str,
    /// The topics its followers follow, besides the actor (added here).
    pub topics: &'a [String],
    /// What happened, without the actor's name (the reader's page adds it
    /// when it may be shown).
    pub text: (&'a str, &'a str),
    pub link: &'a str,
}

impl<'a> NewActivity<'a> {
    /// What an organisation did in its role, or the site itself: no actor,
    /// under [`Category::Authored`].
    pub fn official(
        subject: &'a str,
        topics: &'a [String],
        text: (&'a str, &'a str),
        link: &'a str,
    ) -> NewActivity<'a> {
        NewActivity {
            actor: None,
            anonymous: false,
            category: Category::Authored,
            subject,
            topics,
            text,
            link,
        }
    }
}

/// Records an activity inside the caller's transaction.
pub async fn record(tx: &mut Tx, a: &NewActivity<'_>) -> Result<i64, sqlx::Error> {
    let (id,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into activity (actor_id, anonymous, category, subject, text_ru, text_en, link,
             created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning activity_id",
        a.actor,
        a.anonymous,
        a.category.bit(),
        a.subject,
        a.text.0,
        a.text.1,
        a.link,
        now()
    )?;
    let mut topics: Vec<String> = a.topics.to_vec();
    if let Some(actor) = a.actor
        && !a.anonymous
    {
        topics.push(topic("person", actor));
    }
    topics.sort();
    topics.dedup();
    for t in topics {
        exec_tx!(
            tx,
            "insert into activity_topic (topic, activity_id) values ($1, $2)
             on conflict do nothing",
            t,
            id
        )?;
    }
    Ok(id)
}

/// Hides (or shows again) every activity about `subject`.
pub async fn hide(tx: &mut Tx, subject: &str, hidden: bool) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "update activity set hidden = $2 where subject = $1",
        subject,
        hidden
    )
}

/// Takes back a person's activity of a category about `subject` (a
/// support withdrawn is no longer anybody's news).
pub async fn retract(
    tx: &mut Tx,
    actor: i64,
    subject: &str,
    category: Category,
) -> Result<u64, sqlx::Error> {
    exec_tx!(
        tx,
        "delete from activity where actor_id = $1 and subject = $2 and category = $3",
        actor,
        subject,
        category.bit()
    )
}

/// One row of a feed, as the reader may see it.
#[derive(Debug, Clone, FromRow)]
pub struct ActivityRow {
    pub activity_id: i64,
    pub actor_id: Option<i64>,
    /// Empty when the actor is not named (an organisation, a hidden name).
    pub actor_name: String,
    pub text_ru: String,
    pub text_en: String,
    pub link: String,
    pub created_at: OffsetDateTime,
}

/// The [`ActivityRow`]s that `$where` picks among those the reader (`$1`,
/// 0 when signed out) may see by the privacy rule.
macro_rules! visible_activity {
    ($db:expr, $where:literal $(, $arg:expr)* $(,)?) => {
        fetch_db!(
            $db,
            fetch_all,
            ActivityRow,
            concat!(
                "select a.activity_id, a.actor_id,
                 case when a.actor_id is null or a.anonymous or ac.hide_name then ''
                      else ac.display_name end as actor_name,
                 a.text_ru, a.text_en, a.link, a.created_at
             from activity a left join account ac on ac.account_id = a.actor_id
             left join profile p on p.account_id = a.actor_id
             where not a.hidden
               and (a.actor_id is null or a.category = 0 or a.actor_id = $1
                    or (not a.anonymous and (coalesce(p.public_activity, 0) & a.category) <> 0))
               and ",
                $where
            )
            $(, $arg)*
        )
    };
}

/// The personal feed of `account`: what the topics they follow did, newest
/// first, older than `before` (an activity id) when given.
///
/// Read in a window of ids that widens eightfold until it holds a page:
/// a reader who follows busy topics gets a page from the newest few
/// thousand activities (a few index ranges per topic), and one who follows
/// quiet topics pays for a wider search only then. A page over the whole
/// stream at once would gather every activity of every followed topic
/// first (110,000 rows for 500 follows on a site of a million).
pub async fn feed(
    db: &Db,
    account: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let top = match before {
        Some(b) => b,
        None => {
            let (max,): (i64,) = fetch_db!(
                db,
                fetch_one,
                (i64,),
                "select coalesce(max(activity_id), 0) from activity"
            )?;
            max + 1
        }
    };
    let mut width: i64 = 8192;
    loop {
        let low = top.saturating_sub(width);
        let rows = feed_window(db, account, low, top, limit).await?;
        if rows.len() as i64 >= limit || low <= 0 {
            return Ok(rows);
        }
        width = width.saturating_mul(8);
    }
}

/// The feed's rows with ids in `low..top`.
async fn feed_window(
    db: &Db,
    account: i64,
    low: i64,
    top: i64,
    limit: i64,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    visible_activity!(
        db,
        "a.activity_id in (
             select t.activity_id from activity_topic t
             where t.activity_id < $2 and t.activity_id >= $4
               and t.topic in (
                   select f.topic from follow f where f.account_id = $1
                   union all
                   select 'request:' || cast(af.appeal_id as text) from appeal_follow af
                   where af.account_id = $1))
         order by a.activity_id desc limit $3",
        account,
        top,
        limit,
        low
    )
}

/// What `actor` did that `reader` may see (their profile's activity).
pub async fn of_person(
    db: &Db,
    reader: Option<i64>,
    actor: i64,
    limit: i64,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    visible_activity!(
        db,
        "a.actor_id = $2 and not a.anonymous order by a.activity_id desc limit $3",
        reader.unwrap_or(0),
        actor,
        limit
    )
}

/// Follows a topic; `false` when it was followed already.
pub async fn follow(tx: &mut Tx, account: i64, topic: &str) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "insert into follow (account_id, topic, created_at) values ($1, $2, $3)
         on conflict do nothing",
        account,
        topic,
        now()
    )
    .map(|n| n == 1)
}

pub async fn unfollow(tx: &mut Tx, account: i64, topic: &str) -> Result<bool, sqlx::Error> {
    exec_tx!(
        tx,
        "delete from follow where account_id = $1 and topic = $2",
        account,
        topic
    )
    .map(|n| n == 1)
}

pub async fn follows(db: &Db, account: i64, topic: &str) -> Result<bool, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        (i64,),
        "select account_id from follow where account_id = $1 and topic = $2",
        account,
        topic
    )
    .map(|r| r.is_some())
}

/// The topics `account` follows, newest first.
pub async fn followed(db: &Db, account: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = fetch_db!(
        db,
        fetch_all,
        (String,),
        "select topic from follow where account_id = $1 order by created_at desc, topic limit 1000",
        account
    )?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many follow `topic`.
pub async fn followers(db: &Db, topic: &str) -> Result<i64, sqlx::Error> {
    fetch_db!(
        db,
        fetch_one,
        (i64,),
        "select count(*) from follow where topic = $1",
        topic
    )
    .map(|r| r.0)
}
