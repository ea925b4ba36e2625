//! Dashboards: the share of done, in-progress and overdue orders for the
//! region, per portfolio (the governor and the vice-governors), per
//! organisation, per executor, and for an executor per order-giver. The
//! region and the portfolios read the counters per organisation
//! (`tally.rs`), summed along the directory's tree; an organisation's and
//! an executor's pages group their own orders (an index range). Charts are
//! SVG drawn here.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, PreEscaped, html};

use super::queries::{self, Counts, OrderFilter};
use crate::app::AppState;
use crate::auth::Core;
use crate::db::Db;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::texts;
use crate::web::extract::Query;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table, links};

#[derive(Debug, serde::Deserialize, Default)]
pub struct DashQuery {
    #[serde(default)]
    format: Option<String>,
}

pub use crate::directory::tree::{org_map, portfolio_of};

fn headers(l: Locale, first: &str) -> Vec<String> {
    let tx = DashboardTexts::get(l);
    vec![
        first.to_owned(),
        tx.total.to_owned(),
        tx.done.to_owned(),
        tx.unaccepted.to_owned(),
        tx.progress.to_owned(),
        tx.overdue.to_owned(),
        tx.done_late.to_owned(),
        tx.done_share.to_owned(),
        tx.overdue_share.to_owned(),
    ]
}

fn row(name: Cell, c: &Counts) -> Vec<Cell> {
    vec![
        name,
        Cell::Int(c.total),
        Cell::Int(c.done),
        Cell::Int(c.unaccepted),
        Cell::Int(c.in_progress),
        Cell::Int(c.overdue),
        Cell::Int(c.done_late),
        Cell::Share(c.share(c.done)),
        Cell::Share(c.share(c.overdue)),
    ]
}

/// Horizontal stacked bars: done, not accepted, in progress, overdue, per row.
pub fn chart(l: Locale, title: &str, bars: &[(String, Counts)]) -> Markup {
    let tx = DashboardTexts::get(l);
    let bar_h = 22.0;
    let gap = 8.0;
    let label_w = 260.0;
    let width = 760.0;
    let plot_w = width - label_w - 60.0;
    let height = (bars.len() as f64) * (bar_h + gap) + 40.0;
    let max = bars.iter().map(|(_, c)| c.total).max().unwrap_or(0).max(1) as f64;
    let colors = [
        ("#2e7d32", tx.done_lower),
        ("#6a1b9a", tx.unaccepted_lower),
        ("#1565c0", tx.progress_lower),
        ("#c62828", tx.overdue_lower),
    ];
    let mut svg = String::new();
    svg.push_str(&format!(
        r##"<svg class="pm-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title>"##,
        maud::html!((title)).into_string()
    ));
    for (i, (name, c)) in bars.iter().enumerate() {
        let y = 10.0 + i as f64 * (bar_h + gap);
        let short: String = name.chars().take(38).collect();
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1a1a1a">{}</text>"##,
            label_w - 8.0,
            y + bar_h * 0.7,
            maud::html!((short)).into_string()
        ));
        let mut x = label_w;
        for (n, (color, what)) in [c.done, c.unaccepted, c.in_progress, c.overdue]
            .iter()
            .zip(colors)
        {
            let w = *n as f64 / max * plot_w;
            if w > 0.0 {
                svg.push_str(&format!(
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{bar_h}" fill="{color}"><title>{}: {n}</title></rect>"##,
                    maud::html!((what)).into_string()
                ));
            }
            x += w;
        }
        svg.push_str(&format!(
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#1a1a1a">{}</text>"##,
            x + 6.0,
            y + bar_h * 0.7,
            c.total
        ));
    }
    let ly = height - 14.0;
    let mut lx = label_w;
    for (color, what) in colors {
        svg.push_str(&format!(
            r##"<rect x="{lx}" y="{}" width="12" height="12" fill="{color}"/><text x="{}" y="{ly}" font-size="12" fill="#1a1a1a">{}</text>"##,
            ly - 10.0,
            lx + 16.0,
            maud::html!((what)).into_string()
        ));
        lx += 120.0;
    }
    svg.push_str("</svg>");
    html! { figure.pm-figure { (PreEscaped(svg)) } }
}

