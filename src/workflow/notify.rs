//! Telling people: every public change of a request reaches its followers
//! (the author, supporters, whoever follows it) in the site and by mail, in
//! their language; reminders and escalations reach the organisations.

use crate::app::AppState;
use crate::config::Config;
use crate::db::Tx;
use crate::integration::mail::{self, OutgoingMail};
use crate::web::components::date;
use crate::web::i18n::Locale;
use crate::workflow::lifecycle::DISPUTE_DAYS;
use crate::workflow::queries::{self, AppealRow, Follower};
use crate::workflow::{State, kind_of};

/// The planned date of a request, as people read it in each language.
fn planned_on(a: &AppealRow) -> (String, String) {
    match a
        .planned_date
        .as_deref()
        .and_then(crate::web::i18n::parse_iso_date)
    {
        Some(d) => (date(Locale::Ru, d), date(Locale::En, d)),
        None => (
            "дату, указанную на странице".into(),
            "the date on its page".into(),
        ),
    }
}

/// The subject of a mail about an event: the event itself, so that a
/// mailbox shows what happened without opening it («Ответ на обращение
/// №12: запланировано на 20.12.2026»).
pub fn event_subject(kind: &str, a: &AppealRow, note: &str) -> (String, String) {
    let id = a.appeal_id;
    match kind {
        "resolved" if let Some(r) = &kind_of(a).spec().resolution => (r.subject)(id, note),
        "resolved" => (
            format!("Ответ на обращение №{id}: решено"),
            format!("Answer to request #{id}: resolved"),
        ),
        "planned" => {
            let (ru, en) = planned_on(a);
            (
                format!("Ответ на обращение №{id}: запланировано на {ru}"),
                format!("Answer to request #{id}: planned for {en}"),
            )
        }
        "closed" => (
            format!("Ответ на обращение №{id}: закрыто"),
            format!("Answer to request #{id}: closed"),
        ),
        "clarification_requested" => (
            format!("Обращение №{id}: нужно уточнение"),
            format!("Request #{id}: a clarification is needed"),
        ),
        "rejected" => (
            format!("Обращение №{id} отклонено"),
            format!("Request #{id} was rejected"),
        ),
        "accepted" => (
            format!("Обращение №{id} взято в работу"),
            format!("Request #{id} is being worked on"),
        ),
        "published" => (
            format!("Обращение №{id} опубликовано"),
            format!("Request #{id} was published"),
        ),
        "referred" => (
            format!("Обращение №{id} передано в другую организацию"),
            format!("Request #{id} was referred"),
        ),
        _ => (
            format!("Вече: обращение №{id}"),
            format!("Veche: request #{id}"),
        ),
    }
}

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
        "resolved" if let Some(r) = &kind_of(a).spec().resolution => (r.line)(id),
        "resolved" => (
            format!("По обращению №{id} дан ответ: решено."),
            format!("Request #{id} was answered: resolved."),
        ),
        "planned" => {
            let (ru, en) = planned_on(a);
            (
                format!("По обращению №{id} дан ответ: работы запланированы на {ru}."),
                format!("Request #{id} was answered: work is planned for {en}."),
            )
        }
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
    if !f.email_confirmed || !f.mail {
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
    let subject = event_subject(kind, a, note);
    for f in recipients {
        let (mut ru, mut en) = (ru.clone(), en.clone());
        if kind == "resolved" && f.account_id == a.author_id {
            // The author may confirm or dispute, for a limited time: say
            // until when.
            let until = (crate::db::now() + time::Duration::days(DISPUTE_DAYS))
                .to_offset(crate::workflow::sla::MSK)
                .date();
            ru.push_str(&format!(
                "\n\nЕсли проблема решена, подтвердите это на странице обращения. Если нет, оспорьте решение до {}.",
                date(Locale::Ru, until)
            ));
            en.push_str(&format!(
                "\n\nIf the problem is fixed, confirm it on the request's page. If not, dispute the resolution by {}.",
                date(Locale::En, until)
            ));
        }
        queries::insert_notification(tx, f.account_id, Some(a.appeal_id), &ru, &en, &link).await?;
        if let Some(m) = mail_for(&f, config, (&subject.0, &subject.1), (&ru, &en), &link) {
            mail::enqueue(tx, &m).await?;
        }
    }
    Ok(())
}

/// Tells one person, in the site and (unless they chose the site only) by
/// mail.
pub async fn person(
    tx: &mut Tx,
    config: &Config,
    account_id: i64,
    appeal_id: Option<i64>,
    subject: (&str, &str),
    text: (&str, &str),
    link: &str,
) -> Result<(), sqlx::Error> {
    let Some(p) = queries::person(tx, account_id).await? else {
        return Ok(());
    };
    queries::insert_notification(tx, account_id, appeal_id, text.0, text.1, link).await?;
    if let Some(m) = mail_for(&p, config, subject, text, link) {
        mail::enqueue(tx, &m).await?;
    }
    // A device the person subscribed hears that something is new (a
    // count, never the text: integration/push).
    crate::integration::push::enqueue(tx, account_id).await?;
    Ok(())
}

