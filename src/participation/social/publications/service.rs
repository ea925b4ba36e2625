//! Who may publish what, and the two writes: publishing and commenting.
//! Each is one transaction with its activity, its search document and the
//! refresh of the open dataset; published at once and moderated after
//! (flags bring an item to the moderators' queue).

use axum::http::StatusCode;

use super::queries::{self, Insert};
use crate::activity::{self, Category, NewActivity, topic};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::error::{AppError, AppResult, Msg};
use crate::participation::social::moderation;
use crate::web::i18n::Locale;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;
pub const COMMENT_MAX: usize = 2_000;

/// What a publication is: an organisation's news or announcement, or a
/// citizen's post about their town.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    News,
    Announcement,
    Post,
}

crate::texts!(KindLabels {
    news: "Новость", "News";
    announcement: "Объявление", "Announcement";
    post: "Пост жителя", "A resident's post";
});

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::News, Kind::Announcement, Kind::Post];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Announcement => "announcement",
            Kind::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = KindLabels::get(l);
        match self {
            Kind::News => t.news,
            Kind::Announcement => t.announcement,
            Kind::Post => t.post,
        }
    }

    /// The label of a stored kind (the text itself if unknown).
    pub fn label_of(l: Locale, s: &str) -> &str {
        Kind::parse(s).map_or(s, |k| k.label(l))
    }
}

/// One way a person may publish: a kind, and the organisation it speaks
/// for (none for a citizen's post).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub kind: Kind,
    pub organisation: Option<String>,
}

impl Choice {
    /// The form's value: `post`, or `news:<organisation>`.
    pub fn value(&self) -> String {
        match &self.organisation {
            Some(org) => format!("{}:{org}", self.kind.as_str()),
            None => self.kind.as_str().to_owned(),
        }
    }

    /// Reads a form's value; `None` when it is not one at all.
    pub fn parse(value: &str) -> Option<Choice> {
        let (kind, org) = match value.split_once(':') {
            Some((k, o)) => (Kind::parse(k)?, Some(o.to_owned())),
            None => (Kind::parse(value)?, None),
        };
        // A post is nobody's official word; news are an organisation's.
        if (kind == Kind::Post) != org.is_none() || org.as_deref() == Some("") {
            return None;
        }
        Some(Choice {
            kind,
            organisation: org,
        })
    }
}

/// The one rule of who publishes what, which both the form (its choices)
/// and the service (its check) read: every signed-in person writes posts
/// about their town; an officer of an organisation also writes its news
/// and announcements.
pub fn may_publish(user: &CurrentUser) -> Vec<Choice> {
    let mut v = vec![Choice {
        kind: Kind::Post,
        organisation: None,
    }];
    for m in &user.memberships {
        if user.is_officer_of(&m.organisation_id) {
            for kind in [Kind::News, Kind::Announcement] {
                let c = Choice {
                    kind,
                    organisation: Some(m.organisation_id.clone()),
                };
                if !v.contains(&c) {
                    v.push(c);
                }
            }
        }
    }
    v
}

/// A publication as parsed from a form or written by the demo.
#[derive(Debug, Clone)]
pub struct Draft {
    pub choice: Choice,
    pub municipality: Option<String>,
    pub title: String,
    pub body: String,
}

fn refused() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        "may_not_publish",
        Msg::new(
            "Публиковать новости и объявления организации могут только её уполномоченные сотрудники.",
            "Only an organisation's officers may publish its news and announcements.",
        ),
    )
}

