//! Handlers of `/pm/courts`: the overview (amount at risk by portfolio
//! and organisation, outcomes by category, the list), the hearing
//! calendar, the counterparties, a case's card, and the officers' changes.
//! Thin: extract, parse, one service call or load, render.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use time::{Date, Duration};

use super::alerts::today;
use super::domain::{Category, Level, Outcome, Risk, Role, parse_roubles, plain_roubles};
use super::import;
use super::queries::{self, CaseRow, PartyRow, Scope};
use super::views::{self, CourtTexts, label, outcome_label, party_name, vocab_options};
use crate::auth::Core;
use crate::db::Db;
use crate::directory::queries::OrgRow;
use crate::directory::tree::{org_map, portfolio_of};
use crate::error::{AppError, AppResult};
use crate::web::extract::Query;
use crate::web::i18n::{Locale, iso_date, parse_iso_date};
use crate::web::layout::{Page, PageCtx};
use crate::web::limits::Gates;
use crate::web::tables::{Cell, Format, Table, links};

pub(super) fn day(s: &str) -> AppResult<Date> {
    import::parse_date(s).ok_or_else(|| {
        AppError::invalid(
            "Укажите дату в формате ГГГГ-ММ-ДД.",
            "Give the date as YYYY-MM-DD.",
        )
    })
}

pub(super) fn maybe_day(s: &str) -> AppResult<Option<Date>> {
    match s.trim() {
        "" => Ok(None),
        s => day(s).map(Some),
    }
}

pub(super) use crate::web::extract::{optional_field as optional, text_field as text};

pub(super) fn word<T>(parse: fn(&str) -> Option<T>, s: &str) -> AppResult<T> {
    parse(s).ok_or_else(|| {
        AppError::invalid(
            "Значение не из списка.",
            "The value is not one of the list.",
        )
    })
}

pub(super) fn money(s: &str) -> AppResult<i64> {
    parse_roubles(s).map_err(|m| AppError::unprocessable("invalid_input", m))
}

pub(super) fn org_name(orgs: &BTreeMap<String, OrgRow>, l: Locale, id: &str) -> String {
    orgs.get(id).map_or_else(
        || id.to_owned(),
        |o| l.pick(&o.short_name_ru, &o.short_name_en).to_owned(),
    )
}

