//! The personal task list.

use super::*;

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
