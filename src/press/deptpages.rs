//! Handlers of the departments' pages: the departments with their
//! mentions of the week, and a department's page (its mentions, its saved
//! queries with their finds, the form to save one for its officers).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::attention;
use super::domain::Entity;
use super::entities;
use super::pages::{PageQuery, list_of, page_of};
use super::queries::{self, StoryFilter};
use super::service;
use super::views::{self, PressTexts};
use crate::app::AppState;
use crate::auth::Core;
use crate::error::{AppError, AppResult};
use crate::web::components::pager;
use crate::web::extract::{Form, Path, Query, text_field};
use crate::web::layout::{Page, PageCtx};

/// `GET /pm/press/departments`
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let entities = entities::load(&state).await?;
    let (_, rows) = attention::attention(&state.db, attention::today()).await?;
    let saved = queries::saved_queries(&state.db, "").await?;
    let departments: Vec<_> = entities
        .list
        .iter()
        .filter_map(|e| match &e.entity {
            Entity::Organisation(o) => Some((o.as_str(), e)),
            _ => None,
        })
        .collect();
    Ok(Page::new(&ctx, t.departments)
        .crumb(t.title, "/pm/press")
        .render(html! {
            h1 { (t.departments) }
            (views::nav(l))
            div.table-wrap tabindex="0" role="region" aria-label=(t.departments) {
                table #departments {
                    thead { tr { th scope="col" { (t.department) } th scope="col" { (t.week) } th scope="col" { (t.queries) } } }
                    tbody { @for (org, e) in &departments {
                        @let week = rows.iter().find(|r| r.key == e.key).map_or(0, |r| r.week);
                        tr {
                            th scope="row" {
                                a href={ "/pm/press/departments/" (org) } { (e.name(l)) }
                                @if user.is_officer_of(org) { " " span.badge { (t.my_department) } }
                            }
                            td.num { (week) }
                            td.num { (saved.iter().filter(|q| q.organisation_id == *org).count()) }
                        }
                    } }
                }
            }
        }))
}

/// `GET /pm/press/departments/{org}`
pub async fn card(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PressTexts::get(l);
    let page = page_of(q.page)?;
    let entities = entities::load(&state).await?;
    let key = Entity::Organisation(org.clone()).key();
    let info = entities.get(&key).ok_or_else(AppError::not_found)?;
    let allowed = service::for_department(&state, &user, &org);
    let saved = queries::saved_queries(&state.db, &org).await?;
    let mentioned = StoryFilter {
        entity: &key,
        ..Default::default()
    };
    let (mentions, more) = list_of(&state, l, &entities, &mentioned, page).await?;
    let found = StoryFilter {
        hits_of: &org,
        ..Default::default()
    };
    let (hits, _) = list_of(&state, l, &entities, &found, 1).await?;
    let base = format!("/pm/press/departments/{org}");
    let name = info.name(l).to_owned();
    Ok(Page::new(&ctx, name.clone())
        .crumb(t.title, "/pm/press")
        .crumb(t.departments, "/pm/press/departments")
        .render(html! {
            h1 { (name) }
            (views::nav(l))
            p { a href={ "/pm/press/entities/" (key) } { (t.chart_entity) " →" } }
            h2 { (t.queries) }
            p.hint { (t.query_hint) }
            @if saved.is_empty() { p { (t.no_queries) } } @else {
                ul #queries { @for s in &saved {
                    li data-query=(s.query_id) {
                        strong { (s.words) } " — " (t.hits) ": " span.hits { (s.hits) }
                        @if allowed {
                            form.inline-form method="post" action={ (base) "/queries/" (s.query_id) "/delete" } {
                                (ctx.csrf_field())
                                " " button.button-secondary type="submit" { (t.delete) }
                            }
                        }
                    }
                } }
            }
            @if allowed {
                form method="post" action={ (base) "/queries" } {
                    (ctx.csrf_field())
                    (crate::web::components::input("q", "words", t.query, "text", true))
                    button.button type="submit" { (t.save_query) }
                }
            }
            h2 { (t.query_hits) }
            div #query-hits { (hits) }
            h2 { (t.department_mentions) }
            div #department-mentions { (mentions) }
            (pager(l, &base, page, if more { page + 1 } else { page }))
        }))
}

#[derive(Debug, Deserialize)]
pub struct QueryForm {
    words: String,
}

async fn department(state: &AppState, org: &str) -> AppResult<()> {
    match crate::directory::queries::by_id(&state.db, org).await? {
        Some(o) if o.kind == "department" => Ok(()),
        _ => Err(AppError::not_found()),
    }
}

/// `POST /pm/press/departments/{org}/queries`
pub async fn save_query(
    Core(user): Core,
    State(state): State<AppState>,
    Path(org): Path<String>,
    Form(f): Form<QueryForm>,
) -> AppResult<Response> {
    if org.len() > 80 {
        return Err(AppError::not_found());
    }
    department(&state, &org).await?;
    let words = text_field(
        &f.words,
        300,
        "Укажите слова запроса (до 300 знаков).",
        "Give the query's words (up to 300 characters).",
    )?;
    service::save_query(&state, &user, &org, &words).await?;
    Ok(Redirect::to(&format!("/pm/press/departments/{org}")).into_response())
}

/// `POST /pm/press/departments/{org}/queries/{id}/delete`
pub async fn delete_query(
    Core(user): Core,
    State(state): State<AppState>,
    Path((org, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    if org.len() > 80 {
        return Err(AppError::not_found());
    }
    service::delete_query(&state, &user, &org, id).await?;
    Ok(Redirect::to(&format!("/pm/press/departments/{org}")).into_response())
}
