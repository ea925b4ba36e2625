//! The staff pages of the core: the orders list, an order with its
//! delegation tree, timeline and actions, a new order, the personal task
//! list, and attachments.

use std::collections::BTreeMap;

use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use time::OffsetDateTime;

use super::domain::{
    self, ALL_PRIORITIES, ALL_STATES, OrderAction, OrderState, Outcome, Priority, Side, Source,
};
use super::orders::{self, Attached, OrderDraft};
use super::queries::{self, OrderFilter, OrderRow};
use crate::app::AppState;
use crate::auth::{Core, CurrentUser};
use crate::db::now;
use crate::error::{AppError, AppResult, Msg};
use crate::texts;
use crate::web::components::datetime;
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table, links};

pub fn nav(l: Locale) -> Markup {
    let tx = PmTexts::get(l);
    html! {
        nav.pm-nav aria-label=(tx.order_management_sections) {
            ul {
                li { a href="/pm" { (tx.dashboard) } }
                li { a href="/pm/orders" { (tx.orders) } }
                li { a href="/pm/tasks" { (tx.my_tasks) } }
                li { a href="/pm/planner" { (tx.planner) } }
                li { a href="/pm/projects" { (tx.projects_programmes) } }
                li { a href="/pm/staff" { (tx.staff_completeness) } }
                li { a href="/pm/courts" { (tx.court_cases) } }
                li { a href="/bi/explore" { (tx.explorer) } }
                li { a href="/pm/orders/new" { (tx.give_order) } }
            }
        }
    }
}

fn state_badge(l: Locale, o: &OrderRow, at: OffsetDateTime) -> Markup {
    html! {
        span class={ "badge state-" (o.state) } { (o.state().label(l)) }
        @if o.is_overdue(at) { " " span.badge.overdue { (PmTexts::get(l).overdue_lower) } }
    }
}

/// How far ahead a deadline or a planned date may be: further is a typo.
pub const DEADLINE_YEARS: i32 = 5;

