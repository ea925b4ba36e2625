//! Administration: the admin home, accounts and their roles.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::domain::{GlobalRole, MembershipKind};
use crate::auth::views::roles_text;
use crate::auth::{Admin, CurrentUser, queries};
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::texts;
use crate::web::components::{FieldErrors, Select, datetime, notice};
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_home))
        .route("/admin/accounts", get(list_accounts))
        .route("/admin/accounts/{id}", get(show_account))
        .route("/admin/accounts/{id}/roles", post(change_roles))
}

texts!(AdminTexts {
    title: "Администрирование", "Administration";
    accounts: "Учётные записи", "Accounts";
    organisations: "Справочник организаций", "Organisation directory";
    problems: "Обращения: модерация и срок ответа", "Reports: moderation and deadline";
    routing: "Маршрутизация обращений", "Routing of reports";
    open311: "Ключи Open311", "Open311 keys";
    search: "Адрес или имя", "E-mail or name";
    find: "Найти", "Find";
    name: "Имя", "Name";
    email: "Почта", "E-mail";
    registered: "Зарегистрирован", "Registered";
    confirmed: "Подтверждён", "Confirmed";
    yes: "да", "yes";
    no: "нет", "no";
    roles: "Роли", "Roles";
    grant: "Назначить", "Grant";
    revoke: "Снять", "Revoke";
    role: "Роль", "Role";
    organisation: "Организация", "Organisation";
    moderator: "Модератор", "Moderator";
    administrator: "Администратор", "Administrator";
    officer: "Сотрудник ведомства", "Department officer";
    executor: "Исполнитель", "Executor";
    choose: "— выберите —", "— choose —";
    memberships: "Членство в организациях", "Memberships";
    global_roles: "Общие роли", "Global roles";
    last_admin: "Нельзя снять роль с последнего администратора.", "The last administrator cannot lose the role.";
    need_org: "Для этой роли выберите организацию.", "Choose an organisation for this role.";
    integration_partners_dead_letters: "Интеграция: партнёры и недоставленные сообщения", "Integration: partners and dead letters";
    order_management: "Управление поручениями", "Order management";
});

/// `GET /admin`
pub async fn admin_home(ctx: PageCtx, _admin: Admin) -> Response {
    let tx = AdminTexts::get(ctx.locale);
    let t = tx;
    Page::new(&ctx, t.title).render(html! {
        h1 { (t.title) }
        ul.cards {
            li { a href="/admin/accounts" { (t.accounts) } }
            li { a href="/organisations" { (t.organisations) } }
            li { a href="/admin/problems" { (t.problems) } }
            li { a href="/admin/problems/routing" { (t.routing) } }
            li { a href="/admin/open311" { (t.open311) } }
            li { a href="/admin/integration" { (tx.integration_partners_dead_letters) } }
            li { a href="/pm" { (tx.order_management) } }
        }
    })
}

#[derive(Debug, Deserialize)]
pub struct AccountsQuery {
    #[serde(default)]
    q: String,
}

/// `GET /admin/accounts`
pub async fn list_accounts(
    ctx: PageCtx,
    _admin: Admin,
    State(db): State<Db>,
    Query(query): Query<AccountsQuery>,
) -> AppResult<Response> {
    let t = AdminTexts::get(ctx.locale);
    let q: String = query.q.trim().chars().take(100).collect();
    let rows = queries::list_accounts(&db, &q, 200).await?;
    let mut roles: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for (id, role) in queries::all_roles(&db).await? {
        roles.entry(id).or_default().push(role);
    }
    let at = crate::auth::views::AuthTexts::get(ctx.locale);
    // «модератор, сотрудник ведомства ×2»: each role once, with how many
    // organisations where there are several.
    let roles_of = |id: i64| -> String {
        let mut counted: Vec<(String, usize)> = Vec::new();
        for r in roles.get(&id).into_iter().flatten() {
            let label = match r.as_str() {
                "moderator" => at.role_moderator,
                "administrator" => at.role_admin,
                "officer" => at.role_officer,
                "executor" => at.role_executor,
                other => other,
            }
            .to_owned();
            match counted.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counted.push((label, 1)),
            }
        }
        if counted.is_empty() {
            return at.role_citizen.to_owned();
        }
        counted
            .into_iter()
            .map(|(l, n)| if n > 1 { format!("{l} ×{n}") } else { l })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(Page::new(&ctx, t.accounts).crumb(t.title, "/admin").render(html! {
        h1 { (t.accounts) }
        form.search-form method="get" action="/admin/accounts" role="search" {
            label for="q" { (t.search) }
            div.search-row {
                input #q type="search" name="q" value=(q);
                button.button type="submit" { (t.find) }
            }
        }
        div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(ctx.locale)) {
            table {
                thead { tr { th { "#" } th { (t.name) } th { (t.email) } th { (t.registered) } th { (t.confirmed) } th { (t.roles) } } }
                tbody {
                    @for r in &rows {
                        tr {
                            td { (r.account_id) }
                            td { a href={ "/admin/accounts/" (r.account_id) } { (r.display_name) } }
                            td { (r.email.as_deref().unwrap_or("—")) }
                            td { (datetime(ctx.locale, r.created_at)) }
                            td { (if r.email_confirmed_at.is_some() { t.yes } else { t.no }) }
                            td.roles { (roles_of(r.account_id)) }
                        }
                    }
                }
            }
        }
    }))
}

