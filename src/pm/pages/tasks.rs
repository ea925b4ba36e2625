//! The personal task list.

use super::*;
use crate::db::Db;
use crate::texts;

// ---- Personal task list -----------------------------------------------------

/// `GET /pm/tasks`: the orders where I am the executor (or of my
/// organisations, without an executor) and my own tasks, by due date.
pub async fn tasks(ctx: PageCtx, Core(user): Core, State(db): State<Db>) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = TaskTexts::get(l);
    let at = now();
    let mine = queries::list_orders(
        &db,
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
            &db,
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
    let own = queries::tasks(&db, user.account_id).await?;
    let errors = crate::web::components::FieldErrors::new();
    let title = tx.my_tasks;
    let list = |rows: &[OrderRow]| {
        html! {
            @if rows.is_empty() { p { (tx.none) } } @else {
                ul.pm-tasks {
                    @for o in rows {
                        li.overdue[o.is_overdue(at)] {
                            a href={ "/pm/orders/" (o.order_id) } { "№ " (o.order_id) ": " (o.title) }
                            " — " (tx.due_lower) " " (datetime(l, o.deadline)) " · " (state_badge(l, o, at))
                        }
                    }
                }
            }
        }
    };
    Ok(Page::new(&ctx, title)
        .manifest("/pm/manifest.webmanifest")
        .script("js/staff.js")
        .crumb(tx.crumb_orders, "/pm").render(html! {
        h1 { (title) }
        (nav(l))
        (super::super::staff_app::app_bar(&ctx))
        section aria-labelledby="mine-h" { h2 #mine-h { (tx.orders_where_i_am) } div #my-orders { (list(&mine)) } }
        @if !unassigned.is_empty() {
            section aria-labelledby="org-h" { h2 #org-h { (tx.my_organisations_orders_without) } (list(&unassigned)) }
        }
        section aria-labelledby="own-h" {
            h2 #own-h { (tx.my_own_tasks) }
            @if own.is_empty() { p { (tx.no_tasks) } } @else {
                ul.pm-tasks #own-tasks {
                    @for t in &own {
                        li.done[t.done_at.is_some()] {
                            form.inline method="post" action={ "/pm/tasks/" (t.task_id) "/done" } {
                                (ctx.csrf_field())
                                input type="hidden" name="done" value=(if t.done_at.is_some() { "0" } else { "1" });
                                button.link type="submit" aria-label=(if t.done_at.is_some() { tx.mark_not_done } else { tx.mark_done }) { (if t.done_at.is_some() { "☑" } else { "☐" }) }
                            }
                            " " (t.title)
                            @if let Some(d) = &t.due_on { " — " (tx.due_by) " " (crate::web::components::shown_date(l, d)) }
                        }
                    }
                }
            }
            form method="post" action="/pm/tasks" {
                (ctx.csrf_field())
                (crate::web::components::Input::new("title", tx.new_task, "").required().render(l, &errors))
                (crate::web::components::Input::new("due_on", tx.due_optional, "").date_from(crate::web::components::today_msk(), DEADLINE_YEARS).render(l, &errors))
                button.button type="submit" { (tx.add) }
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
    Core(user): Core,
    State(db): State<Db>,
    Form(f): Form<TaskForm>,
) -> AppResult<Response> {
    let title = domain::need_text("задача", "task", &f.title).map_err(orders::refusal)?;
    if title.chars().count() > 300 {
        return Err(AppError::invalid(
            "Задача длиннее 300 символов.",
            "The task is longer than 300 characters.",
        ));
    }
    let due = match f.due_on.trim() {
        "" => None,
        d => Some(orders::date_string(
            crate::web::i18n::parse_iso_date(d).ok_or_else(|| {
                AppError::invalid("Срок в формате ГГГГ-ММ-ДД.", "The due date as YYYY-MM-DD.")
            })?,
        )),
    };
    queries::insert_task(&db, user.account_id, &title, due.as_deref()).await?;
    Ok(Redirect::to("/pm/tasks").into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
}

/// `POST /pm/tasks/{id}/done`
pub async fn task_done(
    Core(user): Core,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    if !queries::set_task_done(&db, user.account_id, id, f.done != "0").await? {
        return Err(AppError::not_found());
    }
    Ok(Redirect::to("/pm/tasks").into_response())
}

texts!(TaskTexts {
    my_tasks: "Мои задачи", "My tasks";
    none: "Нет.", "None.";
    due_lower: "срок", "due";
    crumb_orders: "Управление поручениями", "Orders";
    orders_where_i_am: "Поручения, где я исполнитель", "Orders where I am the executor";
    my_organisations_orders_without: "Поручения моих организаций без исполнителя", "My organisations' orders without an executor";
    my_own_tasks: "Мои собственные задачи", "My own tasks";
    no_tasks: "Задач нет.", "No tasks.";
    mark_not_done: "Вернуть в работу", "Mark not done";
    mark_done: "Отметить выполненной", "Mark done";
    due_by: "до", "due";
    new_task: "Новая задача", "New task";
    due_optional: "Срок (необязательно)", "Due (optional)";
    add: "Добавить", "Add";
});
