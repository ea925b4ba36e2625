//! The explorer (docs/BI.md, "The explorer"): staff of the core ask the
//! reporting schema a question from a form whose address is the question,
//! and get a pivot table, a chart drawn on the server, the period
//! comparison, the records behind each cell, exports, and saved and mailed
//! explorations. Every figure is read within the viewer's scope, which is
//! a clause of the query (`bi::scope`); every record behind a figure is
//! opened by its own rule (`bi::Mart::open`).
//!
//! - `view.rs`: the form; `pivot.rs`: an answer as table, JSON, CSV, text;
//! - `compare.rs`: this month against the previous one and a year ago;
//! - `saved.rs`: saved explorations, sharing, the monthly switch;
//! - `mail.rs`: the monthly mail, once per period.

pub mod compare;
pub mod mail;
pub mod pivot;
pub mod saved;
pub mod texts;
pub mod view;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use self::pivot::Pivot;
use self::texts::ExplorerTexts;
use crate::app::AppState;
use crate::auth::{Core, CurrentUser};
use crate::bi::query::{self, Question};
use crate::bi::scope::Scope;
use crate::error::{AppError, AppResult, Msg};
use crate::web::charts_bars::{self, Kind};
use crate::web::extract::Query;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::content_disposition;

/// What the address asks besides the question.
#[derive(Debug, Default)]
pub struct Extras {
    pub chart: Option<String>,
    pub format: Option<String>,
    pub cell_row: Option<String>,
    pub cell_col: Option<String>,
}

/// Splits an address into the question's pairs and the rest; the form's
/// `f.<dimension>=<value>` become `f=<dimension>:<value>`.
pub fn split(raw: Vec<(String, String)>) -> (Vec<(String, String)>, Extras) {
    let mut pairs = Vec::new();
    let mut ex = Extras::default();
    for (k, v) in raw {
        match k.as_str() {
            // The first of each counts (as the question's own keys).
            "chart" => {
                ex.chart.get_or_insert(v);
            }
            "format" => {
                ex.format.get_or_insert(v);
            }
            "cell_row" => {
                ex.cell_row.get_or_insert(v);
            }
            "cell_col" => {
                ex.cell_col.get_or_insert(v);
            }
            _ => match k.strip_prefix("f.") {
                Some(dim) if !v.is_empty() => pairs.push(("f".into(), format!("{dim}:{v}"))),
                Some(_) => {}
                None => pairs.push((k, v)),
            },
        }
    }
    (pairs, ex)
}

/// The address of a question's page with its chart.
pub fn href(q: &Question, chart: Kind) -> String {
    format!("/bi/explore?{}&chart={}", q.query_string(), chart.key())
}

