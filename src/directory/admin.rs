//! Administrators add and edit organisations.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::Admin;
use crate::db::Db;
use crate::directory::domain::{
    ALL_KINDS, OrgKind, parse_inn, parse_name, parse_optional, parse_org_id,
};
use crate::directory::queries::{self, OrgFields, OrgRow};
use crate::directory::views::DirTexts;
use crate::error::{AppError, AppResult, Msg};
use crate::geo::geography;
use crate::search::SearchIndex;
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, error_summary};
use crate::web::extract::{Form, Path};
use crate::web::layout::{Page, PageCtx};

texts!(AdminOrgTexts {
    new_title: "Новая организация", "New organisation";
    edit_title: "Редактирование организации", "Edit organisation";
    id_hint: "Постоянный идентификатор латиницей; его хранят другие системы, изменить его потом нельзя.",
             "A permanent id in Latin letters; other systems store it, so it cannot be changed later.";
    kind: "Тип", "Kind";
    parent: "Вышестоящая организация", "Parent organisation";
    none: "— нет —", "— none —";
    name_ru: "Полное название (рус.)", "Full name (Russian)";
    name_en: "Полное название (англ.)", "Full name (English)";
    short_ru: "Краткое название (рус.)", "Short name (Russian)";
    short_en: "Краткое название (англ.)", "Short name (English)";
    municipality: "Муниципальное образование", "Municipality";
    save: "Сохранить", "Save";
    cancel: "Отмена", "Cancel";
});

#[derive(Debug, Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    short_name_ru: String,
    #[serde(default)]
    short_name_en: String,
    #[serde(default)]
    inn: String,
    #[serde(default, alias = "municipality_slug")]
    municipality_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    website: String,
}

impl OrgForm {
    fn from_row(o: &OrgRow) -> OrgForm {
        OrgForm {
            id: o.organisation_id.clone(),
            parent_id: o.parent_id.clone().unwrap_or_default(),
            kind: o.kind.clone(),
            name_ru: o.name_ru.clone(),
            name_en: o.name_en.clone(),
            short_name_ru: o.short_name_ru.clone(),
            short_name_en: o.short_name_en.clone(),
            inn: o.inn.clone().unwrap_or_default(),
            municipality_id: o.municipality_id.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
            phone: o.phone.clone().unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
        }
    }

    /// Parses everything that needs no database; the parent is checked in
    /// the transaction that writes.
    pub(super) fn parse(&self, errors: &mut FieldErrors) -> Option<OrgFields> {
        let kind = errors.check(
            "kind",
            OrgKind::parse(&self.kind).ok_or_else(|| Msg::new("Выберите тип.", "Choose the kind.")),
        );
        let municipality_id = if self.municipality_id.is_empty() {
            None
        } else {
            errors.check(
                "municipality_id",
                geography()
                    .by_id(&self.municipality_id)
                    .map(|m| m.id.clone())
                    .ok_or_else(|| {
                        Msg::new(
                            "Выберите муниципалитет из списка.",
                            "Choose a municipality from the list.",
                        )
                    }),
            )
        };
        if kind == Some(OrgKind::MunicipalAdministration) && self.municipality_id.is_empty() {
            errors.add(
                "municipality_id",
                Msg::new(
                    "У администрации муниципального образования должен быть указан муниципалитет.",
                    "A municipal administration needs its municipality.",
                ),
            );
        }
        let name_ru = errors.check("name_ru", parse_name(&self.name_ru));
        let name_en = errors.check("name_en", parse_name(&self.name_en));
        let short_ru = errors.check("short_name_ru", parse_name(&self.short_name_ru));
        let short_en = errors.check("short_name_en", parse_name(&self.short_name_en));
        let inn = errors.check("inn", parse_inn(&self.inn));
        let email = errors.check("email", parse_optional(&self.email, 254));
        let phone = errors.check("phone", parse_optional(&self.phone, 64));
        let website = errors.check(
            "website",
            parse_optional(&self.website, 500).and_then(|w| match w {
                Some(w) if !(w.starts_with("https://") || w.starts_with("http://")) => {
                    Err(Msg::new(
                        "Адрес сайта должен начинаться с https:// или http://.",
                        "The website must start with https:// or http://.",
                    ))
                }
                other => Ok(other),
            }),
        );
        Some(OrgFields {
            parent_id: (!self.parent_id.is_empty()).then(|| self.parent_id.clone()),
            kind: kind?.as_str().to_owned(),
            name_ru: name_ru?,
            name_en: name_en?,
            short_name_ru: short_ru?,
            short_name_en: short_en?,
            inn: inn?,
            municipality_id,
            email: email?,
            phone: phone?,
            website: website?,
        })
    }
}

