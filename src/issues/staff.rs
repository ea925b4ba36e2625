//! The administrators' side of problem reports: routing table, settings
//! and Open311 keys. (The staff queues of every kind are `workflow::queue`.)

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use rand::RngCore;

use crate::auth::Admin;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::texts;
use crate::web::components::{FieldErrors, Select, checkbox, datetime};
use crate::web::extract::{Form, Query};
use crate::web::layout::{Page, PageCtx};
use crate::workflow::queries::{self};
use crate::workflow::views::{IssueTexts, municipality_name};
use crate::workflow::{self, sla};

texts!(pub StaffTexts {
    organisation: "Организация", "Organisation";
    municipality: "Муниципалитет", "Municipality";
    state: "Состояние", "State";
    settings: "Настройки обращений", "Report settings";
    premoderation: "Предварительная модерация: новые обращения публикуются после проверки модератором", "Pre-moderation: new reports are published after a moderator checks them";
    sla_mode: "Как считать 10 дней на ответ", "How the 10 days to answer are counted";
    calendar_days: "календарные дни", "calendar days";
    working_days: "рабочие дни (производственный календарь РФ)", "working days (the Russian production calendar)";
    calendar_covers: "Производственный календарь загружен на период", "The production calendar covers";
    calendar_ends: "Производственный календарь заканчивается", "The production calendar ends on";
    calendar_ends_hint: "Добавьте следующий год в datasets/calendar/production-calendar-ru.csv и обновите «Вече»: после последнего дня праздники неизвестны, и сроки в рабочих днях посчитают их рабочими.",
                        "Add the next year to datasets/calendar/production-calendar-ru.csv and update Veche: after its last day holidays are unknown, and deadlines in working days would count them as working days.";
    save: "Сохранить", "Save";
    saved: "Сохранено.", "Saved.";
    routing: "Маршрутизация обращений", "Routing of reports";
    routing_intro: "Обращение направляется по правилу «категория × муниципалитет», если оно задано; иначе муниципальные категории — в администрацию муниципалитета, краевые — в ведомство категории по умолчанию.",
                   "A report goes to the organisation of a category × municipality rule when there is one; otherwise municipal categories go to the municipality's administration and regional ones to the category's default department.";
    category: "Категория", "Category";
    responsibility: "Ответственность", "Responsibility";
    default_org: "Ведомство по умолчанию", "Default department";
    rules: "Правила", "Rules";
    add_rule: "Добавить или изменить правило", "Add or change a rule";
    remove: "Удалить", "Remove";
    choose: "— выберите —", "— choose —";
    none_org: "— нет —", "— none —";
    keys: "Ключи Open311", "Open311 keys";
    keys_intro: "Ключ даёт внешнему приложению право подавать обращения через Open311 (POST /open311/v2/requests.xml с параметром api_key). Обращения подаются от имени служебной учётной записи приложения; контакты заявителя видны только ведомству.",
                "A key lets an outside application file reports through Open311 (POST /open311/v2/requests.xml with api_key). Reports are filed by the application's service account; the reporter's contacts are seen only by the department.";
    key_name: "Название приложения", "Application name";
    create_key: "Выдать ключ", "Issue a key";
    new_key: "Ключ (скопируйте сейчас, он больше не будет показан):", "The key (copy it now; it will not be shown again):";
    key_id: "Идентификатор", "Id";
    created: "Выдан", "Issued";
    revoked: "Отозван", "Revoked";
    revoke: "Отозвать", "Revoke";
    active: "действует", "active";
    need_name: "Укажите название приложения.", "Give the application's name.";
});

