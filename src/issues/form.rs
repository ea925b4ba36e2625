//! The report form: category, place (map pin, "use my location", or an
//! address), description, up to five photos, and the wish to stay unnamed.
//! Before a report is filed, open reports of the same category nearby are
//! shown so the citizen can support one of them instead.
//!
//! The form is multipart (photos), so its CSRF token travels in the query.
//! Everything is checked before anything is written: photos are processed
//! (metadata stripped) on the blocking pool, stored, and recorded in the
//! same transaction as the report; if that fails, the files are removed.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::media;
use crate::media::upload::store_photos;
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, checkbox, error_summary};
use crate::web::extract::Query;
use crate::web::layout::{Page, PageCtx};
use crate::workflow::input::{clean_text, parse_place, photo_count};
use crate::workflow::views::{Categories, IssueTexts, excerpt};
use crate::workflow::{self, NewRequest};

texts!(pub FormTexts {
    title: "Сообщить о проблеме", "Report a problem";
    construction_hint: "Строят без разрешения, не по разрешению или стройки нет в реестре?", "Building without a permit, against it, or missing from the registry?";
    construction_link: "Попросите проверить стройку", "Ask for a construction check";
    intro: "Заполнение занимает минуту. Обращение получит ответственное ведомство; ответ будет опубликован здесь, а вы получите уведомление.",
           "It takes a minute. The responsible department gets the report; its answer is published here and you are notified.";
    choose_category: "— выберите категорию —", "— choose a category —";
    place: "Место", "Place";
    map_hint: "Нажмите на карту, чтобы поставить метку; метку можно перетащить.", "Tap the map to drop a pin; you can drag it.";
    locate: "Определить моё местоположение", "Use my location";
    coords: "Координаты", "Coordinates";
    lat: "Широта", "Latitude";
    lon: "Долгота", "Longitude";
    address: "Адрес или ориентир", "Address or landmark";
    address_hint: "Например: Краснодар, ул. Красная, 122. Без метки на карте место определяется по населённому пункту в адресе.",
                  "For example: Krasnodar, Krasnaya St, 122. Without a pin, the place is found from the town named in the address.";
    description: "Описание проблемы", "What is wrong";
    description_hint: "Что случилось и где именно. Не пишите здесь телефоны и другие личные данные: описание публикуется.",
                      "What happened and where exactly. Do not write phone numbers or other personal data: the description is public.";
    photos: "Фотографии (до 5)", "Photos (up to 5)";
    camera: "Или сфотографируйте сейчас", "Or take a photo now";
    photos_hint: "JPEG, PNG или WebP, до 15 МБ каждая. Перед публикацией из фото удаляются все метаданные, в том числе координаты съёмки.",
                 "JPEG, PNG or WebP, up to 15 MB each. Every piece of metadata, including where the photo was taken, is removed before publishing.";
    hide_name: "Не показывать моё имя на сайте (ведомство его увидит)", "Do not show my name on the site (the department still sees it)";
    submit: "Отправить обращение", "Send the report";
    nearby_title: "Рядом уже сообщили о похожей проблеме", "A similar problem has been reported nearby";
    nearby_intro: "Поддержите одно из этих обращений вместо нового: так ведомство быстрее увидит, что проблема важна многим.",
                  "Support one of these reports instead of filing a new one: the department sees sooner that it matters to many people.";
    support: "Поддержать это обращение", "Support this report";
    metres: "м", "m";
    not_duplicate: "Моя проблема другая — отправить новое обращение", "My problem is different: send a new report";
    photos_again: "Прикрепите фотографии ещё раз: браузер не сохраняет выбранные файлы, когда форма показывается повторно.",
                  "Attach the photos again: browsers do not keep chosen files when a form is shown again.";
    premoderation: "Обращение будет опубликовано после проверки модератором.", "The report is published after a moderator checks it.";
    nojs_map: "Карта работает с включённым JavaScript. Укажите адрес или координаты.", "The map needs JavaScript. Give an address or coordinates.";
});

