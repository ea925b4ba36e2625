//! Handlers of `/pm/indicators`: the dashboard (every indicator's latest
//! value, target and status, for the region or a municipality), an
//! indicator's card (trend, revisions, targets, roadmap, orders) and its
//! forms, and the import of values (CSV/XLSX, SDMX-ML).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::domain::Status;
use super::import::{self, ValueIn};
use super::pages::{optional, text};
use super::queries::{self, IndicatorRow, TargetRow};
use super::service::{self, Progress};
use super::views::{
    self, RankingTexts, direction_label, number, status_badge, status_label, value_status,
    wording_mark,
};
use crate::app::AppState;
use crate::auth::Core;
use crate::directory::tree::org_map;
use crate::error::{AppError, AppResult};
use crate::web::charts::{self, Series};
use crate::web::components::{FieldErrors, Select, input, select};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table};

#[derive(Debug, Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    territory: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

fn territory_name(l: Locale, id: &str) -> String {
    if id.is_empty() {
        return RankingTexts::get(l).whole_region.to_owned();
    }
    crate::geo::municipalities::geography()
        .by_id(id)
        .map_or_else(|| id.to_owned(), |m| m.name(l).to_owned())
}

fn territory_options(l: Locale) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), RankingTexts::get(l).whole_region.to_owned())];
    out.extend(
        crate::geo::municipalities::geography()
            .all()
            .iter()
            .map(|m| (m.id.clone(), m.name(l).to_owned())),
    );
    out
}

fn shown(l: Locale, i: &IndicatorRow, p: Option<crate::rankings::domain::Point>) -> String {
    p.map_or_else(
        || "—".to_owned(),
        |p| format!("{} ({})", number(l, p.value, i.decimals), p.year),
    )
}

