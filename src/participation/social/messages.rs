//! Direct messages between signed-in people: a daily limit per sender
//! (`VECHE_MESSAGES_PER_DAY`, 3 as in Consul Democracy; moderators and
//! administrators are not limited, they write to people about their
//! posts), blocking (nobody writes to someone who blocked them), reporting
//! a received message to the moderators, and a notification by mail that
//! never carries the text.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use super::moderation::{self, Item};
use super::views::person_name;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::web::extract::{Form, Path};
use crate::web::layout::{Page, PageCtx};
use crate::{exec_tx, fetch_db, fetch_tx};

pub const BODY_MAX: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages", get(inbox))
        .route("/messages/{id}", get(conversation).post(send))
        .route("/people/{id}/block", post(block))
}

crate::texts!(T {
    title: "Сообщения", "Messages";
    with: "Переписка", "Conversation";
    none: "Сообщений пока нет. Написать можно со страницы профиля человека.", "No messages yet. Write from a person's profile page.";
    text: "Сообщение", "Message";
    send: "Отправить", "Send";
    you: "Вы", "You";
    unread: "непрочитанных", "unread";
    limit_hint: "В день можно отправить не больше", "You may send at most";
    per_day: "сообщений", "messages a day";
    blocked_you: "Этот человек не принимает ваши сообщения.", "This person does not accept your messages.";
    you_blocked: "Вы заблокировали этого человека: он не может вам писать.", "You blocked this person: they cannot write to you.";
    block: "Заблокировать", "Block";
    unblock: "Разблокировать", "Unblock";
    hidden: "Сообщение скрыто модератором.", "The message was hidden by a moderator.";
    sent: "Сообщение отправлено.", "The message is sent.";
});

#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub message_id: i64,
    pub sender_id: i64,
    pub recipient_id: i64,
    pub body: String,
    pub hidden: bool,
    pub reported: bool,
    pub created_at: OffsetDateTime,
}

const BLOCKED: &str =
    "select account_id from account_block where account_id = $1 and blocked_id = $2";

/// Whether `account` blocked `other`.
pub async fn blocked(db: &Db, account: i64, other: i64) -> Result<bool, sqlx::Error> {
    fetch_db!(db, fetch_optional, (i64,), BLOCKED, account, other).map(|r| r.is_some())
}

async fn blocked_tx(tx: &mut Tx, account: i64, other: i64) -> Result<bool, sqlx::Error> {
    fetch_tx!(tx, fetch_optional, (i64,), BLOCKED, account, other).map(|r| r.is_some())
}

/// The block button of a profile.
pub fn block_button(ctx: &PageCtx, other: i64, is_blocked: bool) -> Markup {
    let t = T::get(ctx.locale);
    html! {
        form.inline method="post" action=(format!("/people/{other}/block")) {
            (ctx.csrf_field())
            input type="hidden" name="block" value=(if is_blocked { "0" } else { "1" });
            button type="submit" { (if is_blocked { t.unblock } else { t.block }) }
        }
    }
}

/// Why `sender` may not write to `recipient` now; `None`: they may. The
/// page shows the form exactly when this is `None`, and `send` refuses
/// with the same answer.
async fn may_write(
    tx: &mut Tx,
    state: &AppState,
    sender: &CurrentUser,
    recipient: i64,
) -> AppResult<Option<AppError>> {
    if sender.account_id == recipient {
        return Ok(Some(AppError::unprocessable(
            "own_account",
            Msg::new(
                "Себе писать не нужно.",
                "There is no need to write to yourself.",
            ),
        )));
    }
    if crate::auth::queries::account_by_id_tx(tx, recipient)
        .await?
        .is_none_or(|a| a.disabled_at.is_some())
    {
        return Ok(Some(AppError::not_found()));
    }
    if blocked_tx(tx, recipient, sender.account_id).await? {
        let t = T::get(crate::web::i18n::Locale::Ru);
        let e = T::get(crate::web::i18n::Locale::En);
        return Ok(Some(AppError::client(
            StatusCode::FORBIDDEN,
            "blocked",
            Msg::new(t.blocked_you, e.blocked_you),
        )));
    }
    if let Err(e) = moderation::may_post(tx, sender.account_id).await {
        return Ok(Some(e));
    }
    if !sender.is_moderator() {
        let limit = i64::from(state.config.participation.messages_per_day);
        let (sent,): (i64,) = fetch_tx!(
            tx,
            fetch_one,
            (i64,),
            "select count(*) from direct_message where sender_id = $1 and created_at > $2",
            sender.account_id,
            now() - Duration::days(1)
        )?;
        if sent >= limit {
            return Ok(Some(AppError::client(
                StatusCode::TOO_MANY_REQUESTS,
                "message_limit",
                Msg::new(
                    format!(
                        "За сутки можно отправить не больше {limit} сообщений. Попробуйте завтра."
                    ),
                    format!("You may send at most {limit} messages in a day. Try again tomorrow."),
                ),
            )));
        }
    }
    Ok(None)
}