/// Publishes inside the caller's transaction (the demo writes through
/// this): the author's ban and right are checked here, whatever the form
/// offered.
pub async fn publish_in(tx: &mut Tx, author: &CurrentUser, d: &Draft) -> AppResult<i64> {
    moderation::may_post(tx, author.account_id).await?;
    if !may_publish(author).contains(&d.choice) {
        return Err(refused());
    }
    if d.choice.kind == Kind::Post && d.municipality.is_none() {
        return Err(AppError::unprocessable(
            "invalid_input",
            Msg::new(
                "Выберите муниципалитет, о котором пост.",
                "Choose the municipality the post is about.",
            ),
        ));
    }
    let id = queries::insert(
        tx,
        &Insert {
            author: author.account_id,
            organisation: d.choice.organisation.as_deref(),
            municipality: d.municipality.as_deref(),
            kind: d.choice.kind.as_str(),
            title: &d.title,
            body: &d.body,
        },
    )
    .await?;
    let mut topics = Vec::new();
    if let Some(org) = &d.choice.organisation {
        topics.push(topic("org", org));
    }
    if let Some(m) = &d.municipality {
        topics.push(topic("municipality", m));
    }
    let anonymous = queries::hides_name(tx, author.account_id).await?;
    let text = if d.choice.organisation.is_none() {
        (
            format!("опубликовал(а) «{}»", d.title),
            format!("published “{}”", d.title),
        )
    } else {
        (
            format!("Новая публикация: «{}»", d.title),
            format!("New publication: “{}”", d.title),
        )
    };
    activity::record(
        tx,
        &NewActivity {
            // An organisation's publication is the organisation's: the
            // officer who wrote it is not named (as on its page).
            actor: d.choice.organisation.is_none().then_some(author.account_id),
            anonymous,
            category: Category::Authored,
            subject: &format!("publication:{id}"),
            topics: &topics,
            text: (&text.0, &text.1),
            link: &format!("/publications/{id}"),
        },
    )
    .await?;
    crate::search::enqueue(tx, super::KIND, &id.to_string()).await?;
    crate::datasets::request_refresh(tx, super::DATASET).await?;
    Ok(id)
}

/// Publishes in a transaction of its own and wakes the search writer.
pub async fn publish(state: &AppState, author: &CurrentUser, d: &Draft) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    let id = publish_in(&mut tx, author, d).await?;
    tx.commit().await?;
    state.search.notify();
    Ok(id)
}

/// Checks a comment's text once: the reason when it is not one.
pub fn comment_text(body: &str) -> Result<String, Msg> {
    crate::workflow::input::clean_text(body, COMMENT_MAX, "комментарий", "comment", true)
}

/// Comments on a visible publication inside the caller's transaction.
pub async fn comment_in(tx: &mut Tx, author: &CurrentUser, id: i64, body: &str) -> AppResult<i64> {
    moderation::may_post(tx, author.account_id).await?;
    let body = comment_text(body).map_err(|m| AppError::unprocessable("invalid_input", m))?;
    let p = queries::publication_tx(tx, id)
        .await?
        .filter(|p| !p.hidden)
        .ok_or_else(AppError::not_found)?;
    let comment_id = queries::insert_comment(tx, id, author.account_id, &body).await?;
    let mut topics = vec![topic("publication", id)];
    if let Some(org) = &p.organisation_id {
        topics.push(topic("org", org));
    }
    let anonymous = queries::hides_name(tx, author.account_id).await?;
    activity::record(
        tx,
        &NewActivity {
            actor: Some(author.account_id),
            anonymous,
            category: Category::Comments,
            subject: &format!("comment:{comment_id}"),
            topics: &topics,
            text: (
                &format!("прокомментировал(а) «{}»", p.title),
                &format!("commented on “{}”", p.title),
            ),
            link: &format!("/publications/{id}#comment-{comment_id}"),
        },
    )
    .await?;
    // The dataset counts comments.
    crate::datasets::request_refresh(tx, super::DATASET).await?;
    Ok(comment_id)
}

/// Comments within the person's allowance, in a transaction of its own.
pub async fn comment(
    state: &AppState,
    author: &CurrentUser,
    id: i64,
    body: &str,
) -> AppResult<i64> {
    comment_text(body).map_err(|m| AppError::unprocessable("invalid_input", m))?;
    state.social_comments.check(author.account_id)?;
    let mut tx = state.db.begin().await?;
    let comment_id = comment_in(&mut tx, author, id, body).await?;
    tx.commit().await?;
    Ok(comment_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reads_back_what_it_writes_and_nothing_else() {
        for c in [
            Choice {
                kind: Kind::Post,
                organisation: None,
            },
            Choice {
                kind: Kind::News,
                organisation: Some("admin-sochi".into()),
            },
        ] {
            assert_eq!(Choice::parse(&c.value()), Some(c));
        }
        for bad in [
            "",
            "news",
            "post:admin-sochi",
            "news:",
            "blog:x",
            "announcement",
        ] {
            assert_eq!(Choice::parse(bad), None, "{bad}");
        }
    }
}
