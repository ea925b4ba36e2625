//! Citizens' check requests: "this construction is not in the registry" or
//! "it differs from its approvals". They are requests of the shared
//! workflow (kind `construction_check`): the same lifecycle, routing, SLA,
//! timeline, notifications and hand-off to the project-management core as
//! problem reports. What this file adds: the form (a new point or a
//! registry object), the link to the object, and the published
//! verification result, which puts a confirmed violation into the registry
//! of illegal constructions.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::domain::{ObjectInput, Status};
use super::queries;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::media::upload::store_photos;
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, checkbox, datetime, error_summary};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::workflow::input::{clean_text, parse_place, photo_count};
use crate::workflow::page::ReportQuery;
use crate::workflow::queries::AppealRow;
use crate::workflow::views::Categories;
use crate::workflow::{self, Action, NewRequest, Role};
use crate::{exec_tx, on_db, on_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    PermitFoundLegal,
    ViolationConfirmed,
    NotConfirmed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::PermitFoundLegal => "permit_found_legal",
            Verdict::ViolationConfirmed => "violation_confirmed",
            Verdict::NotConfirmed => "not_confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::PermitFoundLegal,
            Verdict::ViolationConfirmed,
            Verdict::NotConfirmed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = VerdictLabels::get(l);
            match self {
                Verdict::PermitFoundLegal => t.permit_found_legal,
                Verdict::ViolationConfirmed => t.violation_confirmed,
                Verdict::NotConfirmed => t.not_confirmed,
            }
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct CheckRow {
    pub appeal_id: i64,
    pub object_id: Option<i64>,
    pub result: Option<String>,
    pub result_note: String,
    pub decided_at: Option<OffsetDateTime>,
}

pub async fn check(db: &Db, appeal_id: i64) -> Result<Option<CheckRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, CheckRow>(
            "select appeal_id, object_id, result, result_note, decided_at from construction_check
             where appeal_id = $1",
        )
        .bind(appeal_id)
        .fetch_optional(pool)
        .await
    })
}

/// [`check`] inside a transaction (it sees what the transaction wrote).
async fn object_of_check(tx: &mut Tx, appeal_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, Option<i64>>(
            "select object_id from construction_check where appeal_id = $1",
        )
        .bind(appeal_id)
        .fetch_optional(conn)
        .await
    })
    .map(Option::flatten)
}

pub async fn checks_of_object(db: &Db, object_id: i64) -> Result<Vec<CheckRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, CheckRow>(
            "select c.appeal_id, c.object_id, c.result, c.result_note, c.decided_at
             from construction_check c join appeal a on a.appeal_id = c.appeal_id
             where c.object_id = $1
               and a.state in ('published', 'in_progress', 'planned', 'resolved', 'reopened', 'closed')
             order by c.appeal_id desc",
        )
        .bind(object_id)
        .fetch_all(pool)
        .await
    })
}

pub(super) async fn link(
    tx: &mut Tx,
    appeal_id: i64,
    object_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into construction_check (appeal_id, object_id) values ($1, $2)",
        appeal_id,
        object_id
    )?;
    Ok(())
}

async fn record_verdict(
    tx: &mut Tx,
    appeal_id: i64,
    object_id: Option<i64>,
    v: Verdict,
    note: &str,
    by: i64,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update construction_check set object_id = $2, result = $3, result_note = $4,
                 decided_by = $5, decided_at = $6 where appeal_id = $1",
        appeal_id,
        object_id,
        v.as_str(),
        note,
        by,
        now()
    )?;
    Ok(())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    object: String,
    /// A place clicked on the registry's map (no object there yet).
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

#[derive(Default)]
struct CheckForm {
    category: String,
    lat: String,
    lon: String,
    address: String,
    description: String,
    object_id: String,
    hide_name: bool,
    photos: Vec<(String, Vec<u8>)>,
    photo_error: Option<Msg>,
}