/// The highest instance of each case: its court and number stand for the
/// case in lists.
fn latest(instances: &[queries::InstanceRow]) -> BTreeMap<i64, &queries::InstanceRow> {
    let mut by: BTreeMap<i64, &queries::InstanceRow> = BTreeMap::new();
    let rank = |i: &queries::InstanceRow| Level::parse(&i.level).map_or(0, |l| l as u8);
    for i in instances {
        if by.get(&i.case_id).is_none_or(|x| rank(i) >= rank(x)) {
            by.insert(i.case_id, i);
        }
    }
    by
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    portfolio: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

impl queries::RiskRow {
    fn total(&self) -> f64 {
        self.probable + self.possible + self.remote
    }

    fn sum(&mut self, o: &queries::RiskRow) {
        self.pending += o.pending;
        self.probable += o.probable;
        self.possible += o.possible;
        self.remote += o.remote;
    }

    fn row(&self, name: Cell) -> Vec<Cell> {
        vec![
            name,
            Cell::Int(self.pending),
            Cell::Float(self.probable / 100.0),
            Cell::Float(self.possible / 100.0),
            Cell::Float(self.remote / 100.0),
            Cell::Float(self.total() / 100.0),
        ]
    }
}

fn risk_headers(l: Locale, first: &str) -> Vec<String> {
    let t = CourtTexts::get(l);
    vec![
        first.to_owned(),
        t.open_cases.to_owned(),
        format!("{}: {}", t.at_risk, Risk::Probable.label(l)),
        format!("{}: {}", t.at_risk, Risk::Possible.label(l)),
        format!("{}: {}", t.at_risk, Risk::Remote.label(l)),
        t.total.to_owned(),
    ]
}

/// Cases a page of the list shows; a download holds them all, up to the
/// export cap of every download (`web::limits::MAX_EXPORT_ROWS`).
const PAGE_SIZE: i64 = 100;

/// The list of cases, never naming a private person: it is downloadable
/// and read by the whole core.
async fn case_list(
    db: &Db,
    l: Locale,
    orgs: &BTreeMap<String, OrgRow>,
    cases: &[CaseRow],
) -> AppResult<Table> {
    let t = CourtTexts::get(l);
    let (lo, hi) = (
        cases.iter().map(|c| c.case_id).min().unwrap_or(0),
        cases.iter().map(|c| c.case_id).max().unwrap_or(0),
    );
    let instances = queries::instances_between(db, lo, hi).await?;
    let top = latest(&instances);
    let parties = queries::parties_between(db, lo, hi).await?;
    let mut by_case: BTreeMap<i64, Vec<&PartyRow>> = BTreeMap::new();
    for p in &parties {
        by_case.entry(p.case_id).or_default().push(p);
    }
    Ok(Table {
        name: "court-cases".into(),
        headers: [
            t.case,
            t.organisation,
            t.role,
            t.counterparty,
            t.subject,
            t.category,
            t.court,
            t.number,
            t.claimed,
            t.risk,
            t.outcome,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: cases
            .iter()
            .map(|c| {
                let others = by_case
                    .get(&c.case_id)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| party_name(l, p, false))
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .unwrap_or_default();
                let inst = top.get(&c.case_id);
                vec![
                    Cell::Link(
                        c.case_id.to_string(),
                        format!("/pm/courts/cases/{}", c.case_id),
                    ),
                    Cell::Text(org_name(orgs, l, &c.organisation_id)),
                    Cell::Text(label(Role::parse, Role::label, &c.role, l).to_owned()),
                    Cell::Text(others),
                    Cell::Text(c.subject.clone()),
                    Cell::Text(label(Category::parse, Category::label, &c.category, l).to_owned()),
                    Cell::Text(inst.map_or(String::new(), |i| i.court.clone())),
                    Cell::Text(inst.map_or(String::new(), |i| i.number.clone())),
                    Cell::Float(plain_roubles(c.claimed)),
                    Cell::Text(label(Risk::parse, Risk::label, &c.risk, l).to_owned()),
                    Cell::Text(outcome_label(l, &c.outcome).to_owned()),
                ]
            })
            .collect(),
    })
}

/// `GET /pm/courts`: amount at risk by portfolio and organisation,
/// outcomes by category and the cases, a page at a time (each table a
/// download with `view=portfolios|organisations|outcomes|cases&format=csv|xlsx`).
pub async fn overview(
    ctx: PageCtx,
    Core(user): Core,
    State(db): State<Db>,
    State(gates): State<Gates>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = CourtTexts::get(l);
    let orgs = org_map(&db).await?;
    // One organisation, a portfolio's organisations (a vice-governor's,
    // the governor's office's), or the region.
    let org = q.org.as_deref().map(str::trim).unwrap_or("");
    let portfolio = q.portfolio.as_deref().map(str::trim).unwrap_or("");
    let (scope, here, name) = if !org.is_empty() {
        let o = orgs.get(org).ok_or_else(AppError::not_found)?;
        (
            Scope::of([org]),
            format!("/pm/courts?org={org}"),
            Some(l.pick(&o.name_ru, &o.name_en).to_owned()),
        )
    } else if !portfolio.is_empty() {
        let p = orgs
            .get(portfolio)
            .filter(|p| {
                portfolio_of(&orgs, &p.organisation_id)
                    .is_some_and(|x| x.organisation_id == portfolio)
            })
            .ok_or_else(AppError::not_found)?;
        let members = orgs
            .keys()
            .filter(|o| portfolio_of(&orgs, o).is_some_and(|x| x.organisation_id == portfolio));
        (
            Scope::of(members.map(String::as_str)),
            format!("/pm/courts?portfolio={portfolio}"),
            Some(l.pick(&p.name_ru, &p.name_en).to_owned()),
        )
    } else {
        (Scope::all(), "/pm/courts".to_owned(), None)
    };
    let outcome = q.outcome.as_deref().map(str::trim).unwrap_or("");
    if !outcome.is_empty() && outcome != "pending" && Outcome::parse(outcome).is_none() {
        return Err(AppError::invalid("Нет такого итога.", "No such outcome."));
    }
    let page = match q.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 1,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| AppError::invalid("Нет такой страницы.", "No such page."))?,
    };
    let format = Format::parse(q.format.as_deref());
    let view = q.view.as_deref().unwrap_or("cases");
    if view == "cases" && format != Format::Html {
        // Built in memory: bounded in size, and a few at a time
        // (web/limits.rs), as every export.
        let total = queries::count_cases(&db, &scope, outcome).await?;
        let cap = crate::web::limits::MAX_EXPORT_ROWS;
        if total > cap {
            return Err(AppError::invalid(
                format!(
                    "В выгрузку входит не больше {cap} дел, а выбрано {total}. Выберите портфель, организацию или итог."
                ),
                format!(
                    "A download holds at most {cap} cases and {total} are selected. Choose a portfolio, an organisation or an outcome."
                ),
            ));
        }
        let _permit = gates.expensive.enter().await?;
        let all = queries::cases(&db, &scope, outcome, cap, 0).await?;
        if let Some(r) = case_list(&db, l, &orgs, &all).await?.download(format)? {
            return Ok(r);
        }
    }
    // Amount at risk by portfolio and by organisation, summed in the store.
    let risks = queries::risk_by_organisation(&db, &scope).await?;
    let mut by_portfolio: BTreeMap<Option<String>, queries::RiskRow> = BTreeMap::new();
    let mut all = queries::RiskRow::default();
    for r in &risks {
        let p = portfolio_of(&orgs, &r.organisation_id).map(|p| p.organisation_id.clone());
        by_portfolio.entry(p).or_default().sum(r);
        all.sum(r);
    }
    // Outcomes by category: [won, lost, partly, settled, pending].
    let mut outcomes: BTreeMap<Category, [i64; 5]> = BTreeMap::new();
    let mut total = 0;
    for (category, outcome, n) in queries::outcomes(&db, &scope).await? {
        let slot = match Outcome::parse(&outcome) {
            Some(Outcome::Won) => 0,
            Some(Outcome::Lost) => 1,
            Some(Outcome::Partly) => 2,
            Some(Outcome::Settled) => 3,
            None => 4,
        };
        outcomes
            .entry(Category::parse(&category).unwrap_or(Category::Other))
            .or_default()[slot] += n;
        total += n;
    }
    let portfolios = Table {
        name: "court-risk-portfolios".into(),
        headers: risk_headers(l, t.portfolio),
        rows: by_portfolio
            .iter()
            .map(|(p, r)| {
                let cell = match p.as_ref().and_then(|p| orgs.get(p)) {
                    Some(o) => Cell::Link(
                        l.pick(&o.name_ru, &o.name_en).to_owned(),
                        format!("/pm/courts?portfolio={}", o.organisation_id),
                    ),
                    None => Cell::Text(t.outside.to_owned()),
                };
                r.row(cell)
            })
            .collect(),
    };
    let organisations = Table {
        name: "court-risk-organisations".into(),
        headers: risk_headers(l, t.organisation),
        rows: risks
            .iter()
            .map(|r| {
                r.row(Cell::Link(
                    org_name(&orgs, l, &r.organisation_id),
                    format!("/pm/courts?org={}", r.organisation_id),
                ))
            })
            .collect(),
    };
    let outcome_table = Table {
        name: "court-outcomes".into(),
        headers: [
            t.category,
            t.won_count,
            t.lost_count,
            t.partly_count,
            t.settled_count,
            t.pending,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: outcomes
            .iter()
            .map(|(c, n)| {
                let mut row = vec![Cell::Text(c.label(l).to_owned())];
                row.extend(n.iter().map(|x| Cell::Int(*x)));
                row
            })
            .collect(),
    };
    let chosen = match view {
        "portfolios" => Some(&portfolios),
        "organisations" => Some(&organisations),
        "outcomes" => Some(&outcome_table),
        _ => None,
    };
    if let Some(r) = chosen.map(|t| t.download(format)).transpose()?.flatten() {
        return Ok(r);
    }
    let listed = queries::cases(&db, &scope, outcome, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let list = case_list(&db, l, &orgs, &listed).await?;
    let pages = (queries::count_cases(&db, &scope, outcome).await? + PAGE_SIZE - 1) / PAGE_SIZE;
    let sep = if here.contains('?') { "&" } else { "?" };
    let filtered = if outcome.is_empty() {
        here.clone()
    } else {
        format!("{here}{sep}outcome={outcome}")
    };
    let unpaid = queries::unpaid(&db, &scope).await?;
    let can_enter = user.is_admin() || user.is_officer();
    let outcome_opts = vocab_options(Outcome::ALL, Outcome::as_str, Outcome::label, l);
    let title = match &name {
        None => t.title.to_owned(),
        Some(n) => format!("{}: {}", t.title, n),
    };
    Ok(Page::new(&ctx, title.clone())
        .crumb(t.title, "/pm/courts")
        .render(html! {
            h1 { (title) }
            (views::nav(l))
            dl.pm-summary {
                div { dt { (t.all_cases) } dd #courts-total { (total) } }
                div { dt { (t.open_cases) } dd #courts-pending { (all.pending) } }
                div { dt { (t.at_risk) } dd #courts-at-risk { (super::domain::show_roubles(all.total() as i64, l)) } }
                div { dt { (t.unpaid) } dd #courts-unpaid { (super::domain::show_roubles(unpaid as i64, l)) } }
            }
            h2 { (t.at_risk) }
            p.hint { (t.at_risk_hint) }
            @if org.is_empty() && portfolio.is_empty() {
                (portfolios.html(t.portfolio))
                (links(l, &format!("{here}{sep}view=portfolios")))
            }
            (organisations.html(t.organisation))
            (links(l, &format!("{here}{sep}view=organisations")))
            h2 { (t.outcomes) }
            (outcome_table.html(t.outcomes))
            (links(l, &format!("{here}{sep}view=outcomes")))
            h2 { (t.cases) }
            form.inline-form method="get" action="/pm/courts" {
                @if !org.is_empty() { input type="hidden" name="org" value=(org); }
                @if !portfolio.is_empty() { input type="hidden" name="portfolio" value=(portfolio); }
                div.field {
                    label for="f-outcome" { (t.outcome) }
                    select #f-outcome name="outcome" {
                        option value="" { (t.all) }
                        option value="pending" selected[outcome == "pending"] { (t.pending) }
                        @for (v, n) in &outcome_opts { option value=(v) selected[outcome == v] { (n) } }
                    }
                }
                button.button type="submit" { (t.filter) }
            }
            @if listed.is_empty() { p { (t.no_cases) } } @else { (list.html(t.cases)) }
            (crate::web::components::pager(l, &filtered, page, pages))
            (links(l, &format!("{filtered}{}view=cases", if filtered.contains('?') { "&" } else { "?" })))
            @if can_enter {
                h2 { (t.import) }
                form method="post" action="/pm/courts/import" enctype="multipart/form-data" {
                    p.hint #import-hint { (t.import_hint) }
                    div.field {
                        label for="f-file" { (t.file) }
                        input #f-file type="file" name="file" accept=".xlsx,.csv" required aria-describedby="import-hint";
                    }
                    button.button type="submit" { (t.upload) }
                }
            }
        }))
}

#[derive(Debug, Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// The most days one calendar page shows.
pub const MAX_DAYS: i64 = 92;

/// `GET /pm/courts/calendar?from=YYYY-MM-DD&days=N`: hearings by day.
pub async fn calendar(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Query(q): Query<CalendarQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = CourtTexts::get(l);
    let from = match q.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today(),
        Some(s) => parse_iso_date(s)
            .filter(|d| (1990..=2200).contains(&d.year()))
            .ok_or_else(|| {
                AppError::invalid(
                    "Укажите дату в формате ГГГГ-ММ-ДД.",
                    "Give the date as YYYY-MM-DD.",
                )
            })?,
    };
    let days = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 14,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| {
                AppError::invalid("Число дней — от 1 до 92.", "The number of days is 1 to 92.")
            })?,
    };
    let msk = time::macros::offset!(+3);
    let start = from.midnight().assume_offset(msk);
    let hearings = queries::hearings_between(&db, start, start + Duration::days(days)).await?;
    let orgs = org_map(&db).await?;
    let table = Table {
        name: format!("court-hearings-{}", iso_date(from)),
        headers: [
            t.hearing_at,
            t.court,
            t.number,
            t.level,
            t.organisation,
            t.subject,
            t.courtroom,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: hearings
            .iter()
            .map(|h| {
                vec![
                    Cell::Text(crate::web::components::datetime(l, h.starts_at)),
                    Cell::Text(h.court.clone()),
                    Cell::Link(h.number.clone(), format!("/pm/courts/cases/{}", h.case_id)),
                    Cell::Text(label(Level::parse, Level::label, &h.level, l).to_owned()),
                    Cell::Text(org_name(&orgs, l, &h.organisation_id)),
                    Cell::Text(h.subject.clone()),
                    Cell::Text(h.courtroom.clone()),
                ]
            })
            .collect(),
    };
    if let Some(r) = table.download(Format::parse(q.format.as_deref()))? {
        return Ok(r);
    }
    let mut by_day: Vec<(Date, Vec<&queries::HearingRow>)> = Vec::new();
    for h in &hearings {
        let d = h.starts_at.to_offset(msk).date();
        match by_day.last_mut() {
            Some((x, v)) if *x == d => v.push(h),
            _ => by_day.push((d, vec![h])),
        }
    }
    let name = |id: &str| org_name(&orgs, l, id);
    let here = format!("/pm/courts/calendar?from={}&days={days}", iso_date(from));
    Ok(Page::new(&ctx, t.calendar)
        .crumb(t.title, "/pm/courts")
        .render(html! {
            h1 { (t.calendar) }
            (views::nav(l))
            form.inline-form method="get" action="/pm/courts/calendar" {
                div.field { label for="f-from" { (t.from) } input #f-from type="date" name="from" value=(iso_date(from)); }
                div.field { label for="f-days" { (t.days) } input #f-days type="number" name="days" min="1" max="92" value=(days); }
                button.button type="submit" { (t.show) }
            }
            (views::calendar(l, &by_day, &name))
            (links(l, &here))
        }))
}

/// `GET /pm/courts/counterparties`: cases grouped by the other party, an
/// organisation by its ИНН (or name); private persons in one unnamed row.
pub async fn counterparties(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = CourtTexts::get(l);
    let rows = queries::counterparties(&db).await?;
    let table = Table {
        name: "court-counterparties".into(),
        headers: [
            t.counterparty,
            t.inn,
            t.cases,
            t.claimed,
            t.won_count,
            t.lost_count,
            t.pending,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                let name = if r.person {
                    t.persons_hidden.to_owned()
                } else {
                    r.name.clone()
                };
                vec![
                    Cell::Text(name),
                    Cell::Text(r.inn.clone()),
                    Cell::Int(r.cases),
                    Cell::Float(r.claimed / 100.0),
                    Cell::Int(r.won),
                    Cell::Int(r.lost),
                    Cell::Int(r.other),
                ]
            })
            .collect(),
    };
    if let Some(r) = table.download(Format::parse(q.format.as_deref()))? {
        return Ok(r);
    }
    Ok(Page::new(&ctx, t.counterparties)
        .crumb(t.title, "/pm/courts")
        .render(html! {
            h1 { (t.counterparties) }
            (views::nav(l))
            (table.html(t.counterparties))
            (links(l, "/pm/courts/counterparties"))
        }))
}
