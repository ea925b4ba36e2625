//! The pages of moderation (`moderation.rs` holds the rules): the
//! report-abuse form's target, the moderators' queue of the social layer,
//! an item's log with hide/restore, and bans on posting.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use super::moderation::{self, BAN_DAYS_MAX, Item};
use super::views::person_name;
use crate::app::AppState;
use crate::auth::{CurrentUser, Moderator};
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::web::extract::{Form, Path};
use crate::web::layout::{Page, PageCtx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/flag", post(flag))
        .route("/moderation/social", get(queue))
        .route("/moderation/social/{kind}/{id}", get(item).post(decide))
        .route("/moderation/bans", post(ban))
}

crate::texts!(T {
    queue: "Модерация: публикации, альбомы, сообщения", "Moderation: publications, albums, messages";
    lead: "Материалы, на которые пожаловались. Скрытый материал исчезает со всех страниц, из лент, поиска и открытых данных; автор получает причину.", "Items people reported. A hidden item disappears from every page, feed, the search and open data; its author is told the reason.";
    empty: "Жалоб нет.", "No reports.";
    kind: "Что", "What";
    author: "Автор", "Author";
    text: "Текст", "Text";
    flags: "Жалоб", "Reports";
    actions: "Решение", "Decision";
    reason: "Причина", "Reason";
    hide: "Скрыть", "Hide";
    restore: "Вернуть", "Restore";
    dismiss: "Жалоба необоснованна", "The report is unfounded";
    log: "Журнал модерации", "Moderation log";
    no_log: "Решений по этому материалу не было.", "No decisions on this item yet.";
    ban: "Запретить публиковать", "Ban from posting";
    days: "Дней", "Days";
    open: "Открыть", "Open";
    hidden_now: "Сейчас скрыто.", "Hidden now.";
    shown_now: "Сейчас показано.", "Shown now.";
    action_hide: "скрыто", "hidden";
    action_restore: "возвращено", "restored";
    action_ban: "запрет на публикации", "ban on posting";
    action_dismiss: "жалоба отклонена", "report dismissed";
});

#[derive(Debug, Default, Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub back: String,
}

fn unknown_item() -> AppError {
    AppError::unprocessable(
        "invalid_item",
        Msg::new(
            "Пожаловаться можно на публикацию, комментарий, альбом, фотографию или сообщение.",
            "You may report a publication, a comment, an album, a photo or a message.",
        ),
    )
}

/// `POST /flag` (item, id, reason, back)
pub async fn flag(
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<FlagForm>,
) -> AppResult<Response> {
    let item = Item::parse(&f.item).ok_or_else(unknown_item)?;
    moderation::flag(&state, &user, item, f.id, &f.reason).await?;
    let back = super::feed::back_to(&f.back, "/feed");
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}flagged=1")).into_response())
}

/// `GET /moderation/social`
pub async fn queue(
    ctx: PageCtx,
    Moderator(_): Moderator,
    State(db): State<Db>,
) -> AppResult<Response> {
    let rows = moderation::queue(&db).await?;
    let l = ctx.locale;
    let t = T::get(l);
    Ok(Page::new(&ctx, t.queue).render(html! {
        h1 { (t.queue) }
        p.lead { (t.lead) }
        @if rows.is_empty() { p #queue-empty { (t.empty) } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label=(t.queue) {
                table {
                    thead { tr {
                        th scope="col" { (t.kind) } th scope="col" { (t.text) }
                        th scope="col" { (t.author) } th scope="col" { (t.flags) }
                        th scope="col" { (t.actions) }
                    } }
                    tbody {
                        @for r in &rows {
                            @let item = Item::parse(&r.item_kind);
                            tr {
                                td { (item.map_or("", |i| i.label(l))) }
                                td {
                                    @if r.link.is_empty() { (r.excerpt) }
                                    @else { a href=(r.link) { (r.excerpt) } }
                                }
                                td { a href=(format!("/people/{}", r.author_id)) { (person_name(l, &r.author_name)) } }
                                td { (r.flag_count) }
                                td {
                                    a href=(format!("/moderation/social/{}/{}", r.item_kind, r.item_id)) { (t.open) }
                                    (decide_form(&ctx, &r.item_kind, r.item_id, Decision::Hide))
                                    (decide_form(&ctx, &r.item_kind, r.item_id, Decision::Dismiss))
                                }
                            }
                        }
                    }
                }
            }
        }
    }))
}

