//! The pages of galleries: the list, the new album form, an album with its
//! photos, places and the upload form. Each photo's place is written out
//! (coordinates and a link to openstreetmap.org) and also drawn on a small
//! map when scripts and tiles allow: the map is an enhancement.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::json;

use super::PHOTOS;
use super::domain::{self, CAPTION_MAX, DESCRIPTION_MAX, PHOTOS_PER_UPLOAD};
use super::pages::{AlbumForm, AlbumView, CAPTION, FILE, LAT, LON, PLACE, TAKEN, UploadForm};
use super::queries::{AlbumRow, PhotoRow};
use crate::auth::CurrentUser;
use crate::media;
use crate::participation::social::moderation::Item;
use crate::participation::social::views::{flag_form, person_name};
use crate::web::components::{
    FieldErrors, Input, Select, datetime, error_summary, notice, pager, shown_date,
};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx, json_script, login_href};
use crate::workflow::views::{municipality_name, municipality_options};

crate::texts!(pub T {
    title: "Фотогалереи", "Photo galleries";
    lead: "Альбомы жителей и ведомств края: стройки во времени, дворы и парки до и после, события городов. Любой может пожаловаться модераторам на альбом или фотографию.",
          "Albums of residents and organisations of the krai: construction sites over time, yards and parks before and after, town events. Anyone may report an album or a photo to the moderators.";
    new: "Создать альбом", "Create an album";
    sign_in: "Войдите, чтобы создать альбом", "Sign in to create an album";
    none: "Альбомов пока нет.", "No albums yet.";
    filter: "Показать", "Show";
    municipality: "Муниципальное образование", "Municipality";
    all_municipalities: "— все —", "— all —";
    no_photos: "Фотографий пока нет.", "No photos yet.";
    album_title: "Название альбома", "Album title";
    description: "Описание", "Description";
    description_hint: "О чём альбом. Не пишите здесь телефоны и другие личные данные: альбом публичный.",
                      "What the album is about. Do not write phone numbers or other personal data: the album is public.";
    no_municipality: "— не указано —", "— not given —";
    on_behalf: "От чьего имени", "On behalf of";
    personally: "От своего имени", "Myself";
    create: "Создать альбом", "Create the album";
    post_moderation: "Альбом публикуется сразу. Модераторы проверяют альбомы и фотографии, на которые пожаловались.",
                     "The album is published at once. Moderators check the albums and photos that are reported.";
    author: "Автор", "Author";
    created: "Создан", "Created";
    place: "Место", "Place";
    photos: "Фотографии", "Photos";
    photo: "Фотография", "Photo";
    taken_on: "Дата съёмки", "Date taken";
    open_map: "Открыть на карте OpenStreetMap", "Open on the OpenStreetMap map";
    map: "Места съёмки на карте", "Where the photos were taken, on a map";
    full_size: "полный размер", "full size";
    hidden_album: "Альбом скрыт модератором и виден только вам и модераторам. Причина:", "A moderator hid this album; only you and the moderators see it. Reason:";
    hidden_photo: "Скрыто модератором. Причина:", "Hidden by a moderator. Reason:";
    add_title: "Добавить фотографии", "Add photos";
    add_hint: "До 5 фотографий за раз: JPEG, PNG или WebP, до 15 МБ каждая. Перед публикацией из фото удаляются все метаданные, в том числе координаты съёмки: место укажите сами, если хотите.",
              "Up to 5 photos at a time: JPEG, PNG or WebP, up to 15 MB each. Every piece of metadata, including where the photo was taken, is removed before publishing: give the place yourself if you wish.";
    file: "Файл", "File";
    caption: "Подпись", "Caption";
    latitude: "Широта", "Latitude";
    longitude: "Долгота", "Longitude";
    place_hint: "Необязательно. Точка в Краснодарском крае, в градусах, например 45.0355 и 38.9753.",
                "Optional. A point in Krasnodar Krai, in degrees, such as 45.0355 and 38.9753.";
    taken_hint: "Необязательно.", "Optional.";
    upload: "Добавить", "Add";
    photos_again: "Прикрепите фотографии ещё раз: браузер не сохраняет выбранные файлы, когда форма показывается повторно.",
                  "Attach the photos again: browsers do not keep chosen files when a form is shown again.";
    log: "Журнал модерации", "Moderation log";
    hide: "скрыто", "hidden";
    restore: "возвращено", "restored";
    by: "модератор", "moderator";
    api: "JSON API", "JSON API";
});

