//! Handlers of `/pm/staff`: the region, a portfolio, an organisation as of
//! a date (with the completeness report and the Т-3 as downloads), and the
//! officers' changes. Thin: extract, parse, one service call or load,
//! render.

use std::collections::BTreeMap;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use time::Date;

use super::domain::{AbsenceKind, Thresholds, Totals, quarter_ends};
use super::figures::Snapshot;
use super::flags::today;
use super::import::{self, Field};
use super::queries::{self, NewAssignment};
use super::service::{self, ScheduleHeader, VacancyAction};
use super::views::{self, StaffTexts};
use crate::app::AppState;
use crate::auth::Core;
use crate::db::Db;
use crate::directory::tree::{org_map, portfolio_of};
use crate::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::{Locale, iso_date, parse_iso_date};
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table, links};

#[derive(Debug, Deserialize, Default)]
pub struct AsOf {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    vacant: Option<String>,
}

/// The date asked for, or today.
fn as_of(q: &AsOf) -> AppResult<Date> {
    match q.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => day(s),
    }
}

fn day(s: &str) -> AppResult<Date> {
    parse_iso_date(s)
        .filter(|d| (1900..=2200).contains(&d.year()))
        .ok_or_else(|| {
            AppError::invalid(
                "Укажите дату в формате ГГГГ-ММ-ДД.",
                "Give the date as YYYY-MM-DD.",
            )
        })
}

