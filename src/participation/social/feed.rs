//! Follows and the personal feed. A person follows people, initiatives,
//! priorities, requests and organisations (`POST /follow`); `/feed` shows
//! what they did, newest first, from the shared activity stream, with the
//! requests followed through the request machinery included. Mail about
//! followed requests keeps the notification preferences that already exist
//! (`/account/notifications`); the feed itself is read on the site.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::views::person_name;
use crate::activity::{self, ActivityRow};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::fetch_db;
use crate::web::extract::{Form, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

pub const PAGE: i64 = 30;
/// What one person may follow at once (the feed stays one page of index
/// ranges per topic).
pub const MAX_FOLLOWS: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feed", get(page))
        .route("/feed/following", get(following))
        .route("/follow", post(follow))
}

crate::texts!(T {
    title: "Моя лента", "My feed";
    lead: "Что сделали люди, инициативы, приоритеты, обращения и организации, на которые вы подписаны.", "What the people, initiatives, priorities, requests and organisations you follow did.";
    empty: "Пока пусто. Подпишитесь на человека, инициативу, приоритет, обращение или организацию.", "Nothing yet. Follow a person, an initiative, a priority, a request or an organisation.";
    older: "Раньше", "Older";
    following: "Подписки", "Following";
    follow_org: "Подписаться на организацию", "Follow an organisation";
    organisation: "Организация", "Organisation";
    prefs: "Уведомления по почте об обращениях настраиваются на странице уведомлений.", "Mail about requests is set on the notifications page.";
    prefs_link: "Уведомления", "Notifications";
    messages: "Сообщения", "Messages";
    my_profile: "Мой профиль", "My profile";
    person: "Человек", "Person";
    initiative: "Инициатива", "Initiative";
    priority: "Приоритет", "Priority";
    request: "Обращение", "Request";
});

/// A list of activity rows: who (when they may be named), what, when.
pub fn activity_list(l: Locale, rows: &[ActivityRow]) -> Markup {
    html! {
        ol.activity {
            @for r in rows {
                li {
                    @if let Some(actor) = r.actor_id {
                        @if r.actor_name.is_empty() {
                            (person_name(l, ""))
                        } @else {
                            a href=(format!("/people/{actor}")) { (r.actor_name) }
                        }
                        " "
                    }
                    a href=(r.link) { (l.pick(&r.text_ru, &r.text_en)) }
                    " "
                    time datetime=(r.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()) {
                        (crate::web::components::datetime(l, r.created_at))
                    }
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FeedQuery {
    #[serde(default)]
    pub before: Option<i64>,
}

/// `GET /feed`
pub async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = T::get(l);
    let rows = activity::feed(&db, user.account_id, q.before, PAGE).await?;
    let followed = activity::followed(&db, user.account_id).await?.len();
    let older = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| r.activity_id))
        .flatten();
    Ok(Page::new(&ctx, t.title).render(html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        p {
            a href=(format!("/people/{}", user.account_id)) { (t.my_profile) }
            " · " a href="/messages" { (t.messages) }
            " · " a href="/account/notifications" { (t.prefs_link) }
        }
        @if rows.is_empty() {
            p #feed-empty { (t.empty) }
        } @else {
            (activity_list(l, &rows))
        }
        @if let Some(before) = older {
            p { a href=(format!("/feed?before={before}")) { (t.older) } }
        }
        p { a href="/feed/following" { (t.following) " (" (followed) ")" } }
    }))
}

/// What a followed topic is.
fn kind_label(l: Locale, kind: &str) -> &'static str {
    let t = T::get(l);
    match kind {
        "person" => t.person,
        "initiative" => t.initiative,
        "priority" => t.priority,
        "request" => t.request,
        _ => t.organisation,
    }
}