/// The receipt of a new request: its number, and what happens next.
pub async fn filed(
    tx: &mut Tx,
    config: &Config,
    a: &AppealRow,
    premoderation: bool,
) -> Result<(), sqlx::Error> {
    let id = a.appeal_id;
    let (next_ru, next_en) = if premoderation {
        (
            "Его проверит модератор, затем оно будет опубликовано и направлено в ведомство.",
            "A moderator will check it; then it is published and sent to the department.",
        )
    } else {
        (
            "Оно опубликовано и направлено в ведомство, которое должно ответить.",
            "It is published and sent to the department that must answer.",
        )
    };
    person(
        tx,
        config,
        a.author_id,
        Some(id),
        (
            &format!("Обращение №{id} принято"),
            &format!("Request #{id} received"),
        ),
        (
            &format!("Ваше обращение принято под номером {id}. {next_ru}"),
            &format!("Your request was received as number {id}. {next_en}"),
        ),
        &kind_of(a).path(id),
    )
    .await
}

/// A request reached an organisation (published, approved, referred,
/// reopened): its officers hear of it at once, whoever moved it excepted.
pub async fn routed(
    tx: &mut Tx,
    config: &Config,
    a: &AppealRow,
    actor: Option<i64>,
) -> Result<(), sqlx::Error> {
    let Some(org) = a.organisation_id.as_deref() else {
        return Ok(());
    };
    let id = a.appeal_id;
    let kind = kind_of(a);
    let excerpt: String = a.description.chars().take(200).collect();
    let ru = format!(
        "Обращение №{id} ({}) направлено в вашу организацию. {}: «{excerpt}»",
        kind.label(Locale::Ru),
        if a.address.is_empty() {
            "Текст"
        } else {
            a.address.as_str()
        }
    );
    let en = format!(
        "Request #{id} ({}) was sent to your organisation. {}: “{excerpt}”",
        kind.label(Locale::En),
        if a.address.is_empty() {
            "Text"
        } else {
            a.address.as_str()
        }
    );
    let subject = (
        format!("Новое обращение №{id} для вашей организации"),
        format!("New request #{id} for your organisation"),
    );
    for m in queries::members_of(tx, org).await? {
        if Some(m.account_id) == actor {
            continue;
        }
        queries::insert_notification(tx, m.account_id, Some(id), &ru, &en, &kind.path(id)).await?;
        if let Some(mail) = mail_for(
            &m,
            config,
            (&subject.0, &subject.1),
            (&ru, &en),
            &kind.path(id),
        ) {
            mail::enqueue(tx, &mail).await?;
        }
    }
    Ok(())
}

const REQUESTS: crate::web::i18n::Noun = crate::web::i18n::Noun::new(
    ["обращение", "обращения", "обращений"],
    ["request", "requests"],
);

/// The setting that remembers when moderators last heard of waiting
/// requests.
const DIGEST_AT: &str = "moderation_digest_at";

/// Moderators hear of requests waiting for them: one digest at most every
/// `VECHE_MODERATION_DIGEST_MINUTES`, and only when something came in since
/// the last one, not a mail per request. Returns whether one was sent.
pub async fn moderation_digest(state: &AppState) -> crate::error::AppResult<bool> {
    let every = time::Duration::minutes(state.config.mail.moderation_digest_minutes as i64);
    let now = crate::db::now();
    let last = queries::setting(&state.db, DIGEST_AT).await?.and_then(|v| {
        time::OffsetDateTime::parse(&v, &time::format_description::well_known::Rfc3339).ok()
    });
    if last.is_some_and(|l| now - l < every) {
        return Ok(false);
    }
    let mut tx = state.db.begin().await?;
    let since = last.unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (waiting, new) = queries::awaiting_moderation(&mut tx, since).await?;
    if new == 0 {
        return Ok(false);
    }
    let ru = format!(
        "Ждут модерации: {}; новых с прошлой сводки: {new}.",
        REQUESTS.count(Locale::Ru, waiting)
    );
    let en = format!(
        "Waiting for moderation: {}; new since the last digest: {new}.",
        REQUESTS.count(Locale::En, waiting)
    );
    let subject = (
        format!("Ждут модерации: {}", REQUESTS.count(Locale::Ru, waiting)),
        format!(
            "Waiting for moderation: {}",
            REQUESTS.count(Locale::En, waiting)
        ),
    );
    for m in queries::moderators(&mut tx).await? {
        queries::insert_notification(
            &mut tx,
            m.account_id,
            None,
            &ru,
            &en,
            "/moderation/problems",
        )
        .await?;
        if let Some(mail) = mail_for(
            &m,
            &state.config,
            (&subject.0, &subject.1),
            (&ru, &en),
            "/moderation/problems",
        ) {
            mail::enqueue(&mut tx, &mail).await?;
        }
    }
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    queries::set_setting(&mut tx, DIGEST_AT, &stamp).await?;
    tx.commit().await?;
    state.mailer.notify();
    Ok(true)
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