fn headers(l: Locale, first: &str) -> Vec<String> {
    let t = StaffTexts::get(l);
    [
        first,
        t.positions,
        t.rates,
        t.filled,
        t.temporarily_vacant,
        t.vacant,
        t.fill_rate,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

fn figures_row(name: Cell, s: &Totals) -> Vec<Cell> {
    vec![
        name,
        Cell::Int(s.positions),
        Cell::Float(s.rates.as_f64()),
        Cell::Float(s.filled.as_f64()),
        Cell::Float(s.away.as_f64()),
        Cell::Float(s.vacant.as_f64()),
        Cell::Share(s.fill()),
    ]
}

/// A level of the drill-down (region → portfolio → organisation): rows of
/// figures, their chart and their download.
struct Level {
    title: String,
    group: &'static str,
    chart: &'static str,
    here: String,
    file: String,
    rows: Vec<(String, Option<String>, Totals)>,
    after: maud::Markup,
}

fn level(
    ctx: &PageCtx,
    q: &AsOf,
    at: Date,
    flags: &[(queries::FlagRow, String)],
    d: Level,
) -> AppResult<Response> {
    let l = ctx.locale;
    let table = Table {
        name: d.file,
        headers: headers(l, d.group),
        rows: d
            .rows
            .iter()
            .map(|(n, href, s)| {
                let cell = match href {
                    Some(h) => Cell::Link(n.clone(), h.clone()),
                    None => Cell::Text(n.clone()),
                };
                figures_row(cell, s)
            })
            .collect(),
    };
    if let Some(r) = table.download(Format::parse(q.format.as_deref()))? {
        return Ok(r);
    }
    let mut total = Totals::default();
    for (_, _, s) in &d.rows {
        total.sum(s);
    }
    let bars: Vec<(String, f64)> = d
        .rows
        .iter()
        .map(|(n, _, s)| (n.clone(), s.fill()))
        .collect();
    let here_dated = format!("{}?date={}", d.here, iso_date(at));
    Ok(Page::new(ctx, d.title.clone())
        .crumb(StaffTexts::get(l).staff_region, "/pm/staff")
        .render(html! {
            h1 { (d.title) }
            (views::nav(l))
            (views::as_of_form(l, &d.here, at))
            (views::summary(l, &total, flags.len()))
            (views::fill_chart(l, d.chart, &bars))
            (table.html(d.chart))
            (links(l, &here_dated))
            (views::flags_list(l, flags))
            (d.after)
        }))
}

/// Open flags with their texts in the reader's language (titles and
/// units from the snapshot already read).
async fn flag_texts(
    db: &Db,
    l: Locale,
    org: &str,
    snap: &Snapshot,
) -> AppResult<Vec<(queries::FlagRow, String)>> {
    Ok(queries::open_flags(db, org)
        .await?
        .into_iter()
        .map(|f| {
            let position = snap
                .lines
                .iter()
                .find(|x| x.position_id == f.subject)
                .map_or("", |x| x.title.as_str());
            let text = views::flag_text(l, &f.kind, f.value, snap.unit_name(f.unit_id), position);
            (f, text)
        })
        .collect())
}

/// `GET /pm/staff`: the region by portfolio.
pub async fn region(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    let at = as_of(&q)?;
    let snap = Snapshot::load(&db, "", at).await?;
    let orgs = org_map(&db).await?;
    let mut by: BTreeMap<Option<String>, Totals> = BTreeMap::new();
    for (org, s) in snap.by_organisation() {
        let p = portfolio_of(&orgs, &org).map(|p| p.organisation_id.clone());
        by.entry(p).or_default().sum(&s);
    }
    let date = iso_date(at);
    let rows = by
        .into_iter()
        .map(|(p, s)| match p.as_ref().and_then(|p| orgs.get(p)) {
            Some(o) => (
                l.pick(&o.name_ru, &o.name_en).to_owned(),
                Some(format!(
                    "/pm/staff/portfolios/{}?date={date}",
                    o.organisation_id
                )),
                s,
            ),
            None => (t.outside.to_owned(), None, s),
        })
        .collect();
    // The longest vacancies follow the level's page.
    let mut longest: Vec<(i64, usize)> = snap
        .positions
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.days_vacant(at).map(|d| (d, i)))
        .collect();
    longest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    longest.truncate(20);
    let after = html! {
        h2 #longest { (t.longest) }
        div.table-wrap tabindex="0" role="region" aria-label=(t.longest) {
            table #longest-vacancies {
                thead { tr { th scope="col" { (t.organisation) } th scope="col" { (t.unit) } th scope="col" { (t.position) } th scope="col" { (t.key) } th scope="col" { (t.days_vacant) } } }
                tbody {
                    @for (days, i) in &longest {
                        @let line = &snap.lines[*i];
                        tr {
                            td { a href={ "/pm/staff/organisations/" (line.organisation_id) "?date=" (date) } {
                                (orgs.get(&line.organisation_id).map_or(line.organisation_id.as_str(), |o| l.pick(&o.short_name_ru, &o.short_name_en))) } }
                            td { (snap.unit_name(line.unit_id)) }
                            td { (line.title) }
                            td { @if line.key_position { (t.yes) } }
                            td { (days) }
                        }
                    }
                }
            }
        }
    };
    let flags = flag_texts(&db, l, "", &snap).await?;
    level(
        &ctx,
        &q,
        at,
        &flags,
        Level {
            title: t.region_title.to_owned(),
            group: t.portfolio,
            chart: t.fill_by_portfolio,
            here: "/pm/staff".into(),
            file: format!("staff-region-{date}"),
            rows,
            after,
        },
    )
}

/// `GET /pm/staff/portfolios/{id}`: a portfolio's organisations.
pub async fn portfolio(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    let at = as_of(&q)?;
    let orgs = org_map(&db).await?;
    let p = orgs.get(&id).ok_or_else(AppError::not_found)?;
    let snap = Snapshot::load(&db, "", at).await?;
    let date = iso_date(at);
    let rows = snap
        .by_organisation()
        .into_iter()
        .filter(|(org, _)| portfolio_of(&orgs, org).is_some_and(|x| x.organisation_id == id))
        .map(|(org, s)| {
            let name = orgs
                .get(&org)
                .map_or(org.clone(), |o| l.pick(&o.name_ru, &o.name_en).to_owned());
            (
                name,
                Some(format!("/pm/staff/organisations/{org}?date={date}")),
                s,
            )
        })
        .collect();
    let flags: Vec<_> = flag_texts(&db, l, "", &snap)
        .await?
        .into_iter()
        .filter(|(f, _)| {
            portfolio_of(&orgs, &f.organisation_id).is_some_and(|x| x.organisation_id == id)
        })
        .collect();
    level(
        &ctx,
        &q,
        at,
        &flags,
        Level {
            title: l.pick(&p.name_ru, &p.name_en).to_owned(),
            group: t.organisation,
            chart: t.fill_by_organisation,
            here: format!("/pm/staff/portfolios/{id}"),
            file: format!("staff-{id}-{date}"),
            rows,
            after: html! {},
        },
    )
}