#[derive(Debug, serde::Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /admin/problems`
pub async fn settings_page(
    ctx: PageCtx,
    _admin: Admin,
    State(db): State<Db>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    let s = workflow::settings(&db).await?;
    let modes = vec![
        (
            sla::Mode::Calendar.as_str().to_owned(),
            t.calendar_days.to_owned(),
        ),
        (
            sla::Mode::Working.as_str().to_owned(),
            t.working_days.to_owned(),
        ),
    ];
    let cal = sla::russia();
    Ok(Page::new(&ctx, t.settings).crumb(ctx.t().admin, "/admin").render(html! {
        h1 { (t.settings) }
        @if q.saved.is_some() { (crate::web::components::notice("success", html! { (t.saved) })) }
        @if let Some(last) = cal.ends_soon(crate::db::now().date()) {
            div #calendar-warning { (crate::web::components::notice("warning", html! {
                (t.calendar_ends) " " strong { (crate::web::components::date(l, last)) } ". " (t.calendar_ends_hint)
            })) }
        }
        form.stack method="post" action="/admin/problems" {
            (ctx.csrf_field())
            (checkbox(l, &FieldErrors::new(), "premoderation", html! { (t.premoderation) }, s.premoderation))
            (Select { name: "sla_mode", label: t.sla_mode, options: &modes, selected: s.sla_mode.as_str(), placeholder: None, disabled: false }.render(l, &FieldErrors::new()))
            @if let (Some(a), Some(b)) = (cal.first, cal.last) { p.hint { (t.calendar_covers) ": " (crate::web::components::date(l, a)) " — " (crate::web::components::date(l, b)) } }
            div.actions { button.button type="submit" { (t.save) } }
        }
        p { a href="/admin/problems/routing" { (t.routing) } " · " a href="/admin/open311" { (t.keys) } }
    }))
}

#[derive(Debug, serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    premoderation: Option<String>,
    sla_mode: String,
}

/// `POST /admin/problems`
pub async fn save_settings(
    Admin(user): Admin,
    State(db): State<Db>,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let mode = sla::Mode::parse(&f.sla_mode).ok_or_else(|| {
        AppError::unprocessable(
            "invalid_input",
            Msg::new(
                "Выберите способ счёта дней из списка.",
                "Choose how days are counted from the list.",
            ),
        )
    })?;
    let mut tx = db.begin().await?;
    queries::set_setting(
        &mut tx,
        workflow::PREMODERATION,
        if f.premoderation.is_some() {
            "on"
        } else {
            "off"
        },
    )
    .await?;
    queries::set_setting(&mut tx, workflow::SLA_MODE, mode.as_str()).await?;
    tx.commit().await?;
    tracing::info!(
        account_id = user.account_id,
        premoderation = f.premoderation.is_some(),
        sla_mode = mode.as_str(),
        "report settings changed"
    );
    Ok(Redirect::to("/admin/problems?saved=1").into_response())
}