/// Parses `YYYY-MM-DD` as the end of that day in Moscow (a deadline).
pub fn parse_deadline(s: &str) -> AppResult<OffsetDateTime> {
    let d = crate::web::i18n::parse_iso_date(s.trim()).ok_or_else(|| {
        AppError::invalid(
            "Укажите срок в формате ГГГГ-ММ-ДД.",
            "Give the deadline as YYYY-MM-DD.",
        )
    })?;
    let (_, latest) =
        crate::web::components::date_range(crate::web::components::today_msk(), DEADLINE_YEARS);
    if crate::web::i18n::iso_date(d) > latest {
        return Err(AppError::invalid(
            "Срок дальше чем через пять лет: проверьте год.",
            "The deadline is more than five years ahead: check the year.",
        ));
    }
    Ok(d.with_hms(23, 59, 0)
        .expect("a valid time")
        .assume_offset(crate::workflow::sla::MSK)
        .to_offset(time::UtcOffset::UTC))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    executor: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

const PAGE: i64 = 50;

fn orders_table(
    l: Locale,
    rows: &[OrderRow],
    orgs: &BTreeMap<String, crate::directory::queries::OrgRow>,
    people: &BTreeMap<i64, String>,
    at: OffsetDateTime,
) -> Table {
    let tx = PmTexts::get(l);
    Table {
        name: "orders".into(),
        headers: vec![
            tx.no.into(),
            tx.order.into(),
            tx.organisation.into(),
            tx.executor.into(),
            tx.state.into(),
            tx.deadline.into(),
            tx.overdue.into(),
            tx.priority.into(),
        ],
        rows: rows
            .iter()
            .map(|o| {
                vec![
                    Cell::Link(o.order_id.to_string(), format!("/pm/orders/{}", o.order_id)),
                    Cell::Link(o.title.clone(), format!("/pm/orders/{}", o.order_id)),
                    Cell::Text(
                        orgs.get(&o.organisation_id)
                            .map(|x| l.pick(&x.short_name_ru, &x.short_name_en).to_owned())
                            .unwrap_or_else(|| o.organisation_id.clone()),
                    ),
                    Cell::Text(
                        o.executor_id
                            .and_then(|e| people.get(&e).cloned())
                            .unwrap_or_default(),
                    ),
                    Cell::Text(o.state().label(l).into()),
                    Cell::Text(datetime(l, o.deadline)),
                    Cell::Text(if o.is_overdue(at) {
                        tx.yes.into()
                    } else {
                        String::new()
                    }),
                    Cell::Text(
                        Priority::parse(&o.priority)
                            .map(|p| p.label(l))
                            .unwrap_or("")
                            .into(),
                    ),
                ]
            })
            .collect(),
    }
}

/// `GET /pm/orders`
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = PmTexts::get(l);
    let at = now();
    let mut f = OrderFilter {
        organisation_id: (!q.organisation.is_empty()).then(|| q.organisation.clone()),
        executor_id: q.executor.parse().ok(),
        state: (!q.state.is_empty()).then(|| q.state.clone()),
        overdue_at: (q.overdue == "1").then_some(at),
        project_id: q.project.parse().ok(),
        limit: PAGE,
        ..Default::default()
    };
    if q.mine == "1" {
        f.executor_id = Some(user.account_id);
    }
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 1 && *p < 100_000)
        .unwrap_or(1);
    let format = Format::parse(q.format.as_deref());
    if format != Format::Html {
        f.limit = 100_000;
    } else {
        f.offset = (page - 1) * PAGE;
    }
    let total = match crate::pm::tally::count(&state.db, &f).await? {
        Some(n) => n,
        None => queries::count_orders(&state.db, &f).await?,
    };
    let rows = queries::list_orders(&state.db, &f).await?;
    let orgs = super::dashboard::org_map(&state.db).await?;
    let ids: Vec<i64> = rows.iter().filter_map(|o| o.executor_id).collect();
    let people: BTreeMap<i64, String> = queries::people(&state.db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.account_id, p.display_name))
        .collect();
    let table = orders_table(l, &rows, &orgs, &people, at);
    if let Some(r) = table.download(format)? {
        return Ok(r);
    }
    let org_options: Vec<(String, String)> = orgs.values().map(|o| o.option(l)).collect();
    let state_options: Vec<(String, String)> = ALL_STATES
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label(l).to_owned()))
        .collect();
    let here = {
        let mut parts = Vec::new();
        for (k, v) in [
            ("organisation", &q.organisation),
            ("executor", &q.executor),
            ("state", &q.state),
            ("overdue", &q.overdue),
            ("mine", &q.mine),
            ("project", &q.project),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        if parts.is_empty() {
            "/pm/orders".to_owned()
        } else {
            format!("/pm/orders?{}", parts.join("&"))
        }
    };
    let title = tx.orders;
    let errors = crate::web::components::FieldErrors::new();
    Ok(Page::new(&ctx, title).crumb(tx.crumb_orders, "/pm").render(html! {
        h1 { (title) }
        (nav(l))
        form.filters method="get" action="/pm/orders" {
            (crate::web::components::Select { name: "organisation", label: tx.organisation, options: &org_options, selected: &q.organisation, placeholder: Some(tx.all), disabled: false }.render(l, &errors))
            (crate::web::components::Select { name: "state", label: tx.state, options: &state_options, selected: &q.state, placeholder: Some(tx.any), disabled: false }.render(l, &errors))
            (crate::web::components::checkbox(l, &errors, "overdue", html! { (tx.overdue_only) }, q.overdue == "1"))
            (crate::web::components::checkbox(l, &errors, "mine", html! { (tx.where_i_am_executor) }, q.mine == "1"))
            div.actions { button.button type="submit" { (tx.show) } }
        }
        p role="status" { (tx.found) strong #orders-count { (total) } }
        (table.html(title))
        (links(l, &here))
        (crate::web::components::pager(l, &here, page, (total + PAGE - 1) / PAGE))
    }))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

mod order;
pub use order::*;
mod forms;
pub use forms::*;
mod tasks;
pub use tasks::*;
mod dictate;
pub use dictate::*;

texts!(PmTexts {
    order_management_sections: "Разделы управления поручениями", "Order management sections";
    dashboard: "Сводка", "Dashboard";
    orders: "Поручения", "Orders";
    my_tasks: "Мои задачи", "My tasks";
    planner: "Планировщик", "Planner";
    projects_programmes: "Проекты и программы", "Projects and programmes";
    staff_completeness: "Укомплектованность", "Staff completeness";
    court_cases: "Судебные дела", "Court cases";
    explorer: "Конструктор отчётов", "Explorer";
    give_order: "Дать поручение", "Give an order";
    overdue_lower: "просрочено", "overdue";
    no: "№", "No.";
    order: "Поручение", "Order";
    organisation: "Организация", "Organisation";
    executor: "Исполнитель", "Executor";
    state: "Состояние", "State";
    deadline: "Срок", "Deadline";
    overdue: "Просрочено", "Overdue";
    priority: "Приоритет", "Priority";
    yes: "да", "yes";
    crumb_orders: "Управление поручениями", "Orders";
    all: "— все —", "— all —";
    any: "— любое —", "— any —";
    overdue_only: "только просроченные", "overdue only";
    where_i_am_executor: "где я исполнитель", "where I am the executor";
    show: "Показать", "Show";
    found: "Найдено: ", "Found: ";
});