/// What the form sends (text fields as typed, photos as bytes).
#[derive(Default)]
pub struct ReportForm {
    pub category: String,
    pub lat: String,
    pub lon: String,
    pub address: String,
    pub description: String,
    pub hide_name: bool,
    pub not_duplicate: bool,
    /// The form page's one-time key (`workflow::NewRequest::client_key`).
    pub client_key: String,
    pub photos: Vec<(String, Vec<u8>)>,
    /// Set when a photo was refused while reading (too large).
    pub photo_error: Option<Msg>,
    /// The citizen's municipality, where the map opens (not a form field).
    pub home_municipality: String,
}

/// A point and a category, as typed: where the form opens, and what the
/// nearby-reports check of the API is asked about.
#[derive(Debug, serde::Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    pub(super) lat: String,
    #[serde(default)]
    pub(super) lon: String,
    #[serde(default)]
    pub(super) category: String,
}

/// `GET /problems/new`
pub async fn new_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let account = crate::auth::queries::account_by_id(&db, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let form = ReportForm {
        category: q.category,
        lat: q.lat,
        lon: q.lon,
        hide_name: account.hide_name,
        home_municipality: account.municipality_id.clone().unwrap_or_default(),
        ..Default::default()
    };
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    let premoderation = workflow::settings(&db).await?.premoderation;
    Ok(render(
        &ctx,
        &cats,
        &form,
        &FieldErrors::new(),
        &[],
        premoderation,
        StatusCode::OK,
    ))
}

/// Reads the multipart form; photos beyond the size limit are refused as
/// they stream, without holding them.
pub async fn read_form(multipart: Multipart) -> AppResult<ReportForm> {
    let mut f = ReportForm::default();
    let upload =
        crate::media::upload::read_multipart(multipart, "photos", |name, value| match name {
            "category" => f.category = value,
            "lat" => f.lat = value,
            "lon" => f.lon = value,
            "address" => f.address = value,
            "description" => f.description = value,
            "hide_name" => f.hide_name = value == "on",
            "not_duplicate" => f.not_duplicate = value == "on",
            "client_key" => f.client_key = value,
            _ => {}
        })
        .await?;
    f.photos = upload.files;
    f.photo_error = upload.error;
    Ok(f)
}

/// A report checked field by field, ready to file.
pub struct Checked {
    pub request: NewRequest,
}

/// Checks the text fields; errors are collected per field.
pub fn check(cats: &Categories, f: &ReportForm, errors: &mut FieldErrors) -> Option<Checked> {
    let category = errors.check(
        "category",
        cats.0
            .get(&f.category)
            .filter(|c| c.active)
            .map(|c| c.category_id.clone())
            .ok_or_else(|| {
                if f.category.is_empty() {
                    Msg::new(
                        "Выберите категорию проблемы.",
                        "Choose the category of the problem.",
                    )
                } else {
                    Msg::new(
                        "Такой категории нет. Выберите категорию из списка.",
                        "There is no such category. Choose one from the list.",
                    )
                }
            }),
    );
    let address = errors.check(
        "address",
        clean_text(&f.address, 300, "адрес", "address", false),
    );
    let point = errors.check("location", parse_place(&f.lat, &f.lon, &f.address));
    let description = errors.check(
        "description",
        clean_text(
            &f.description,
            4000,
            "описание проблемы",
            "what is wrong",
            true,
        ),
    );
    errors.check("photos", photo_count(f.photos.len()));
    if let Some(m) = &f.photo_error {
        errors.add("photos", m.clone());
    }
    let (Some(category_id), Some(address), Some(point), Some(description)) =
        (category, address, point, description)
    else {
        return None;
    };
    Some(Checked {
        request: NewRequest {
            kind: crate::issues::PROBLEM,
            category_id,
            point: point.point,
            approximate: point.approximate,
            address,
            description,
            hide_name: f.hide_name,
            contact: None,
            client_key: client_key(&f.client_key),
            organisation_id: None,
        },
    })
}

