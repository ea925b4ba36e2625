//! Handlers of `/pm/reports`: the forms, a new form, a form's completeness
//! and timeliness per organisation and period, and plan against fact over
//! a year. Thin: extract, parse, one service call or load, render.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use time::OffsetDateTime;

use super::domain::{Aggregation, Band, Period, aggregate, deviation};
use super::queries::{self, FormRow, SubmissionRow};
use super::service;
use super::views::{self, ReportTexts, maybe, number};
use crate::app::AppState;
use crate::auth::Core;
use crate::directory::tree::org_map;
use crate::error::{AppError, AppResult};
use crate::web::components::{FieldErrors, Select, input};
use crate::web::extract::{Form, Path, Query, optional_field, text_field};
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table};

pub(super) async fn form_of(state: &AppState, code: &str) -> AppResult<FormRow> {
    if code.len() > 40 {
        return Err(AppError::not_found());
    }
    queries::form(&state.db, code)
        .await?
        .ok_or_else(AppError::not_found)
}

pub(super) fn org_label(
    orgs: &BTreeMap<String, crate::directory::queries::OrgRow>,
    l: crate::web::i18n::Locale,
    id: &str,
) -> String {
    orgs.get(id).map_or_else(
        || id.to_owned(),
        |o| l.pick(&o.short_name_ru, &o.short_name_en).to_owned(),
    )
}

/// `GET /pm/reports`
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ReportTexts::get(l);
    let forms = queries::forms(&state.db).await?;
    let owed = queries::owed(&state.db, 0).await?;
    let orgs = org_map(&state.db).await?;
    let mine: Vec<(String, String)> = orgs
        .values()
        .filter(|o| user.is_admin() || user.is_officer_of(&o.organisation_id))
        .map(|o| {
            (
                o.organisation_id.clone(),
                l.pick(&o.short_name_ru, &o.short_name_en).to_owned(),
            )
        })
        .collect();
    let types: Vec<(String, String)> = ["month", "quarter", "year"]
        .iter()
        .map(|p| ((*p).to_owned(), views::period_type_label(l, p).to_owned()))
        .collect();
    let e = FieldErrors::new();
    Ok(Page::new(&ctx, t.forms).crumb(t.title, "/pm/reports").render(html! {
        h1 { (t.forms) }
        (views::nav(l))
        @if forms.is_empty() { p { (t.no_forms) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(t.forms) {
                table #forms {
                    thead { tr { th scope="col" { (t.form) } th scope="col" { (t.period_type) } th scope="col" { (t.owner) } th scope="col" { (t.owed) } } }
                    tbody { @for f in &forms {
                        tr {
                            th scope="row" { a href={ "/pm/reports/" (f.code) } { (l.pick(&f.name_ru, &f.name_en)) } }
                            td { (views::period_type_label(l, &f.period_type)) }
                            td { (org_label(&orgs, l, &f.organisation_id)) }
                            td.num { (owed.iter().filter(|(id, _)| *id == f.form_id).count()) }
                        }
                    } }
                }
            }
        }
        @if !mine.is_empty() {
            details.case-form { summary { (t.new_form) }
                form method="post" action="/pm/reports" {
                    (input("nf", "code", t.code, "text", true))
                    (input("nf", "name_ru", t.name_ru, "text", true))
                    (input("nf", "name_en", t.name_en, "text", true))
                    (Select { name: "period_type", label: t.period_type, options: &types, selected: "month", placeholder: None, disabled: false }.render(l, &e))
                    (Select { name: "organisation_id", label: t.owner, options: &mine, selected: "", placeholder: None, disabled: false }.render(l, &e))
                    (input("nf", "starts", t.starts, "text", true))
                    (input("nf", "due_days", t.due_days, "number", true))
                    (input("nf", "lock_days", t.lock_days, "number", true))
                    (input("nf", "comment_threshold", t.threshold, "text", false))
                    (input("nf", "band_good", t.band_good, "text", false))
                    (input("nf", "band_fair", t.band_fair, "text", false))
                    (crate::web::components::checkbox(l, &e, "approval", html! { (t.approval) }, true))
                    (crate::web::components::checkbox(l, &e, "public", html! { (t.public) }, false))
                    div.field { label for="nf-items" { (t.items) } p.hint #nf-items-hint { (t.items_hint) } textarea #nf-items name="items" rows="6" required aria-describedby="nf-items-hint" {} }
                    div.field { label for="nf-owed" { (t.owed) } p.hint #nf-owed-hint { (t.owed_hint) } textarea #nf-owed name="owed" rows="3" required aria-describedby="nf-owed-hint" {} }
                    div.field { label for="nf-rules" { (t.rules) } p.hint #nf-rules-hint { (t.rules_hint) } textarea #nf-rules name="rules" rows="3" aria-describedby="nf-rules-hint" {} }
                    button.button type="submit" { (t.create) }
                }
            }
        }
    }))
}

#[derive(Debug, Deserialize)]
pub struct NewForm {
    code: String,
    name_ru: String,
    #[serde(default)]
    name_en: String,
    period_type: String,
    organisation_id: String,
    starts: String,
    due_days: String,
    lock_days: String,
    #[serde(default)]
    comment_threshold: String,
    #[serde(default)]
    band_good: String,
    #[serde(default)]
    band_fair: String,
    #[serde(default)]
    approval: Option<String>,
    #[serde(default)]
    public: Option<String>,
    items: String,
    owed: String,
    #[serde(default)]
    rules: String,
}

fn days(s: &str, max: i64) -> AppResult<i64> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=max).contains(d))
        .ok_or_else(|| {
            AppError::invalid(
                "Число рабочих дней вне допустимого.",
                "The number of working days is out of range.",
            )
        })
}