/// `GET /pm/staff/organisations/{id}`: an organisation as of a date.
pub async fn organisation(
    ctx: PageCtx,
    Core(user): Core,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    let org = crate::directory::queries::by_id(&db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let allowed = service::access(&db, &user, &id).await?;
    let at = as_of(&q)?;
    let snap = Snapshot::load(&db, &id, at).await?;
    let unit = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::invalid("Нет такого подразделения.", "No such unit."))?,
        ),
    };
    let vacant_only = q.vacant.as_deref() == Some("1");
    let format = q.format.as_deref();
    // The Т-3 carries each post's pay: for a post one person holds, that
    // person's. It goes to those who may see names.
    if format == Some("t3") {
        if !allowed.see_internal {
            return Err(AppError::forbidden());
        }
        return super::export::t3(&snap, &id, at);
    }
    let report = super::export::report(ctx.locale, &snap, &id, allowed, unit, vacant_only);
    if let Some(r) = report.download(Format::parse(format))? {
        return Ok(r);
    }
    let trend = {
        let mut bars = Vec::new();
        for d in quarter_ends(at, 8) {
            let s = Snapshot::load(&db, &id, d).await?.totals();
            bars.push((iso_date(d), s.fill()));
        }
        bars
    };
    let page = super::orgpage::OrgPage {
        ctx: &ctx,
        org: &org,
        allowed,
        snap: &snap,
        report: &report,
        trend: &trend,
        unit,
        vacant_only,
        flags: flag_texts(&db, ctx.locale, &id, &snap).await?,
        vacancies: queries::vacancies(&db, &id).await?,
        schedules: queries::schedules(&db, &id).await?,
        thresholds: queries::thresholds(&db, &id).await?,
    };
    Ok(page.render())
}

fn back(org: &str) -> Response {
    Redirect::to(&format!("/pm/staff/organisations/{org}")).into_response()
}

/// `POST /pm/staff/organisations/{id}/import` (multipart): a Т-3 file with
/// the approving order; on any bad row, the list of them (422) and nothing
/// written.
pub async fn import_t3(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    service::may_edit(&state.db, &user, &id).await?;
    let (name, bytes, text) = crate::media::upload::one_file(multipart).await?;
    let field = |k: &str| text.get(k).map_or("", |s| s.trim());
    let order_number = field("order_number");
    if order_number.is_empty() || order_number.chars().count() > 100 {
        return Err(AppError::invalid(
            "Укажите номер приказа (до 100 знаков).",
            "Give the order's number (up to 100 characters).",
        ));
    }
    let header = ScheduleHeader {
        order_number: order_number.to_owned(),
        order_date: day(field("order_date"))?,
        valid_from: day(field("valid_from"))?,
    };
    let _permit = state.gates.expensive.enter().await?;
    let dir = state.config.media_dir().join("imports");
    let table = crate::media::sheet::read_upload(dir, &name, bytes).await?;
    let checked =
        import::check(&table).map_err(|m| AppError::unprocessable("invalid_spreadsheet", m))?;
    if checked.rejected_rows > 0 {
        return Ok(super::orgpage::import_problems(&ctx, &id, &checked));
    }
    service::import_schedule(&state, &user, &id, &header, &checked.rows).await?;
    Ok(back(&id))
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    position_id: String,
    #[serde(default)]
    person_name: String,
    #[serde(default)]
    rate: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    acting: Option<String>,
}