fn form_page(
    ctx: &PageCtx,
    cats: &Categories,
    f: &CheckForm,
    object: Option<&queries::ObjectRow>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let l = ctx.locale;
    let tx = CheckTexts::get(l);
    let title = tx.ask_construction_check;
    let options = cats.options(l);
    Page::new(ctx, title)
        .crumb(tx.construction, "/construction")
        .with_map()
        .script("js/report.js")
        .status(status)
        .render(html! {
            h1 { (title) }
            p.lead { (tx.if_construction_missing_registry) }
            (error_summary(l, errors))
            form.stack #report-form method="post" action="/construction/checks/new" enctype="multipart/form-data" novalidate { (ctx.csrf_field())
                (Select { name: "category", label: tx.what_seems_wrong, options: &options, selected: &f.category, placeholder: Some(tx.choose), disabled: false }.render(l, errors))
                @if let Some(o) = object {
                    input type="hidden" name="object_id" value=(o.object_id);
                    input type="hidden" name="lat" value=(o.lat);
                    input type="hidden" name="lon" value=(o.lon);
                    input type="hidden" name="address" value=(o.address);
                    p { (tx.registry_object) a href={ "/construction/objects/" (o.object_id) } { (o.name) } " · " (o.address) }
                } @else {
                    fieldset.field.has-error[errors.get("location").is_some()] {
                        legend { (tx.where_construction) }
                        @if let Some(e) = errors.get("location") { p.field-error #e-location { (e.get(l)) } }
                        div #pick-map .pick-map data-tiles=(ctx.tile_url) data-lat-input="f-lat" data-lon-input="f-lon" {
                            p.map-fallback { (tx.without_map_give_coordinates) }
                        }
                        button.button.button-secondary #locate-me type="button" hidden { (tx.use_my_location) }
                        div.field-row {
                            (Input::new("lat", tx.latitude, &f.lat).render(l, &FieldErrors::new()))
                            (Input::new("lon", tx.longitude, &f.lon).render(l, &FieldErrors::new()))
                        }
                        (Input::new("address", tx.address, &f.address).autocomplete("street-address").render(l, errors))
                    }
                }
                (Input::new("description", tx.describe_what_you_see, &f.description).kind("textarea").required().render(l, errors))
                div.field.has-error[errors.get("photos").is_some()] {
                    label for="f-photos" { (tx.photos_up_5_jpeg) }
                    @if let Some(e) = errors.get("photos") { p.field-error #e-photos { (e.get(l)) } }
                    input #f-photos type="file" name="photos" multiple accept="image/jpeg,image/png,image/webp";
                }
                (checkbox(l, errors, "hide_name", html! { (tx.do_not_show_my) }, f.hide_name))
                div #nearby-live aria-live="polite" {}
                div.actions { button.button type="submit" { (tx.send) } }
            }
        })
}

/// `GET /construction/checks/new[?object=ID]`
pub async fn new_form(
    ctx: PageCtx,
    _user: CurrentUser,
    State(db): State<Db>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let cats = Categories::load(&db, crate::construction::CHECK).await?;
    let object = match q.object.parse::<i64>() {
        Ok(id) => Some(
            queries::object(&db, id)
                .await?
                .ok_or_else(AppError::not_found)?,
        ),
        Err(_) => None,
    };
    // Only numbers come back into the form; the place is checked on
    // submission like a typed one.
    let number = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| format!("{x:.6}"))
            .unwrap_or_default()
    };
    let form = CheckForm {
        lat: number(&q.lat),
        lon: number(&q.lon),
        ..Default::default()
    };
    Ok(form_page(
        &ctx,
        &cats,
        &form,
        object.as_ref(),
        &FieldErrors::new(),
        StatusCode::OK,
    ))
}