fn percent(s: &str, default: Option<f64>) -> AppResult<Option<f64>> {
    match s.trim() {
        "" => Ok(default),
        s => crate::web::components::parse_decimal(s)
            .filter(|v| (0.0..=1000.0).contains(v))
            .map(Some)
            .ok_or_else(|| {
                AppError::invalid(
                    "Процент: число от 0 до 1000.",
                    "A percentage: a number from 0 to 1000.",
                )
            }),
    }
}

fn unprocessable(m: crate::error::Msg) -> AppError {
    AppError::unprocessable("invalid_input", m)
}

/// `POST /pm/reports`
pub async fn create(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<NewForm>,
) -> AppResult<Response> {
    let code = crate::web::extract::code_field(&f.code)?;
    let t = super::domain::PeriodType::parse(&f.period_type).ok_or_else(|| {
        AppError::invalid(
            "Периодичность не из списка.",
            "The period type is not one of the list.",
        )
    })?;
    let starts = Period::parse(t, &f.starts).ok_or_else(|| {
        AppError::invalid(
            "Первый период: 2026-01, 2026-Q1 или 2026 — по периодичности.",
            "First period: 2026-01, 2026-Q1 or 2026, by the period type.",
        )
    })?;
    let orgs = org_map(&state.db).await?;
    if !orgs.contains_key(&f.organisation_id) {
        return Err(AppError::invalid(
            "Выберите организацию из справочника.",
            "Choose an organisation from the directory.",
        ));
    }
    let items = super::builder::items(&f.items).map_err(unprocessable)?;
    let owed = super::builder::owed(&f.owed, &|o| orgs.contains_key(o)).map_err(unprocessable)?;
    let rules = super::builder::rules(&f.rules, &items).map_err(unprocessable)?;
    let (band_good, band_fair) = (
        percent(&f.band_good, Some(95.0))?.unwrap_or(95.0),
        percent(&f.band_fair, Some(80.0))?.unwrap_or(80.0),
    );
    if band_fair > band_good {
        return Err(AppError::invalid(
            "Порог «удовлетворительно» выше порога «хорошо».",
            "The “fair” threshold is above the “good” one.",
        ));
    }
    let name_ru = text_field(&f.name_ru, 300, "Укажите название.", "Give the name.")?;
    let name_en = optional_field(&f.name_en, 300)?;
    let form = FormRow {
        form_id: 0,
        name_en: if name_en.is_empty() {
            name_ru.clone()
        } else {
            name_en
        },
        name_ru,
        period_type: t.as_str().to_owned(),
        organisation_id: f.organisation_id.clone(),
        due_days: days(&f.due_days, 60)?,
        lock_days: days(&f.lock_days, 120)?,
        approval: f.approval.is_some(),
        comment_threshold: percent(&f.comment_threshold, None)?,
        band_good,
        band_fair,
        public: f.public.is_some(),
        starts: starts.to_string(),
        code: code.clone(),
    };
    service::create_form(&state, &user, &form, &items, &owed, &rules).await?;
    Ok(Redirect::to(&format!("/pm/reports/{code}")).into_response())
}

