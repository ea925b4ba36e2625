//! Handlers of `/pm/press`: the overview (attention today, spikes, the
//! share of the most mentioned over a month, the latest stories), the
//! list of stories, a story's card (its appearances, its mentions with
//! their tone and the correction of it), an entity's page (its daily
//! mentions charted with the figures beside, its stories, the names it
//! is found by). Thin: extract, parse, one service call or load, render.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::attention::{self, Series};
use super::domain::{Entity, Tone};
use super::entities::{self, Entities};
use super::queries::{self, StoryFilter};
use super::service;
use super::views::{self, PressTexts, entity_link, tone_badge, tone_label};
use crate::app::AppState;
use crate::auth::Core;
use crate::error::{AppError, AppResult};
use crate::web::charts::{self, Series as Line};
use crate::web::components::{date, datetime, pager};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::{Locale, iso_date};
use crate::web::layout::{Page, PageCtx};

/// Stories on a page of a list.
const PAGE: i64 = 50;
/// The last page a list goes to.
const MAX_PAGE: i64 = 200;
/// Days the charts show.
const DAYS: i64 = 30;

pub(super) fn number(l: Locale, v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match l {
        Locale::Ru => s.replace('.', ","),
        Locale::En => s,
    }
}

pub(super) fn page_of(page: Option<i64>) -> AppResult<i64> {
    match page.unwrap_or(1) {
        p @ 1..=MAX_PAGE => Ok(p),
        _ => Err(AppError::invalid(
            "Такой страницы нет.",
            "There is no such page.",
        )),
    }
}

/// Stories with what they mention, as a list.
pub(super) async fn list_of(
    state: &AppState,
    l: Locale,
    entities: &Entities,
    filter: &StoryFilter<'_>,
    page: i64,
) -> AppResult<(Markup, bool)> {
    let stories = queries::stories(&state.db, filter, PAGE + 1, (page - 1) * PAGE).await?;
    let more = stories.len() as i64 > PAGE;
    let shown = &stories[..stories.len().min(PAGE as usize)];
    let ids: Vec<i64> = shown.iter().map(|s| s.story_id).collect();
    let mentions = queries::mentions_of(&state.db, &ids).await?;
    Ok((views::stories_list(l, shown, &mentions, entities), more))
}