/// `GET /pm/indicators`: the dashboard; `?territory=` a municipality's
/// (its trend: municipalities have no targets), `?status=`, `?org=`;
/// `?format=csv|xlsx` downloads it.
pub async fn dashboard(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = RankingTexts::get(l);
    let territory = q.territory.clone().unwrap_or_default();
    if !territory.is_empty()
        && crate::geo::municipalities::geography()
            .by_id(&territory)
            .is_none()
    {
        return Err(AppError::invalid(
            "Такого муниципального образования нет.",
            "There is no such municipality.",
        ));
    }
    let wanted = match q.status.as_deref().unwrap_or("") {
        "" => None,
        s => Some(views::parse_status(s).ok_or_else(|| {
            AppError::invalid("Статус не из списка.", "The status is not one of the list.")
        })?),
    };
    let org = q.org.clone().unwrap_or_default();
    let orgs = org_map(&state.db).await?;
    let all = queries::indicators(&state.db).await?;
    let progress = service::progress_all(&state.db, &all, &territory).await?;
    let open: BTreeSet<i64> = queries::alerts(&state.db, 0)
        .await?
        .into_iter()
        .filter(|a| a.cleared_at.is_none())
        .map(|a| a.indicator_id)
        .collect();
    let rows: Vec<(&IndicatorRow, &Progress)> = all
        .iter()
        .map(|i| (i, &progress[&i.indicator_id]))
        .filter(|(_, p)| wanted.is_none() || p.status == wanted)
        .filter(|(i, _)| org.is_empty() || i.organisation_id.as_deref() == Some(org.as_str()))
        .collect();
    let owner = |i: &IndicatorRow| {
        i.organisation_id
            .as_deref()
            .and_then(|o| orgs.get(o))
            .map_or(t.no_owner.to_owned(), |o| {
                l.pick(&o.short_name_ru, &o.short_name_en).to_owned()
            })
    };
    let status_text = |s: Option<Status>| s.map_or(t.no_status, |s| status_label(s, l));
    let f = Format::parse(q.format.as_deref());
    if matches!(f, Format::Csv | Format::Xlsx) {
        let table = Table {
            name: "indicators".into(),
            headers: [
                t.code,
                t.indicator,
                t.unit,
                t.owner,
                t.base,
                t.value,
                t.target,
                t.status,
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            rows: rows
                .iter()
                .map(|(i, p)| {
                    vec![
                        Cell::Text(i.code.clone()),
                        Cell::Text(l.pick(&i.name_ru, &i.name_en).to_owned()),
                        Cell::Text(i.unit.clone()),
                        Cell::Text(owner(i)),
                        Cell::Text(shown(l, i, p.base)),
                        Cell::Text(shown(l, i, p.latest)),
                        Cell::Text(shown(l, i, p.target)),
                        Cell::Text(status_text(p.status).to_owned()),
                    ]
                })
                .collect(),
        };
        if let Some(resp) = table.download(f)? {
            return Ok(resp);
        }
    }
    let mut counts: BTreeMap<Option<Status>, usize> = BTreeMap::new();
    for p in progress.values() {
        *counts.entry(p.status).or_default() += 1;
    }
    let owners: Vec<(String, String)> = all
        .iter()
        .filter_map(|i| i.organisation_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|o| {
            let name = orgs.get(&o).map_or(o.clone(), |x| {
                l.pick(&x.short_name_ru, &x.short_name_en).to_owned()
            });
            (o, name)
        })
        .collect();
    let mut statuses = vec![(String::new(), t.all.to_owned())];
    statuses.extend(
        views::STATUSES
            .iter()
            .map(|s| (s.as_str().to_owned(), status_label(*s, l).to_owned())),
    );
    let here = format!(
        "/pm/indicators?territory={}&status={}&org={}",
        territory,
        q.status.as_deref().unwrap_or(""),
        org
    );
    let mut owner_options = vec![(String::new(), t.all.to_owned())];
    owner_options.extend(owners);
    let indicator_options: Vec<(String, String)> = all
        .iter()
        .filter(|i| service::rights(&state, &user, Some(i)).record)
        .map(|i| {
            (
                i.code.clone(),
                format!("{} {}", i.code, l.pick(&i.name_ru, &i.name_en)),
            )
        })
        .collect();
    let no_errors = FieldErrors::new();
    Ok(Page::new(&ctx, t.indicators)
        .crumb(t.title, "/pm/rankings")
        .render(html! {
            h1 { (t.indicators) }
            (views::nav(l))
            p { (t.indicators_lead) }
            form.filters method="get" action="/pm/indicators" {
                (Select { name: "territory", label: t.territory, options: &territory_options(l), selected: &territory, placeholder: None, disabled: false }.render(l, &no_errors))
                (Select { name: "status", label: t.status, options: &statuses, selected: q.status.as_deref().unwrap_or(""), placeholder: None, disabled: false }.render(l, &no_errors))
                (Select { name: "org", label: t.owner, options: &owner_options, selected: &org, placeholder: None, disabled: false }.render(l, &no_errors))
                button.button type="submit" { (t.filter) }
            }
            dl.pm-summary #status-counts {
                @for s in views::STATUSES {
                    div { dt { (status_label(s, l)) } dd data-status=(s.as_str()) { (counts.get(&Some(s)).copied().unwrap_or(0)) } }
                }
                div { dt { (t.no_status) } dd data-status="none" { (counts.get(&None).copied().unwrap_or(0)) } }
            }
            h2 #territory { (territory_name(l, &territory)) }
            (crate::web::tables::links(l, &here))
            div.table-wrap tabindex="0" role="region" aria-label=(t.indicators) {
                table #indicators {
                    thead { tr {
                        th scope="col" { (t.code) } th scope="col" { (t.indicator) } th scope="col" { (t.owner) }
                        th scope="col" { (t.base) } th scope="col" { (t.value) } th scope="col" { (t.target) }
                        th scope="col" { (t.status) }
                    } }
                    tbody {
                        @for (i, p) in &rows {
                            tr data-code=(i.code) {
                                td { (i.code) }
                                th scope="row" {
                                    a href={ "/pm/indicators/" (i.code) } { (l.pick(&i.name_ru, &i.name_en)) }
                                    (wording_mark(l, &i.wording))
                                    @if !i.unit.is_empty() { ", " (i.unit) }
                                }
                                td { (owner(i)) }
                                td.num { (shown(l, i, p.base)) }
                                td.num { (shown(l, i, p.latest)) @if p.latest_status == "preliminary" { " " small { (t.preliminary) } } }
                                td.num { (shown(l, i, p.target)) }
                                td { (status_badge(l, p.status)) @if open.contains(&i.indicator_id) { " " a href="/pm" { small { (t.order) } } } }
                            }
                        }
                    }
                }
            }
            p.hint { (t.method_note) }
            @if !indicator_options.is_empty() {
                details.case-form { summary { (t.import_values) }
                    form method="post" action="/pm/indicators/import" enctype="multipart/form-data" {
                        p.hint { (t.import_values_hint) }
                        (Select { name: "indicator", label: t.sdmx_indicator, options: &indicator_options, selected: "", placeholder: Some(t.none), disabled: false }.render(l, &no_errors))
                        (input("iv", "file", t.file, "file", true))
                        button.button type="submit" { (t.upload) }
                    }
                }
            }
        }))
}