fn photo_number(l: Locale, id: i64) -> String {
    format!("{} №{id}", T::get(l).photo)
}

/// The author line: the organisation of an official album, else the
/// person (linked to their profile unless they hide their name).
fn author(l: Locale, a: &AlbumRow) -> Markup {
    html! {
        @if let Some(org) = a.organisation(l) {
            a href={ "/organisations/" (a.organisation_id.as_deref().unwrap_or_default()) } { (org) }
        } @else if a.owner_name.is_empty() {
            (person_name(l, ""))
        } @else {
            a href={ "/people/" (a.owner_id) } { (person_name(l, &a.owner_name)) }
        }
    }
}

fn place_text(l: Locale, lat: f64, lon: f64) -> Markup {
    html! {
        (format!("{lat:.5}, {lon:.5}")) " · "
        a href={ "https://www.openstreetmap.org/?mlat=" (lat) "&mlon=" (lon) "#map=17/" (lat) "/" (lon) } { (T::get(l).open_map) }
    }
}

/// `GET /galleries`
pub fn list_page(
    ctx: &PageCtx,
    albums: &[AlbumRow],
    municipality: &str,
    page: i64,
    pages: i64,
) -> Response {
    let t = T::get(ctx.locale);
    let l = ctx.locale;
    let mut options = vec![(String::new(), t.all_municipalities.to_owned())];
    options.extend(municipality_options(l));
    let base = if municipality.is_empty() {
        "/galleries".to_owned()
    } else {
        format!("/galleries?municipality={municipality}")
    };
    Page::new(ctx, t.title).render(html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        p {
            @if ctx.user.is_some() { a.button href="/galleries/new" { (t.new) } }
            @else { a href=(login_href("/galleries/new")) { (t.sign_in) } }
        }
        form.stack method="get" action="/galleries" {
            (Select { name: "municipality", label: t.municipality, options: &options, selected: municipality, placeholder: None, disabled: false }.render(l, &FieldErrors::new()))
            div.actions { button.button.button-secondary type="submit" { (t.filter) } }
        }
        @if albums.is_empty() { p { (t.none) } }
        ul.cards {
            @for a in albums {
                li {
                    @if let Some(key) = &a.cover_key {
                        a href={ "/galleries/" (a.album_id) } tabindex="-1" aria-hidden="true" {
                            img src=(media::url(key, "thumb")) alt="" loading="lazy";
                        }
                    }
                    h2 { a href={ "/galleries/" (a.album_id) } { (a.title) } }
                    p.hint {
                        (PHOTOS.count(l, a.photo_count)) " · " (author(l, a))
                        @if let Some(m) = &a.municipality_id { " · " (municipality_name(l, m)) }
                        " · " (datetime(l, a.created_at))
                    }
                }
            }
        }
        (pager(l, &base, page, pages))
        p.hint { a href="/api/v1/albums" { (t.api) } }
    })
}

/// `GET /galleries/new` and the form brought back with its errors.
pub fn new_page(
    ctx: &PageCtx,
    user: &CurrentUser,
    f: &AlbumForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let t = T::get(ctx.locale);
    let l = ctx.locale;
    let mut municipalities = vec![(String::new(), t.no_municipality.to_owned())];
    municipalities.extend(municipality_options(l));
    let officer_of: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| user.is_officer_of(&m.organisation_id))
        .map(|m| {
            (
                m.organisation_id.clone(),
                l.pick(&m.name_ru, &m.name_en).clone(),
            )
        })
        .collect();
    let mut behalf = vec![(String::new(), t.personally.to_owned())];
    behalf.extend(officer_of.iter().cloned());
    Page::new(ctx, t.new)
        .crumb(t.title, "/galleries")
        .status(status)
        .render(html! {
            h1 { (t.new) }
            p { (t.post_moderation) }
            (error_summary(l, errors))
            form.stack method="post" action="/galleries" novalidate {
                (ctx.csrf_field())
                (Input::new("title", t.album_title, &f.title).required().render(l, errors))
                div.field.has-error[errors.get("description").is_some()] {
                    label for="f-description" { (t.description) }
                    p.hint #h-description { (t.description_hint) }
                    @if let Some(e) = errors.get("description") { p.field-error #e-description { (e.get(l)) } }
                    textarea #f-description name="description" rows="6" maxlength=(DESCRIPTION_MAX)
                        aria-describedby={ "h-description" @if errors.get("description").is_some() { " e-description" } } { (f.description) }
                }
                (Select { name: "municipality_id", label: t.municipality, options: &municipalities, selected: &f.municipality_id, placeholder: None, disabled: false }.render(l, errors))
                @if !officer_of.is_empty() || errors.get("organisation_id").is_some() {
                    (Select { name: "organisation_id", label: t.on_behalf, options: &behalf, selected: &f.organisation_id, placeholder: None, disabled: false }.render(l, errors))
                }
                div.actions { button.button type="submit" { (t.create) } }
            }
        })
}

