//! The staff queues of every kind of citizens' request: the moderators'
//! queue (what waits for a check, and what is hidden) and the department
//! workspace (what is routed to the officer's organisations, nearest
//! deadline first). Problem reports, construction checks and the kinds to
//! come all land here, with a filter by kind.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use super::Kind;
use super::queries::{self, AppealFilter, AppealRow, AppealSort};
use super::views::{Categories, IssueTexts, headline, municipality_name, state_badge};
use crate::auth::{CurrentUser, Moderator, Staff};
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::texts;
use crate::web::components::{FieldErrors, Select, datetime, pager};
use crate::web::extract::Query;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

texts!(pub QueueTexts {
    workspace: "Обращения ведомства", "Department requests";
    workspace_intro: "Обращения всех видов, направленные в вашу организацию, по сроку ответа: сначала те, чей срок ближе. Откройте обращение, чтобы ответить, запросить уточнение или передать его.",
                     "Requests of every kind routed to your organisation, by deadline: nearest first. Open a request to answer it, ask for a clarification or refer it.";
    moderation: "Модерация обращений", "Request moderation";
    moderation_intro: "Новые обращения всех видов ждут проверки: опубликуйте, запросите уточнение или отклоните.",
                      "New requests of every kind await a check: publish, ask for a clarification, or reject.";
    hidden: "Скрытые обращения", "Hidden requests";
    unrouted: "Ждут маршрутизации", "Waiting for routing";
    unrouted_note: "Эти обращения опубликованы, но их некому направить: для категории и муниципалитета нет правила маршрутизации, организации по умолчанию или администрации муниципалитета в справочнике. Передайте каждое организации на его странице («Передать») и задайте маршрутизацию в разделе «Администрирование → Обращения».", "These requests are published, but nobody is there to answer them: the category and municipality have no routing rule, no default organisation and no municipal administration in the directory. Refer each to an organisation on its page («Refer») and set the routing under Administration → Requests.";
    organisation: "Организация", "Organisation";
    all_mine: "— все мои —", "— all mine —";
    kind: "Вид обращения", "Kind of request";
    all_kinds: "— все виды —", "— every kind —";
    show: "Показать", "Show";
    number: "№", "No.";
    request: "Обращение", "Request";
    state: "Состояние", "State";
    due: "Срок ответа", "Due";
    municipality: "Муниципалитет", "Municipality";
    empty: "Очередь пуста.", "The queue is empty.";
    mine: "Мои обращения", "My requests";
    mine_empty: "Вы ещё не подавали обращений.", "You have not filed any request yet.";
    mine_intro: "Все ваши обращения: сообщения о проблемах и просьбы проверить стройку, с состоянием и сроком ответа.", "All your requests: problem reports and construction check requests, with their state and the answer's due date.";
    new_problem: "Сообщить о проблеме", "Report a problem";
    new_check: "Попросить проверить стройку", "Ask for a construction check";
});

#[derive(Debug, serde::Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    org: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    page: Option<String>,
}

impl QueueQuery {
    /// The kind asked for: none for every kind; an unknown one is a 422,
    /// not an empty queue that looks like nothing waits.
    fn kind(&self) -> AppResult<Option<Kind>> {
        match self.kind.as_str() {
            "" => Ok(None),
            k => Kind::parse(k).map(Some).ok_or_else(|| {
                AppError::invalid("Неизвестный вид обращения.", "Unknown kind of request.")
            }),
        }
    }

    fn page(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| (1..=100_000).contains(p))
            .unwrap_or(1)
    }
}

const QUEUE_PAGE: i64 = 50;

fn kind_options(l: Locale) -> Vec<(String, String)> {
    Kind::all()
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label(l).to_owned()))
        .collect()
}

/// The select of kinds and the button that applies a queue's filters.
fn kind_filter(l: Locale, selected: &str) -> Markup {
    let t = QueueTexts::get(l);
    html! {
        (Select { name: "kind", label: t.kind, options: &kind_options(l), selected, placeholder: Some(t.all_kinds), disabled: false }.render(l, &FieldErrors::new()))
        div.actions { button.button type="submit" { (t.show) } }
    }
}

/// A page of a list: how many were found (in `#count_id`), the table, and
/// the pager over all of them.
fn found(l: Locale, count_id: &str, total: i64, base: &str, page: i64, table: Markup) -> Markup {
    html! {
        p role="status" { (IssueTexts::get(l).found) ": " strong id=(count_id) { (total) } }
        (table)
        (pager(l, base, page, (total + QUEUE_PAGE - 1) / QUEUE_PAGE))
    }
}