/// `GET /admin/problems/routing`
pub async fn routing_page(
    ctx: PageCtx,
    _admin: Admin,
    State(db): State<Db>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    let it = IssueTexts::get(l);
    let cats = queries::categories(&db, crate::issues::PROBLEM.as_str()).await?;
    let rules = queries::routing_rules(&db).await?;
    let orgs = crate::directory::queries::list(&db).await?;
    let org_name = |id: &str| {
        orgs.iter()
            .find(|o| o.organisation_id == id)
            .map(|o| l.pick(&o.name_ru, &o.name_en).to_owned())
            .unwrap_or_else(|| id.to_owned())
    };
    let org_options: Vec<(String, String)> = orgs.iter().map(|o| o.option(l)).collect();
    let cat_options: Vec<(String, String)> = cats
        .iter()
        .map(|c| {
            (
                c.category_id.clone(),
                l.pick(&c.name_ru, &c.name_en).to_owned(),
            )
        })
        .collect();
    let mun_options = crate::workflow::views::municipality_options(l);
    let none = FieldErrors::new();
    Ok(Page::new(&ctx, t.routing).crumb(ctx.t().admin, "/admin").crumb(t.settings, "/admin/problems").render(html! {
        h1 { (t.routing) }
        p { (t.routing_intro) }
        div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
            table {
                thead { tr { th scope="col" { (t.category) } th scope="col" { (t.responsibility) } th scope="col" { (t.default_org) } } }
                tbody {
                    @for c in &cats {
                        tr {
                            th scope="row" { (l.pick(&c.name_ru, &c.name_en)) br; code { (c.category_id) } }
                            td { @if c.responsibility == "regional" { (it.regional) } @else { (it.municipal) } }
                            td {
                                form.inline-form method="post" action="/admin/problems/routing/default" {
                                    (ctx.csrf_field())
                                    input type="hidden" name="category" value=(c.category_id);
                                    label.visually-hidden for={ "d-" (c.category_id) } { (t.default_org) }
                                    select id={ "d-" (c.category_id) } name="organisation_id" {
                                        option value="" { (t.none_org) }
                                        @for (id, name) in &org_options {
                                            option value=(id) selected[c.default_organisation_id.as_deref() == Some(id.as_str())] { (name) }
                                        }
                                    }
                                    " " button.button.button-small type="submit" { (t.save) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t.rules) }
        @if rules.is_empty() { p { "—" } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table {
                    thead { tr { th scope="col" { (t.category) } th scope="col" { (t.municipality) } th scope="col" { (t.organisation) } th {} } }
                    tbody {
                        @for r in &rules {
                            tr {
                                td { (cats.iter().find(|c| c.category_id == r.category_id).map(|c| l.pick(&c.name_ru, &c.name_en).to_owned()).unwrap_or_else(|| r.category_id.clone())) }
                                td { (municipality_name(l, &r.municipality_id)) }
                                td { (org_name(&r.organisation_id)) }
                                td {
                                    form.inline method="post" action="/admin/problems/routing/rule" {
                                        (ctx.csrf_field())
                                        input type="hidden" name="category" value=(r.category_id);
                                        input type="hidden" name="municipality" value=(r.municipality_id);
                                        input type="hidden" name="organisation_id" value="";
                                        button.button.button-small type="submit" { (t.remove) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t.add_rule) }
        form.stack method="post" action="/admin/problems/routing/rule" {
            (ctx.csrf_field())
            (Select { name: "category", label: t.category, options: &cat_options, selected: "", placeholder: Some(t.choose), disabled: false }.render(l, &none))
            (Select { name: "municipality", label: t.municipality, options: &mun_options, selected: "", placeholder: Some(t.choose), disabled: false }.render(l, &none))
            (Select { name: "organisation_id", label: t.organisation, options: &org_options, selected: "", placeholder: Some(t.choose), disabled: false }.render(l, &none))
            div.actions { button.button type="submit" { (t.save) } }
        }
    }))
}

#[derive(Debug, serde::Deserialize)]
pub struct DefaultForm {
    category: String,
    #[serde(default)]
    organisation_id: String,
}

async fn known_category(db: &Db, id: &str) -> AppResult<()> {
    let cats = queries::categories(db, crate::issues::PROBLEM.as_str()).await?;
    if cats.iter().any(|c| c.category_id == id) {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            "unknown_category",
            Msg::new("Такой категории нет.", "There is no such category."),
        ))
    }
}

async fn known_organisation(db: &Db, id: &str) -> AppResult<()> {
    if crate::directory::queries::by_id(db, id).await?.is_some() {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            "unknown_organisation",
            Msg::new(
                "Такой организации нет в справочнике.",
                "There is no such organisation in the directory.",
            ),
        ))
    }
}

/// `POST /admin/problems/routing/default`
pub async fn set_default(
    Admin(user): Admin,
    State(db): State<Db>,
    Form(f): Form<DefaultForm>,
) -> AppResult<Response> {
    known_category(&db, &f.category).await?;
    let org = (!f.organisation_id.is_empty()).then_some(f.organisation_id.as_str());
    if let Some(o) = org {
        known_organisation(&db, o).await?;
    }
    let mut tx = db.begin().await?;
    queries::set_category_default(&mut tx, &f.category, org).await?;
    tx.commit().await?;
    tracing::info!(account_id = user.account_id, category = %f.category, organisation = ?org, "category default route changed");
    Ok(Redirect::to("/admin/problems/routing?done=1").into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    organisation_id: String,
}

/// `POST /admin/problems/routing/rule`: sets a rule, or removes it when no
/// organisation is given.
pub async fn set_rule(
    Admin(user): Admin,
    State(db): State<Db>,
    Form(f): Form<RuleForm>,
) -> AppResult<Response> {
    known_category(&db, &f.category).await?;
    if crate::geo::geography().by_id(&f.municipality).is_none() {
        return Err(AppError::unprocessable(
            "unknown_municipality",
            Msg::new(
                "Выберите муниципалитет из списка.",
                "Choose a municipality from the list.",
            ),
        ));
    }
    let org = (!f.organisation_id.is_empty()).then_some(f.organisation_id.as_str());
    if let Some(o) = org {
        known_organisation(&db, o).await?;
    }
    let mut tx = db.begin().await?;
    queries::set_routing_rule(&mut tx, &f.category, &f.municipality, org).await?;
    tx.commit().await?;
    tracing::info!(account_id = user.account_id, category = %f.category, municipality = %f.municipality, organisation = ?org, "routing rule changed");
    Ok(Redirect::to("/admin/problems/routing?done=1").into_response())
}

fn keys_view(
    ctx: &PageCtx,
    keys: &[queries::Open311KeyRow],
    new_key: Option<&str>,
    error: Option<&str>,
) -> Response {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    Page::new(ctx, t.keys).crumb(ctx.t().admin, "/admin").crumb(t.settings, "/admin/problems").render(html! {
        h1 { (t.keys) }
        p { (t.keys_intro) }
        @if let Some(k) = new_key {
            (crate::web::components::notice("success", html! { p { (t.new_key) } p { code #new-key { (k) } } }))
        }
        @if let Some(e) = error { (crate::web::components::notice("error", html! { (e) })) }
        form.stack method="post" action="/admin/open311" {
            (ctx.csrf_field())
            div.field { label for="f-name" { (t.key_name) } input #f-name type="text" name="name" maxlength="100" required; }
            div.actions { button.button type="submit" { (t.create_key) } }
        }
        @if !keys.is_empty() {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table {
                    thead { tr { th scope="col" { (t.key_name) } th scope="col" { (t.key_id) } th scope="col" { (t.created) } th scope="col" { (t.state) } th {} } }
                    tbody {
                        @for k in keys {
                            tr {
                                td { (k.name) }
                                td { code { (&k.key_hash[..12.min(k.key_hash.len())]) } }
                                td { (datetime(l, k.created_at)) }
                                td { @if let Some(r) = k.revoked_at { (t.revoked) " " (datetime(l, r)) } @else { (t.active) } }
                                td {
                                    @if k.revoked_at.is_none() {
                                        form.inline method="post" action="/admin/open311/revoke" {
                                            (ctx.csrf_field())
                                            input type="hidden" name="id" value=(&k.key_hash[..12.min(k.key_hash.len())]);
                                            button.button.button-small type="submit" { (t.revoke) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// `GET /admin/open311`
pub async fn keys_page(ctx: PageCtx, _admin: Admin, State(db): State<Db>) -> AppResult<Response> {
    let keys = queries::open311_keys(&db).await?;
    Ok(keys_view(&ctx, &keys, None, None))
}

#[derive(Debug, serde::Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/open311`: issues a key with its own service account, shown
/// once; only its hash is stored.
pub async fn create_key(
    ctx: PageCtx,
    Admin(user): Admin,
    State(db): State<Db>,
    Form(f): Form<KeyForm>,
) -> AppResult<Response> {
    let name: String = f
        .name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(100)
        .collect();
    if name.is_empty() {
        let keys = queries::open311_keys(&db).await?;
        let mut r = keys_view(
            &ctx,
            &keys,
            None,
            Some(StaffTexts::get(ctx.locale).need_name),
        );
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut tx = db.begin().await?;
    let account_id = crate::auth::queries::insert_account(
        &mut tx,
        &crate::auth::queries::NewAccount {
            email: None,
            display_name: &name,
            password_hash: None,
            email_confirmed: false,
            municipality: None,
            locale: "ru",
        },
    )
    .await?;
    queries::insert_open311_key(
        &mut tx,
        &crate::auth::queries::token_hash(&key),
        &name,
        account_id,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        account_id = user.account_id,
        service_account = account_id,
        "Open311 key issued"
    );
    let keys = queries::open311_keys(&db).await?;
    Ok(keys_view(&ctx, &keys, Some(&key), None))
}

#[derive(Debug, serde::Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    id: String,
}

/// `POST /admin/open311/revoke`
pub async fn revoke_key(
    Admin(user): Admin,
    State(db): State<Db>,
    Form(f): Form<RevokeForm>,
) -> AppResult<Response> {
    if f.id.len() < 12 || !f.id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::bad_request(
            "invalid_input",
            Msg::new("Неверный идентификатор ключа.", "Invalid key id."),
        ));
    }
    queries::revoke_open311_key(&db, &f.id).await?;
    tracing::info!(account_id = user.account_id, key = %f.id, "Open311 key revoked");
    Ok(Redirect::to("/admin/open311?done=1").into_response())
}