/// The album's places as GeoJSON, for the small map.
fn places(l: Locale, photos: &[&PhotoRow]) -> serde_json::Value {
    let features: Vec<_> = photos
        .iter()
        .filter_map(|p| {
            let (lat, lon) = p.place()?;
            let name = if p.caption.is_empty() {
                photo_number(l, p.photo_id)
            } else {
                p.caption.clone()
            };
            Some(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": { "name": name, "url": format!("#photo-{}", p.photo_id) },
            }))
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// `GET /galleries/{id}`, and the page brought back with the upload
/// form's errors.
pub fn album_page(
    ctx: &PageCtx,
    v: &AlbumView,
    form: &UploadForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let t = T::get(ctx.locale);
    let l = ctx.locale;
    let a = &v.album;
    let user = ctx.user.as_ref();
    let may_add = user.is_some_and(|u| domain::may_add_photos(u, &a.access()).is_ok());
    let photos: Vec<&PhotoRow> = v.photos.iter().collect();
    let placed = photos.iter().any(|p| p.place().is_some());
    let mut page = Page::new(ctx, a.title.clone())
        .crumb(t.title, "/galleries")
        .status(status);
    if placed {
        page = page.with_map();
    }
    page.render(html! {
        h1 { (a.title) }
        @if a.hidden {
            (notice("warning", html! { (t.hidden_album) " " (a.hidden_reason) }))
        }
        dl.facts {
            dt { (t.author) } dd { (author(l, a)) }
            @if let Some(m) = &a.municipality_id { dt { (t.municipality) } dd { (municipality_name(l, m)) } }
            dt { (t.created) } dd { (datetime(l, a.created_at)) }
            dt { (t.photos) } dd { (PHOTOS.count(l, a.photo_count)) }
        }
        @if !a.description.is_empty() { p.report-text { (a.description) } }
        (flag_form(ctx, Item::Album, a.album_id))
        @if placed {
            h2 { (t.map) }
            div.map.small-map role="region" aria-label=(t.map) data-geojson-inline="album-places" data-tiles=(ctx.tile_url) {}
            (json_script("album-places", &places(l, &photos)))
        }
        h2 #photos { (t.photos) }
        @if photos.is_empty() { p { (t.no_photos) } }
        ul.cards.album-photos {
            @for p in &photos { (photo_card(ctx, p)) }
        }
        @if may_add { (upload_form(ctx, a.album_id, form, errors)) }
        @if !v.log.is_empty() {
            h2 { (t.log) }
            ul {
                @for (item, id, r) in &v.log {
                    li {
                        (datetime(l, r.created_at)) " · " (item.label(l))
                        @if *item == Item::Photo { " " a href={ "#photo-" (id) } { "№" (id) } }
                        " · " (if r.action == "hide" { t.hide } else { t.restore })
                        " · " (t.by) " " (r.moderator_name) ": " (r.reason)
                    }
                }
            }
        }
    })
}

fn photo_card(ctx: &PageCtx, p: &PhotoRow) -> Markup {
    let t = T::get(ctx.locale);
    let l = ctx.locale;
    let alt = if p.caption.is_empty() {
        photo_number(l, p.photo_id)
    } else {
        p.caption.clone()
    };
    html! {
        li #{ "photo-" (p.photo_id) } {
            figure {
                a href=(media::url(&p.media_key, "full")) {
                    img src=(media::url(&p.media_key, "thumb")) alt=(alt) loading="lazy";
                }
                figcaption {
                    @if p.hidden { (notice("warning", html! { (t.hidden_photo) " " (p.hidden_reason) })) }
                    @if !p.caption.is_empty() { p { (p.caption) } }
                    dl.facts {
                        @if let Some(d) = &p.taken_on { dt { (t.taken_on) } dd { (shown_date(l, d)) } }
                        @if let Some((lat, lon)) = p.place() { dt { (t.place) } dd { (place_text(l, lat, lon)) } }
                    }
                    p.hint { a href=(media::url(&p.media_key, "full")) { (t.full_size) } }
                }
            }
            (flag_form(ctx, Item::Photo, p.photo_id))
        }
    }
}

