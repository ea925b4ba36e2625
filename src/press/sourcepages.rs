//! Handlers of the media and their feeds: the sources (with the new
//! source's form for the keeper), a source's card (its feeds, the forms
//! to edit it and add one), a feed's change, the feed health view with
//! "poll now", and the list of officials tracked.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::domain::SourceKind;
use super::fetch::Fetcher;
use super::queries::{self, FeedRow, SourceRow};
use super::service::{self, SourceInput};
use super::views::{self, PressTexts, feed_error, kind_label};
use crate::app::AppState;
use crate::auth::Core;
use crate::error::{AppError, AppResult};
use crate::web::components::{datetime, input};
use crate::web::extract::{Form, Path, optional_field, text_field};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

#[derive(Debug, Deserialize)]
pub struct SourceForm {
    name: String,
    kind: String,
    #[serde(default)]
    municipality_id: String,
    #[serde(default)]
    website: String,
}

fn parse_source(f: &SourceForm) -> AppResult<SourceInput> {
    let name = text_field(
        &f.name,
        200,
        "Укажите название (до 200 знаков).",
        "Give the name (up to 200 characters).",
    )?;
    let kind = SourceKind::parse(&f.kind).ok_or_else(|| {
        AppError::invalid("Вид СМИ не из списка.", "The kind is not one of the list.")
    })?;
    let website = optional_field(&f.website, 500)?;
    if !(website.is_empty() || website.starts_with("https://") || website.starts_with("http://")) {
        return Err(AppError::invalid(
            "Сайт должен начинаться с https:// или http://.",
            "The website must start with https:// or http://.",
        ));
    }
    let m = f.municipality_id.trim();
    Ok(SourceInput {
        name,
        kind,
        municipality_id: (!m.is_empty()).then(|| m.to_owned()),
        website,
    })
}

/// The fields of a source's form, filled with `s` when editing.
fn source_fields(l: Locale, s: Option<&SourceRow>) -> Markup {
    let t = PressTexts::get(l);
    let municipalities = crate::geo::geography().all();
    html! {
        div.field {
            label for="src-name" { (t.name) }
            input #src-name name="name" type="text" required maxlength="200" value=[s.map(|s| &s.name)];
        }
        div.field {
            label for="src-kind" { (t.kind) }
            select #src-kind name="kind" {
                @for k in SourceKind::ALL {
                    option value=(k.as_str()) selected[s.is_some_and(|s| s.kind == k.as_str())] { (kind_label(l, k.as_str())) }
                }
            }
        }
        div.field {
            label for="src-mun" { (t.municipality) }
            select #src-mun name="municipality_id" {
                option value="" { (t.none) }
                @for m in municipalities {
                    option value=(m.id) selected[s.is_some_and(|s| s.municipality_id.as_deref() == Some(m.id.as_str()))] { (m.name(l)) }
                }
            }
        }
        div.field {
            label for="src-web" { (t.website) }
            input #src-web name="website" type="url" maxlength="500" value=[s.map(|s| &s.website)];
        }
    }
}

/// `GET /pm/press/sources`
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let rights = service::rights(&state, &user);
    let sources = queries::sources(&state.db).await?;
    Ok(Page::new(&ctx, t.sources)
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (t.sources) }
            (views::nav(l))
            @if sources.is_empty() { p { (t.no_sources) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(t.sources) {
                    table #sources {
                        thead { tr {
                            th scope="col" { (t.name) } th scope="col" { (t.kind) } th scope="col" { (t.municipality) }
                            th scope="col" { (t.feeds) } th scope="col" { (t.stories) }
                        } }
                        tbody { @for s in &sources {
                            tr {
                                th scope="row" {
                                    a href={ "/pm/press/sources/" (s.source_id) } { (s.name) }
                                    @if s.demo { " " span.badge { (t.demo) } }
                                }
                                td { (kind_label(l, &s.kind)) }
                                td { (s.municipality_id.as_deref().and_then(|m| crate::geo::geography().by_id(m)).map(|m| m.name(l)).unwrap_or("—")) }
                                td.num { (s.feeds) } td.num { (s.stories) }
                            }
                        } }
                    }
                }
            }
            @if rights.keep {
                details.case-form { summary { (t.new_source) }
                    form method="post" action="/pm/press/sources" {
                        (ctx.csrf_field())
                        (source_fields(l, None))
                        (input("nf", "feed_url", t.feed_url, "url", false))
                        button.button type="submit" { (t.create) }
                    }
                }
            }
        }))
}

#[derive(Debug, Deserialize)]
pub struct NewSourceForm {
    #[serde(flatten)]
    source: SourceForm,
    #[serde(default)]
    feed_url: String,
}

/// `POST /pm/press/sources`: the source, and its first feed if given.
pub async fn create(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<NewSourceForm>,
) -> AppResult<Response> {
    let s = parse_source(&f.source)?;
    let feed = Some(f.feed_url.trim()).filter(|u| !u.is_empty());
    let id = service::create_source(&state, &user, &s, feed).await?;
    Ok(Redirect::to(&format!("/pm/press/sources/{id}")).into_response())
}