/// `POST /construction/checks/new` (multipart; the CSRF token is its first field)
pub async fn submit(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let mut f = CheckForm::default();
    let upload = crate::media::upload::read_multipart(multipart, "photos", |name, v| match name {
        "category" => f.category = v,
        "lat" => f.lat = v,
        "lon" => f.lon = v,
        "address" => f.address = v,
        "description" => f.description = v,
        "object_id" => f.object_id = v,
        "hide_name" => f.hide_name = v == "on",
        _ => {}
    })
    .await?;
    f.photos = upload.files;
    f.photo_error = upload.error;
    let cats = Categories::load(&state.db, crate::construction::CHECK).await?;
    let mut errors = FieldErrors::new();
    if !cats.0.contains_key(&f.category) {
        errors.add(
            "category",
            Msg::new(
                "Выберите, что не так, из списка.",
                "Choose what seems wrong from the list.",
            ),
        );
    }
    let description = errors.check(
        "description",
        clean_text(&f.description, 4000, "описание", "description", true),
    );
    let object = match f.object_id.trim() {
        "" => None,
        id => {
            let id: i64 = id.parse().map_err(|_| {
                AppError::invalid("Неверный объект реестра.", "Invalid registry object.")
            })?;
            Some(queries::object(&state.db, id).await?.ok_or_else(|| {
                AppError::invalid(
                    "Такого объекта в реестре нет.",
                    "There is no such registry object.",
                )
            })?)
        }
    };
    let point = match &object {
        Some(o) => Some(crate::workflow::input::Place {
            point: crate::geo::GeoPoint {
                lat: o.lat,
                lon: o.lon,
            },
            approximate: false,
        }),
        None => errors.check("location", parse_place(&f.lat, &f.lon, &f.address)),
    };
    if let Some(m) = f.photo_error.clone() {
        errors.add("photos", m);
    }
    errors.check("photos", photo_count(f.photos.len()));
    // The photos are stored once the rest is right; what they refuse comes
    // back on the form like any other error.
    let ready = match (description, point, errors.is_empty()) {
        (Some(description), Some(point), true) => {
            let photos = std::mem::take(&mut f.photos);
            match store_photos(&state.media, &state.gates, photos).await? {
                Ok(photos) => Some((description, point, photos)),
                Err(m) => {
                    errors.add("photos", m);
                    None
                }
            }
        }
        _ => None,
    };
    let Some((description, point, photos)) = ready else {
        return Ok(form_page(
            &ctx,
            &cats,
            &f,
            object.as_ref(),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let request = NewRequest {
        kind: crate::construction::CHECK,
        category_id: f.category.clone(),
        point: point.point,
        approximate: point.approximate,
        address: object
            .as_ref()
            .map(|o| o.address.clone())
            .unwrap_or_else(|| f.address.clone()),
        description,
        hide_name: f.hide_name,
        contact: None,
        client_key: None,
        organisation_id: None,
    };
    let mut tx = state.db.begin().await?;
    let result = async {
        let a = workflow::submit_in(&mut tx, &state, user.account_id, &request, &photos).await?;
        link(&mut tx, a.appeal_id, object.as_ref().map(|o| o.object_id)).await?;
        Ok::<_, AppError>(a)
    }
    .await;
    let a = match result {
        Ok(a) => a,
        Err(e) => {
            drop(tx);
            crate::media::discard(
                &state.media,
                &photos.iter().map(|p| p.key.clone()).collect::<Vec<_>>(),
            )
            .await;
            return Err(e);
        }
    };
    tx.commit().await?;
    state.search.notify();
    state.exchange.notify();
    Ok(crate::construction::CHECK.redirect(a.appeal_id, "?filed=1"))
}

/// What a check request's page adds: the object, the result, and the
/// authority's form to publish it.
async fn extra(ctx: &PageCtx, db: &Db, appeal_id: i64) -> AppResult<Markup> {
    let l = ctx.locale;
    let tx = CheckTexts::get(l);
    let Some(a) = workflow::queries::appeal(db, appeal_id).await? else {
        return Ok(html! {});
    };
    let c = check(db, appeal_id).await?;
    let object = match c.as_ref().and_then(|c| c.object_id) {
        Some(id) => queries::object(db, id).await?,
        None => None,
    };
    let officer = ctx.user.as_ref().is_some_and(|u| {
        u.is_admin()
            || a.organisation_id
                .as_deref()
                .is_some_and(|o| u.is_officer_of(o))
    });
    let open = matches!(
        a.state(),
        workflow::State::Published | workflow::State::InProgress | workflow::State::Reopened
    );
    let verdicts: Vec<(String, String)> = [
        Verdict::PermitFoundLegal,
        Verdict::ViolationConfirmed,
        Verdict::NotConfirmed,
    ]
    .iter()
    .map(|v| (v.as_str().to_owned(), v.label(l).to_owned()))
    .collect();
    Ok(html! {
        section #verification aria-labelledby="verification-h" {
            h2 #verification-h { (tx.verification) }
            p {
                @if let Some(o) = &object { (tx.registry_object) a href={ "/construction/objects/" (o.object_id) } #check-object { (o.name) } }
                @else { (tx.object_not_registry) }
            }
            @if let Some(r) = c.as_ref().and_then(|c| c.result.as_deref()).and_then(Verdict::parse) {
                p #check-result { strong { (r.label(l)) } @if let Some(d) = c.as_ref().and_then(|c| c.decided_at) { " · " (datetime(l, d)) } }
            } @else {
                p #check-result { (tx.result_has_not_been) }
            }
            @if officer && open {
                form method="post" action={ (crate::construction::CHECK.path(appeal_id)) "/verify" } {
                    (ctx.csrf_field())
                    (Select { name: "result", label: tx.result_verification, options: &verdicts, selected: "", placeholder: Some(tx.choose), disabled: false }.render(l, &FieldErrors::new()))
                    (Input::new("text", tx.what_was_found, "").kind("textarea").required().render(l, &FieldErrors::new()))
                    button.button type="submit" { (tx.publish_result) }
                }
            }
        }
    })
}

/// `GET /construction/checks/{id}`
pub async fn show(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let extra = extra(&ctx, &db, appeal_id).await?;
    crate::workflow::page::request_page(ctx, &db, crate::construction::CHECK, id, q, Some(extra))
        .await
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct VerifyForm {
    #[serde(default)]
    result: String,
    #[serde(default)]
    text: String,
}

/// `POST /construction/checks/{id}/verify`: the result becomes the
/// request's official reaction and is recorded on the object; a confirmed
/// violation enters the registry of illegal constructions (a place not in
/// the registry becomes an object). One transaction.
pub async fn verify(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<VerifyForm>,
) -> AppResult<Response> {
    let a = crate::workflow::page::visible_kind(
        &state.db,
        crate::construction::CHECK,
        &id,
        Some(&user),
    )
    .await?;
    let verdict = Verdict::parse(&f.result).ok_or_else(|| {
        AppError::invalid(
            "Выберите результат проверки.",
            "Choose the result of the verification.",
        )
    })?;
    let text = clean_text(&f.text, 4000, "что установлено", "what was found", true)
        .map_err(|m| AppError::unprocessable("invalid_input", m))?;
    let mut tx = state.db.begin().await?;
    verify_in(&mut tx, &state, &user, &a, verdict, &text).await?;
    tx.commit().await?;
    state.mailer.notify();
    state.search.notify();
    state.exchange.notify();
    Ok(crate::construction::CHECK.redirect(a.appeal_id, "#verification"))
}

/// Publishes the result of a check: the request is resolved with it, and a
/// confirmed violation marks the registry object illegal (or adds one).
/// Used by the authority's form and by the demo region.
pub(super) async fn verify_in(
    tx: &mut Tx,
    state: &AppState,
    user: &CurrentUser,
    a: &AppealRow,
    verdict: Verdict,
    text: &str,
) -> AppResult<()> {
    let reaction = format!("{}. {}", verdict.label(Locale::Ru).to_owned(), text);
    let mut first = reaction.chars();
    let reaction: String = first
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + first.as_str())
        .unwrap_or_default();
    workflow::perform_in(
        tx,
        state,
        a.appeal_id,
        workflow::Actor::Person {
            user: Some(user),
            role: if user.is_admin()
                && !a
                    .organisation_id
                    .as_deref()
                    .is_some_and(|o| user.is_officer_of(o))
            {
                Role::Administrator
            } else {
                Role::Officer
            },
        },
        Action::Resolve { text: reaction },
        &[],
    )
    .await?;
    let mut object_id = object_of_check(tx, a.appeal_id).await?;
    if verdict == Verdict::ViolationConfirmed {
        match object_id {
            Some(oid) => {
                let before = queries::object_tx(tx, oid)
                    .await?
                    .ok_or_else(AppError::not_found)?;
                let mut form = crate::construction::pages::form_of(&before);
                form.status = Status::Illegal.as_str().into();
                if form.detected_on.is_empty() {
                    form.detected_on = crate::web::i18n::iso_date(
                        now().to_offset(crate::workflow::sla::MSK).date(),
                    );
                }
                let input = form.parse().map_err(|_| {
                    AppError::invalid(
                        "Объект реестра заполнен неверно; исправьте его.",
                        "The registry object is invalid; fix it first.",
                    )
                })?;
                queries::update(tx, oid, &input, true).await?;
                let diff = super::changes(before.fields(), input.fields());
                queries::add_history(
                    tx,
                    oid,
                    Some(user.account_id),
                    "",
                    "verified",
                    &serde_json::json!({ "check": a.appeal_id, "changes": diff }),
                )
                .await?;
            }
            None => {
                let input = ObjectInput {
                    name: format!(
                        "Самовольная постройка: {}",
                        if a.address.is_empty() {
                            format!("{:.5}, {:.5}", a.lat, a.lon)
                        } else {
                            a.address.clone()
                        }
                    ),
                    address: a.address.clone(),
                    lat: a.lat,
                    lon: a.lon,
                    municipality_id: a.municipality_id.clone(),
                    footprint: None,
                    cadastral_number: None,
                    permit_number: None,
                    permit_date: None,
                    developer: String::new(),
                    purpose: String::new(),
                    floors: None,
                    planned_start: None,
                    planned_end: None,
                    actual_start: None,
                    actual_end: None,
                    status: Status::Illegal,
                    detected_on: Some(crate::web::i18n::iso_date(
                        now().to_offset(crate::workflow::sla::MSK).date(),
                    )),
                };
                let oid = queries::insert(tx, &input, true, "check").await?;
                queries::add_history(
                    tx,
                    oid,
                    Some(user.account_id),
                    "",
                    "verified",
                    &serde_json::json!({ "check": a.appeal_id }),
                )
                .await?;
                object_id = Some(oid);
            }
        }
        crate::datasets::request_refresh(tx, super::REGISTRY).await?;
        crate::datasets::request_refresh(tx, super::ILLEGAL_REGISTRY).await?;
    }
    record_verdict(tx, a.appeal_id, object_id, verdict, text, user.account_id).await?;
    Ok(())
}

/// Check requests about an object, with their results, for its page.
pub async fn object_section(l: Locale, db: &Db, object_id: i64) -> AppResult<Markup> {
    let tx = CheckTexts::get(l);
    let checks = checks_of_object(db, object_id).await?;
    Ok(html! {
        section aria-labelledby="checks-h" {
            h2 #checks-h { (tx.checks_requested_residents) }
            @if checks.is_empty() { p { (tx.no_requests) } } @else {
                ul #object-checks {
                    @for c in &checks {
                        li {
                            a href=(crate::construction::CHECK.path(c.appeal_id)) { "№" (c.appeal_id) }
                            " — "
                            @match c.result.as_deref().and_then(Verdict::parse) {
                                Some(v) => { strong { (v.label(l)) } @if !c.result_note.is_empty() { ": " (c.result_note) } }
                                None => { (tx.being_checked) }
                            }
                        }
                    }
                }
            }
            p { a.button href={ "/construction/checks/new?object=" (object_id) } { (tx.ask_check_object) } }
        }
    })
}

/// `POST /construction/checks/{id}/action` and the other shared actions.
pub async fn action(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    crate::workflow::page::act_on_page(
        ctx,
        user,
        state,
        crate::construction::CHECK,
        id,
        multipart,
        async |ctx, state, id| {
            let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
            Ok(Some(extra(ctx, &state.db, appeal_id).await?))
        },
    )
    .await
}

texts!(CheckTexts {
    ask_construction_check: "Попросить проверить стройку", "Ask for a construction check";
    construction: "Стройка", "Construction";
    if_construction_missing_registry: "Если стройки нет в реестре или она отличается от разрешения (этажность, пятно застройки, назначение), органы власти проверят её и опубликуют результат. Ответ — в течение 10 дней.", "If a construction is missing from the registry or differs from its permit (floors, footprint, purpose), the authorities check it and publish the result, within 10 days.";
    what_seems_wrong: "Что не так", "What seems wrong";
    choose: "— выберите —", "— choose —";
    registry_object: "Объект реестра: ", "Registry object: ";
    where_construction: "Где стройка", "Where the construction is";
    without_map_give_coordinates: "Без карты укажите координаты или адрес.", "Without the map, give the coordinates or the address.";
    use_my_location: "Моё местоположение", "Use my location";
    latitude: "Широта", "Latitude";
    longitude: "Долгота", "Longitude";
    address: "Адрес", "Address";
    describe_what_you_see: "Опишите, что видите", "Describe what you see";
    photos_up_5_jpeg: "Фото (до 5, JPEG, PNG или WebP, до 15 МБ)", "Photos (up to 5, JPEG, PNG or WebP, 15 MB each)";
    do_not_show_my: "Не показывать моё имя публично (ведомство его увидит)", "Do not show my name publicly (the authority will see it)";
    send: "Отправить", "Send";
    verification: "Проверка", "Verification";
    object_not_registry: "Объекта нет в реестре.", "The object is not in the registry.";
    result_has_not_been: "Результат проверки ещё не опубликован.", "The result has not been published yet.";
    result_verification: "Результат проверки", "Result of the verification";
    what_was_found: "Что установлено", "What was found";
    publish_result: "Опубликовать результат", "Publish the result";
    checks_requested_residents: "Проверки по запросам жителей", "Checks requested by residents";
    no_requests: "Запросов не было.", "No requests.";
    being_checked: "проверка идёт", "being checked";
    ask_check_object: "Попросить проверить этот объект", "Ask for a check of this object";
});

texts!(pub VerdictLabels {
    permit_found_legal: "разрешение есть, строительство законно", "permit found, the construction is legal";
    violation_confirmed: "нарушение подтверждено", "violation confirmed";
    not_confirmed: "нарушение не подтвердилось", "violation not confirmed";
});