fn form_page(
    ctx: &PageCtx,
    all: &[OrgRow],
    form: &OrgForm,
    errors: &FieldErrors,
    editing: Option<&str>,
) -> Response {
    let t = AdminOrgTexts::get(ctx.locale);
    let dt = DirTexts::get(ctx.locale);
    let l = ctx.locale;
    let title = if editing.is_some() {
        t.edit_title
    } else {
        t.new_title
    };
    let action = match editing {
        Some(id) => format!("/admin/organisations/{id}/edit"),
        None => "/admin/organisations/new".to_owned(),
    };
    let kinds: Vec<(String, String)> = ALL_KINDS
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label(l).to_owned()))
        .collect();
    let parents: Vec<(String, String)> = all
        .iter()
        .filter(|o| Some(o.organisation_id.as_str()) != editing)
        .map(|o| o.option(l))
        .collect();
    let municipalities: Vec<(String, String)> = geography()
        .all()
        .iter()
        .map(|m| (m.id.clone(), m.name(l).to_owned()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Page::new(ctx, title)
        .crumb(dt.title, "/organisations")
        .status(status)
        .render(html! {
            h1 { (title) }
            (error_summary(l, errors))
            form.stack method="post" action=(action) novalidate {
                (ctx.csrf_field())
                @if editing.is_none() {
                    (Input::new("id", dt.id, &form.id).required().hint(t.id_hint).render(l, errors))
                }
                (Select { name: "kind", label: t.kind, options: &kinds, selected: &form.kind, placeholder: Some(t.none), disabled: false }.render(l, errors))
                (Select { name: "parent_id", label: t.parent, options: &parents, selected: &form.parent_id, placeholder: Some(t.none), disabled: false }.render(l, errors))
                (Input::new("name_ru", t.name_ru, &form.name_ru).required().render(l, errors))
                (Input::new("name_en", t.name_en, &form.name_en).required().render(l, errors))
                (Input::new("short_name_ru", t.short_ru, &form.short_name_ru).required().render(l, errors))
                (Input::new("short_name_en", t.short_en, &form.short_name_en).required().render(l, errors))
                (Input::new("inn", dt.inn, &form.inn).render(l, errors))
                (Select { name: "municipality_id", label: t.municipality, options: &municipalities, selected: &form.municipality_id, placeholder: Some(t.none), disabled: false }.render(l, errors))
                (Input::new("email", dt.email, &form.email).kind("email").render(l, errors))
                (Input::new("phone", dt.phone, &form.phone).kind("tel").render(l, errors))
                (Input::new("website", dt.website, &form.website).kind("url").render(l, errors))
                div.actions {
                    button.button type="submit" { (t.save) }
                    a href=(editing.map(|id| format!("/organisations/{id}")).unwrap_or_else(|| "/organisations".into())) { (t.cancel) }
                }
            }
        })
}

/// `GET /admin/organisations/new`
pub async fn new_organisation_form(
    _admin: Admin,
    ctx: PageCtx,
    State(state): State<AppState>,
    State(db): State<Db>,
) -> AppResult<Response> {
    super::master::refuse_unless_master(&state)?;
    let all = queries::list(&db).await?;
    Ok(form_page(
        &ctx,
        &all,
        &OrgForm::default(),
        &FieldErrors::new(),
        None,
    ))
}

/// `GET /admin/organisations/{id}/edit`
pub async fn edit_organisation_form(
    _admin: Admin,
    ctx: PageCtx,
    State(state): State<AppState>,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    super::master::refuse_unless_master(&state)?;
    let org = queries::by_id(&db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let all = queries::list(&db).await?;
    Ok(form_page(
        &ctx,
        &all,
        &OrgForm::from_row(&org),
        &FieldErrors::new(),
        Some(&id),
    ))
}

/// Checks the parent inside the writing transaction: it must exist and must
/// not be the organisation itself or one of its descendants.
pub(super) async fn check_parent(
    tx: &mut crate::db::Tx,
    id: &str,
    parent: Option<&str>,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let Some(parent) = parent else { return Ok(()) };
    if queries::by_id_tx(tx, parent).await?.is_none() {
        errors.add(
            "parent_id",
            Msg::new("Такой организации нет.", "There is no such organisation."),
        );
    } else if parent == id
        || queries::ancestors(tx, parent)
            .await?
            .iter()
            .any(|a| a == id)
    {
        errors.add(
            "parent_id",
            Msg::new(
                "Организация не может подчиняться сама себе или своему подразделению.",
                "An organisation cannot report to itself or to one of its own units.",
            ),
        );
    }
    Ok(())
}

/// `POST /admin/organisations/new`
pub async fn create_organisation(
    _admin: Admin,
    ctx: PageCtx,
    State(state): State<AppState>,
    State(db): State<Db>,
    State(search): State<SearchIndex>,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    super::master::refuse_unless_master(&state)?;
    let mut errors = FieldErrors::new();
    let id = errors.check("id", parse_org_id(&form.id));
    let fields = form.parse(&mut errors);
    if let (Some(id), Some(fields)) = (&id, &fields) {
        let mut tx = db.begin().await?;
        check_parent(&mut tx, id, fields.parent_id.as_deref(), &mut errors).await?;
        if errors.is_empty() {
            if queries::insert(&mut tx, id, fields).await? {
                crate::search::enqueue(&mut tx, crate::directory::search::KIND, id).await?;
                crate::datasets::request_refresh(&mut tx, "organisations").await?;
                super::master::changed(&mut tx, std::slice::from_ref(id)).await?;
                tx.commit().await?;
                search.notify();
                state.exchange.notify();
                return Ok(Redirect::to(&format!("/organisations/{id}?done=1")).into_response());
            }
            errors.add(
                "id",
                Msg::new("Этот идентификатор уже занят.", "This id is already taken."),
            );
        }
    }
    let all = queries::list(&db).await?;
    Ok(form_page(&ctx, &all, &form, &errors, None))
}

/// `POST /admin/organisations/{id}/edit`
pub async fn update_organisation(
    _admin: Admin,
    ctx: PageCtx,
    State(state): State<AppState>,
    State(db): State<Db>,
    State(search): State<SearchIndex>,
    Path(id): Path<String>,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    super::master::refuse_unless_master(&state)?;
    if queries::by_id(&db, &id).await?.is_none() {
        return Err(AppError::not_found());
    }
    let mut errors = FieldErrors::new();
    if let Some(fields) = form.parse(&mut errors) {
        let mut tx = db.begin().await?;
        check_parent(&mut tx, &id, fields.parent_id.as_deref(), &mut errors).await?;
        if errors.is_empty() {
            queries::update(&mut tx, &id, &fields).await?;
            crate::search::enqueue(&mut tx, crate::directory::search::KIND, &id).await?;
            crate::datasets::request_refresh(&mut tx, "organisations").await?;
            super::master::changed(&mut tx, std::slice::from_ref(&id)).await?;
            tx.commit().await?;
            search.notify();
            state.exchange.notify();
            return Ok(Redirect::to(&format!("/organisations/{id}?done=1")).into_response());
        }
    }
    let all = queries::list(&db).await?;
    Ok(form_page(&ctx, &all, &form, &errors, Some(&id)))
}