fn feed_state(l: Locale, f: &FeedRow) -> &'static str {
    let t = PressTexts::get(l);
    if f.demo {
        t.demo
    } else if !f.active {
        t.off
    } else if f.consecutive_errors > 0 {
        t.failing
    } else if f.last_polled_at.is_none() {
        t.never
    } else {
        t.ok
    }
}

fn when(l: Locale, t: Option<time::OffsetDateTime>) -> String {
    t.map_or_else(|| "—".to_owned(), |t| datetime(l, t))
}

/// The feeds' table: each feed's state, and its forms for the keeper.
fn feeds_table(ctx: &PageCtx, feeds: &[FeedRow], keep: bool, edit: bool) -> Markup {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(t.health) {
            table #feeds {
                thead { tr {
                    th scope="col" { (t.feed) } th scope="col" { (t.state) } th scope="col" { (t.last_success) }
                    th scope="col" { (t.last_new) } th scope="col" { (t.errors_in_row) } th scope="col" { (t.next_poll) }
                    th scope="col" { (t.last_status) } th scope="col" { (t.last_error) } th scope="col" { (t.found) }
                    @if keep { th scope="col" { span.visually-hidden { (t.poll_now) } } }
                } }
                tbody { @for f in feeds {
                    tr #{ "feed-" (f.feed_id) } data-feed=(f.feed_id) {
                        th scope="row" { (f.source_name) br; span.muted { (f.url) } }
                        td.state { (feed_state(l, f)) }
                        td { (when(l, f.last_success_at)) }
                        td { (when(l, f.last_new_item_at)) }
                        td.num.errors { (f.consecutive_errors) }
                        td.next { @if f.active && !f.demo { (datetime(l, f.next_poll_at)) } @else { "—" } }
                        td.num.status { @if let Some(s) = f.last_status { (s) } @else { "—" } }
                        td.error { @if let Some(e) = &f.last_error { (feed_error(l, e)) } }
                        td.num.found { (f.stories_found) }
                        @if keep { td {
                            @if !f.demo {
                                form.inline-form method="post" action={ "/pm/press/feeds/" (f.feed_id) "/poll" } {
                                    (ctx.csrf_field())
                                    button.button-secondary type="submit" { (t.poll_now) }
                                }
                            }
                            @if edit && !f.demo {
                                form method="post" action={ "/pm/press/feeds/" (f.feed_id) } {
                                    (ctx.csrf_field())
                                    div.field {
                                        label for={ "fu-" (f.feed_id) } { (t.feed_url) }
                                        input id={ "fu-" (f.feed_id) } name="url" type="url" required value=(f.url);
                                    }
                                    div.field {
                                        input id={ "fa-" (f.feed_id) } name="active" type="checkbox" value="1" checked[f.active];
                                        label for={ "fa-" (f.feed_id) } { (t.active) }
                                    }
                                    button.button type="submit" { (t.save) }
                                }
                            }
                        } }
                    }
                } }
            }
        }
    }
}

