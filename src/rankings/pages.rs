//! Handlers of `/pm/rankings`: the list of rankings with the region's
//! place and change, a ranking's card (an edition's table with the
//! region's row highlighted, the peers' chart, the editions), a new
//! ranking, an edition's import. Thin: extract, parse, one service call
//! or load, render.

use std::collections::BTreeMap;

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::data;
use super::domain::{Better, Change};
use super::import;
use super::queries::{self, EditionRow, NewRanking, RankingRow, ResultRow};
use super::service;
use super::views::{self, RankingTexts, periodicity_label};
use crate::app::AppState;
use crate::auth::Core;
use crate::error::{AppError, AppResult, Msg};
use crate::web::charts::{self, Series};
use crate::web::components::{input, select};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::{Locale, parse_iso_date};
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table};

pub(super) use crate::web::extract::{optional_field as optional, text_field as text};

/// A link to a publication or a methodology: http(s) only, so a page
/// never carries a `javascript:` link.
pub(super) fn link(s: &str) -> AppResult<String> {
    let s = optional(s, 500)?;
    if s.is_empty() || s.starts_with("https://") || s.starts_with("http://") {
        Ok(s)
    } else {
        Err(AppError::invalid(
            "Ссылка должна начинаться с https:// или http://.",
            "A link must start with https:// or http://.",
        ))
    }
}

fn better(r: &RankingRow) -> Better {
    if r.lower_is_better {
        Better::LowerPlace
    } else {
        Better::HigherPlace
    }
}

fn region_name(l: Locale, code: &str) -> String {
    data::region(code).map_or_else(|| code.to_owned(), |r| r.name(l).to_owned())
}

/// Each region's place by edition.
fn places(results: &[ResultRow]) -> BTreeMap<(i64, &str), i64> {
    results
        .iter()
        .map(|r| ((r.edition_id, r.region.as_str()), r.place))
        .collect()
}

fn change_of(
    r: &RankingRow,
    places: &BTreeMap<(i64, &str), i64>,
    previous: Option<&EditionRow>,
    now: i64,
    region: &str,
) -> Change {
    let before = previous
        .and_then(|p| places.get(&(p.edition_id, region)))
        .and_then(|p| u32::try_from(*p).ok());
    Change::between(before, u32::try_from(now).unwrap_or(0), better(r))
}

/// `GET /pm/rankings`
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = RankingTexts::get(l);
    let home = service::home_region(&state)?;
    let rights = service::rights(&state, &user, None);
    let rankings = queries::rankings(&state.db).await?;
    let editions = queries::editions(&state.db, 0).await?;
    let ours = queries::results(&state.db, 0, &format!(",{},", home.code)).await?;
    let places = places(&ours);
    let periodicities = ["year", "half", "quarter", "month"]
        .iter()
        .map(|p| ((*p).to_owned(), periodicity_label(l, p).to_owned()))
        .collect::<Vec<_>>();
    Ok(Page::new(&ctx, t.rankings)
        .crumb(t.title, "/pm/rankings")
        .render(html! {
            h1 { (t.rankings) }
            (views::nav(l))
            @if rankings.is_empty() { p { (t.no_rankings) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(t.rankings) {
                    table #rankings {
                        thead { tr {
                            th scope="col" { (t.ranking) } th scope="col" { (t.publisher) }
                            th scope="col" { (t.latest) } th scope="col" { (t.place) " (" (home.name(l)) ")" }
                            th scope="col" { (t.change) } th scope="col" { (t.group) }
                        } }
                        tbody {
                            @for r in &rankings {
                                @let eds: Vec<&EditionRow> = editions.iter().filter(|e| e.ranking_id == r.ranking_id).collect();
                                @let last = eds.last();
                                @let place = last.and_then(|e| places.get(&(e.edition_id, home.code.as_str())));
                                @let grp = last.and_then(|e| ours.iter().find(|x| x.edition_id == e.edition_id)).map(|x| x.grp.clone()).unwrap_or_default();
                                tr {
                                    td { a href={ "/pm/rankings/" (r.code) } { (l.pick(&r.name_ru, &r.name_en)) } }
                                    td { (r.publisher) }
                                    td { @if let Some(e) = last { (e.period) } @else { "—" } }
                                    td.num { @if let Some(p) = place { (p) " / " (r.entities) } @else { "—" } }
                                    td { @if let Some(p) = place {
                                        (views::change(l, change_of(r, &places, eds.len().checked_sub(2).map(|i| eds[i]), *p, &home.code)))
                                    } }
                                    td { (grp) }
                                }
                            }
                        }
                    }
                }
            }
            @if rights.keep {
                details.case-form { summary { (t.new_ranking) }
                    form method="post" action="/pm/rankings" {
                        div.field {
                            label for="rk-code" { (t.code) }
                            input #rk-code name="code" type="text" required pattern="[a-z0-9-]{2,40}" aria-describedby="rk-code-hint";
                            p.hint #rk-code-hint { (t.code_hint) }
                        }
                        (input("rk", "name_ru", t.name_ru, "text", true))
                        (input("rk", "name_en", t.name_en, "text", true))
                        (input("rk", "publisher", t.publisher, "text", true))
                        (input("rk", "methodology_url", t.methodology, "url", false))
                        (select("rk", "periodicity", t.periodicity, &periodicities, None))
                        (input("rk", "entities", t.entities, "number", true))
                        (select("rk", "lower_is_better", t.order_word, &[("1".into(), t.lower_better.into()), ("0".into(), t.higher_better.into())], None))
                        (input("rk", "groups", t.groups, "text", false))
                        button.button type="submit" { (t.create) }
                    }
                }
            }
        }))
}

