//! The public pages of problem reports: the list with filters, the map, one
//! report with its timeline, and what each person can do on it: support,
//! follow, and the actions of the lifecycle for their role.

use axum::extract::{Multipart, State};
use axum::response::Response;
use maud::html;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::db::now;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::{FieldErrors, Select};
use crate::web::extract::{Path, Query};
use crate::web::layout::{Page, PageCtx};
use crate::workflow::page::{ReportQuery, act_on_page, request_page_with};
use crate::workflow::queries::{self, AppealFilter, AppealSort};
use crate::workflow::views::{self, Categories, IssueTexts, pager};

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<String>,
    /// The signed-in citizen's own reports, in every state.
    #[serde(default)]
    pub mine: String,
}

pub const PAGE_SIZE: i64 = 20;

impl ListQuery {
    /// The public filter this query asks for; unknown values are refused
    /// with a message rather than ignored.
    pub fn filter(&self, cats: &Categories) -> AppResult<AppealFilter> {
        let mut f = AppealFilter {
            kind: crate::issues::PROBLEM.as_str().to_owned(),
            public_only: true,
            limit: PAGE_SIZE,
            ..Default::default()
        };
        if !self.category.is_empty() {
            if !cats.0.contains_key(&self.category) {
                return Err(bad_filter("категория", "category"));
            }
            f.category_id = Some(self.category.clone());
        }
        if !self.municipality.is_empty() {
            if crate::geo::geography().by_id(&self.municipality).is_none() {
                return Err(bad_filter("муниципалитет", "municipality"));
            }
            f.municipality_id = Some(self.municipality.clone());
        }
        if !self.state.is_empty() {
            let s =
                views::public_state(&self.state).ok_or_else(|| bad_filter("состояние", "state"))?;
            f.state = Some(s.as_str().to_owned());
        }
        if matches!(self.overdue.as_str(), "on" | "1" | "true") {
            f.overdue_at = Some(now());
        }
        f.sort = match self.sort.as_str() {
            "" | "new" => AppealSort::Newest,
            "support" => AppealSort::Support,
            "due" => AppealSort::Due,
            _ => return Err(bad_filter("порядок", "order")),
        };
        let page = match self.page.as_deref() {
            None | Some("") => 1,
            Some(p) => p
                .parse::<i64>()
                .ok()
                .filter(|p| (1..=100_000).contains(p))
                .ok_or_else(|| bad_filter("страница", "page"))?,
        };
        f.offset = (page - 1) * PAGE_SIZE;
        Ok(f)
    }