fn summary(l: Locale, c: &Counts) -> Markup {
    let tx = DashboardTexts::get(l);
    html! {
        dl.pm-summary {
            div { dt { (tx.orders_total) } dd #total-orders { (c.total) } }
            div { dt { (tx.done) } dd #done-orders { (c.done) " (" (format!("{:.1}", c.share(c.done) * 100.0)) " %)" } }
            div { dt { (tx.unaccepted) } dd #unaccepted-orders { (c.unaccepted) } }
            div { dt { (tx.progress) } dd #progress-orders { (c.in_progress) } }
            div { dt { (tx.overdue) } dd #overdue-orders { (c.overdue) " (" (format!("{:.1}", c.share(c.overdue) * 100.0)) " %)" } }
        }
    }
}

/// One level of the drill-down: its rows (name, link, counts) as a table
/// (or its download), with the summary of their sum and a chart.
struct Level<'a> {
    title: String,
    group: &'a str,
    chart: &'a str,
    caption: &'a str,
    here: String,
    file: String,
    after: Markup,
}

fn level(
    ctx: &PageCtx,
    q: &DashQuery,
    d: Level<'_>,
    mut rows: Vec<(String, Option<String>, Counts)>,
) -> AppResult<Response> {
    let l = ctx.locale;
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut total = Counts::default();
    for (_, _, c) in &rows {
        total.add(c);
    }
    let table = Table {
        name: d.file,
        headers: headers(l, d.group),
        rows: rows
            .iter()
            .map(|(n, href, c)| {
                let cell = match href {
                    Some(h) => Cell::Link(n.clone(), h.clone()),
                    None => Cell::Text(n.clone()),
                };
                row(cell, c)
            })
            .collect(),
    };
    if let Some(r) = table.download(Format::parse(q.format.as_deref()))? {
        return Ok(r);
    }
    let bars: Vec<(String, Counts)> = rows
        .iter()
        .map(|(n, _, c)| (n.clone(), c.clone()))
        .collect();
    Ok(Page::new(ctx, d.title.clone())
        .crumb(DashboardTexts::get(l).crumb_orders, "/pm")
        .render(html! {
            h1 { (d.title) }
            (super::pages::nav(l))
            (summary(l, &total))
            (chart(l, d.chart, &bars))
            (table.html(d.caption))
            (links(l, &d.here))
            (d.after)
        }))
}

/// The counts per organisation the region's pages sum: this core's
/// orders, or on the Department of Control every core's, from its
/// replica (`replica.rs`).
async fn by_organisation(state: &AppState) -> AppResult<Vec<Counts>> {
    Ok(if super::replica::is_control(state) {
        super::replica::counts(&state.db, now()).await?
    } else {
        super::tally::counts(&state.db, super::tally::Scope::Organisation, now()).await?
    })
}

/// On the Department of Control: where the figures come from.
async fn replica_note(state: &AppState, l: Locale) -> AppResult<Markup> {
    if !super::replica::is_control(state) {
        return Ok(html! {});
    }
    let tx = DashboardTexts::get(l);
    let (cores, last) = super::replica::sources(&state.db).await?;
    Ok(html! {
        p.hint #replica-note {
            (tx.replica_note) " " (cores)
            @if let Some(at) = last {
                ". " (tx.replica_last) " " (crate::web::components::date(l, at.to_offset(crate::workflow::sla::MSK).date()))
            }
            "."
        }
    })
}

/// `GET /pm`: the region and its portfolios.
pub async fn region(
    ctx: PageCtx,
    _: Core,
    State(state): State<AppState>,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = DashboardTexts::get(l);
    let db = &state.db;
    let orgs = org_map(db).await?;
    let by_org = by_organisation(&state).await?;
    // Every portfolio is listed, with zeros before its first order, so the
    // structure is visible from the first day.
    let mut portfolios: BTreeMap<String, Counts> = orgs
        .values()
        .filter(|o| o.kind == "portfolio" || o.kind == "governor_office")
        .map(|o| (o.organisation_id.clone(), Counts::default()))
        .collect();
    for c in &by_org {
        let key = c
            .key
            .as_deref()
            .and_then(|o| portfolio_of(&orgs, o))
            .map(|p| p.organisation_id.clone())
            .unwrap_or_default();
        portfolios.entry(key).or_default().add(c);
    }
    let rows = portfolios
        .into_iter()
        .map(|(id, c)| match orgs.get(&id) {
            Some(o) => (
                l.pick(&o.name_ru, &o.name_en).to_owned(),
                Some(format!("/pm/portfolios/{id}")),
                c,
            ),
            None => (tx.outside_portfolios_municipalities_etc.to_owned(), None, c),
        })
        .collect();
    level(
        &ctx,
        &q,
        Level {
            title: tx.orders_region.to_owned(),
            group: tx.portfolio,
            chart: tx.orders_portfolio,
            caption: tx.portfolios_governor_vice_governors,
            here: "/pm".into(),
            file: "orders-by-portfolio".into(),
            after: replica_note(&state, l).await?,
        },
        rows,
    )
}

/// `GET /pm/portfolios/{id}`: a portfolio's organisations.
pub async fn portfolio(
    ctx: PageCtx,
    _: Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = DashboardTexts::get(l);
    let orgs = org_map(&state.db).await?;
    let p = orgs.get(&id).ok_or_else(AppError::not_found)?;
    let by_org = by_organisation(&state).await?;
    let in_portfolio = |oid: &str| {
        portfolio_of(&orgs, oid).map(|x| x.organisation_id.as_str()) == Some(id.as_str())
    };
    // Every organisation of the portfolio, with zeros until it has orders.
    let mut counts: BTreeMap<String, Counts> = orgs
        .keys()
        .filter(|oid| in_portfolio(oid))
        .map(|oid| (oid.clone(), Counts::default()))
        .collect();
    for c in by_org {
        if let Some(oid) = c.key.clone().filter(|oid| in_portfolio(oid)) {
            counts.entry(oid).or_default().add(&c);
        }
    }
    let rows = counts
        .into_iter()
        .map(|(oid, c)| {
            let n = orgs
                .get(&oid)
                .map(|o| l.pick(&o.name_ru, &o.name_en).to_owned())
                .unwrap_or_else(|| oid.clone());
            (n, Some(format!("/pm/organisations/{oid}")), c)
        })
        .collect();
    level(
        &ctx,
        &q,
        Level {
            title: l.pick(&p.name_ru, &p.name_en).to_owned(),
            group: tx.organisation,
            chart: tx.orders_organisation,
            caption: tx.portfolio_s_organisations,
            here: format!("/pm/portfolios/{id}"),
            file: format!("orders-{id}"),
            after: replica_note(&state, l).await?,
        },
        rows,
    )
}

/// The rows of a grouping by person (executor, creator): each person's
/// name (`#id` when the account is gone) and link, and `none` for the
/// orders without one.
async fn people_rows(
    db: &Db,
    counts: Vec<Counts>,
    link: impl Fn(i64) -> Option<String>,
    none: &str,
) -> AppResult<Vec<(String, Option<String>, Counts)>> {
    let person = |c: &Counts| c.key.as_deref().and_then(|k| k.parse::<i64>().ok());
    let ids: Vec<i64> = counts.iter().filter_map(person).collect();
    let people: BTreeMap<i64, String> = queries::people(db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.account_id, p.display_name))
        .collect();
    Ok(counts
        .into_iter()
        .map(|c| match person(&c) {
            Some(e) => (
                people.get(&e).cloned().unwrap_or_else(|| format!("#{e}")),
                link(e),
                c,
            ),
            None => (none.to_owned(), None, c),
        })
        .collect())
}

/// `GET /pm/organisations/{id}`: an organisation by executor.
pub async fn organisation(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = DashboardTexts::get(l);
    let org = crate::directory::queries::by_id(&db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let f = OrderFilter {
        organisation_id: Some(id.clone()),
        ..Default::default()
    };
    let by_exec = queries::counts_by(&db, &f, "executor_id", now()).await?;
    let rows = people_rows(
        &db,
        by_exec,
        |e| Some(format!("/pm/executors/{e}")),
        tx.no_executor_organisation,
    )
    .await?;
    level(
        &ctx,
        &q,
        Level {
            title: l.pick(&org.name_ru, &org.name_en).to_owned(),
            group: tx.executor,
            chart: tx.orders_executor,
            caption: tx.executors,
            here: format!("/pm/organisations/{id}"),
            file: format!("orders-{id}-executors"),
            after: html! { p { a href={ "/pm/orders?organisation=" (id) } { (tx.all_organisation_s_orders) } } },
        },
        rows,
    )
}

/// `GET /pm/executors/{id}`: one executor's orders by who gave them.
pub async fn executor(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = DashboardTexts::get(l);
    let person = queries::people(&db, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)?;
    let f = OrderFilter {
        executor_id: Some(id),
        ..Default::default()
    };
    let by_creator = queries::counts_by(&db, &f, "creator_id", now()).await?;
    let rows = people_rows(&db, by_creator, |_| None, tx.portal_citizens_reports).await?;
    level(
        &ctx,
        &q,
        Level {
            title: person.display_name.clone(),
            group: tx.given,
            chart: tx.orders_who_gave_them,
            caption: tx.who_gave_orders,
            here: format!("/pm/executors/{id}"),
            file: format!("orders-executor-{id}"),
            after: html! { p { a href={ "/pm/orders?executor=" (id) } { (tx.all_executor_s_orders) } } },
        },
        rows,
    )
}

texts!(DashboardTexts {
    unaccepted: "Новые (не приняты)", "New (not accepted)";
    unaccepted_lower: "не принято", "not accepted";
    total: "Всего", "Total";
    done: "Исполнено", "Done";
    progress: "В работе", "In progress";
    overdue: "Просрочено", "Overdue";
    done_late: "Исполнено с опозданием", "Done late";
    done_share: "Доля исполненных, %", "Done, %";
    overdue_share: "Доля просроченных, %", "Overdue, %";
    done_lower: "исполнено", "done";
    progress_lower: "в работе", "in progress";
    overdue_lower: "просрочено", "overdue";
    orders_total: "Всего поручений", "Orders";
    crumb_orders: "Управление поручениями", "Orders";
    outside_portfolios_municipalities_etc: "Вне портфелей (муниципалитеты и др.)", "Outside portfolios (municipalities etc.)";
    orders_region: "Поручения: сводка по краю", "Orders: the region";
    portfolio: "Портфель", "Portfolio";
    orders_portfolio: "Поручения по портфелям", "Orders by portfolio";
    portfolios_governor_vice_governors: "По портфелям губернатора и вице-губернаторов", "By the portfolios of the governor and vice-governors";
    organisation: "Организация", "Organisation";
    orders_organisation: "Поручения по организациям", "Orders by organisation";
    portfolio_s_organisations: "Организации портфеля", "The portfolio's organisations";
    no_executor_organisation: "Без исполнителя (организация)", "No executor (the organisation)";
    executor: "Исполнитель", "Executor";
    orders_executor: "Поручения по исполнителям", "Orders by executor";
    executors: "Исполнители", "Executors";
    all_organisation_s_orders: "Все поручения организации", "All the organisation's orders";
    portal_citizens_reports: "Портал (обращения граждан)", "The portal (citizens' reports)";
    given: "Кто дал поручение", "Given by";
    orders_who_gave_them: "Поручения по их авторам", "Orders by who gave them";
    who_gave_orders: "По авторам поручений", "By who gave the orders";
    all_executor_s_orders: "Все поручения исполнителя", "All the executor's orders";
    replica_note: "Департамент контроля: сводка по копии поручений всех ядер края, только для чтения; ядер в копии —", "Department of Control: figures from the read-only replica of every core's orders; cores in the replica:";
    replica_last: "Последний снимок получен", "Last snapshot received";
});
