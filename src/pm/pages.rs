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
use super::orders::{self, Attached, OrderDraft, is_staff, side_of};
use super::queries::{self, OrderFilter, OrderRow};
use crate::app::AppState;
use crate::auth::{CurrentUser, Staff};
use crate::db::now;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::datetime;
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table, links};

pub fn nav(l: Locale) -> Markup {
    html! {
        nav.pm-nav aria-label=(l.pick("Разделы управления поручениями", "Order management sections")) {
            ul {
                li { a href="/pm" { (l.pick("Сводка", "Dashboard")) } }
                li { a href="/pm/orders" { (l.pick("Поручения", "Orders")) } }
                li { a href="/pm/tasks" { (l.pick("Мои задачи", "My tasks")) } }
                li { a href="/pm/projects" { (l.pick("Проекты и программы", "Projects and programmes")) } }
                li { a href="/pm/orders/new" { (l.pick("Дать поручение", "Give an order")) } }
            }
        }
    }
}

fn staff(user: &CurrentUser) -> AppResult<()> {
    if is_staff(user) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn invalid(ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::unprocessable("invalid_input", Msg::new(ru.into(), en.into()))
}

fn state_badge(l: Locale, o: &OrderRow, at: OffsetDateTime) -> Markup {
    html! {
        span class={ "badge state-" (o.state) } { (o.state().label(l)) }
        @if o.is_overdue(at) { " " span.badge.overdue { (l.pick("просрочено", "overdue")) } }
    }
}

/// Parses `YYYY-MM-DD` as the end of that day in Moscow (a deadline).
pub fn parse_deadline(s: &str) -> AppResult<OffsetDateTime> {
    let d = time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        invalid(
            "Укажите срок в формате ГГГГ-ММ-ДД.",
            "Give the deadline as YYYY-MM-DD.",
        )
    })?;
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
    Table {
        name: "orders".into(),
        headers: vec![
            l.pick("№", "No.").into(),
            l.pick("Поручение", "Order").into(),
            l.pick("Организация", "Organisation").into(),
            l.pick("Исполнитель", "Executor").into(),
            l.pick("Состояние", "State").into(),
            l.pick("Срок", "Deadline").into(),
            l.pick("Просрочено", "Overdue").into(),
            l.pick("Приоритет", "Priority").into(),
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
                        l.pick("да", "yes").into()
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
    Staff(user): Staff,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    staff(&user)?;
    let l = ctx.locale;
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
    let total = queries::count_orders(&state.db, &f).await?;
    let rows = queries::list_orders(&state.db, &f).await?;
    let orgs = super::dashboard::org_map(&state).await?;
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
    let org_options: Vec<(String, String)> = orgs
        .values()
        .map(|o| {
            (
                o.organisation_id.clone(),
                l.pick(&o.name_ru, &o.name_en).to_owned(),
            )
        })
        .collect();
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
    let title = l.pick("Поручения", "Orders");
    let errors = crate::web::components::FieldErrors::new();
    Ok(Page::new(&ctx, title).crumb(l.pick("Управление поручениями", "Orders"), "/pm").render(html! {
        h1 { (title) }
        (nav(l))
        form.filters method="get" action="/pm/orders" {
            (crate::web::components::Select { name: "organisation", label: l.pick("Организация", "Organisation"), options: &org_options, selected: &q.organisation, placeholder: Some(l.pick("— все —", "— all —")), disabled: false }.render(l, &errors))
            (crate::web::components::Select { name: "state", label: l.pick("Состояние", "State"), options: &state_options, selected: &q.state, placeholder: Some(l.pick("— любое —", "— any —")), disabled: false }.render(l, &errors))
            (crate::web::components::checkbox(l, &errors, "overdue", html! { (l.pick("только просроченные", "overdue only")) }, q.overdue == "1"))
            (crate::web::components::checkbox(l, &errors, "mine", html! { (l.pick("где я исполнитель", "where I am the executor")) }, q.mine == "1"))
            div.actions { button.button type="submit" { (l.pick("Показать", "Show")) } }
        }
        p role="status" { (l.pick("Найдено: ", "Found: ")) strong #orders-count { (total) } }
        (table.html(title))
        (links(l, &here))
        @if total > PAGE {
            nav.pager aria-label=(l.pick("Страницы", "Pages")) {
                @if page > 1 { a rel="prev" href={ (here) (if here.contains('?') { "&" } else { "?" }) "page=" (page - 1) } { (l.pick("← назад", "← previous")) } " " }
                (page) " / " ((total + PAGE - 1) / PAGE)
                @if page * PAGE < total { " " a rel="next" href={ (here) (if here.contains('?') { "&" } else { "?" }) "page=" (page + 1) } { (l.pick("дальше →", "next →")) } }
            }
        }
    }))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `GET /pm/orders/{id}`
pub async fn show(
    ctx: PageCtx,
    Staff(user): Staff,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    staff(&user)?;
    let l = ctx.locale;
    let o = queries::order(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let at = now();
    let tree = queries::tree(&state.db, o.root_id.unwrap_or(o.order_id)).await?;
    let events = queries::events(&state.db, id).await?;
    let files = queries::attachments(&state.db, id).await?;
    let files_open = orders::may_read_files(&state.db, &o, &user).await?;
    let orgs = super::dashboard::org_map(&state).await?;
    let org_name = |oid: &str| {
        orgs.get(oid)
            .map(|x| l.pick(&x.name_ru, &x.name_en).to_owned())
            .unwrap_or_else(|| oid.to_owned())
    };
    let mut ids: Vec<i64> = tree.iter().filter_map(|t| t.executor_id).collect();
    ids.extend(o.creator_id);
    let people: BTreeMap<i64, String> = queries::people(&state.db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.account_id, p.display_name))
        .collect();
    let side = side_of(&o, &user);
    let members = queries::members(&state.db, &o.organisation_id).await?;
    let member_options: Vec<(String, String)> = members
        .iter()
        .map(|p| (p.account_id.to_string(), p.display_name.clone()))
        .collect();
    // Where a sub-order may go: this organisation and those below it.
    let sub_orgs: Vec<(String, String)> = orgs
        .values()
        .filter(|x| {
            let mut cur = Some(*x);
            for _ in 0..20 {
                match cur {
                    Some(c) if c.organisation_id == o.organisation_id => return true,
                    Some(c) => cur = c.parent_id.as_deref().and_then(|p| orgs.get(p)),
                    None => return false,
                }
            }
            false
        })
        .map(|x| {
            (
                x.organisation_id.clone(),
                l.pick(&x.name_ru, &x.name_en).to_owned(),
            )
        })
        .collect();
    let all_orgs: Vec<(String, String)> = orgs
        .values()
        .map(|x| {
            (
                x.organisation_id.clone(),
                l.pick(&x.name_ru, &x.name_en).to_owned(),
            )
        })
        .collect();
    let token = ctx.csrf_token();
    let s = o.state();
    let assignee = matches!(side, Side::Assignee | Side::Both);
    let creator = matches!(side, Side::Creator | Side::Both);
    let open = matches!(
        s,
        OrderState::New | OrderState::Accepted | OrderState::InProgress | OrderState::Returned
    );
    let errors = crate::web::components::FieldErrors::new();
    let title = format!("{} № {}", l.pick("Поручение", "Order"), o.order_id);
    let act_url = format!("/pm/orders/{id}/act?csrf_token={token}");
    Ok(Page::new(&ctx, title.clone()).crumb(l.pick("Управление поручениями", "Orders"), "/pm").crumb(l.pick("Поручения", "Orders"), "/pm/orders").render(html! {
        h1 { (title) ": " (o.title) }
        (nav(l))
        p #order-state { (state_badge(l, &o, at)) }
        dl.pm-facts {
            dt { (l.pick("Ответственная организация", "Responsible organisation")) } dd #order-organisation { a href={ "/pm/organisations/" (o.organisation_id) } { (org_name(&o.organisation_id)) } }
            dt { (l.pick("Исполнитель", "Executor")) } dd { @if let Some(e) = o.executor_id { (people.get(&e).cloned().unwrap_or_default()) } @else { "—" } }
            dt { (l.pick("Срок", "Deadline")) } dd { (datetime(l, o.deadline)) }
            dt { (l.pick("Приоритет", "Priority")) } dd { (Priority::parse(&o.priority).map(|p| p.label(l)).unwrap_or("")) }
            dt { (l.pick("Источник", "Source")) } dd { (Source::parse(&o.source).map(|p| p.label(l)).unwrap_or("")) }
            dt { (l.pick("Автор", "Given by")) } dd { @if let Some(c) = o.creator_id { (people.get(&c).cloned().unwrap_or_default()) } @else if let Some(c) = &o.creator_organisation_id { (org_name(c)) } @else { (l.pick("портал (обращение гражданина)", "the portal (a citizen's report)")) } }
            @if let Some(u) = &o.appeal_url { dt { (l.pick("Обращение", "Request")) } dd { a href=(u) #order-request { (u) } } }
            @if let Some(p) = o.parent_id { dt { (l.pick("Родительское поручение", "Parent order")) } dd { a href={ "/pm/orders/" (p) } { "№ " (p) } } }
        }
        @if !o.description.is_empty() { div.pm-description { @for line in o.description.lines() { p { (line) } } } }
        @if let Some(r) = &o.report_text {
            section aria-labelledby="report-h" {
                h2 #report-h { (l.pick("Отчёт об исполнении", "Report of execution")) }
                @if let Some(x) = o.report_outcome.as_deref().and_then(Outcome::parse) { p { strong { (x.label(l)) } @if let Some(d) = &o.report_planned_date { " — " (d) } } }
                p #order-report { (r) }
            }
        }
        @if tree.len() > 1 {
            section aria-labelledby="tree-h" {
                h2 #tree-h { (l.pick("Вертикаль исполнения", "Delegation tree")) }
                (tree_markup(l, &tree, tree.first().map(|t| t.order_id).unwrap_or(id), id, &org_name, at))
            }
        }
        @if !files.is_empty() {
            section aria-labelledby="files-h" {
                h2 #files-h { (l.pick("Вложения", "Attachments")) }
                ul.pm-files { @for f in &files { li { @if files_open { a href={ "/pm/attachments/" (f.attachment_id) } { (f.file_name) } } @else { (f.file_name) } " (" (f.size / 1024) " KB)" } } }
            }
        }
        section #actions aria-labelledby="actions-h" {
            h2 #actions-h { (l.pick("Действия", "Actions")) }
            @if assignee && s == OrderState::New {
                form method="post" action=(act_url) enctype="multipart/form-data" { input type="hidden" name="action" value="accept"; button.button type="submit" { (l.pick("Принять к исполнению", "Accept")) } }
            }
            @if assignee && matches!(s, OrderState::New | OrderState::Accepted | OrderState::Returned) {
                form method="post" action=(act_url) enctype="multipart/form-data" { input type="hidden" name="action" value="start"; button.button type="submit" { (l.pick("Начать работу", "Start work")) } }
            }
            @if assignee && open {
                details {
                    summary { (l.pick("Представить отчёт об исполнении", "Submit the report of execution")) }
                    form method="post" action=(act_url) enctype="multipart/form-data" {
                        input type="hidden" name="action" value="report";
                        (crate::web::components::Input::new("text", l.pick("Что сделано", "What was done"), "").kind("textarea").required().render(l, &errors))
                        @if o.appeal_id.is_some() && o.parent_id.is_none() {
                            fieldset {
                                legend { (l.pick("Ответ гражданину", "The answer to the citizen")) }
                                div.field.radio { input #o-resolved type="radio" name="outcome" value="resolved" checked; label for="o-resolved" { (l.pick("решено", "resolved")) } }
                                div.field.radio { input #o-planned type="radio" name="outcome" value="planned"; label for="o-planned" { (l.pick("запланировано (укажите дату)", "planned (give the date)")) } }
                                (crate::web::components::Input::new("planned_date", l.pick("Планируемая дата", "Planned date"), "").kind("date").render(l, &errors))
                            }
                        }
                        div.field { label for="f-files" { (l.pick("Фото и документы (до 10 файлов по 15 МБ)", "Photos and documents (up to 10 files, 15 MB each)")) } input #f-files type="file" name="files" multiple; }
                        button.button type="submit" { (l.pick("Представить отчёт", "Submit the report")) }
                    }
                }
                details {
                    summary { (l.pick("Дать дочернее поручение", "Delegate a sub-order")) }
                    form method="post" action={ "/pm/orders/" (id) "/delegate" } {
                        (ctx.csrf_field())
                        (crate::web::components::Input::new("title", l.pick("Заголовок", "Title"), "").required().render(l, &errors))
                        (crate::web::components::Input::new("description", l.pick("Описание", "Description"), "").kind("textarea").render(l, &errors))
                        (crate::web::components::Select { name: "organisation_id", label: l.pick("Подразделение", "Unit"), options: &sub_orgs, selected: &o.organisation_id, placeholder: None, disabled: false }.render(l, &errors))
                        (crate::web::components::Input::new("executor_id", l.pick("Исполнитель (номер учётной записи, необязательно)", "Executor (account number, optional)"), "").render(l, &errors))
                        (crate::web::components::Input::new("deadline", l.pick("Срок", "Deadline"), "").kind("date").required().render(l, &errors))
                        (crate::web::components::checkbox(l, &errors, "required", html! { (l.pick("обязательно для отчёта по родительскому поручению", "required before the parent's report")) }, true))
                        button.button type="submit" { (l.pick("Дать поручение", "Delegate")) }
                    }
                }
            }
            @if assignee && !s.is_final() && (user.is_admin() || user.is_officer_of(&o.organisation_id)) && !member_options.is_empty() {
                form method="post" action={ "/pm/orders/" (id) "/assign" } {
                    (ctx.csrf_field())
                    (crate::web::components::Select { name: "executor_id", label: l.pick("Исполнитель", "Executor"), options: &member_options, selected: &o.executor_id.map(|e| e.to_string()).unwrap_or_default(), placeholder: Some(l.pick("— организация —", "— the organisation —")), disabled: false }.render(l, &errors))
                    button.button type="submit" { (l.pick("Назначить", "Assign")) }
                }
            }
            @if creator && s == OrderState::ReportSubmitted {
                form method="post" action=(act_url) enctype="multipart/form-data" { input type="hidden" name="action" value="accept_report"; button.button type="submit" { (l.pick("Принять отчёт", "Accept the report")) } }
                form method="post" action=(act_url) enctype="multipart/form-data" {
                    input type="hidden" name="action" value="return";
                    (crate::web::components::Input::new("text", l.pick("Что доработать", "What to rework"), "").kind("textarea").required().render(l, &errors))
                    button.button type="submit" { (l.pick("Вернуть на доработку", "Return for rework")) }
                }
            }
            @if (assignee || creator) && open {
                details {
                    summary { (l.pick("Передать другой организации", "Refer to another organisation")) }
                    form method="post" action=(act_url) enctype="multipart/form-data" {
                        input type="hidden" name="action" value="refer";
                        (crate::web::components::Select { name: "organisation_id", label: l.pick("Организация", "Organisation"), options: &all_orgs, selected: "", placeholder: Some(l.pick("— выберите —", "— choose —")), disabled: false }.render(l, &errors))
                        (crate::web::components::Input::new("text", l.pick("Причина", "Reason"), "").kind("textarea").required().render(l, &errors))
                        button.button type="submit" { (l.pick("Передать", "Refer")) }
                    }
                }
            }
            @if creator && !s.is_final() {
                details {
                    summary { (l.pick("Отменить поручение", "Cancel the order")) }
                    form method="post" action=(act_url) enctype="multipart/form-data" {
                        input type="hidden" name="action" value="cancel";
                        (crate::web::components::Input::new("text", l.pick("Причина отмены", "Reason"), "").kind("textarea").required().render(l, &errors))
                        button.button.danger type="submit" { (l.pick("Отменить", "Cancel the order")) }
                    }
                }
            }
            form method="post" action=(act_url) enctype="multipart/form-data" {
                input type="hidden" name="action" value="comment";
                (crate::web::components::Input::new("text", l.pick("Комментарий", "Comment"), "").kind("textarea").required().render(l, &errors))
                div.field { label for="f-cfiles" { (l.pick("Вложения", "Attachments")) } input #f-cfiles type="file" name="files" multiple; }
                button.button type="submit" { (l.pick("Добавить комментарий", "Add a comment")) }
            }
        }
        section #timeline aria-labelledby="timeline-h" {
            h2 #timeline-h { (l.pick("История", "History")) }
            ol.timeline {
                @for e in &events {
                    li {
                        strong { (event_label(l, &e.kind)) }
                        " · " (datetime(l, e.created_at))
                        @if let Some(n) = &e.actor_name { " · " (n) } @else if !e.actor_label.is_empty() { " · " (e.actor_label) }
                        @if !e.note.is_empty() { p { (e.note) } }
                    }
                }
            }
        }
    }))
}

fn event_label(l: Locale, kind: &str) -> &'static str {
    match kind {
        "created" => l.pick("создано", "created"),
        "accepted" => l.pick("принято", "accepted"),
        "started" => l.pick("начата работа", "work started"),
        "report_submitted" => l.pick("представлен отчёт", "report submitted"),
        "report_accepted" => l.pick("отчёт принят", "report accepted"),
        "returned" => l.pick("возвращено на доработку", "returned for rework"),
        "cancelled" => l.pick("отменено", "cancelled"),
        "referred" => l.pick("передано другой организации", "referred"),
        "delegated" => l.pick("дано дочернее поручение", "sub-order given"),
        "assigned" => l.pick("назначен исполнитель", "executor assigned"),
        "comment" => l.pick("комментарий", "comment"),
        _ => l.pick("изменение", "change"),
    }
}

fn tree_markup(
    l: Locale,
    tree: &[OrderRow],
    node: i64,
    here: i64,
    org_name: &dyn Fn(&str) -> String,
    at: OffsetDateTime,
) -> Markup {
    let Some(o) = tree.iter().find(|t| t.order_id == node) else {
        return html! {};
    };
    let children: Vec<&OrderRow> = tree.iter().filter(|t| t.parent_id == Some(node)).collect();
    html! {
        ul.pm-tree {
            li {
                @if node == here { strong aria-current="true" { "№ " (o.order_id) ": " (o.title) } }
                @else { a href={ "/pm/orders/" (o.order_id) } { "№ " (o.order_id) ": " (o.title) } }
                " — " (org_name(&o.organisation_id)) " · " (state_badge(l, o, at))
                @if !o.required { " · " (l.pick("необязательное", "optional")) }
                @for c in children { (tree_markup(l, tree, c.order_id, here, org_name, at)) }
            }
        }
    }
}

/// What an action form sends.
#[derive(Default)]
struct ActionForm {
    action: String,
    text: String,
    outcome: String,
    planned_date: String,
    organisation_id: String,
    files: Vec<(String, Vec<u8>)>,
    file_error: Option<Msg>,
}

const MAX_FILES: usize = 10;

async fn read_action(mut multipart: Multipart) -> AppResult<ActionForm> {
    let mut f = ActionForm::default();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(crate::issues::form::upload_error)?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "files" {
            match crate::issues::form::read_photo(&mut field).await? {
                crate::issues::form::PhotoPart::Photo(n, b) => f.files.push((n, b)),
                crate::issues::form::PhotoPart::TooLarge(m) => f.file_error = Some(m),
                crate::issues::form::PhotoPart::Empty => {}
            }
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(crate::issues::form::upload_error)?;
        match name.as_str() {
            "action" => f.action = value,
            "text" => f.text = value,
            "outcome" => f.outcome = value,
            "planned_date" => f.planned_date = value,
            "organisation_id" => f.organisation_id = value,
            _ => {}
        }
    }
    Ok(f)
}

/// Stores uploaded files: images are cleaned like every photo (no metadata
/// survives); PDF and office documents are kept as sent; anything else is
/// refused.
pub async fn store_files(
    state: &AppState,
    files: Vec<(String, Vec<u8>)>,
) -> AppResult<Vec<Attached>> {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let result: AppResult<()> = async {
        for (name, bytes) in files {
            let name = sanitize_name(&name);
            let is_image = matches!(image::guess_format(&bytes), Ok(image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP));
            if is_image {
                let stored = match crate::issues::form::store_photos(state, vec![(name.clone(), bytes.clone())]).await? {
                    Ok(s) => s,
                    Err(m) => return Err(AppError::unprocessable("invalid_file", m)),
                };
                for s in stored {
                    keys.push(s.key.clone());
                    out.push(Attached { key: s.key, file_name: name.clone(), content_type: "image/jpeg".into(), size: bytes.len() as i64, is_photo: true });
                }
                continue;
            }
            let content_type = document_type(&bytes, &name).ok_or_else(|| {
                invalid(
                    format!("Файл «{name}» не принят: прикладывайте фото (JPEG, PNG, WebP), PDF или документы Office (DOCX, XLSX, ODT)."),
                    format!("The file “{name}” was not accepted: attach photos (JPEG, PNG, WebP), PDF or Office documents (DOCX, XLSX, ODT)."),
                )
            })?;
            let key = uuid::Uuid::new_v4().simple().to_string();
            let dir = state.config.media_dir().join("files");
            tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(e.into()))?;
            tokio::fs::write(dir.join(&key), &bytes).await.map_err(|e| AppError::Internal(e.into()))?;
            keys.push(key.clone());
            out.push(Attached { key, file_name: name, content_type: content_type.into(), size: bytes.len() as i64, is_photo: false });
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        discard_files(state, &out).await;
        return Err(e);
    }
    Ok(out)
}

pub async fn discard_files(state: &AppState, files: &[Attached]) {
    let photos: Vec<String> = files
        .iter()
        .filter(|f| f.is_photo)
        .map(|f| f.key.clone())
        .collect();
    crate::media::discard(&state.config.media_dir(), &photos).await;
    for f in files.iter().filter(|f| !f.is_photo) {
        let _ = tokio::fs::remove_file(state.config.media_dir().join("files").join(&f.key)).await;
    }
}

fn sanitize_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    if clean.trim().is_empty() {
        "file".into()
    } else {
        clean
    }
}

fn document_type(bytes: &[u8], name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    // Office Open XML and OpenDocument files are ZIP archives.
    if bytes.starts_with(b"PK\x03\x04") {
        if lower.ends_with(".docx") {
            return Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        if lower.ends_with(".xlsx") {
            return Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if lower.ends_with(".odt") {
            return Some("application/vnd.oasis.opendocument.text");
        }
    }
    None
}

/// `POST /pm/orders/{id}/act` (multipart; CSRF token in the query)
pub async fn act(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    staff(&user)?;
    let form = read_action(multipart).await?;
    if let Some(m) = form.file_error {
        return Err(AppError::unprocessable("too_large", m));
    }
    if form.files.len() > MAX_FILES {
        return Err(invalid(
            "Можно приложить не больше 10 файлов.",
            "You can attach at most 10 files.",
        ));
    }
    let action = match form.action.as_str() {
        "accept" => OrderAction::Accept,
        "start" => OrderAction::Start,
        "report" => {
            let outcome = match form.outcome.as_str() {
                "" => None,
                o => Some(Outcome::parse(o).ok_or_else(|| {
                    invalid(
                        "Выберите: решено или запланировано.",
                        "Choose: resolved or planned.",
                    )
                })?),
            };
            let planned_date = if outcome == Some(Outcome::Planned) {
                Some(
                    time::Date::parse(
                        form.planned_date.trim(),
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )
                    .map_err(|_| {
                        invalid(
                            "Укажите планируемую дату в формате ГГГГ-ММ-ДД.",
                            "Give the planned date as YYYY-MM-DD.",
                        )
                    })?,
                )
            } else {
                None
            };
            OrderAction::SubmitReport {
                text: form.text,
                outcome,
                planned_date,
            }
        }
        "accept_report" => OrderAction::AcceptReport,
        "return" => OrderAction::Return { note: form.text },
        "cancel" => OrderAction::Cancel { reason: form.text },
        "refer" => OrderAction::Refer {
            organisation_id: form.organisation_id,
            reason: form.text,
        },
        "comment" => OrderAction::Comment { text: form.text },
        _ => {
            return Err(AppError::bad_request(
                "unknown_action",
                Msg::new("Неизвестное действие.", "Unknown action."),
            ));
        }
    };
    let files = store_files(&state, form.files).await?;
    match orders::act(&state, id, orders::Actor::Person(&user), action, &files).await {
        Ok(_) => Ok(Redirect::to(&format!("/pm/orders/{id}#timeline")).into_response()),
        Err(e) => {
            discard_files(&state, &files).await;
            Err(e)
        }
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    executor_id: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    stage_id: String,
    #[serde(default)]
    creator_organisation_id: String,
}

impl DraftForm {
    fn parse(&self) -> AppResult<OrderDraft> {
        let executor_id = match self.executor_id.trim() {
            "" => None,
            e => Some(e.parse::<i64>().map_err(|_| {
                invalid(
                    "Исполнитель: номер учётной записи.",
                    "Executor: an account number.",
                )
            })?),
        };
        let opt_id = |s: &str| -> AppResult<Option<i64>> {
            match s.trim() {
                "" => Ok(None),
                v => v.parse::<i64>().map(Some).map_err(|_| {
                    invalid(
                        "Неверный номер проекта или этапа.",
                        "Invalid project or stage number.",
                    )
                }),
            }
        };
        Ok(OrderDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            source: Source::parse(&self.source).unwrap_or(Source::Manual),
            organisation_id: self.organisation_id.trim().to_owned(),
            executor_id,
            deadline: parse_deadline(&self.deadline)?,
            priority: Priority::parse(&self.priority).unwrap_or(Priority::Normal),
            required: self.required.is_some(),
            project_id: opt_id(&self.project_id)?,
            stage_id: opt_id(&self.stage_id)?,
            creator_organisation_id: (!self.creator_organisation_id.trim().is_empty())
                .then(|| self.creator_organisation_id.trim().to_owned()),
        })
    }
}

/// `POST /pm/orders/{id}/delegate`
pub async fn delegate(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> AppResult<Response> {
    staff(&user)?;
    let d = f.parse()?;
    let child = orders::delegate(&state, &user, id, &d).await?;
    Ok(Redirect::to(&format!("/pm/orders/{child}")).into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    executor_id: String,
}

/// `POST /pm/orders/{id}/assign`
pub async fn assign(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    staff(&user)?;
    let e = match f.executor_id.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            invalid(
                "Выберите исполнителя из списка.",
                "Choose the executor from the list.",
            )
        })?),
    };
    orders::assign(&state, &user, id, e).await?;
    Ok(Redirect::to(&format!("/pm/orders/{id}")).into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    project: String,
    #[serde(default)]
    stage: String,
}

/// `GET /pm/orders/new`
pub async fn new_form(
    ctx: PageCtx,
    Staff(user): Staff,
    State(state): State<AppState>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    staff(&user)?;
    let l = ctx.locale;
    let orgs = super::dashboard::org_map(&state).await?;
    let all: Vec<(String, String)> = orgs
        .values()
        .map(|x| {
            (
                x.organisation_id.clone(),
                l.pick(&x.name_ru, &x.name_en).to_owned(),
            )
        })
        .collect();
    let mine: Vec<(String, String)> = user
        .memberships
        .iter()
        .map(|m| {
            (
                m.organisation_id.clone(),
                l.pick(&m.name_ru, &m.name_en).to_owned(),
            )
        })
        .collect();
    let priorities: Vec<(String, String)> = ALL_PRIORITIES
        .iter()
        .map(|p| (p.as_str().into(), p.label(l).into()))
        .collect();
    let sources: Vec<(String, String)> =
        [Source::Manual, Source::Meeting, Source::FederalProgramme]
            .iter()
            .map(|s| (s.as_str().into(), s.label(l).into()))
            .collect();
    let errors = crate::web::components::FieldErrors::new();
    let title = l.pick("Дать поручение", "Give an order");
    Ok(Page::new(&ctx, title).crumb(l.pick("Управление поручениями", "Orders"), "/pm").render(html! {
        h1 { (title) }
        (nav(l))
        form method="post" action="/pm/orders" {
            (ctx.csrf_field())
            (crate::web::components::Input::new("title", l.pick("Заголовок", "Title"), "").required().render(l, &errors))
            (crate::web::components::Input::new("description", l.pick("Описание", "Description"), "").kind("textarea").render(l, &errors))
            (crate::web::components::Select { name: "organisation_id", label: l.pick("Ответственная организация", "Responsible organisation"), options: &all, selected: "", placeholder: Some(l.pick("— выберите —", "— choose —")), disabled: false }.render(l, &errors))
            @if !mine.is_empty() {
                (crate::web::components::Select { name: "creator_organisation_id", label: l.pick("От имени организации", "On behalf of"), options: &mine, selected: "", placeholder: Some(l.pick("— лично —", "— personally —")), disabled: false }.render(l, &errors))
            }
            (crate::web::components::Input::new("deadline", l.pick("Срок", "Deadline"), "").kind("date").required().render(l, &errors))
            (crate::web::components::Select { name: "priority", label: l.pick("Приоритет", "Priority"), options: &priorities, selected: "normal", placeholder: None, disabled: false }.render(l, &errors))
            (crate::web::components::Select { name: "source", label: l.pick("Источник", "Source"), options: &sources, selected: "manual", placeholder: None, disabled: false }.render(l, &errors))
            input type="hidden" name="project_id" value=(q.project);
            input type="hidden" name="stage_id" value=(q.stage);
            input type="hidden" name="required" value="on";
            button.button type="submit" { (l.pick("Дать поручение", "Give the order")) }
        }
    }))
}

/// `POST /pm/orders`
pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<DraftForm>,
) -> AppResult<Response> {
    staff(&user)?;
    let d = f.parse()?;
    let id = orders::create(&state, &user, &d).await?;
    Ok(Redirect::to(&format!("/pm/orders/{id}")).into_response())
}

/// `GET /pm/attachments/{id}`: the order's sides and those above them
/// (`orders::may_read_files`); documents are downloaded, never rendered in
/// the page's origin.
pub async fn attachment(
    Staff(user): Staff,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    staff(&user)?;
    let a = queries::attachment(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let o = queries::order(&state.db, a.order_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !orders::may_read_files(&state.db, &o, &user).await? {
        return Err(AppError::client(
            axum::http::StatusCode::FORBIDDEN,
            "not_your_order",
            Msg::new(
                "Файлы поручения доступны его сторонам и вышестоящим организациям.",
                "An order's files are open to its sides and the organisations above them.",
            ),
        ));
    }
    let path = if a.is_photo {
        state
            .config
            .media_dir()
            .join("photos")
            .join(format!("{}-full.jpg", a.media_key))
    } else {
        state.config.media_dir().join("files").join(&a.media_key)
    };
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|_| AppError::not_found())?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=600"),
    );
    let name: String = url::form_urlencoded::byte_serialize(a.file_name.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}; filename*=UTF-8''{name}",
        if a.is_photo { "inline" } else { "attachment" }
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

// ---- Personal task list -----------------------------------------------------

/// `GET /pm/tasks`: the orders where I am the executor (or of my
/// organisations, without an executor) and my own tasks, by due date.
pub async fn tasks(
    ctx: PageCtx,
    Staff(user): Staff,
    State(state): State<AppState>,
) -> AppResult<Response> {
    staff(&user)?;
    let l = ctx.locale;
    let at = now();
    let mine = queries::list_orders(
        &state.db,
        &OrderFilter {
            executor_id: Some(user.account_id),
            open: true,
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let officer_orgs: Vec<String> = user
        .memberships
        .iter()
        .filter(|m| m.kind == crate::auth::domain::MembershipKind::Officer)
        .map(|m| m.organisation_id.clone())
        .collect();
    let unassigned: Vec<OrderRow> = if officer_orgs.is_empty() {
        Vec::new()
    } else {
        queries::list_orders(
            &state.db,
            &OrderFilter {
                organisations_in: officer_orgs,
                open: true,
                limit: 500,
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|o| o.executor_id.is_none())
        .collect()
    };
    let own = queries::tasks(&state.db, user.account_id).await?;
    let errors = crate::web::components::FieldErrors::new();
    let title = l.pick("Мои задачи", "My tasks");
    let list = |rows: &[OrderRow]| {
        html! {
            @if rows.is_empty() { p { (l.pick("Нет.", "None.")) } } @else {
                ul.pm-tasks {
                    @for o in rows {
                        li.overdue[o.is_overdue(at)] {
                            a href={ "/pm/orders/" (o.order_id) } { "№ " (o.order_id) ": " (o.title) }
                            " — " (l.pick("срок", "due")) " " (datetime(l, o.deadline)) " · " (state_badge(l, o, at))
                        }
                    }
                }
            }
        }
    };
    Ok(Page::new(&ctx, title).crumb(l.pick("Управление поручениями", "Orders"), "/pm").render(html! {
        h1 { (title) }
        (nav(l))
        section aria-labelledby="mine-h" { h2 #mine-h { (l.pick("Поручения, где я исполнитель", "Orders where I am the executor")) } div #my-orders { (list(&mine)) } }
        @if !unassigned.is_empty() {
            section aria-labelledby="org-h" { h2 #org-h { (l.pick("Поручения моих организаций без исполнителя", "My organisations' orders without an executor")) } (list(&unassigned)) }
        }
        section aria-labelledby="own-h" {
            h2 #own-h { (l.pick("Мои собственные задачи", "My own tasks")) }
            @if own.is_empty() { p { (l.pick("Задач нет.", "No tasks.")) } } @else {
                ul.pm-tasks #own-tasks {
                    @for t in &own {
                        li.done[t.done_at.is_some()] {
                            form.inline method="post" action={ "/pm/tasks/" (t.task_id) "/done" } {
                                (ctx.csrf_field())
                                input type="hidden" name="done" value=(if t.done_at.is_some() { "0" } else { "1" });
                                button.link type="submit" aria-label=(if t.done_at.is_some() { l.pick("Вернуть в работу", "Mark not done") } else { l.pick("Отметить выполненной", "Mark done") }) { (if t.done_at.is_some() { "☑" } else { "☐" }) }
                            }
                            " " (t.title)
                            @if let Some(d) = &t.due_on { " — " (l.pick("до", "due")) " " (d) }
                        }
                    }
                }
            }
            form method="post" action="/pm/tasks" {
                (ctx.csrf_field())
                (crate::web::components::Input::new("title", l.pick("Новая задача", "New task"), "").required().render(l, &errors))
                (crate::web::components::Input::new("due_on", l.pick("Срок (необязательно)", "Due (optional)"), "").kind("date").render(l, &errors))
                button.button type="submit" { (l.pick("Добавить", "Add")) }
            }
        }
    }))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct TaskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_on: String,
}

/// `POST /pm/tasks`
pub async fn add_task(
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<TaskForm>,
) -> AppResult<Response> {
    staff(&user)?;
    let title = domain::need_text("задача", "task", &f.title).map_err(orders::refusal)?;
    if title.chars().count() > 300 {
        return Err(invalid(
            "Задача длиннее 300 символов.",
            "The task is longer than 300 characters.",
        ));
    }
    let due = match f.due_on.trim() {
        "" => None,
        d => Some(orders::date_string(
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| {
                    invalid("Срок в формате ГГГГ-ММ-ДД.", "The due date as YYYY-MM-DD.")
                })?,
        )),
    };
    queries::insert_task(&state.db, user.account_id, &title, due.as_deref()).await?;
    Ok(Redirect::to("/pm/tasks").into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
}

/// `POST /pm/tasks/{id}/done`
pub async fn task_done(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    staff(&user)?;
    if !queries::set_task_done(&state.db, user.account_id, id, f.done != "0").await? {
        return Err(AppError::not_found());
    }
    Ok(Redirect::to("/pm/tasks").into_response())
}