async fn indicator_of(state: &AppState, code: &str) -> AppResult<IndicatorRow> {
    if code.len() > 40 {
        return Err(AppError::not_found());
    }
    queries::indicator(&state.db, code)
        .await?
        .ok_or_else(AppError::not_found)
}

/// `GET /pm/indicators/{code}`
pub async fn card(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = RankingTexts::get(l);
    let i = indicator_of(&state, &code).await?;
    let rights = service::rights(&state, &user, Some(&i));
    let values = queries::current_values(&state.db, i.indicator_id, "").await?;
    let targets = queries::targets(&state.db, i.indicator_id).await?;
    let history = queries::history(&state.db, i.indicator_id).await?;
    let alerts = queries::alerts(&state.db, i.indicator_id).await?;
    let p = service::progress(
        &i,
        &values.iter().collect::<Vec<_>>(),
        &targets.iter().collect::<Vec<_>>(),
    );
    let roadmap = match i.project_id {
        Some(id) => {
            state
                .roadmaps
                .overdue(&state.db, id, crate::db::now())
                .await?
        }
        None => None,
    };
    let projects = if rights.keep {
        state.roadmaps.list(&state.db).await?
    } else {
        Vec::new()
    };
    let owner = match i.organisation_id.as_deref() {
        Some(o) => crate::directory::queries::by_id(&state.db, o)
            .await?
            .map(|x| l.pick(&x.short_name_ru, &x.short_name_en).to_owned()),
        None => None,
    };
    // The trend: the values and the targets over the years of both.
    let years: Vec<i64> = values
        .iter()
        .map(|v| v.year)
        .chain(targets.iter().map(|t| t.year))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let labels: Vec<String> = years.iter().map(i64::to_string).collect();
    let series = vec![
        Series {
            name: t.value.to_owned(),
            values: years
                .iter()
                .map(|y| values.iter().find(|v| v.year == *y).map(|v| v.value))
                .collect(),
            emphasis: true,
        },
        Series {
            name: t.target.to_owned(),
            values: years
                .iter()
                .map(|y| targets.iter().find(|x| x.year == *y).map(|x| x.value))
                .collect(),
            emphasis: false,
        },
    ];
    let name = l.pick(&i.name_ru, &i.name_en).to_owned();
    let base = format!("/pm/indicators/{}", i.code);
    let project_options: Vec<(String, String)> =
        std::iter::once((String::new(), t.none.to_owned()))
            .chain(
                projects
                    .iter()
                    .map(|p| (p.id.to_string(), format!("{} {}", p.code, p.title))),
            )
            .collect();
    let value_statuses = [
        ("final".to_owned(), t.final_value.to_owned()),
        ("preliminary".to_owned(), t.preliminary.to_owned()),
    ];
    Ok(Page::new(&ctx, name.clone())
        .crumb(t.indicators, "/pm/indicators")
        .render(html! {
            h1 { (i.code) " " (name) (wording_mark(l, &i.wording)) }
            (views::nav(l))
            @if i.wording != "confirmed" {
                p.notice.warning #wording { (if i.wording == "secondary" { t.wording_secondary } else { t.wording_unconfirmed }) ". " (i.source) }
            }
            dl.pm-summary {
                div { dt { (t.status) } dd #status { (status_badge(l, p.status)) } }
                div { dt { (t.value) } dd #latest { (shown(l, &i, p.latest)) @if !p.latest_status.is_empty() { " " small { (value_status(l, &p.latest_status)) } } } }
                div { dt { (t.base) } dd { (shown(l, &i, p.base)) } }
                div { dt { (t.target) } dd { (shown(l, &i, p.target)) } }
                div { dt { (t.unit) } dd { (i.unit) } }
                div { dt { (t.direction) } dd { (direction_label(l, &i.direction))
                    @if let (Some(lo), Some(hi)) = (i.band_low, i.band_high) { " [" (number(l, lo, i.decimals)) "; " (number(l, hi, i.decimals)) "]" } } }
                div { dt { (t.owner) } dd { (owner.unwrap_or_else(|| t.no_owner.to_owned())) } }
                div { dt { (t.methodology) } dd { (i.methodology) } }
            }
            @if p.status.is_none() { p.hint { (t.no_status) ": " (t.no_status_hint) "." } }
            p.hint { (t.method_note) }
            @if !labels.is_empty() {
                h2 { (t.trend) }
                (charts::lines(&name, &labels, &series, false))
            }
            h2 { (t.roadmap) }
            @match &roadmap {
                Some((r, late)) => {
                    p { a href=(r.url) { (r.code) " " (r.title) } }
                    h3 { (t.overdue) }
                    @if late.is_empty() { p { (t.no_overdue) } } @else {
                        ul #overdue { @for o in late {
                            li { a href=(o.url) { (o.title) } " — " (if o.kind == "order" { t.order } else { t.milestone }) ", " (t.due) " " (crate::web::components::date(l, o.due)) }
                        } }
                    }
                }
                None => p { (t.none) },
            }
            @if !alerts.is_empty() {
                h2 { (t.orders_raised) }
                ul #alerts { @for a in &alerts {
                    li { (a.period) ": " (views::parse_status(&a.status).map_or(a.status.as_str(), |s| status_label(s, l))) " — "
                        (if a.cleared_at.is_some() { t.cleared } else { t.open }) }
                } }
            }
            h2 { (t.target) }
            @if targets.is_empty() { p { "—" } } @else {
                ul #targets { @for x in &targets { li { (x.year) ": " (number(l, x.value, i.decimals)) " — " (x.basis) } } }
            }
            h2 #history-title { (t.history) }
            div.table-wrap tabindex="0" role="region" aria-labelledby="history-title" {
                table #history {
                    thead { tr {
                        th scope="col" { (t.territory) } th scope="col" { (t.year) } th scope="col" { (t.revision) }
                        th scope="col" { (t.value) } th scope="col" { (t.status) } th scope="col" { (t.recorded) }
                        th scope="col" { (t.by) } th scope="col" { (t.origin) }
                    } }
                    tbody { @for v in history.iter().take(500) {
                        tr class=[(!v.current).then_some("superseded")] {
                            td { (territory_name(l, &v.territory)) }
                            td { (v.year) } td.num { (v.revision) } td.num { (number(l, v.value, i.decimals)) }
                            td { (value_status(l, &v.status)) }
                            td { (crate::web::components::datetime(l, v.recorded_at)) }
                            td { (v.recorder.as_deref().unwrap_or("—")) }
                            td { (v.origin) }
                        }
                    } }
                }
            }
            @if rights.record {
                details.case-form { summary { (t.record_value) }
                    form method="post" action={ (base) "/values" } {
                        (select("val", "territory", t.territory, &territory_options(l), None))
                        (input("val", "year", t.year, "number", true))
                        (input("val", "value", t.value, "text", true))
                        (select("val", "status", t.status_field, &value_statuses, None))
                        button.button type="submit" { (t.save) }
                    }
                }
                details.case-form { summary { (t.set_target) }
                    form method="post" action={ (base) "/targets" } {
                        (input("tg", "year", t.year, "number", true))
                        (input("tg", "value", t.value, "text", true))
                        (input("tg", "basis", t.basis, "text", true))
                        button.button type="submit" { (t.save) }
                    }
                }
            }
            @if rights.keep {
                details.case-form { summary { (t.links) }
                    form method="post" action={ (base) "/links" } {
                        (Select { name: "project_id", label: t.roadmap, options: &project_options, selected: &i.project_id.map(|p| p.to_string()).unwrap_or_default(), placeholder: None, disabled: false }.render(l, &FieldErrors::new()))
                        (input("ln", "base_year", t.base_year, "number", false))
                        button.button type="submit" { (t.save) }
                    }
                }
            }
        }))
}