async fn source_of(state: &AppState, id: i64) -> AppResult<SourceRow> {
    queries::source(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// `GET /pm/press/sources/{id}`
pub async fn card(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let s = source_of(&state, id).await?;
    let keep = service::rights(&state, &user).keep;
    let feeds = queries::feeds(&state.db, id).await?;
    Ok(Page::new(&ctx, s.name.clone())
        .crumb(t.title, "/pm/press")
        .crumb(t.sources, "/pm/press/sources")
        .render(html! {
            h1 { (s.name) }
            (views::nav(l))
            @if s.demo { p.notice { (t.demo_note) } }
            dl.pm-summary {
                div { dt { (t.kind) } dd { (kind_label(l, &s.kind)) } }
                @if !s.website.is_empty() { div { dt { (t.website) } dd { a href=(s.website) rel="noopener noreferrer" { (s.website) } } } }
                div { dt { (t.stories) } dd { a href="/pm/press/stories" { (s.stories) } } }
            }
            h2 { (t.feeds) }
            (feeds_table(&ctx, &feeds, keep, true))
            @if keep && !s.demo {
                details.case-form { summary { (t.add_feed) }
                    form method="post" action={ "/pm/press/sources/" (id) "/feeds" } {
                        (ctx.csrf_field())
                        (input("af", "url", t.feed_url, "url", true))
                        button.button type="submit" { (t.create) }
                    }
                }
                details.case-form { summary { (t.edit_source) }
                    form method="post" action={ "/pm/press/sources/" (id) } {
                        (ctx.csrf_field())
                        (source_fields(l, Some(&s)))
                        button.button type="submit" { (t.save) }
                    }
                }
            }
        }))
}

/// `POST /pm/press/sources/{id}`
pub async fn update(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<SourceForm>,
) -> AppResult<Response> {
    let s = parse_source(&f)?;
    if source_of(&state, id).await?.demo {
        return Err(AppError::not_found());
    }
    service::update_source(&state, &user, id, &s).await?;
    Ok(Redirect::to(&format!("/pm/press/sources/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct FeedForm {
    url: String,
    #[serde(default)]
    active: String,
}

/// `POST /pm/press/sources/{id}/feeds`
pub async fn add_feed(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<FeedForm>,
) -> AppResult<Response> {
    if source_of(&state, id).await?.demo {
        return Err(AppError::not_found());
    }
    service::add_feed(&state, &user, id, &f.url).await?;
    Ok(Redirect::to(&format!("/pm/press/sources/{id}")).into_response())
}

async fn feed_of(state: &AppState, id: i64) -> AppResult<FeedRow> {
    queries::feed(&state.db, id)
        .await?
        .filter(|f| !f.demo)
        .ok_or_else(AppError::not_found)
}

/// `POST /pm/press/feeds/{id}`
pub async fn update_feed(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<FeedForm>,
) -> AppResult<Response> {
    let feed = feed_of(&state, id).await?;
    service::update_feed(&state, &user, id, &f.url, f.active == "1").await?;
    Ok(Redirect::to(&format!("/pm/press/sources/{}", feed.source_id)).into_response())
}

/// `POST /pm/press/feeds/{id}/poll`: the keeper polls a feed now (its
/// host's spacing still applies), then sees its state.
pub async fn poll_now(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    if !service::rights(&state, &user).keep {
        return Err(AppError::forbidden());
    }
    let feed = feed_of(&state, id).await?;
    // A fetch, a parse and a transaction of up to 200 stories.
    let _permit = state.gates.expensive.enter().await?;
    let ctx = super::poller::context(&state).await?;
    super::poller::poll(&state, &Fetcher::new(&state.config), &ctx, &feed).await?;
    Ok(Redirect::to(&format!("/pm/press/health#feed-{id}")).into_response())
}

/// `GET /pm/press/health`
pub async fn health(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let keep = service::rights(&state, &user).keep;
    let feeds = queries::feeds(&state.db, 0).await?;
    Ok(Page::new(&ctx, t.health)
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (t.health) }
            (views::nav(l))
            p.hint { (t.health_hint) }
            (feeds_table(&ctx, &feeds, keep, false))
        }))
}

/// `GET /pm/press/officials`
pub async fn officials(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let keep = service::rights(&state, &user).keep;
    let list = queries::officials(&state.db).await?;
    let orgs = crate::directory::queries::list(&state.db).await?;
    let org_name = |id: &str| {
        orgs.iter()
            .find(|o| o.organisation_id == id)
            .map_or(id.to_owned(), |o| l.pick(&o.name_ru, &o.name_en).to_owned())
    };
    Ok(Page::new(&ctx, t.officials)
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (t.officials) }
            (views::nav(l))
            p.hint { (t.officials_hint) }
            @if list.is_empty() { p { (t.no_officials) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(t.officials) {
                    table #officials {
                        thead { tr { th scope="col" { (t.official) } th scope="col" { (t.role) } th scope="col" { (t.organisation) } @if keep { th scope="col" { span.visually-hidden { (t.remove) } } } } }
                        tbody { @for o in &list {
                            tr {
                                th scope="row" { a href={ "/pm/press/entities/official:" (o.official_id) } { (o.name) } }
                                td { (o.role) }
                                td { @if let Some(org) = &o.organisation_id { (org_name(org)) } }
                                @if keep { td {
                                    form.inline-form method="post" action={ "/pm/press/officials/" (o.official_id) "/delete" } {
                                        (ctx.csrf_field())
                                        button.button-secondary type="submit" { (t.remove) }
                                    }
                                } }
                            }
                        } }
                    }
                }
            }
            @if keep {
                details.case-form { summary { (t.add_official) }
                    form method="post" action="/pm/press/officials" {
                        (ctx.csrf_field())
                        (input("of", "name", t.official, "text", true))
                        (input("of", "role", t.role, "text", false))
                        div.field {
                            label for="of-org" { (t.organisation) }
                            select #of-org name="organisation_id" data-filter {
                                option value="" { (t.none) }
                                @for o in &orgs { option value=(o.organisation_id) { (l.pick(&o.name_ru, &o.name_en)) } }
                            }
                        }
                        button.button type="submit" { (t.create) }
                    }
                }
            }
        }))
}

#[derive(Debug, Deserialize)]
pub struct OfficialForm {
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

/// `POST /pm/press/officials`
pub async fn add_official(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<OfficialForm>,
) -> AppResult<Response> {
    let name = text_field(
        &f.name,
        200,
        "Укажите имя (до 200 знаков).",
        "Give the name (up to 200 characters).",
    )?;
    let role = optional_field(&f.role, 300)?;
    let org = f.organisation_id.trim();
    service::add_official(
        &state,
        &user,
        &name,
        &role,
        (!org.is_empty()).then_some(org),
    )
    .await?;
    Ok(Redirect::to("/pm/press/officials").into_response())
}

/// `POST /pm/press/officials/{id}/delete`
pub async fn remove_official(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    service::remove_official(&state, &user, id).await?;
    Ok(Redirect::to("/pm/press/officials").into_response())
}