fn queue_table(l: Locale, cats: &Categories, rows: &[AppealRow], empty: &str) -> Markup {
    let t = QueueTexts::get(l);
    let at = now();
    html! {
        @if rows.is_empty() { p { (empty) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table.queue {
                    thead { tr { th scope="col" { (t.number) } th scope="col" { (t.request) } th scope="col" { (t.kind) } th scope="col" { (t.municipality) } th scope="col" { (t.state) } th scope="col" { (t.due) } } }
                    tbody {
                        @for a in rows {
                            @let kind = Kind::of(&a.kind);
                            tr.overdue[a.is_overdue(at)] data-kind=(a.kind) {
                                td { (a.appeal_id) }
                                td { a href=(kind.path(a.appeal_id)) { (headline(l, cats, a)) } }
                                td { (kind.label(l)) }
                                td { (municipality_name(l, &a.municipality_id)) }
                                td { (state_badge(l, a, at)) }
                                td { @if let Some(d) = a.due_at { (datetime(l, d)) } @else { "—" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /workspace/problems`: the queue of the officer's organisations,
/// every kind of request (`?kind=` narrows it, `?org=` picks one).
pub async fn workspace(
    ctx: PageCtx,
    Staff(user): Staff,
    State(db): State<Db>,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = QueueTexts::get(l);
    let kind = q.kind()?;
    let mine: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| m.kind == crate::auth::domain::MembershipKind::Officer)
        .map(|m| {
            (
                m.organisation_id.clone(),
                l.pick(&m.name_ru, &m.name_en).to_owned(),
            )
        })
        .collect();
    let mut f = AppealFilter {
        kind: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        states_in: [
            "published",
            "in_progress",
            "reopened",
            "planned",
            "needs_clarification",
        ]
        .map(String::from)
        .to_vec(),
        sort: AppealSort::Due,
        limit: QUEUE_PAGE,
        ..Default::default()
    };
    if !q.org.is_empty() {
        if !(user.is_officer_of(&q.org) || user.is_admin()) {
            return Err(AppError::forbidden());
        }
        f.organisation_id = Some(q.org.clone());
    } else if !user.is_admin() {
        if mine.is_empty() {
            return Err(AppError::forbidden());
        }
        f.organisations_in = mine.iter().map(|m| m.0.clone()).collect();
    }
    let page = q.page();
    f.offset = (page - 1) * QUEUE_PAGE;
    let total = queries::count_appeals(&db, &f).await?;
    let rows = queries::list_appeals(&db, &f).await?;
    let cats = Categories::load_all(&db).await?;
    let mut base = format!("/workspace/problems?kind={}", q.kind);
    if !q.org.is_empty() {
        base.push_str(&format!("&org={}", q.org));
    }
    Ok(Page::new(&ctx, t.workspace).crumb(ctx.t().workspace, "/workspace").render(html! {
        h1 { (t.workspace) }
        p { (t.workspace_intro) }
        form.filters method="get" action="/workspace/problems" {
            @if mine.len() > 1 || user.is_admin() {
                (Select { name: "org", label: t.organisation, options: &mine, selected: &q.org, placeholder: Some(t.all_mine), disabled: false }.render(l, &FieldErrors::new()))
            }
            (kind_filter(l, &q.kind))
        }
        (found(l, "queue-count", total, &base, page, queue_table(l, &cats, &rows, t.empty)))
    }))
}

/// `GET /account/requests`: «Мои обращения», every request the person
/// filed, of every kind and in every state (those not public yet too),
/// newest first, with its state and the answer's due date.
pub async fn mine(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = QueueTexts::get(l);
    let kind = q.kind()?;
    let page = q.page();
    let f = AppealFilter {
        kind: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        author_id: Some(user.account_id),
        sort: AppealSort::Newest,
        limit: QUEUE_PAGE,
        offset: (page - 1) * QUEUE_PAGE,
        ..Default::default()
    };
    let total = queries::count_appeals(&db, &f).await?;
    let rows = queries::list_appeals(&db, &f).await?;
    let cats = Categories::load_all(&db).await?;
    let base = format!("/account/requests?kind={}", q.kind);
    Ok(Page::new(&ctx, t.mine).crumb(ctx.t().account, "/account").render(html! {
        h1 { (t.mine) }
        p { (t.mine_intro) " " a href="/problems/new" { (t.new_problem) } " · " a href="/construction/checks/new" { (t.new_check) } }
        form.filters method="get" action="/account/requests" {
            (kind_filter(l, &q.kind))
        }
        (found(l, "mine-count", total, &base, page, queue_table(l, &cats, &rows, t.mine_empty)))
    }))
}

/// `GET /moderation/problems`: what waits for a moderator, of every kind
/// (`?kind=` narrows it), and what is hidden.
pub async fn moderation(
    ctx: PageCtx,
    Moderator(_user): Moderator,
    State(db): State<Db>,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = QueueTexts::get(l);
    let kind = q.kind()?.map(|k| k.as_str().to_owned()).unwrap_or_default();
    let cats = Categories::load_all(&db).await?;
    let waiting = AppealFilter {
        kind: kind.clone(),
        states_in: vec!["submitted".into(), "needs_clarification".into()],
        sort: AppealSort::Oldest,
        limit: 200,
        ..Default::default()
    };
    let hidden = AppealFilter {
        kind,
        state: Some("hidden".into()),
        sort: AppealSort::Newest,
        limit: 100,
        ..Default::default()
    };
    // Published, but no organisation answers them: no routing rule, no
    // default, no municipal administration in the directory yet.
    let unrouted = AppealFilter {
        kind: hidden.kind.clone(),
        unrouted: true,
        public_only: true,
        sort: AppealSort::Oldest,
        limit: 200,
        ..Default::default()
    };
    let waiting = queries::list_appeals(&db, &waiting).await?;
    let unrouted = queries::list_appeals(&db, &unrouted).await?;
    let hidden = queries::list_appeals(&db, &hidden).await?;
    Ok(Page::new(&ctx, t.moderation).render(html! {
        h1 { (t.moderation) }
        p { (t.moderation_intro) }
        form.filters method="get" action="/moderation/problems" {
            (kind_filter(l, &q.kind))
        }
        section #waiting aria-label=(t.moderation) { (queue_table(l, &cats, &waiting, t.empty)) }
        @if !unrouted.is_empty() {
            h2 #unrouted-h { (t.unrouted) }
            p.notice #unrouted-note { (t.unrouted_note) }
            section #unrouted aria-labelledby="unrouted-h" { (queue_table(l, &cats, &unrouted, t.empty)) }
        }
        h2 #hidden-h { (t.hidden) }
        section #hidden aria-labelledby="hidden-h" { (queue_table(l, &cats, &hidden, t.empty)) }
    }))
}