/// A line saying whose rows the viewer reads.
async fn scope_note(state: &AppState, l: Locale, scope: &Scope) -> AppResult<maud::Markup> {
    let t = ExplorerTexts::get(l);
    Ok(match scope {
        Scope::All => html! { p.scope-note { (t.scope_all) } },
        Scope::Within { portfolios, .. } if !portfolios.is_empty() => {
            let orgs = crate::directory::tree::org_map(&state.db).await?;
            let names: Vec<String> = portfolios
                .iter()
                .map(|p| {
                    orgs.get(p)
                        .map(|o| l.pick(&o.name_ru, &o.name_en).to_owned())
                        .unwrap_or_else(|| p.clone())
                })
                .collect();
            html! { p.scope-note { (t.scope_within) (names.join("; ")) } }
        }
        Scope::Within { .. } => html! { p.scope-note { (t.scope_none) } },
    })
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        content_disposition("attachment", name, name),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

fn unknown_format() -> AppError {
    AppError::bad_request(
        "invalid_format",
        Msg::new(
            "Неизвестный формат: html, json, csv, xlsx или svg.",
            "Unknown format: html, json, csv, xlsx or svg.",
        ),
    )
}

/// `GET /bi/explore`: the form, and with a question its answer (or the
/// answer as `format=json|csv|xlsx|svg`).
pub async fn page(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Query(raw): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ExplorerTexts::get(l);
    let (pairs, ex) = split(raw);
    let chart = Kind::parse(ex.chart.as_deref());
    let format = ex.format.as_deref().unwrap_or("html");
    if !matches!(format, "html" | "json" | "csv" | "xlsx" | "svg") {
        return Err(unknown_format());
    }
    let asked = pairs
        .iter()
        .any(|(k, v)| k == "mart" && !v.trim().is_empty());
    let scope = Scope::of(&state.db, &user).await?;
    if !asked && format == "html" {
        let first = state.marts.all().next().map(|m| m.def().name);
        return Ok(Page::new(&ctx, t.title)
            .crumb(t.title, "/bi/explore")
            .render(html! {
                h1 { (t.title) }
                p { (t.intro) }
                (scope_note(&state, l, &scope).await?)
                (view::choose_mart(l, &state.marts, first))
                (links(l))
            }));
    }
    let q = Question::parse(&state.marts, &pairs)?;
    let gate = &state.gates.expensive;
    let pivot = Pivot::of(&state.db, gate, &q, &scope, l).await?;
    let title = format!(
        "{}: {}",
        q.mart.title.get(l),
        pivot::measure_name(&q, l).to_lowercase()
    );
    let (labels, series) = pivot.series();
    match format {
        "json" => return Ok(axum::Json(pivot.json()).into_response()),
        "csv" => return pivot.table().csv(),
        "xlsx" => return pivot.table().xlsx(),
        "svg" => {
            let svg = charts_bars::svg(chart, &title, &labels, &series).into_string();
            let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}\n");
            return Ok(download(
                body.into_bytes(),
                "image/svg+xml",
                &format!("{}.svg", q.mart.name),
            ));
        }
        _ => {}
    }
    let comparison = compare::compare(&state.db, gate, &q, &scope).await?;
    let here = href(&q, chart);
    let sep_qs = format!("{}&chart={}", q.query_string(), chart.key());
    let main = html! {
        h1 { (t.title) }
        (scope_note(&state, l, &scope).await?)
        (view::form(&state.db, &state.gates.expensive, l, q.mart, Some(&q), &scope, chart).await?)
        section #answer aria-labelledby="answer-h" {
            h2 #answer-h { (t.answer) ": " (title) }
            @if pivot.answer.rows.is_empty() {
                p { (t.nothing) }
            } @else {
                (charts_bars::figure(chart, &title, &labels, &series))
                (pivot.html(&title))
            }
            p.export {
                (t.download)
                a href={ "/bi/explore?" (sep_qs) "&format=csv" } { "CSV" } ", "
                a href={ "/bi/explore?" (sep_qs) "&format=xlsx" } { "XLSX" } ", "
                a href={ "/bi/explore?" (sep_qs) "&format=json" } { "JSON" } ", "
                a href={ "/bi/explore?" (sep_qs) "&format=svg" } { (t.chart_svg) }
            }
        }
        (compare::view(&pivot, comparison.as_ref()))
        (saved::save_form(&ctx, &here))
        (links(l))
    };
    Ok(Page::new(&ctx, t.title)
        .crumb(t.title, "/bi/explore")
        .render(main))
}

fn links(l: Locale) -> maud::Markup {
    let t = ExplorerTexts::get(l);
    html! {
        nav aria-label=(t.title) {
            ul {
                li { a href="/bi/explorations" { (t.saved) } }
                li { a href="/bi/schema" { (t.dictionary) } }
            }
        }
    }
}