fn id_of(s: &str) -> AppResult<i64> {
    s.trim().parse().map_err(|_| AppError::not_found())
}

/// `POST /pm/staff/organisations/{id}/assignments`
pub async fn assign(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    let name = f.person_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid(
            "Укажите фамилию, имя и отчество (до 200 знаков).",
            "Give the full name (up to 200 characters).",
        ));
    }
    let a = NewAssignment {
        position_id: id_of(&f.position_id)?,
        person_name: name,
        rate: service::rate(&f.rate)?.0,
        acting: f.acting.is_some(),
        starts_on: day(&f.starts_on)?,
    };
    service::assign(&state, &user, &id, &a).await?;
    Ok(back(&id))
}

#[derive(Debug, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    last_day: String,
}

/// `POST /pm/staff/organisations/{id}/assignments/{a}/end`
pub async fn end(
    Core(user): Core,
    State(state): State<AppState>,
    Path((id, a)): Path<(String, i64)>,
    Form(f): Form<EndForm>,
) -> AppResult<Response> {
    service::end_assignment(&state, &user, &id, a, day(&f.last_day)?).await?;
    Ok(back(&id))
}

#[derive(Debug, Deserialize)]
pub struct AbsenceForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

/// `POST /pm/staff/organisations/{id}/assignments/{a}/absences`
pub async fn absence(
    Core(user): Core,
    State(state): State<AppState>,
    Path((id, a)): Path<(String, i64)>,
    Form(f): Form<AbsenceForm>,
) -> AppResult<Response> {
    let kind = AbsenceKind::parse(&f.kind).ok_or_else(|| {
        AppError::invalid("Выберите вид отсутствия.", "Choose the kind of absence.")
    })?;
    let ends = match f.ends_on.trim() {
        "" => None,
        s => Some(day(s)?),
    };
    service::add_absence(&state, &user, &id, a, kind, day(&f.starts_on)?, ends).await?;
    Ok(back(&id))
}

#[derive(Debug, Deserialize)]
pub struct VacancyForm {
    #[serde(default)]
    position_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    day: String,
}

/// `POST /pm/staff/organisations/{id}/vacancies`
pub async fn vacancy(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<VacancyForm>,
) -> AppResult<Response> {
    let action = VacancyAction::parse(&f.action).ok_or_else(|| {
        AppError::invalid(
            "Неизвестное действие с вакансией.",
            "Unknown vacancy action.",
        )
    })?;
    service::vacancy(
        &state,
        &user,
        &id,
        id_of(&f.position_id)?,
        action,
        day(&f.day)?,
    )
    .await?;
    Ok(back(&id))
}

#[derive(Debug, Deserialize)]
pub struct ThresholdsForm {
    #[serde(default)]
    key_vacant_days: String,
    #[serde(default)]
    unit_min_fill: String,
    #[serde(default)]
    acting_max: String,
}

/// `POST /pm/staff/organisations/{id}/thresholds`
pub async fn thresholds(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<ThresholdsForm>,
) -> AppResult<Response> {
    let num = |s: &str, max: i64| -> AppResult<i64> {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=max).contains(n))
            .ok_or_else(|| {
                AppError::invalid(
                    format!("Порог — целое число от 0 до {max}."),
                    format!("A threshold is a whole number from 0 to {max}."),
                )
            })
    };
    let t = Thresholds {
        key_vacant_days: num(&f.key_vacant_days, 3650)?,
        unit_min_fill: num(&f.unit_min_fill, 100)?,
        acting_max: num(&f.acting_max, 100)?,
    };
    service::set_thresholds(&state, &user, &id, &t).await?;
    Ok(back(&id))
}

/// The columns of the Т-3 export, in the order of the form.
pub const T3_COLUMNS: [Field; 11] = [
    Field::UnitName,
    Field::UnitCode,
    Field::ParentCode,
    Field::PositionCode,
    Field::Title,
    Field::Category,
    Field::Grade,
    Field::Key,
    Field::Rates,
    Field::Salary,
    Field::Allowances,
];