/// A cell of the completeness grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cellstate {
    NotDue,
    Missing,
    Draft,
    Returned,
    OnTime,
    Late,
}

/// An organisation's row: its cells, completeness and timeliness (%).
pub type GridRow = (String, Vec<Cellstate>, Option<f64>, Option<f64>);

/// Each owed organisation's state in each period, and its completeness
/// and timeliness over the periods already due.
pub fn grid(
    form: &FormRow,
    orgs: &[String],
    periods: &[Period],
    subs: &[SubmissionRow],
    now: OffsetDateTime,
) -> Vec<GridRow> {
    let by: BTreeMap<(&str, &str), &SubmissionRow> = subs
        .iter()
        .map(|s| ((s.organisation_id.as_str(), s.period.as_str()), s))
        .collect();
    let names: Vec<String> = periods.iter().map(Period::to_string).collect();
    orgs.iter()
        .map(|o| {
            let (mut due, mut done, mut timely) = (0, 0, 0);
            let cells = periods
                .iter()
                .zip(&names)
                .map(|(p, name)| {
                    let deadline = service::due_at(form, *p);
                    let s = by.get(&(o.as_str(), name.as_str()));
                    let first = s.and_then(|s| s.first_submitted_at);
                    // Only periods already due count, on both sides of
                    // the share: a report sent early for a period not yet
                    // due must not cover a missing one.
                    let counts = deadline < now;
                    if counts {
                        due += 1;
                    }
                    match (first, s.map(|s| s.state.as_str())) {
                        (_, Some("returned")) => {
                            if counts {
                                done += 1;
                                if first.is_some_and(|f| f <= deadline) {
                                    timely += 1;
                                }
                            }
                            Cellstate::Returned
                        }
                        (Some(f), _) => {
                            if counts {
                                done += 1;
                            }
                            if f <= deadline {
                                if counts {
                                    timely += 1;
                                }
                                Cellstate::OnTime
                            } else {
                                Cellstate::Late
                            }
                        }
                        (None, Some(_)) if deadline >= now => Cellstate::Draft,
                        (None, _) if deadline >= now => Cellstate::NotDue,
                        (None, Some(_)) => Cellstate::Draft,
                        (None, None) => Cellstate::Missing,
                    }
                })
                .collect();
            let share = |n: i32| (due > 0).then(|| f64::from(n.min(due)) / f64::from(due) * 100.0);
            (o.clone(), cells, share(done), share(timely))
        })
        .collect()
}