#[derive(Debug, Deserialize)]
pub struct RankingForm {
    code: String,
    name_ru: String,
    name_en: String,
    publisher: String,
    #[serde(default)]
    methodology_url: String,
    periodicity: String,
    entities: String,
    lower_is_better: String,
    #[serde(default)]
    groups: String,
}

/// The groups as stored: upper-case, trimmed, comma-separated, no empty
/// ones, at most 26.
fn groups(s: &str) -> AppResult<String> {
    let gs: Vec<String> = s
        .split(',')
        .map(|g| g.trim().to_uppercase())
        .filter(|g| !g.is_empty())
        .collect();
    if gs.len() > 26 || gs.iter().any(|g| g.chars().count() > 10) {
        return Err(AppError::invalid(
            "Не больше 26 групп по 10 знаков.",
            "At most 26 groups of 10 characters.",
        ));
    }
    Ok(gs.join(","))
}

/// `POST /pm/rankings`
pub async fn create(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<RankingForm>,
) -> AppResult<Response> {
    let code = crate::web::extract::code_field(&f.code)?;
    if !matches!(
        f.periodicity.as_str(),
        "year" | "half" | "quarter" | "month"
    ) {
        return Err(AppError::invalid(
            "Периодичность не из списка.",
            "The periodicity is not one of the list.",
        ));
    }
    let entities = f
        .entities
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| {
            AppError::invalid(
                "Число участников: от 1 до 100 000.",
                "Entities ranked: 1 to 100,000.",
            )
        })?;
    let (name_ru, name_en, publisher) = (
        text(&f.name_ru, 300, "Укажите название.", "Give the name.")?,
        text(
            &f.name_en,
            300,
            "Укажите название по-английски.",
            "Give the English name.",
        )?,
        text(
            &f.publisher,
            300,
            "Укажите, кто составляет рейтинг.",
            "Give the publisher.",
        )?,
    );
    let (methodology_url, groups) = (link(&f.methodology_url)?, groups(&f.groups)?);
    let input = NewRanking {
        code: &code,
        name_ru: &name_ru,
        name_en: &name_en,
        publisher: &publisher,
        methodology_url: &methodology_url,
        periodicity: &f.periodicity,
        entities,
        lower_is_better: f.lower_is_better != "0",
        groups: &groups,
    };
    service::create_ranking(&state, &user, &input).await?;
    Ok(Redirect::to(&format!("/pm/rankings/{}", input.code)).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct CardQuery {
    #[serde(default)]
    edition: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn ranking_of(state: &AppState, code: &str) -> AppResult<RankingRow> {
    if code.len() > 40 {
        return Err(AppError::not_found());
    }
    queries::ranking(&state.db, code)
        .await?
        .ok_or_else(AppError::not_found)
}

/// `GET /pm/rankings/{code}`: an edition's table (the latest, or
/// `?edition=`), downloadable; the peers' places over the editions.
pub async fn card(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<CardQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = RankingTexts::get(l);
    let r = ranking_of(&state, &code).await?;
    let rights = service::rights(&state, &user, None);
    let home = service::home_region(&state)?;
    let editions = queries::editions(&state.db, r.ranking_id).await?;
    let results = queries::results(&state.db, r.ranking_id, "").await?;
    let places = places(&results);
    let shown = match q.edition.as_deref() {
        Some(p) => Some(
            editions
                .iter()
                .position(|e| e.period == p)
                .ok_or_else(AppError::not_found)?,
        ),
        None => editions.len().checked_sub(1),
    };
    let edition = shown.map(|i| &editions[i]);
    let previous = shown.and_then(|i| i.checked_sub(1)).map(|i| &editions[i]);
    let rows: Vec<&ResultRow> = edition
        .map(|e| {
            results
                .iter()
                .filter(|x| x.edition_id == e.edition_id)
                .collect()
        })
        .unwrap_or_default();
    let headers = vec![
        t.place.to_owned(),
        t.region.to_owned(),
        t.score.to_owned(),
        t.group.to_owned(),
        t.change.to_owned(),
    ];
    let change = |x: &ResultRow| change_of(&r, &places, previous, x.place, &x.region);
    if let (Some(e), f @ (Format::Csv | Format::Xlsx)) =
        (edition, Format::parse(q.format.as_deref()))
    {
        let table = Table {
            name: format!("{}-{}", r.code, e.period),
            headers,
            rows: rows
                .iter()
                .map(|x| {
                    vec![
                        Cell::Int(x.place),
                        Cell::Text(region_name(l, &x.region)),
                        x.score.map_or(Cell::Text(String::new()), Cell::Float),
                        Cell::Text(x.grp.clone()),
                        Cell::Text(match change(x) {
                            Change::New => t.new_entry.to_owned(),
                            c => c.arrow(),
                        }),
                    ]
                })
                .collect(),
        };
        if let Some(resp) = table.download(f)? {
            return Ok(resp);
        }
    }
    // The peers' places over the editions, the region's line first.
    let peers = service::peers(&state);
    let labels: Vec<String> = editions.iter().map(|e| e.period.clone()).collect();
    let series: Vec<Series> = peers
        .iter()
        .map(|p| Series {
            name: region_name(l, p),
            values: editions
                .iter()
                .map(|e| places.get(&(e.edition_id, p.as_str())).map(|v| *v as f64))
                .collect(),
            emphasis: *p == home.code,
        })
        .filter(|s| s.values.iter().any(Option::is_some))
        .collect();
    let name = l.pick(&r.name_ru, &r.name_en).to_owned();
    let base = format!("/pm/rankings/{}", r.code);
    Ok(Page::new(&ctx, name.clone())
        .crumb(t.title, "/pm/rankings")
        .render(html! {
            h1 { (name) }
            (views::nav(l))
            dl.pm-summary {
                div { dt { (t.publisher) } dd { (r.publisher) } }
                div { dt { (t.periodicity) } dd { (periodicity_label(l, &r.periodicity)) } }
                div { dt { (t.entities) } dd { (r.entities) } }
                div { dt { (t.order_word) } dd { (if r.lower_is_better { t.lower_better } else { t.higher_better }) } }
                @if !r.groups.is_empty() { div { dt { (t.group) } dd { (r.groups.replace(',', ", ")) } } }
                @if !r.methodology_url.is_empty() { div { dt { (t.methodology) } dd { a href=(r.methodology_url) rel="noopener" { (r.methodology_url) } } } }
            }
            @if editions.is_empty() { p { (t.no_editions) } }
            @if let Some(e) = edition {
                h2 #results-title { (t.results) ": " (e.period) }
                p {
                    (t.published_on) " " (crate::web::components::date(l, e.published_on))
                    @if !e.source_url.is_empty() { " · " a href=(e.source_url) rel="noopener" { (t.source_url) } }
                    " · " (crate::web::tables::links(l, &format!("{base}?edition={}", e.period)))
                }
                div.table-wrap tabindex="0" role="region" aria-labelledby="results-title" {
                    table #results {
                        thead { tr {
                            th scope="col" { (t.place) } th scope="col" { (t.region) } th scope="col" { (t.score) }
                            th scope="col" { (t.group) } th scope="col" { (t.change) }
                        } }
                        tbody {
                            @for x in &rows {
                                @let ours = x.region == home.code;
                                tr class=[ours.then_some("ours")] aria-current=[ours.then_some("true")] {
                                    td.num { (x.place) }
                                    th scope="row" { (region_name(l, &x.region)) @if ours { " (" (t.our_region) ")" } }
                                    td.num { @if let Some(s) = x.score { (views::number(l, s, 2)) } }
                                    td { (x.grp) }
                                    td { (views::change(l, change(x))) }
                                }
                            }
                        }
                    }
                }
            }
            @if !series.is_empty() {
                h2 { (t.peers) }
                (charts::lines(t.peers_chart, &labels, &series, r.lower_is_better))
            }
            @if !editions.is_empty() {
                h2 { (t.editions) }
                ul #editions { @for e in editions.iter().rev() {
                    li { a href={ (base) "?edition=" (e.period) } { (e.period) } " — " (crate::web::components::date(l, e.published_on)) }
                } }
            }
            @if rights.keep {
                details.case-form { summary { (t.import_edition) }
                    form method="post" action={ (base) "/editions" } enctype="multipart/form-data" {
                        p.hint { (t.import_edition_hint) }
                        (input("ed", "period", t.period, "text", true))
                        (input("ed", "published_on", t.published_on, "date", true))
                        (input("ed", "source_url", t.source_url, "url", false))
                        (input("ed", "file", t.file, "file", true))
                        button.button type="submit" { (t.upload) }
                    }
                }
            }
        }))
}