async fn account_page(ctx: &PageCtx, db: &Db, id: i64, error: Option<Msg>) -> AppResult<Response> {
    let t = AdminTexts::get(ctx.locale);
    let l = ctx.locale;
    let account = queries::account_by_id(db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let Some(user) = CurrentUser::load(db, id).await? else {
        return Err(AppError::not_found());
    };
    let orgs = crate::directory::queries::list(db).await?;
    let org_options: Vec<(String, String)> = orgs.iter().map(|o| o.option(l)).collect();
    let role_options = vec![
        ("moderator".to_owned(), t.moderator.to_owned()),
        ("administrator".to_owned(), t.administrator.to_owned()),
        ("officer".to_owned(), t.officer.to_owned()),
        ("executor".to_owned(), t.executor.to_owned()),
    ];
    let no_errors = FieldErrors::new();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(Page::new(ctx, account.display_name.clone())
        .crumb(t.title, "/admin")
        .crumb(t.accounts, "/admin/accounts")
        .status(status)
        .render(html! {
            h1 { (account.display_name) }
            @if let Some(e) = &error { (notice("error", html! { (e.get(l)) })) }
            dl.facts {
                dt { (t.email) } dd { (account.email.as_deref().unwrap_or("—")) }
                dt { (t.roles) } dd { (roles_text(l, &user)) }
            }
            h2 { (t.global_roles) }
            ul {
                @for role in &user.roles {
                    li {
                        (match role { GlobalRole::Moderator => t.moderator, GlobalRole::Administrator => t.administrator }) " "
                        form.inline method="post" action={ "/admin/accounts/" (id) "/roles" } {
                            (ctx.csrf_field())
                            input type="hidden" name="action" value="revoke";
                            input type="hidden" name="role" value=(role.as_str());
                            button.link-button type="submit" { (t.revoke) }
                        }
                    }
                }
            }
            h2 { (t.memberships) }
            ul {
                @for m in &user.memberships {
                    li {
                        (match m.kind { MembershipKind::Officer => t.officer, MembershipKind::Executor => t.executor })
                        " — " (l.pick(&m.name_ru, &m.name_en)) " "
                        form.inline method="post" action={ "/admin/accounts/" (id) "/roles" } {
                            (ctx.csrf_field())
                            input type="hidden" name="action" value="revoke";
                            input type="hidden" name="role" value=(m.kind.as_str());
                            input type="hidden" name="organisation_id" value=(m.organisation_id);
                            button.link-button type="submit" { (t.revoke) }
                        }
                    }
                }
            }
            h2 { (t.grant) }
            form.stack method="post" action={ "/admin/accounts/" (id) "/roles" } {
                (ctx.csrf_field())
                input type="hidden" name="action" value="grant";
                (Select { name: "role", label: t.role, options: &role_options, selected: "", placeholder: Some(t.choose), disabled: false }.render(l, &no_errors))
                (Select { name: "organisation_id", label: t.organisation, options: &org_options, selected: "", placeholder: Some(t.choose), disabled: false }.render(l, &no_errors))
                div.actions { button.button type="submit" { (t.grant) } }
            }
        }))
}

/// `GET /admin/accounts/{id}`
pub async fn show_account(
    ctx: PageCtx,
    _admin: Admin,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    account_page(&ctx, &db, id, None).await
}

#[derive(Debug, Deserialize)]
pub struct RolesForm {
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

/// `POST /admin/accounts/{id}/roles`: grants or revokes one role.
pub async fn change_roles(
    ctx: PageCtx,
    Admin(admin): Admin,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Form(form): Form<RolesForm>,
) -> AppResult<Response> {
    if queries::account_by_id(&db, id).await?.is_none() {
        return Err(AppError::not_found());
    }
    let grant = match form.action.as_str() {
        "grant" => true,
        "revoke" => false,
        _ => {
            return Err(AppError::bad_request(
                "invalid_action",
                Msg::new("Неизвестное действие.", "Unknown action."),
            ));
        }
    };
    let mut tx = db.begin().await?;
    if let Some(role) = GlobalRole::parse(&form.role) {
        if grant {
            queries::grant_role(&mut tx, id, role).await?;
        } else {
            queries::revoke_role(&mut tx, id, role).await?;
            // Checked after the change, inside the transaction, so two
            // administrators revoking each other at once cannot both succeed.
            if role == GlobalRole::Administrator && queries::count_admins(&mut tx).await? == 0 {
                drop(tx);
                return account_page(
                    &ctx,
                    &db,
                    id,
                    Some(Msg::new(
                        AdminTexts::RU.last_admin,
                        AdminTexts::EN.last_admin,
                    )),
                )
                .await;
            }
        }
    } else if let Some(kind) = MembershipKind::parse(&form.role) {
        if crate::directory::queries::by_id_tx(&mut tx, &form.organisation_id)
            .await?
            .is_none()
        {
            drop(tx);
            return account_page(
                &ctx,
                &db,
                id,
                Some(Msg::new(AdminTexts::RU.need_org, AdminTexts::EN.need_org)),
            )
            .await;
        }
        if grant {
            queries::grant_membership(&mut tx, id, &form.organisation_id, kind).await?;
        } else {
            queries::revoke_membership(&mut tx, id, &form.organisation_id, kind).await?;
        }
    } else {
        drop(tx);
        return account_page(
            &ctx,
            &db,
            id,
            Some(Msg::new("Выберите роль.", "Choose a role.")),
        )
        .await;
    }
    tx.commit().await?;
    tracing::info!(admin = admin.account_id, account_id = id, role = %form.role, grant, "roles changed");
    Ok(Redirect::to(&format!("/admin/accounts/{id}?done=1")).into_response())
}