/// `GET /bi/explore/records`: the records behind one cell. Keys are read
/// within the viewer's scope; each record is then opened by its own rule.
/// Records the rule refuses are counted, not listed: their numbers say
/// nothing the figure does not, but the list stays what the viewer may
/// open.
pub async fn records(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Query(raw): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ExplorerTexts::get(l);
    let (pairs, ex) = split(raw);
    let q = Question::parse(&state.marts, &pairs)?;
    let Some(row) = ex.cell_row else {
        return Err(AppError::bad_request(
            "invalid_question",
            Msg::new("Укажите строку ячейки.", "Name the cell's row."),
        ));
    };
    let col = ex.cell_col.filter(|_| q.cols.is_some());
    // A cell's keys are bound like filter values, under the same limits
    // (PostgreSQL refuses a NUL in text with an error, not an answer).
    let fits = |v: &str| {
        v.chars().count() <= crate::bi::query::MAX_VALUE_CHARS && !v.chars().any(char::is_control)
    };
    if !fits(&row) || !col.as_deref().is_none_or(fits) {
        return Err(AppError::bad_request(
            "invalid_question",
            Msg::new(
                "Слишком длинное или недопустимое значение ячейки.",
                "The cell's value is too long or not allowed.",
            ),
        ));
    }
    let (links, refused, keys_n, cell_rows) =
        open_cell(&state, &user, &q, &row, col.as_deref()).await?;
    let names = pivot::names(&state.db, q.rows, l).await?;
    let mut what = pivot::label(q.rows, &row, &names, l);
    if let (Some(c), Some(v)) = (q.cols, col.as_deref()) {
        let names = pivot::names(&state.db, c, l).await?;
        what = format!("{what} × {}", pivot::label(c, v, &names, l));
    }
    let record = q
        .mart
        .record
        .and_then(|r| q.mart.column(r))
        .map(|c| c.label.get(l))
        .unwrap_or_default();
    let back = href(&q, Kind::Bar);
    let main = html! {
        h1 { (t.records_of) ": " (what) }
        p { (t.records_intro) }
        @if q.mart.record.is_none() {
            p { (t.no_records) }
        } @else {
            p { (t.rows_behind) ": " strong #cell-rows { (cell_rows) } }
            @if keys_n >= query::MAX_RECORDS {
                p { (t.first_records) (query::MAX_RECORDS) }
            }
            ul #records {
                @for (key, href) in &links {
                    li { a href=(href) { (record) " " (key) } }
                }
            }
            @if refused > 0 {
                p #refused { (t.no_access) strong { (refused) } }
            }
        }
        p { a href=(back) { (t.back) } }
    };
    Ok(Page::new(&ctx, t.records_of)
        .crumb(t.title, back.clone())
        .render(main))
}

/// Record links the viewer may open, how many records the rules refused,
/// how many keys were read, and the count of rows behind the cell.
async fn open_cell(
    state: &AppState,
    user: &CurrentUser,
    q: &Question,
    row: &str,
    col: Option<&str>,
) -> AppResult<(Vec<(String, String)>, usize, usize, i64)> {
    let scope = Scope::of(&state.db, user).await?;
    let gate = &state.gates.expensive;
    let answer = query::answer(&state.db, gate, q, &scope).await?;
    let cell_rows: i64 = answer
        .cells
        .iter()
        .filter(|((r, c), _)| r == row && col.is_none_or(|x| x == c))
        .map(|(_, x)| x.rows)
        .sum();
    let mut keys = query::record_keys(&state.db, gate, q, &scope, row, col).await?;
    let keys_n = keys.len();
    // A relation of events (supports) names a record more than once.
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    let Some(mart) = state.marts.get(q.mart.name) else {
        return Ok((Vec::new(), 0, keys_n, cell_rows));
    };
    let opened = mart.open(&state.db, user, &keys).await?;
    let mut links = Vec::new();
    let mut refused = 0;
    for (k, o) in keys.into_iter().zip(opened) {
        match o {
            Some(h) => links.push((k, h)),
            None => refused += 1,
        }
    }
    Ok((links, refused, keys_n, cell_rows))
}