fn year(s: &str) -> AppResult<i64> {
    import::parse_year(s)
        .filter(|_| s.trim().len() == 4)
        .ok_or_else(|| AppError::invalid("Год: от 1990 до 2100.", "Year: 1990 to 2100."))
}

fn figure(s: &str) -> AppResult<f64> {
    import::parse_number(s).ok_or_else(|| {
        AppError::invalid(
            "Значение должно быть числом.",
            "The value must be a number.",
        )
    })
}

fn to_card(code: &str) -> Response {
    Redirect::to(&format!("/pm/indicators/{code}")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct ValueForm {
    #[serde(default)]
    territory: String,
    year: String,
    value: String,
    #[serde(default)]
    status: String,
}

/// `POST /pm/indicators/{code}/values`
pub async fn record_value(
    Core(user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(f): Form<ValueForm>,
) -> AppResult<Response> {
    let i = indicator_of(&state, &code).await?;
    let region = service::home_region(&state)?;
    let v = ValueIn {
        code: i.code.clone(),
        territory: import::parse_territory(&f.territory, region).ok_or_else(|| {
            AppError::invalid("Такой территории нет.", "There is no such territory.")
        })?,
        year: year(&f.year)?,
        value: figure(&f.value)?,
        status: import::parse_status(&f.status).ok_or_else(|| {
            AppError::invalid("Статус не из списка.", "The status is not one of the list.")
        })?,
    };
    service::record_values(&state, &user, &[v], "form").await?;
    Ok(to_card(&i.code))
}

#[derive(Debug, Deserialize)]
pub struct TargetForm {
    year: String,
    value: String,
    basis: String,
}

/// `POST /pm/indicators/{code}/targets`
pub async fn set_target(
    Core(user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let i = indicator_of(&state, &code).await?;
    let target = TargetRow {
        indicator_id: i.indicator_id,
        year: year(&f.year)?,
        value: figure(&f.value)?,
        basis: text(
            &f.basis,
            500,
            "Укажите документ, которым установлена цель.",
            "Give the document that sets the target.",
        )?,
    };
    service::set_target(&state, &user, &i, &target).await?;
    Ok(to_card(&i.code))
}

#[derive(Debug, Deserialize)]
pub struct LinksForm {
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    base_year: String,
}

/// `POST /pm/indicators/{code}/links`
pub async fn set_links(
    Core(user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(f): Form<LinksForm>,
) -> AppResult<Response> {
    let i = indicator_of(&state, &code).await?;
    let project =
        match f.project_id.trim() {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| {
                AppError::invalid("Такого проекта нет.", "There is no such project.")
            })?),
        };
    let base_year = match optional(&f.base_year, 10)?.as_str() {
        "" => None,
        s => Some(year(s)?),
    };
    service::set_links(&state, &user, &i, project, base_year).await?;
    Ok(to_card(&i.code))
}

/// `POST /pm/indicators/import` (multipart): values from a spreadsheet,
/// or from an SDMX-ML message for the chosen indicator; the good rows are
/// stored, the rejected listed.
pub async fn import_values(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = RankingTexts::get(l);
    // Who may record what is known before a byte is parsed: nobody
    // parses 15 MB for a person who may record nothing.
    let may: BTreeSet<String> = queries::indicators(&state.db)
        .await?
        .iter()
        .filter(|i| service::rights(&state, &user, Some(i)).record)
        .map(|i| i.code.clone())
        .collect();
    if may.is_empty() {
        return Err(AppError::forbidden());
    }
    let (name, bytes, fields) = crate::media::upload::one_file(multipart).await?;
    let region = service::home_region(&state)?;
    let _permit = state.gates.expensive.enter().await?;
    let lower = name.to_lowercase();
    let (checked, origin) = if lower.ends_with(".xml") {
        let code = fields.get("indicator").map(String::as_str).unwrap_or("");
        let i = indicator_of(&state, code).await.map_err(|_| {
            AppError::invalid(
                "Для файла SDMX выберите показатель.",
                "Choose the indicator for an SDMX file.",
            )
        })?;
        let message = tokio::task::spawn_blocking(move || {
            super::sdmx::parse(&bytes, &super::sdmx::Limits::default())
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| {
            AppError::unprocessable(
                "invalid_sdmx",
                crate::error::Msg::new(
                    format!("Файл SDMX не прочитан: {e}"),
                    format!("The SDMX file was not read: {e}"),
                ),
            )
        })?;
        (import::sdmx_values(&message, &i.code, region), "sdmx")
    } else {
        let table = crate::media::sheet::read_upload(
            state.config.media_dir().join("imports"),
            &name,
            bytes,
        )
        .await?;
        let codes: BTreeSet<String> = queries::indicators(&state.db)
            .await?
            .into_iter()
            .map(|i| i.code)
            .collect();
        let checked = import::values(&table, &codes, region)
            .map_err(|m| AppError::unprocessable("invalid_spreadsheet", m))?;
        (
            checked,
            if lower.ends_with(".csv") {
                "csv"
            } else {
                "xlsx"
            },
        )
    };
    // Rows of indicators the person may not record are rejected with the
    // reason, one line per indicator; the others are stored.
    let mut checked = checked;
    let (mine, foreign): (Vec<_>, Vec<_>) = std::mem::take(&mut checked.values)
        .into_iter()
        .partition(|v| may.contains(&v.code));
    checked.values = mine;
    let foreign: BTreeSet<String> = foreign.into_iter().map(|v| v.code).collect();
    for code in foreign {
        checked.problems.push(crate::media::sheet::Problem {
            row: 0,
            column: code.clone(),
            reason: crate::error::Msg::new(
                format!("Показатель {code}: у вас нет права вносить его значения."),
                format!("Indicator {code}: you may not record its values."),
            ),
        });
    }
    let changed = if checked.values.is_empty() {
        0
    } else {
        service::record_values(&state, &user, &checked.values, origin).await?
    };
    let status = if checked.values.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(views::import_report(
        &ctx,
        (t.indicators, "/pm/indicators"),
        &[
            (t.imported, "imported", checked.values.len()),
            (t.values_changed, "changed", changed),
        ],
        &checked.problems,
        status,
    ))
}