/// `POST /problems/new` (multipart)
pub async fn submit(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = read_form(multipart).await?;
    let cats = Categories::load(&state.db, crate::issues::PROBLEM).await?;
    let premoderation = workflow::settings(&state.db).await?.premoderation;
    let mut errors = FieldErrors::new();
    let show = |errors: &FieldErrors, near: &[_], status| {
        render(&ctx, &cats, &form, errors, near, premoderation, status)
    };
    let checked = check(&cats, &form, &mut errors);
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        return Ok(show(&errors, &[], StatusCode::UNPROCESSABLE_ENTITY));
    };
    // A town's centre says nothing about where the problem is.
    if !form.not_duplicate && !checked.request.approximate {
        let p = checked.request.point;
        let near = crate::workflow::queries::nearby(
            &state.db,
            crate::issues::PROBLEM.as_str(),
            Some(&checked.request.category_id),
            p.lat,
            p.lon,
            NEARBY_METRES,
            5,
        )
        .await?;
        if !near.is_empty() {
            return Ok(show(&errors, &near, StatusCode::OK));
        }
    }
    // Sent again (a draft the phone app replays after the answer was lost):
    // the report it already became.
    if let Some(key) = checked.request.client_key.as_deref()
        && let Some(id) =
            crate::workflow::queries::appeal_by_client_key(&state.db, user.account_id, key).await?
    {
        return Ok(crate::issues::PROBLEM.redirect(id, "?filed=1"));
    }
    let photos = match store_photos(&state.media, &state.gates, form.photos.clone()).await? {
        Ok(p) => p,
        Err(m) => {
            errors.add("photos", m);
            return Ok(show(&errors, &[], StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let keys: Vec<String> = photos.iter().map(|p| p.key.clone()).collect();
    match workflow::submit(&state, user.account_id, &checked.request, &photos).await {
        Ok(a) => Ok(crate::issues::PROBLEM.redirect(a.appeal_id, "?filed=1")),
        Err(e) => {
            media::discard(&state.media, &keys).await;
            // The same form sent twice at once: the other sending filed it
            // (the key's unique index stopped this one).
            if let Some(key) = checked.request.client_key.as_deref()
                && let Some(id) =
                    crate::workflow::queries::appeal_by_client_key(&state.db, user.account_id, key)
                        .await?
            {
                return Ok(crate::issues::PROBLEM.redirect(id, "?filed=1"));
            }
            Err(e)
        }
    }
}

/// How close an open report of the same category must be to be offered as
/// a duplicate.
pub const NEARBY_METRES: f64 = 150.0;

fn render(
    ctx: &PageCtx,
    cats: &Categories,
    f: &ReportForm,
    errors: &FieldErrors,
    nearby: &[(crate::workflow::queries::AppealRow, f64)],
    premoderation: bool,
    status: StatusCode,
) -> Response {
    let t = FormTexts::get(ctx.locale);
    let it = IssueTexts::get(ctx.locale);
    let l = ctx.locale;
    let action = "/problems/new".to_owned();
    // The map opens on the citizen's own municipality, not the whole krai.
    let home_bbox = crate::geo::geography()
        .by_id(&f.home_municipality)
        .map(|m| {
            m.bbox
                .iter()
                .map(|x| format!("{x:.5}"))
                .collect::<Vec<_>>()
                .join(",")
        });
    let options = cats.options(l);
    let lost_photos = !f.photos.is_empty() && (!errors.is_empty() || !nearby.is_empty());
    Page::new(ctx, t.title)
        .crumb(it.title, "/problems")
        .with_map()
        .script("js/report.js")
        .status(status)
        .render(html! {
            h1 { (t.title) }
            p.lead { (t.intro) }
            @if premoderation { p { (t.premoderation) } }
            (error_summary(l, errors))
            @if lost_photos { (crate::web::components::notice("warning", html! { (t.photos_again) })) }
            @if !nearby.is_empty() { (nearby_box(ctx, cats, nearby)) }
            form.stack #report-form method="post" action=(action) enctype="multipart/form-data" novalidate { (ctx.csrf_field())
                (Select { name: "category", label: it.category, options: &options, selected: &f.category, placeholder: Some(t.choose_category), disabled: false }.render(l, errors))
                p.hint #h-construction { (t.construction_hint) " " a href="/construction/checks/new" { (t.construction_link) } }
                fieldset.field.has-error[errors.get("location").is_some()] {
                    legend { (t.place) }
                    @if let Some(e) = errors.get("location") { p.field-error #e-location { (e.get(l)) } }
                    p.hint #h-location { (t.map_hint) }
                    div #pick-map .pick-map data-tiles=(ctx.tile_url) data-lat-input="f-lat" data-lon-input="f-lon" data-bbox=[home_bbox.as_deref()] {
                        p.map-fallback { (t.nojs_map) }
                    }
                    p #pick-place aria-live="polite" {}
                    button.button.button-secondary #locate-me type="button" hidden { (t.locate) }
                    div.field-row {
                        (Input::new("lat", t.lat, &f.lat).kind("text").render(l, &FieldErrors::new()))
                        (Input::new("lon", t.lon, &f.lon).kind("text").render(l, &FieldErrors::new()))
                    }
                    (Input::new("address", t.address, &f.address).hint(t.address_hint).autocomplete("street-address").render(l, errors))
                }
                div.field.has-error[errors.get("description").is_some()] {
                    label for="f-description" { (t.description) }
                    p.hint #h-description { (t.description_hint) }
                    @if let Some(e) = errors.get("description") { p.field-error #e-description { (e.get(l)) } }
                    textarea #f-description name="description" rows="5" maxlength="4000" required
                        aria-describedby={ "h-description" @if errors.get("description").is_some() { " e-description" } } { (f.description) }
                }
                div.field.has-error[errors.get("photos").is_some()] {
                    label for="f-photos" { (t.photos) }
                    p.hint #h-photos { (t.photos_hint) }
                    @if let Some(e) = errors.get("photos") { p.field-error #e-photos { (e.get(l)) } }
                    input #f-photos type="file" name="photos" multiple accept="image/jpeg,image/png,image/webp" aria-describedby="h-photos";
                }
                // On a phone: straight to the back camera.
                div.field {
                    label for="f-camera" { (t.camera) }
                    input #f-camera type="file" name="photos" accept="image/*" capture="environment" aria-describedby="h-photos";
                }
                (checkbox(l, errors, "hide_name", html! { (t.hide_name) }, f.hide_name))
                div #nearby-live aria-live="polite" {}
                div #not-duplicate-box hidden[nearby.is_empty()] {
                    (checkbox(l, errors, "not_duplicate", html! { (t.not_duplicate) }, false))
                }
                // A fresh key per form page; kept when the form comes back
                // with errors, so the report it becomes is filed once.
                input type="hidden" name="client_key" value=(if f.client_key.is_empty() { uuid::Uuid::new_v4().to_string() } else { f.client_key.clone() });
                div.actions { button.button type="submit" { (t.submit) } }
            }
        })
}

fn nearby_box(
    ctx: &PageCtx,
    cats: &Categories,
    nearby: &[(crate::workflow::queries::AppealRow, f64)],
) -> Markup {
    let t = FormTexts::get(ctx.locale);
    let l = ctx.locale;
    html! {
        section.nearby aria-labelledby="nearby-title" {
            h2 #nearby-title { (t.nearby_title) }
            p { (t.nearby_intro) }
            ul.nearby-list {
                @for (a, d) in nearby {
                    li {
                        a href=(crate::issues::PROBLEM.path(a.appeal_id)) { "№" (a.appeal_id) ". " (cats.name(l, &a.category_id)) }
                        " (" (format!("{:.0}", d)) " " (t.metres) ") — " (excerpt(&a.description, 120))
                        form.inline method="post" action={ "/problems/" (a.appeal_id) "/support" } {
                            (ctx.csrf_field())
                            button.button.button-small type="submit" { (t.support) }
                        }
                    }
                }
            }
        }
    }
}

/// A form key as sent: a short token of letters, digits and dashes, or none
/// (anything else is ignored rather than refused: the key only prevents a
/// second filing).
fn client_key(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| s.to_owned())
}