#[derive(Debug, Deserialize, Default)]
pub struct FormQuery {
    #[serde(default)]
    periods: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// `GET /pm/reports/{form}`: completeness and timeliness of the last
/// periods (12, or `?periods=` up to 36), downloadable.
pub async fn form_page(
    ctx: PageCtx,
    Core(_user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<FormQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ReportTexts::get(l);
    let form = form_of(&state, &code).await?;
    let n: usize = q
        .periods
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(12)
        .clamp(1, 36);
    let now = crate::db::now();
    let tp = service::period_type(&form);
    let first = Period::parse(tp, &form.starts).ok_or_else(AppError::not_found)?;
    let current = Period::containing(tp, now.to_offset(time::macros::offset!(+3)).date());
    let all = first.through(current);
    let periods: Vec<Period> = all[all.len().saturating_sub(n)..].to_vec();
    let owed: Vec<String> = queries::owed(&state.db, form.form_id)
        .await?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let subs = queries::submissions(&state.db, form.form_id).await?;
    let orgs = org_map(&state.db).await?;
    let rows = grid(&form, &owed, &periods, &subs, now);
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| number(l, v, 0));
    if let f @ (Format::Csv | Format::Xlsx) = Format::parse(q.format.as_deref()) {
        let table = Table {
            name: format!("{}-completeness", form.code),
            headers: vec![t.organisation.into(), t.complete.into(), t.timely.into()],
            rows: rows
                .iter()
                .map(|(o, _, c, ti)| {
                    vec![
                        Cell::Text(org_label(&orgs, l, o)),
                        c.map_or(Cell::Text(String::new()), Cell::Float),
                        ti.map_or(Cell::Text(String::new()), Cell::Float),
                    ]
                })
                .collect(),
        };
        if let Some(r) = table.download(f)? {
            return Ok(r);
        }
    }
    let symbol = |c: Cellstate| match c {
        Cellstate::NotDue => ("not-due", "·", t.not_due),
        Cellstate::Missing => ("missing", "✗", t.missing),
        Cellstate::Draft => ("draft", "…", t.draft),
        Cellstate::Returned => ("returned", "↩", t.returned),
        Cellstate::OnTime => ("on-time", "✓", t.on_time),
        Cellstate::Late => ("late", "!", t.late),
    };
    let name = l.pick(&form.name_ru, &form.name_en).to_owned();
    let here = format!("/pm/reports/{}?periods={n}", form.code);
    Ok(Page::new(&ctx, name.clone()).crumb(t.title, "/pm/reports").render(html! {
        h1 { (name) }
        (views::nav(l))
        dl.pm-summary {
            div { dt { (t.period_type) } dd { (views::period_type_label(l, &form.period_type)) } }
            div { dt { (t.owner) } dd { (org_label(&orgs, l, &form.organisation_id)) } }
            div { dt { (t.due_days) } dd { (form.due_days) } }
            div { dt { (t.lock_days) } dd { (form.lock_days) } }
        }
        p { a href={ "/pm/reports/" (form.code) "/analysis" } { (t.analysis) } }
        h2 #grid-title { (t.completeness) }
        (crate::web::tables::links(l, &here))
        div.table-wrap tabindex="0" role="region" aria-labelledby="grid-title" {
            table #completeness.grid {
                thead { tr {
                    th scope="col" { (t.organisation) } th scope="col" { (t.complete) } th scope="col" { (t.timely) }
                    @for p in &periods { th scope="col" { (p.to_string()) } }
                } }
                tbody { @for (o, cells, c, ti) in &rows {
                    tr data-org=(o) {
                        th scope="row" { (org_label(&orgs, l, o)) }
                        td.num.complete { (pct(*c)) }
                        td.num.timely { (pct(*ti)) }
                        @for (p, cell) in periods.iter().zip(cells) {
                            @let (class, mark, label) = symbol(*cell);
                            td class={ "cell " (class) } {
                                a href={ "/pm/reports/" (form.code) "/" (o) "/" (p.to_string()) } title=(label) { (mark) span.visually-hidden { " " (label) } }
                            }
                        }
                    }
                } }
            }
        }
    }))
}

#[derive(Debug, Deserialize, Default)]
pub struct AnalysisQuery {
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    year: Option<String>,
}