/// Where a followed topic lives.
fn href(kind: &str, id: &str) -> String {
    match kind {
        "person" => format!("/people/{id}"),
        "initiative" => format!("/participation/lawmaking/{id}"),
        "priority" => format!("/participation/priorities/{id}"),
        // Requests followed here are problem reports (the others are
        // followed on their own pages, through the request machinery).
        "request" => format!("/problems/{id}"),
        "org" => format!("/organisations/{id}"),
        _ => "/feed".to_owned(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub id: String,
    /// "1" to follow, anything else to stop.
    #[serde(default)]
    pub follow: String,
    #[serde(default)]
    pub back: String,
}

/// Whether the topic exists and may be followed (public).
async fn exists(db: &Db, kind: &str, id: &str) -> AppResult<bool> {
    let n = |s: &str| s.parse::<i64>().ok();
    let found: Option<(i64,)> = match (kind, n(id)) {
        ("person", Some(i)) => fetch_db!(
            db,
            fetch_optional,
            (i64,),
            "select account_id from account where account_id = $1 and disabled_at is null",
            i
        )?,
        ("initiative", Some(i)) => fetch_db!(
            db,
            fetch_optional,
            (i64,),
            "select initiative_id from initiative where initiative_id = $1
               and stage <> 'moderation' and (outcome is null or outcome <> 'declined')",
            i
        )?,
        ("priority", Some(i)) => fetch_db!(
            db,
            fetch_optional,
            (i64,),
            "select priority_id from priority where priority_id = $1
               and state in ('published', 'frozen')",
            i
        )?,
        ("request", Some(i)) => fetch_db!(
            db,
            fetch_optional,
            (i64,),
            "select appeal_id from appeal where appeal_id = $1
               and state not in ('submitted', 'needs_clarification', 'rejected', 'hidden')",
            i
        )?,
        ("org", _) => {
            let o: Option<(String,)> = fetch_db!(
                db,
                fetch_optional,
                (String,),
                "select organisation_id from organisation where organisation_id = $1",
                id
            )?;
            o.map(|_| (0,))
        }
        _ => None,
    };
    Ok(found.is_some())
}

/// A local path to go back to (never another site).
pub fn back_to(back: &str, fallback: &str) -> String {
    // The path, not the query, is what a browser could take for another
    // host: no percent-escapes (`/%09/evil` loses its tab), no spaces,
    // control characters or backslashes, no `//`.
    let path = back.split(['?', '#']).next().unwrap_or("");
    let safe = back.starts_with('/')
        && !back.starts_with("//")
        && back.len() < 500
        && !path.contains('%')
        && !back
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
    if safe {
        back.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// `POST /follow` (kind, id, follow, back)
pub async fn follow(
    user: CurrentUser,
    State(db): State<Db>,
    Form(f): Form<FollowForm>,
) -> AppResult<Response> {
    if !activity::FOLLOWABLE.contains(&f.kind.as_str()) {
        return Err(AppError::unprocessable(
            "invalid_topic",
            Msg::new(
                "Подписаться можно на человека, инициативу, приоритет, обращение или организацию.",
                "You may follow a person, an initiative, a priority, a request or an organisation.",
            ),
        ));
    }
    // The id as it is stored: a number written once (`0005` is 5), or an
    // organisation's id as the directory has it.
    let id = if f.kind == "org" {
        f.id.trim().chars().take(100).collect::<String>()
    } else {
        match f.id.trim().parse::<i64>() {
            Ok(n) if n > 0 => n.to_string(),
            _ => return Err(AppError::not_found()),
        }
    };
    let id = id.as_str();
    let topic = activity::topic(&f.kind, id);
    let start = f.follow == "1";
    if start {
        if f.kind == "person" && id == user.account_id.to_string() {
            return Err(AppError::unprocessable(
                "own_profile",
                Msg::new(
                    "На себя подписываться не нужно.",
                    "There is no need to follow yourself.",
                ),
            ));
        }
        if !exists(&db, &f.kind, id).await? {
            return Err(AppError::not_found());
        }
        // Someone who blocked you is not followed by you either.
        if f.kind == "person"
            && let Ok(other) = id.parse::<i64>()
            && super::messages::blocked(&db, other, user.account_id).await?
        {
            return Err(AppError::client(
                axum::http::StatusCode::FORBIDDEN,
                "blocked",
                Msg::new(
                    "Этот человек вас заблокировал.",
                    "This person has blocked you.",
                ),
            ));
        }
        if activity::followed(&db, user.account_id).await?.len() >= MAX_FOLLOWS {
            return Err(AppError::unprocessable(
                "too_many_follows",
                Msg::new(
                    format!(
                        "Подписок может быть не больше {MAX_FOLLOWS}: отпишитесь от чего-нибудь."
                    ),
                    format!(
                        "You may follow at most {MAX_FOLLOWS} things: unfollow something first."
                    ),
                ),
            ));
        }
    }
    let mut tx = db.begin().await?;
    if start {
        activity::follow(&mut tx, user.account_id, &topic).await?;
    } else {
        activity::unfollow(&mut tx, user.account_id, &topic).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&back_to(&f.back, "/feed")).into_response())
}

/// `GET /feed/following`: what one follows, and a way to follow an
/// organisation.
pub async fn following(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = T::get(l);
    let followed = activity::followed(&db, user.account_id).await?;
    let orgs: Vec<(String, String, String)> = fetch_db!(
        &db,
        fetch_all,
        (String, String, String),
        "select organisation_id, name_ru, name_en from organisation order by name_ru limit 1000"
    )?;
    Ok(Page::new(&ctx, t.following)
        .crumb(t.title, "/feed")
        .render(html! {
            h1 { (t.following) }
            section #following {
                ul {
                    @for topic in &followed {
                        @if let Some((kind, id)) = topic.split_once(':') {
                            li {
                                a href=(href(kind, id)) { (kind_label(l, kind)) " " (id) }
                                " "
                                (super::views::follow_button(&ctx, kind, id, true))
                            }
                        }
                    }
                }
                form method="post" action="/follow" {
                    (ctx.csrf_field())
                    input type="hidden" name="kind" value="org";
                    input type="hidden" name="follow" value="1";
                    input type="hidden" name="back" value="/feed/following";
                    label for="follow-org" { (t.organisation) }
                    select #follow-org name="id" {
                        @for (id, ru, en) in &orgs { option value=(id) { (l.pick(ru, en)) } }
                    }
                    button type="submit" { (t.follow_org) }
                }
                p.hint { (t.prefs) }
            }
        }))
}