    /// The query string without the page, for links.
    pub fn base(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("category", self.category.as_str()),
            ("municipality", self.municipality.as_str()),
            ("state", self.state.as_str()),
            ("overdue", self.overdue.as_str()),
            ("sort", self.sort.as_str()),
            ("mine", self.mine.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn bad_filter(ru: &str, en: &str) -> AppError {
    AppError::bad_request(
        "invalid_filter",
        Msg::new(
            format!("Неизвестное значение фильтра «{ru}». Выберите его из списка."),
            format!("Unknown value of the filter “{en}”. Choose one from the list."),
        ),
    )
}

/// `GET /problems`
pub async fn list(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let t = IssueTexts::get(ctx.locale);
    let l = ctx.locale;
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    let mut f = q.filter(&cats)?;
    if !q.mine.is_empty() {
        let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
        f.author_id = Some(user.account_id);
        f.public_only = false;
    }
    let total = queries::count_appeals(&db, &f).await?;
    let rows = queries::list_appeals(&db, &f).await?;
    let photos =
        queries::first_photos(&db, &rows.iter().map(|a| a.appeal_id).collect::<Vec<_>>()).await?;
    let at = now();
    let page = f.offset / PAGE_SIZE + 1;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let base = q.base();
    let feed_q = serde_urlencoded::to_string(
        [
            ("municipality", q.municipality.as_str()),
            ("category", q.category.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let feed_suffix = if feed_q.is_empty() {
        String::new()
    } else {
        format!("?{feed_q}")
    };
    let cat_options = cats.options(l);
    let mun_options = views::municipality_options(l);
    let state_options = views::state_options(l);
    let sort_options = vec![
        ("new".to_owned(), t.sort_new.to_owned()),
        ("support".to_owned(), t.sort_support.to_owned()),
        ("due".to_owned(), t.sort_due.to_owned()),
    ];
    let no_errors = FieldErrors::new();
    let map_href = if base.is_empty() {
        "/problems/map".to_owned()
    } else {
        format!("/problems/map?{base}")
    };
    Ok(Page::new(&ctx, t.title)
        .head(html! {
            link rel="alternate" type="application/atom+xml" title=(t.feed_new) href={ "/problems/feeds/new.atom" (feed_suffix) };
            link rel="alternate" type="application/rss+xml" title=(t.feed_resolved) href={ "/problems/feeds/resolved.rss" (feed_suffix) };
        })
        .render(html! {
            h1 { (t.title) }
            p.lead { (t.intro) }
            p.actions-row {
                a.button href="/problems/new" { (t.new_report) }
                " " a href=(map_href) { (t.map) }
                " · " a href="/problems/stats" { (t.stats) }
            }
            form.filters method="get" action="/problems" {
                (Select { name: "category", label: t.category, options: &cat_options, selected: &q.category, placeholder: Some(t.any_category), disabled: false }.render(l, &no_errors))
                (Select { name: "municipality", label: t.municipality, options: &mun_options, selected: &q.municipality, placeholder: Some(t.any_municipality), disabled: false }.render(l, &no_errors))
                (Select { name: "state", label: t.state, options: &state_options, selected: &q.state, placeholder: Some(t.any), disabled: false }.render(l, &no_errors))
                (Select { name: "sort", label: t.sort, options: &sort_options, selected: &q.sort, placeholder: None, disabled: false }.render(l, &no_errors))
                (crate::web::components::checkbox(l, &no_errors, "overdue", html! { (t.overdue_only) }, matches!(q.overdue.as_str(), "on" | "1" | "true")))
                div.actions { button.button type="submit" { (t.apply) } }
            }
            p role="status" { (t.found) ": " strong #found-count { (total) } }
            @if rows.is_empty() {
                p { (t.none) }
            } @else {
                ul.report-list {
                    @for a in &rows { (views::card(l, &cats, a, photos.get(&a.appeal_id), at)) }
                }
            }
            (pager(l, &format!("/problems?{base}"), page, pages))
            h2 { (t.feeds) }
            ul {
                li { (t.feed_new) ": " a href={ "/problems/feeds/new.rss" (feed_suffix) } { "RSS" } ", " a href={ "/problems/feeds/new.atom" (feed_suffix) } { "Atom" } }
                li { (t.feed_resolved) ": " a href={ "/problems/feeds/resolved.rss" (feed_suffix) } { "RSS" } ", " a href={ "/problems/feeds/resolved.atom" (feed_suffix) } { "Atom" } }
            }
        }))
}

/// `GET /problems/map`: clustered markers fed by the bounding-box GeoJSON.
pub async fn map_page(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let t = IssueTexts::get(ctx.locale);
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    q.filter(&cats)?;
    let base = q.base();
    let src = if base.is_empty() {
        "/api/v1/problems.geojson".to_owned()
    } else {
        format!("/api/v1/problems.geojson?{base}")
    };
    let list_href = if base.is_empty() {
        "/problems".to_owned()
    } else {
        format!("/problems?{base}")
    };
    Ok(Page::new(&ctx, t.map)
        .crumb(t.title, "/problems")
        .head(html! {
            link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet.markercluster/MarkerCluster.css"));
            link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet.markercluster/MarkerCluster.Default.css"));
        })
        .with_map()
        .script("vendor/leaflet.markercluster/leaflet.markercluster.js")
        .script("js/problems-map.js")
        .render(html! {
            h1 { (t.map) }
            p { (t.map_intro) " " a href=(list_href) { (t.list) } }
            div #problems-map .big-map role="region" aria-label=(t.map) data-src=(src) data-tiles=(ctx.tile_url) {
                p.map-fallback { (t.map_nojs) }
            }
            p #problems-map-status role="status" {}
        }))
}

/// `GET /problems/{id}`: the request page, with what other features add
/// to it (the suggestions made for the report).
pub async fn report(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    request_page_with(
        ctx,
        &state.db,
        crate::issues::PROBLEM,
        id,
        q,
        &state.request_sections,
        &state.request_pages,
    )
    .await
}

/// `POST /problems/{id}/action` (multipart; the CSRF token is its first field)
pub async fn action(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    act_on_page(
        ctx,
        user,
        state,
        crate::issues::PROBLEM,
        id,
        multipart,
        async |ctx, state, id| {
            (state.request_sections)
                .render_id(ctx, &state.db, crate::issues::PROBLEM, id)
                .await
        },
    )
    .await
}