/// `GET /messages`: one line per person, the newest conversation first.
pub async fn inbox(ctx: PageCtx, user: CurrentUser, State(db): State<Db>) -> AppResult<Response> {
    let rows: Vec<(i64, String, i64, OffsetDateTime)> = fetch_db!(
        &db,
        fetch_all,
        (i64, String, i64, OffsetDateTime),
        "select o.account_id, case when o.hide_name then '' else o.display_name end,
             cast(sum(case when m.recipient_id = $1 and m.read_at is null and not m.hidden
                      then 1 else 0 end) as bigint),
             max(m.created_at)
         from direct_message m
         join account o on o.account_id = case when m.sender_id = $1 then m.recipient_id
                                               else m.sender_id end
         where m.sender_id = $1 or m.recipient_id = $1
         group by o.account_id, o.hide_name, o.display_name
         order by max(m.created_at) desc limit 200",
        user.account_id
    )?;
    let l = ctx.locale;
    let t = T::get(l);
    Ok(Page::new(&ctx, t.title).render(html! {
        h1 { (t.title) }
        @if rows.is_empty() { p { (t.none) } }
        ul.conversations {
            @for (other, name, unread, at) in &rows {
                li {
                    a href=(format!("/messages/{other}")) { (person_name(l, name)) }
                    @if *unread > 0 { " " strong { "(" (unread) " " (t.unread) ")" } }
                    " " (crate::web::components::datetime(l, *at))
                }
            }
        }
    }))
}

/// `GET /messages/{id}`: the conversation with one person; reading it
/// marks their messages read.
pub async fn conversation(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(other): Path<i64>,
) -> AppResult<Response> {
    conversation_page(&ctx, &state, &user, other, StatusCode::OK, None).await
}