/// An entity's series as a table beside its chart.
fn series_table(l: Locale, s: &Series, id: &str) -> Markup {
    let t = PressTexts::get(l);
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(t.chart_entity) {
            table id=(id) {
                thead { tr {
                    th scope="col" { (t.day) } th scope="col" { (t.total) } th scope="col" { (t.mentions) }
                    th scope="col" { (t.share) } th scope="col" { (t.mentions_avg) }
                } }
                tbody {
                    @for i in (0..s.days.len()).rev() {
                        tr data-day=(iso_date(s.days[i])) {
                            th scope="row" { (date(l, s.days[i])) }
                            td.num { (s.totals[i]) }
                            td.num.mentions { (s.counts[i]) }
                            td.num { (number(l, s.share[i], 1)) }
                            td.num { (number(l, s.count_avg[i], 1)) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /pm/press`
pub async fn overview(
    ctx: PageCtx,
    Core(_user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let today = attention::today();
    let entities = entities::load(&state).await?;
    let (total_today, rows) = attention::attention(&state.db, today).await?;
    let spikes = queries::spikes(&state.db, today - time::Duration::days(7)).await?;
    let mut top: Vec<&attention::Attention> = rows.iter().collect();
    top.sort_by(|a, b| b.week.cmp(&a.week).then(a.key.cmp(&b.key)));
    let mut lines = Vec::new();
    let mut labels = Vec::new();
    for a in top.iter().take(5) {
        let s = attention::series(&state.db, &a.key, today, DAYS).await?;
        labels = s.days.iter().map(|d| date(l, *d)).collect();
        lines.push(Line {
            name: entities.name(&a.key, l),
            values: s.share_avg.iter().map(|v| Some(*v)).collect(),
            emphasis: lines.is_empty(),
        });
    }
    let (latest, _) = list_of(&state, l, &entities, &StoryFilter::default(), 1).await?;
    Ok(Page::new(&ctx, t.title)
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (t.title) }
            (views::nav(l))
            p.lead { (t.lead) }
            p.hint { (t.heuristic_note) }
            @if !spikes.is_empty() {
                h2 { (t.spikes) }
                ul #spikes { @for (key, day, n) in &spikes {
                    li { (date(l, *day)) ": " (entity_link(l, &entities, key)) " — " (n) }
                } }
            }
            h2 #attention-title { (t.attention) }
            p.hint { (t.attention_hint) " " (t.stories_today) ": " span #stories-today { (total_today) } }
            @if rows.is_empty() { p { (t.no_mentions) } } @else {
                div.table-wrap tabindex="0" role="region" aria-labelledby="attention-title" {
                    table #attention {
                        thead { tr {
                            th scope="col" { (t.entity) } th scope="col" { (t.today) }
                            th scope="col" { (t.share) } th scope="col" { (t.week) } th scope="col" { (t.week_avg) }
                        } }
                        tbody {
                            @for a in rows.iter().take(30) {
                                tr data-entity=(a.key) {
                                    th scope="row" {
                                        (entity_link(l, &entities, &a.key))
                                        @if spikes.iter().any(|s| s.0 == a.key && s.1 == today) { " " span.badge.overdue { (t.spike) } }
                                    }
                                    td.num { (a.today) } td.num { (number(l, a.share_today, 1)) }
                                    td.num { (a.week) } td.num { (number(l, a.week_avg, 1)) }
                                }
                            }
                        }
                    }
                }
            }
            @if !lines.is_empty() {
                (charts::lines(t.chart_top, &labels, &lines, false))
            }
            h2 { (t.latest) }
            (latest)
            p { a href="/pm/press/stories" { (t.stories) " →" } }
        }))
}

#[derive(Debug, Deserialize, Default)]
pub struct StoriesQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    tone: String,
    page: Option<i64>,
}

/// `GET /pm/press/stories`
pub async fn stories(
    ctx: PageCtx,
    Core(_user): Core,
    State(state): State<AppState>,
    Query(q): Query<StoriesQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let page = page_of(q.page)?;
    if !q.entity.is_empty() && Entity::parse(&q.entity).is_none() {
        return Err(AppError::not_found());
    }
    let tone = match q.tone.as_str() {
        "" => "",
        s => Tone::parse(s).ok_or_else(AppError::not_found)?.as_str(),
    };
    let entities = entities::load(&state).await?;
    let filter = StoryFilter {
        entity: &q.entity,
        tone,
        ..Default::default()
    };
    let (list, more) = list_of(&state, l, &entities, &filter, page).await?;
    let base = format!("/pm/press/stories?entity={}&tone={tone}", q.entity);
    Ok(Page::new(&ctx, t.stories)
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (t.stories) }
            (views::nav(l))
            form.inline-form method="get" action="/pm/press/stories" {
                input type="hidden" name="entity" value=(q.entity);
                div.field {
                    label for="f-tone" { (t.tone) " (" (t.heuristic) ")" }
                    select #f-tone name="tone" {
                        option value="" { (t.all_tones) }
                        @for x in Tone::ALL { option value=(x.as_str()) selected[x.as_str() == tone] { (tone_label(l, x)) } }
                    }
                }
                button.button type="submit" { (t.filter) }
            }
            @if !q.entity.is_empty() { p { (t.entity) ": " (entity_link(l, &entities, &q.entity)) } }
            (list)
            (pager(l, &base, page, if more { page + 1 } else { page }))
        }))
}

/// `GET /pm/press/stories/{id}`
pub async fn story(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let s = queries::story(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let appearances = queries::appearances(&state.db, id).await?;
    let mentions = queries::mentions_of(&state.db, &[id]).await?;
    let entities = entities::load(&state).await?;
    Ok(Page::new(&ctx, s.title.clone())
        .crumb(t.title, "/pm/press")
        .crumb(t.stories, "/pm/press/stories")
        .render(html! {
            h1 { (s.title) }
            (views::nav(l))
            dl.pm-summary {
                div { dt { (t.published) } dd { (datetime(l, s.published_at)) } }
                div { dt { (t.source) } dd { (s.source_name) } }
                div { dt { (t.link) } dd { a href=(s.url) rel="noopener noreferrer nofollow" { (s.url) } } }
                div { dt { (t.tone) } dd #story-tone { (tone_badge(l, &s.tone, true)) } }
                @if !s.tone_hits.is_empty() { div { dt { (t.terms) } dd #tone-terms { (s.tone_hits) } } }
            }
            @if !s.snippet.is_empty() { blockquote.snippet { (s.snippet) } }
            p.hint { (t.snippet_note) " " (t.heuristic_note) }
            h2 #appearances-title { (t.appearances) ": " (appearances.len()) }
            div.table-wrap tabindex="0" role="region" aria-labelledby="appearances-title" {
                table #appearances {
                    thead { tr { th scope="col" { (t.source) } th scope="col" { (t.kind) } th scope="col" { (t.link) } th scope="col" { (t.seen) } } }
                    tbody { @for a in &appearances {
                        tr {
                            th scope="row" { (a.source_name) }
                            td { (views::kind_label(l, &a.kind)) }
                            td { a href=(a.url) rel="noopener noreferrer nofollow" { (a.url) } }
                            td { (datetime(l, a.seen_at)) }
                        }
                    } }
                }
            }
            h2 #mentions-title { (t.mentions) }
            @if mentions.is_empty() { p { (t.no_mentions) } } @else {
                div.table-wrap tabindex="0" role="region" aria-labelledby="mentions-title" {
                    table #mentions {
                        thead { tr { th scope="col" { (t.entity) } th scope="col" { (t.tone) } th scope="col" { (t.set_tone) } } }
                        tbody { @for m in &mentions {
                            @let (tone, heuristic) = views::mention_tone(m, &s);
                            @let allowed = Entity::parse(&m.entity).is_some_and(|e| service::may_set_tone(&state, &user, &e));
                            tr data-mention=(m.mention_id) {
                                th scope="row" { (entity_link(l, &entities, &m.entity)) }
                                td {
                                    (tone_badge(l, tone, heuristic))
                                    @if let (false, Some(by), Some(at)) = (heuristic, &m.override_by, m.override_at) {
                                        br; span.muted { (by) ", " (datetime(l, at)) }
                                    }
                                }
                                td { @if allowed {
                                    form.inline-form method="post" action={ "/pm/press/mentions/" (m.mention_id) "/tone" } {
                                        (ctx.csrf_field())
                                        label.visually-hidden for={ "tone-" (m.mention_id) } { (t.set_tone) }
                                        select id={ "tone-" (m.mention_id) } name="tone" {
                                            option value="" { (t.back_to_heuristic) }
                                            @for x in Tone::ALL { option value=(x.as_str()) selected[m.tone_override.as_deref() == Some(x.as_str())] { (tone_label(l, x)) } }
                                        }
                                        button.button type="submit" { (t.save) }
                                    }
                                } }
                            }
                        } }
                    }
                }
            }
        }))
}

#[derive(Debug, Deserialize)]
pub struct ToneForm {
    #[serde(default)]
    tone: String,
}

/// `POST /pm/press/mentions/{id}/tone`
pub async fn set_tone(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ToneForm>,
) -> AppResult<Response> {
    let tone = match f.tone.as_str() {
        "" => None,
        s => Some(Tone::parse(s).ok_or_else(|| {
            AppError::invalid(
                "Тональность не из списка.",
                "The tone is not one of the list.",
            )
        })?),
    };
    let story = service::set_tone(&state, &user, id, tone).await?;
    Ok(Redirect::to(&format!("/pm/press/stories/{story}")).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    pub(super) page: Option<i64>,
}

fn entity_of(key: &str, entities: &Entities) -> AppResult<Entity> {
    let e = Entity::parse(key).ok_or_else(AppError::not_found)?;
    if entities.get(key).is_none() {
        return Err(AppError::not_found());
    }
    Ok(e)
}

/// `GET /pm/press/entities/{key}`
pub async fn entity(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let page = page_of(q.page)?;
    let entities = entities::load(&state).await?;
    entity_of(&key, &entities)?;
    let info = entities.get(&key).ok_or_else(AppError::not_found)?;
    let rights = service::rights(&state, &user);
    let series = attention::series(&state.db, &key, attention::today(), DAYS).await?;
    let labels: Vec<String> = series.days.iter().map(|d| date(l, *d)).collect();
    let lines = [
        Line {
            name: t.mentions.to_owned(),
            values: series.counts.iter().map(|v| Some(*v as f64)).collect(),
            emphasis: false,
        },
        Line {
            name: t.mentions_avg.to_owned(),
            values: series.count_avg.iter().map(|v| Some(*v)).collect(),
            emphasis: true,
        },
    ];
    let filter = StoryFilter {
        entity: &key,
        ..Default::default()
    };
    let (list, more) = list_of(&state, l, &entities, &filter, page).await?;
    let aliases: Vec<queries::AliasRow> = queries::aliases(&state.db)
        .await?
        .into_iter()
        .filter(|a| a.entity == key)
        .collect();
    let name = info.name(l).to_owned();
    let base = format!("/pm/press/entities/{key}");
    Ok(Page::new(&ctx, name.clone())
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (name) }
            (views::nav(l))
            h2 { (t.chart_entity) }
            (charts::lines(t.chart_entity, &labels, &lines, false))
            (series_table(l, &series, "series"))
            h2 { (t.stories) }
            (list)
            (pager(l, &base, page, if more { page + 1 } else { page }))
            h2 { (t.names) }
            p.hint { (t.names_hint) }
            ul #names {
                @for p in &info.phrases { li { (p.join(" ")) } }
            }
            @if rights.keep {
                @for a in &aliases {
                    form.inline-form method="post" action={ (base) "/names/" (a.alias_id) "/delete" } {
                        (ctx.csrf_field())
                        span { (a.phrase) " " }
                        button.button-secondary type="submit" { (t.remove) }
                    }
                }
                form method="post" action={ (base) "/names" } {
                    (ctx.csrf_field())
                    (crate::web::components::input("al", "phrase", t.add_name, "text", true))
                    button.button type="submit" { (t.create) }
                }
            }
        }))
}

#[derive(Debug, Deserialize)]
pub struct AliasForm {
    phrase: String,
}

/// `POST /pm/press/entities/{key}/names`
pub async fn add_alias(
    Core(user): Core,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Form(f): Form<AliasForm>,
) -> AppResult<Response> {
    let entities = entities::load(&state).await?;
    let e = entity_of(&key, &entities)?;
    let phrase = crate::web::extract::text_field(
        &f.phrase,
        200,
        "Укажите название (до 200 знаков).",
        "Give the name (up to 200 characters).",
    )?;
    service::add_alias(&state, &user, &e, &phrase).await?;
    Ok(Redirect::to(&format!("/pm/press/entities/{key}")).into_response())
}

/// `POST /pm/press/entities/{key}/names/{id}/delete`
pub async fn remove_alias(
    Core(user): Core,
    State(state): State<AppState>,
    Path((key, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let e = Entity::parse(&key).ok_or_else(AppError::not_found)?;
    service::remove_alias(&state, &user, &e, id).await?;
    Ok(Redirect::to(&format!("/pm/press/entities/{key}")).into_response())
}