fn upload_form(ctx: &PageCtx, album: i64, f: &UploadForm, errors: &FieldErrors) -> Markup {
    let t = T::get(ctx.locale);
    let l = ctx.locale;
    let lost = !errors.is_empty() && f.slots.iter().any(|s| s.file.is_some());
    let (min, max) = (
        format!("{}-01-01", domain::EARLIEST_YEAR),
        crate::web::i18n::iso_date(crate::web::components::today_msk()),
    );
    html! {
        section aria-labelledby="add-title" {
            h2 #add-title { (t.add_title) }
            p.hint #h-photos { (t.add_hint) }
            (error_summary(l, errors))
            @if lost { (notice("warning", html! { (t.photos_again) })) }
            @if let Some(e) = errors.get("photos") { p.field-error #e-photos { (e.get(l)) } }
            form.stack method="post" action={ "/galleries/" (album) "/photos" } enctype="multipart/form-data" novalidate {
                // The token comes first: the CSRF check reads only the
                // first part of an upload.
                (ctx.csrf_field())
                @for i in 0..PHOTOS_PER_UPLOAD {
                    @let s = &f.slots[i];
                    fieldset.field {
                        legend { (t.photo) " " (i + 1) }
                        div.field.has-error[errors.get(FILE[i]).is_some()] {
                            label for={ "f-" (FILE[i]) } { (t.file) }
                            @if let Some(e) = errors.get(FILE[i]) { p.field-error id={ "e-" (FILE[i]) } { (e.get(l)) } }
                            input id={ "f-" (FILE[i]) } type="file" name=(FILE[i]) accept="image/jpeg,image/png,image/webp" aria-describedby="h-photos";
                        }
                        div.field.has-error[errors.get(CAPTION[i]).is_some()] {
                            label for={ "f-" (CAPTION[i]) } { (t.caption) }
                            @if let Some(e) = errors.get(CAPTION[i]) { p.field-error id={ "e-" (CAPTION[i]) } { (e.get(l)) } }
                            input id={ "f-" (CAPTION[i]) } name=(CAPTION[i]) value=(s.caption) maxlength=(CAPTION_MAX);
                        }
                        fieldset.field.has-error[errors.get(PLACE[i]).is_some()] {
                            legend { (t.place) }
                            p.hint id={ "h-" (PLACE[i]) } { (t.place_hint) }
                            @if let Some(e) = errors.get(PLACE[i]) { p.field-error id={ "e-" (PLACE[i]) } { (e.get(l)) } }
                            div.field-row {
                                (Input::new(LAT[i], t.latitude, &s.lat).render(l, &FieldErrors::new()))
                                (Input::new(LON[i], t.longitude, &s.lon).render(l, &FieldErrors::new()))
                            }
                        }
                        div.field.has-error[errors.get(TAKEN[i]).is_some()] {
                            label for={ "f-" (TAKEN[i]) } { (t.taken_on) }
                            p.hint id={ "h-" (TAKEN[i]) } { (t.taken_hint) }
                            @if let Some(e) = errors.get(TAKEN[i]) { p.field-error id={ "e-" (TAKEN[i]) } { (e.get(l)) } }
                            input id={ "f-" (TAKEN[i]) } type="date" name=(TAKEN[i]) value=(s.taken_on) min=(min) max=(max)
                                aria-describedby={ "h-" (TAKEN[i]) };
                        }
                    }
                }
                div.actions { button.button type="submit" { (t.upload) } }
            }
        }
    }
}