/// The largest body of an upload: above the file limit of every form
/// (`media::MAX_BYTES`), so that limit answers first, with its message.
pub const MAX_UPLOAD: usize = crate::media::MAX_BYTES + 1024 * 1024;

pub fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_UPLOAD)
}

/// `POST /pm/rankings/{code}/editions` (multipart): an edition's table;
/// the good rows are stored, the rejected listed.
pub async fn import_edition(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let r = ranking_of(&state, &code).await?;
    if !service::rights(&state, &user, None).keep {
        return Err(AppError::forbidden());
    }
    let (name, bytes, fields) = crate::media::upload::one_file(multipart).await?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let period = import::parse_period(&r.periodicity, field("period")).ok_or_else(|| {
        AppError::invalid(
            "Период: 2025, 2025-H1, 2025-Q3 или 2025-07 — по периодичности рейтинга.",
            "Period: 2025, 2025-H1, 2025-Q3 or 2025-07, by the ranking's periodicity.",
        )
    })?;
    let published_on = parse_iso_date(field("published_on")).ok_or_else(|| {
        AppError::invalid(
            "Укажите дату публикации в формате ГГГГ-ММ-ДД.",
            "Give the publication date as YYYY-MM-DD.",
        )
    })?;
    let source_url = link(field("source_url"))?;
    let _permit = state.gates.expensive.enter().await?;
    let table =
        crate::media::sheet::read_upload(state.config.media_dir().join("imports"), &name, bytes)
            .await?;
    let groups: Vec<String> = r
        .groups
        .split(',')
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    let checked = import::edition(&table, r.entities, &groups)
        .map_err(|m: Msg| AppError::unprocessable("invalid_spreadsheet", m))?;
    if checked.rows.is_empty() {
        return Ok(edition_report(&ctx, &r, 0, &checked.problems));
    }
    service::store_edition(
        &state,
        &user,
        r.ranking_id,
        &period,
        published_on,
        &source_url,
        &checked.rows,
    )
    .await?;
    Ok(edition_report(
        &ctx,
        &r,
        checked.rows.len(),
        &checked.problems,
    ))
}

fn edition_report(
    ctx: &PageCtx,
    r: &RankingRow,
    imported: usize,
    rejected: &[crate::media::sheet::Problem],
) -> Response {
    let t = RankingTexts::get(ctx.locale);
    let status = if imported == 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let back = format!("/pm/rankings/{}", r.code);
    views::import_report(
        ctx,
        (ctx.locale.pick(&r.name_ru, &r.name_en), &back),
        &[(t.imported, "imported", imported)],
        rejected,
        status,
    )
}