async fn conversation_page(
    ctx: &PageCtx,
    state: &AppState,
    user: &CurrentUser,
    other: i64,
    status: StatusCode,
    error: Option<&Msg>,
) -> AppResult<Response> {
    let them = super::profiles::profile(&state.db, other)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut tx = state.db.begin().await?;
    let refusal = may_write(&mut tx, state, user, other).await?;
    exec_tx!(
        &mut tx,
        "update direct_message set read_at = $3
         where recipient_id = $1 and sender_id = $2 and read_at is null",
        user.account_id,
        other,
        now()
    )?;
    let mut msgs: Vec<MessageRow> = fetch_tx!(
        &mut tx,
        fetch_all,
        MessageRow,
        "select message_id, sender_id, recipient_id, body, hidden,
             reported_at is not null as reported, created_at
         from direct_message
         where (sender_id = $1 and recipient_id = $2) or (sender_id = $2 and recipient_id = $1)
         order by message_id desc limit 100",
        user.account_id,
        other
    )?;
    tx.commit().await?;
    msgs.reverse();
    let you_blocked = blocked(&state.db, user.account_id, other).await?;
    let l = ctx.locale;
    let t = T::get(l);
    let name = person_name(l, &them.shown_name);
    let sent = ctx.here.contains("sent=1");
    Ok(Page::new(ctx, format!("{}: {name}", t.with))
        .crumb(t.title, "/messages")
        .status(status)
        .render(html! {
            h1 { (t.with) ": " a href=(format!("/people/{other}")) { (name) } }
            @if sent { (crate::web::components::notice("success", html! { (t.sent) })) }
            @if let Some(e) = error {
                div.error-summary role="alert" { p { (e.get(l)) } }
            }
            @if you_blocked { p.notice { (t.you_blocked) } }
            ol.messages {
                @for m in &msgs {
                    li id=(format!("message-{}", m.message_id))
                        class=(if m.sender_id == user.account_id { "mine" } else { "theirs" }) {
                        strong { (if m.sender_id == user.account_id { t.you.to_owned() } else { name.clone() }) }
                        " " (crate::web::components::datetime(l, m.created_at))
                        @if m.hidden { p.hint { (t.hidden) } } @else {
                            @for para in m.body.split('\n') { p { (para) } }
                        }
                        @if m.recipient_id == user.account_id && !m.reported && !m.hidden {
                            (super::views::flag_form(ctx, Item::Message, m.message_id))
                        }
                    }
                }
            }
            @match &refusal {
                None => {
                    form method="post" action=(format!("/messages/{other}")) {
                        (ctx.csrf_field())
                        label for="body" { (t.text) }
                        textarea #body name="body" maxlength=(BODY_MAX) rows="4" required {}
                        @if !user.is_moderator() {
                            p.hint { (t.limit_hint) " " (state.config.participation.messages_per_day) " " (t.per_day) "." }
                        }
                        button type="submit" { (t.send) }
                    }
                }
                Some(e) => { p.notice #cannot-write { (e.message().get(l)) } }
            }
            (block_button(ctx, other, you_blocked))
        }))
}

#[derive(Debug, Default, Deserialize)]
pub struct SendForm {
    #[serde(default)]
    pub body: String,
}

/// Sends a message in one transaction with its notification; the mail
/// says who may read it where, never what it says.
pub async fn send_message(
    state: &AppState,
    sender: &CurrentUser,
    recipient: i64,
    body: &str,
) -> AppResult<i64> {
    let body = crate::workflow::input::clean_text(body, BODY_MAX, "сообщение", "message", true)
        .map_err(|m| AppError::unprocessable("invalid_input", m))?;
    let mut tx = state.db.begin().await?;
    let id = send_in(&mut tx, state, sender, recipient, &body).await?;
    tx.commit().await?;
    state.mailer.notify();
    // The text is the parties' own: only the id is logged.
    tracing::info!(message_id = id, "direct message sent");
    Ok(id)
}

/// [`send_message`] inside the caller's transaction, `body` already clean.
pub async fn send_in(
    tx: &mut Tx,
    state: &AppState,
    sender: &CurrentUser,
    recipient: i64,
    body: &str,
) -> AppResult<i64> {
    // One send at a time per sender, so that the daily count holds: a
    // no-op update takes the account row's lock on PostgreSQL (SQLite's
    // write transaction already serialises).
    exec_tx!(
        tx,
        "update account set updated_at = updated_at where account_id = $1",
        sender.account_id
    )?;
    if let Some(e) = may_write(tx, state, sender, recipient).await? {
        return Err(e);
    }
    let (id,): (i64,) = fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "insert into direct_message (sender_id, recipient_id, body, created_at)
         values ($1, $2, $3, $4) returning message_id",
        sender.account_id,
        recipient,
        body,
        now()
    )?;
    let link = format!("/messages/{}", sender.account_id);
    crate::workflow::notify::person(
        tx,
        &state.config,
        recipient,
        None,
        ("Новое личное сообщение", "A new direct message"),
        (
            "Вам пришло личное сообщение на портале «Вече». Прочитать его можно, войдя на сайт.",
            "You have a new direct message on the Veche portal. Sign in to read it.",
        ),
        &link,
    )
    .await?;
    Ok(id)
}

/// `POST /messages/{id}`
pub async fn send(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(other): Path<i64>,
    Form(f): Form<SendForm>,
) -> AppResult<Response> {
    match send_message(&state, &user, other, &f.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/messages/{other}?sent=1")).into_response()),
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::NOT_FOUND => {
            let status = e.status();
            conversation_page(&ctx, &state, &user, other, status, Some(&e.message())).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    pub block: String,
}

/// `POST /people/{id}/block` (block=1 blocks, anything else unblocks)
pub async fn block(
    user: CurrentUser,
    State(db): State<Db>,
    Path(other): Path<i64>,
    Form(f): Form<BlockForm>,
) -> AppResult<Response> {
    if other == user.account_id {
        return Err(AppError::unprocessable(
            "own_account",
            Msg::new("Себя заблокировать нельзя.", "You cannot block yourself."),
        ));
    }
    if super::profiles::profile(&db, other).await?.is_none() {
        return Err(AppError::not_found());
    }
    let mut tx = db.begin().await?;
    if f.block == "1" {
        exec_tx!(
            &mut tx,
            "insert into account_block (account_id, blocked_id, created_at) values ($1, $2, $3)
             on conflict do nothing",
            user.account_id,
            other,
            now()
        )?;
        // Nor do they see the blocker's activity through a follow.
        crate::activity::unfollow(
            &mut tx,
            other,
            &crate::activity::topic("person", user.account_id),
        )
        .await?;
    } else {
        exec_tx!(
            &mut tx,
            "delete from account_block where account_id = $1 and blocked_id = $2",
            user.account_id,
            other
        )?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{other}")).into_response())
}