/// `GET /pm/reports/{form}/analysis?org=&year=`: each item's plan and
/// fact aggregated over the year by its rule, the deviation, the degree
/// of achievement and its band.
pub async fn analysis(
    ctx: PageCtx,
    Core(_user): Core,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AnalysisQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ReportTexts::get(l);
    let form = form_of(&state, &code).await?;
    let owed: Vec<String> = queries::owed(&state.db, form.form_id)
        .await?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let org = q
        .org
        .clone()
        .filter(|o| owed.contains(o))
        .or_else(|| owed.first().cloned())
        .ok_or_else(AppError::not_found)?;
    let now = crate::db::now().to_offset(time::macros::offset!(+3)).date();
    let year: i32 = q
        .year
        .as_deref()
        .and_then(|y| y.parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(now.year());
    let tp = service::period_type(&form);
    let periods: Vec<Period> = Period::containing(
        tp,
        time::Date::from_calendar_date(year, time::Month::January, 1).unwrap_or(now),
    )
    .through(Period::containing(
        tp,
        time::Date::from_calendar_date(year, time::Month::December, 31).unwrap_or(now),
    ));
    let items = queries::items(&state.db, form.form_id).await?;
    let plans = queries::plans(&state.db, form.form_id, &org).await?;
    let subs: BTreeMap<String, i64> = queries::submissions(&state.db, form.form_id)
        .await?
        .into_iter()
        .filter(|s| s.organisation_id == org && s.state == "accepted")
        .map(|s| (s.period, s.submission_id))
        .collect();
    let values = queries::values(&state.db, form.form_id, 0).await?;
    let orgs = org_map(&state.db).await?;
    let org_options: Vec<(String, String)> = owed
        .iter()
        .map(|o| (o.clone(), org_label(&orgs, l, o)))
        .collect();
    let e = FieldErrors::new();
    let year_s = year.to_string();
    Ok(Page::new(&ctx, t.analysis).crumb(l.pick(&form.name_ru, &form.name_en), format!("/pm/reports/{}", form.code)).render(html! {
        h1 { (t.analysis) }
        (views::nav(l))
        form.filters method="get" {
            (Select { name: "org", label: t.organisation, options: &org_options, selected: &org, placeholder: None, disabled: false }.render(l, &e))
            div.field { label for="an-year" { (t.year) } input #an-year name="year" type="number" value=(year_s); }
            button.button type="submit" { (t.show) }
        }
        div.table-wrap tabindex="0" role="region" aria-label=(t.analysis) {
            table #analysis {
                thead { tr {
                    th scope="col" { (t.item) } th scope="col" { (t.aggregation) } th scope="col" { (t.plan) } th scope="col" { (t.fact) }
                    th scope="col" { (t.deviation) } th scope="col" { (t.deviation_pct) } th scope="col" { (t.achievement) } th scope="col" { (t.band) }
                } }
                tbody { @for i in &items {
                    @let series: Vec<(Option<f64>, Option<f64>)> = periods.iter().map(|p| {
                        let name = p.to_string();
                        let plan = plans.iter().find(|x| x.item_id == i.item_id && x.period == name).map(|x| x.value);
                        let fact = subs.get(&name).and_then(|sid| values.iter().find(|v| v.submission_id == *sid && v.item_id == i.item_id)).and_then(|v| v.value);
                        (plan, fact)
                    }).collect();
                    @let (plan, fact) = aggregate(Aggregation::parse(&i.aggregation).unwrap_or(Aggregation::Sum), &series);
                    @let d = plan.zip(fact).map(|(p, f)| deviation(p, f, i.direction == "up"));
                    tr data-item=(i.code) {
                        th scope="row" { (i.code) " " (l.pick(&i.name_ru, &i.name_en)) }
                        td { (views::aggregation_label(l, &i.aggregation)) }
                        td.num { (maybe(l, plan, i.decimals)) }
                        td.num { (maybe(l, fact, i.decimals)) }
                        td.num { (maybe(l, d.map(|d| d.absolute), i.decimals)) }
                        td.num { (maybe(l, d.and_then(|d| d.percent), 1)) }
                        td.num.achievement { (maybe(l, d.and_then(|d| d.achievement), 1)) }
                        td { @if let Some(a) = d.and_then(|d| d.achievement) {
                            @let b = Band::of(a, form.band_good, form.band_fair);
                            span class={ "badge band-" (b.as_str()) } { (views::band_label(l, b)) }
                        } }
                    }
                } }
            }
        }
    }))
}
