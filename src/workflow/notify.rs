//! Telling people: every public change of a request reaches its followers
//! (the author, supporters, whoever follows it) in the site and by mail, in
//! their language; reminders and escalations reach the organisations.

use crate::app::AppState;
use crate::config::Config;
use crate::db::Tx;
use crate::integration::mail::{self, OutgoingMail};
use crate::web::i18n::Locale;
use crate::workflow::queries::{self, AppealRow, Follower};
use crate::workflow::{State, kind_of};

/// One line per event, in both languages.
pub fn event_text(kind: &str, a: &AppealRow) -> (String, String) {
    let state = State::parse(&a.state).unwrap_or(State::Submitted);
    let id = a.appeal_id;
    match kind {
        "published" => (
            format!("Обращение №{id} опубликовано и направлено в ведомство."),
            format!("Request #{id} was published and sent to the department."),
        ),
        "clarification_requested" => (
            format!("По обращению №{id} нужно уточнение: ответьте в течение 3 дней."),
            format!("Request #{id} needs a clarification: please answer within 3 days."),
        ),
        "clarification_answered" => (
            format!("Заявитель ответил на вопрос по обращению №{id}."),
            format!("The reporter answered the question on request #{id}."),
        ),
        "rejected" => (
            format!("Обращение №{id} отклонено."),
            format!("Request #{id} was rejected."),
        ),
        "accepted" => (
            format!("Обращение №{id} взято в работу."),
            format!("Request #{id} is being worked on."),
        ),
        "referred" => (
            format!("Обращение №{id} передано в другую организацию."),
            format!("Request #{id} was referred to another organisation."),
        ),
        "resolved" => (
            format!("По обращению №{id} дан ответ: решено."),
            format!("Request #{id} was answered: resolved."),
        ),
        "planned" => (
            format!("По обращению №{id} дан ответ: работы запланированы."),
            format!("Request #{id} was answered: work is planned."),
        ),
        "closed" => (
            format!("Обращение №{id} закрыто."),
            format!("Request #{id} was closed."),
        ),
        "disputed" => (
            format!("Заявитель оспорил решение по обращению №{id}; оно открыто повторно."),
            format!("The reporter disputed the resolution of request #{id}; it is open again."),
        ),
        "confirmed" => (
            format!("Заявитель подтвердил решение по обращению №{id}."),
            format!("The reporter confirmed the resolution of request #{id}."),
        ),
        "hidden" => (
            format!("Обращение №{id} скрыто модератором."),
            format!("Request #{id} was hidden by a moderator."),
        ),
        "unhidden" => (
            format!("Обращение №{id} снова видно."),
            format!("Request #{id} is visible again."),
        ),
        _ => (
            format!("Обращение №{id}: {}.", state.label(Locale::Ru)),
            format!("Request #{id}: {}.", state.label(Locale::En)),
        ),
    }
}

fn mail_for(
    f: &Follower,
    config: &Config,
    subject: (&str, &str),
    text: (&str, &str),
    link: &str,
) -> Option<OutgoingMail> {
    if !f.email_confirmed {
        return None;
    }
    let to = f.email.clone()?;
    let url = format!("{}{link}", config.base_url());
    Some(match Locale::parse(&f.locale).unwrap_or_default() {
        Locale::Ru => OutgoingMail {
            to,
            subject: subject.0.to_owned(),
            body: format!(
                "{}\n\n{url}\n\nОтписаться от уведомлений можно на странице обращения.\n",
                text.0
            ),
        },
        Locale::En => OutgoingMail {
            to,
            subject: subject.1.to_owned(),
            body: format!(
                "{}\n\n{url}\n\nYou can stop following the request on its page.\n",
                text.1
            ),
        },
    })
}

/// Notifies about an event: followers for public events, only the author
/// for private ones (a rejection, hiding). The actor is not told about
/// their own action.
pub async fn event(
    tx: &mut Tx,
    config: &Config,
    a: &AppealRow,
    kind: &str,
    note: &str,
    public: bool,
    actor: Option<i64>,
) -> Result<(), sqlx::Error> {
    let (mut ru, mut en) = event_text(kind, a);
    if !note.is_empty() {
        let excerpt: String = note.chars().take(300).collect();
        ru.push_str(&format!(" «{excerpt}»"));
        en.push_str(&format!(" “{excerpt}”"));
    }
    let link = kind_of(a).path(a.appeal_id);
    let recipients: Vec<Follower> = queries::followers(tx, a.appeal_id)
        .await?
        .into_iter()
        .filter(|f| Some(f.account_id) != actor)
        .filter(|f| public || f.account_id == a.author_id)
        .collect();
    let subject = (
        format!("Вече: обращение №{}", a.appeal_id),
        format!("Veche: request #{}", a.appeal_id),
    );
    for f in recipients {
        queries::insert_notification(tx, f.account_id, Some(a.appeal_id), &ru, &en, &link).await?;
        if let Some(m) = mail_for(&f, config, (&subject.0, &subject.1), (&ru, &en), &link) {
            mail::enqueue(tx, &m).await?;
        }
    }
    Ok(())
}

/// Tells the officers of an organisation (reminders, escalations).
pub async fn organisation(
    tx: &mut Tx,
    state: &AppState,
    organisation_id: &str,
    a: &AppealRow,
    text: (&str, &str),
) -> Result<usize, sqlx::Error> {
    let link = kind_of(a).path(a.appeal_id);
    let members = queries::members_of(tx, organisation_id).await?;
    let subject = (
        format!("Вече: срок ответа по обращению №{}", a.appeal_id),
        format!("Veche: deadline of request #{}", a.appeal_id),
    );
    for m in &members {
        queries::insert_notification(tx, m.account_id, Some(a.appeal_id), text.0, text.1, &link)
            .await?;
        if let Some(mail) = mail_for(m, &state.config, (&subject.0, &subject.1), text, &link) {
            mail::enqueue(tx, &mail).await?;
        }
    }
    Ok(members.len())
}