/// What a moderator may decide on an item.
#[derive(Clone, Copy)]
enum Decision {
    Hide,
    Restore,
    Dismiss,
}

fn decide_form(ctx: &PageCtx, kind: &str, id: i64, d: Decision) -> maud::Markup {
    let t = T::get(ctx.locale);
    let (action, label) = match d {
        Decision::Hide => ("hide", t.hide),
        Decision::Restore => ("restore", t.restore),
        Decision::Dismiss => ("dismiss", t.dismiss),
    };
    let field = format!("reason-{action}-{kind}-{id}");
    html! {
        form method="post" action=(format!("/moderation/social/{kind}/{id}")) {
            (ctx.csrf_field())
            input type="hidden" name="action" value=(action);
            label for=(field) { (t.reason) }
            input id=(field) name="reason" maxlength="500" required;
            button type="submit" { (label) }
        }
    }
}

/// `GET /moderation/social/{kind}/{id}`: the item's log, and the decision.
pub async fn item(
    ctx: PageCtx,
    Moderator(_): Moderator,
    State(db): State<Db>,
    Path((kind, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let item = Item::parse(&kind).ok_or_else(AppError::not_found)?;
    let (author, hidden) = moderation::state_of(&db, item, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let log = moderation::item_log(&db, item.as_str(), id).await?;
    let l = ctx.locale;
    let t = T::get(l);
    let title = format!("{} №{id}", item.label(l));
    Ok(Page::new(&ctx, &title)
        .crumb(t.queue, "/moderation/social")
        .render(html! {
            h1 { (title) }
            p { (if hidden { t.hidden_now } else { t.shown_now }) }
            (decide_form(&ctx, item.as_str(), id, if hidden { Decision::Restore } else { Decision::Hide }))
            @if !hidden { (decide_form(&ctx, item.as_str(), id, Decision::Dismiss)) }
            h2 { (t.log) }
            (log_list(l, &log))
            h2 { (t.ban) }
            form method="post" action="/moderation/bans" {
                (ctx.csrf_field())
                input type="hidden" name="account_id" value=(author);
                input type="hidden" name="back" value=(ctx.here);
                label for="ban-days" { (t.days) }
                input #ban-days type="number" name="days" min="1" max=(BAN_DAYS_MAX) value="7" required;
                label for="ban-reason" { (t.reason) }
                input #ban-reason name="reason" maxlength="500" required;
                button type="submit" { (t.ban) }
            }
        }))
}

/// An item's moderation log.
pub fn log_list(l: crate::web::i18n::Locale, log: &[moderation::LogRow]) -> maud::Markup {
    let t = T::get(l);
    html! {
        @if log.is_empty() { p { (t.no_log) } }
        ol.moderation-log {
            @for e in log {
                li {
                    (crate::web::components::datetime(l, e.created_at)) ": "
                    (match e.action.as_str() { "hide" => t.action_hide, "restore" => t.action_restore, "dismiss" => t.action_dismiss, _ => t.action_ban })
                    " (" (e.moderator_name) "). " (e.reason)
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /moderation/social/{kind}/{id}` (action = hide | restore, reason)
pub async fn decide(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, i64)>,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    let item = Item::parse(&kind).ok_or_else(AppError::not_found)?;
    match f.action.as_str() {
        "hide" => moderation::decide(&state, &user, item, id, true, &f.reason).await?,
        "restore" => moderation::decide(&state, &user, item, id, false, &f.reason).await?,
        "dismiss" => moderation::dismiss(&state, &user, item, id, &f.reason).await?,
        _ => {
            return Err(AppError::unprocessable(
                "invalid_decision",
                Msg::new(
                    "Решение: hide, restore или dismiss.",
                    "The decision is hide, restore or dismiss.",
                ),
            ));
        }
    }
    Ok(Redirect::to(&format!("/moderation/social/{kind}/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct BanForm {
    #[serde(default)]
    pub account_id: i64,
    #[serde(default)]
    pub days: i64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub back: String,
}

/// `POST /moderation/bans` (account_id, days, reason, back)
pub async fn ban(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Form(f): Form<BanForm>,
) -> AppResult<Response> {
    moderation::ban(&state, &user, f.account_id, f.days, &f.reason).await?;
    Ok(Redirect::to(&super::feed::back_to(&f.back, "/moderation/social")).into_response())
}
