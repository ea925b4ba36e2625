//! Pages and APIs of the registries: the map, the table (and exports), the
//! illegal constructions registry, a page per object with its history and
//! documents, officers' forms, the spreadsheet import, GeoJSON and the JSON
//! API.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::domain::{ALL_STATUSES, FIELDS, ObjectForm, ObjectInput, Status, field_label};
use super::import::{self, ImportError};
use super::queries::{self, Filter, ObjectRow};
use super::{changes, may_edit};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::{FieldErrors, Input, Select, datetime, notice};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table, links};

fn invalid(ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::unprocessable("invalid_input", Msg::new(ru.into(), en.into()))
}

fn editor(user: &CurrentUser) -> AppResult<()> {
    if may_edit(user) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn municipality_name(l: Locale, id: &str) -> String {
    crate::geo::geography()
        .by_id(id)
        .map(|m| m.name(l).to_owned())
        .unwrap_or_else(|| id.to_owned())
}

fn nav(l: Locale, user: Option<&CurrentUser>) -> Markup {
    html! {
        nav.pm-nav aria-label=(l.pick("Разделы реестра строек", "Registry sections")) {
            ul {
                li { a href="/construction" { (l.pick("Карта", "Map")) } }
                li { a href="/construction/registry" { (l.pick("Реестр строек", "Construction registry")) } }
                li { a href="/construction/illegal" { (l.pick("Реестр самовольных построек", "Illegal constructions")) } }
                @if user.is_some_and(may_edit) {
                    li { a href="/construction/objects/new" { (l.pick("Добавить объект", "Add an object")) } }
                    li { a href="/construction/import" { (l.pick("Импорт из Excel", "Import from Excel")) } }
                }
            }
        }
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    bbox: String,
}

impl ListQuery {
    fn filter(&self, illegal_only: bool) -> AppResult<Filter> {
        let status = match self.status.as_str() {
            "" => None,
            s => Some(
                Status::parse(s)
                    .ok_or_else(|| invalid("Неизвестный статус.", "Unknown status."))?,
            ),
        };
        let municipality_id = match self.municipality.as_str() {
            "" => None,
            m if crate::geo::geography().by_id(m).is_some() => Some(m.to_owned()),
            _ => {
                return Err(invalid(
                    "Неизвестный муниципалитет.",
                    "Unknown municipality.",
                ));
            }
        };
        let bbox = if self.bbox.is_empty() {
            None
        } else {
            let v: Vec<f64> = self
                .bbox
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect();
            match v.as_slice() {
                [a, b, c, d] if a <= c && b <= d => Some([*a, *b, *c, *d]),
                _ => {
                    return Err(invalid(
                        "bbox: четыре числа через запятую: запад,юг,восток,север.",
                        "bbox: four numbers: west,south,east,north.",
                    ));
                }
            }
        };
        Ok(Filter {
            status,
            municipality_id,
            illegal_only,
            bbox,
            q: (!self.q.trim().is_empty()).then(|| self.q.clone()),
            limit: PAGE,
            offset: 0,
        })
    }

    fn query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("status", &self.status),
            ("municipality", &self.municipality),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                parts.push(format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                ));
            }
        }
        parts.join("&")
    }
}

const PAGE: i64 = 50;

fn filters_form(l: Locale, action: &str, q: &ListQuery) -> Markup {
    let statuses: Vec<(String, String)> = ALL_STATUSES
        .iter()
        .map(|s| (s.as_str().into(), s.label(l).into()))
        .collect();
    let munis: Vec<(String, String)> = crate::geo::geography()
        .all()
        .iter()
        .map(|m| (m.id.clone(), m.name(l).to_owned()))
        .collect();
    let errors = FieldErrors::new();
    html! {
        form.filters method="get" action=(action) {
            (Select { name: "status", label: l.pick("Статус", "Status"), options: &statuses, selected: &q.status, placeholder: Some(l.pick("— любой —", "— any —")), disabled: false }.render(l, &errors))
            (Select { name: "municipality", label: l.pick("Муниципалитет", "Municipality"), options: &munis, selected: &q.municipality, placeholder: Some(l.pick("— все —", "— all —")), disabled: false }.render(l, &errors))
            (Input::new("q", l.pick("Адрес или кадастровый номер", "Address or cadastral number"), &q.q).kind("search").render(l, &errors))
            div.actions { button.button type="submit" { (l.pick("Показать", "Show")) } }
        }
    }
}

/// An object as `editor` (the authority's officers and administrators) or
/// anyone else sees it: the right-holder of an illegal construction is
/// personal data (`ObjectRow::owner_is_personal`).
pub fn as_seen(o: ObjectRow, editor: bool) -> ObjectRow {
    if editor { o } else { o.for_public() }
}

fn registry_table(l: Locale, rows: &[ObjectRow], name: &str) -> Table {
    Table {
        name: name.into(),
        headers: vec![
            l.pick("Объект", "Object").into(),
            field_label("address", l).into(),
            l.pick("Муниципалитет", "Municipality").into(),
            field_label("status", l).into(),
            field_label("cadastral_number", l).into(),
            field_label("developer", l).into(),
            field_label("floors", l).into(),
            field_label("permit_number", l).into(),
            field_label("detected_on", l).into(),
            field_label("lat", l).into(),
            field_label("lon", l).into(),
        ],
        rows: rows
            .iter()
            .map(|o| {
                vec![
                    Cell::Link(
                        o.name.clone(),
                        format!("/construction/objects/{}", o.object_id),
                    ),
                    Cell::Text(o.address.clone()),
                    Cell::Text(municipality_name(l, &o.municipality_id)),
                    Cell::Text(o.status().label(l).into()),
                    Cell::Text(o.cadastral_number.clone().unwrap_or_default()),
                    Cell::Text(o.developer.clone()),
                    match o.floors {
                        Some(f) => Cell::Int(f),
                        None => Cell::Text(String::new()),
                    },
                    Cell::Text(o.permit_number.clone().unwrap_or_default()),
                    Cell::Text(o.detected_on.clone().unwrap_or_default()),
                    Cell::Text(format!("{:.6}", o.lat)),
                    Cell::Text(format!("{:.6}", o.lon)),
                ]
            })
            .collect(),
    }
}

async fn table_page(
    ctx: PageCtx,
    state: AppState,
    q: ListQuery,
    illegal_only: bool,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut f = q.filter(illegal_only)?;
    let format = Format::parse(q.format.as_deref());
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..100_000).contains(p))
        .unwrap_or(1);
    let pdf = q.format.as_deref() == Some("pdf");
    if pdf {
        f.limit = MAX_PDF_OBJECTS as i64;
    } else if format == Format::Html {
        f.offset = (page - 1) * PAGE;
    } else {
        // Exports hold everything the filters select, up to the export cap.
        f.limit = crate::web::limits::MAX_EXPORT_ROWS;
    }
    let total = queries::count(&state.db, &f).await?;
    // Exports and reports are built in memory: bounded in size, and a few
    // at a time (web/limits.rs).
    let _permit = if pdf || format != Format::Html {
        if !pdf && total > crate::web::limits::MAX_EXPORT_ROWS {
            return Err(invalid(
                format!(
                    "В выгрузку входит не больше {} объектов, а выбрано {total}. Сузьте отбор (статус, муниципалитет) или скачайте открытый набор данных целиком.",
                    crate::web::limits::MAX_EXPORT_ROWS
                ),
                format!(
                    "An export holds at most {} objects and {total} are selected. Narrow the filters (status, municipality) or download the whole open dataset.",
                    crate::web::limits::MAX_EXPORT_ROWS
                ),
            ));
        }
        Some(state.gates.expensive.enter().await?)
    } else {
        None
    };
    let editor = ctx.user.as_ref().is_some_and(may_edit);
    let rows: Vec<ObjectRow> = queries::list(&state.db, &f)
        .await?
        .into_iter()
        .map(|o| as_seen(o, editor))
        .collect();
    let (path, name, title) = if illegal_only {
        (
            "/construction/illegal",
            "illegal-constructions",
            l.pick(
                "Реестр самовольных построек",
                "Registry of illegal constructions",
            ),
        )
    } else {
        (
            "/construction/registry",
            "construction-registry",
            l.pick("Реестр строек", "Construction registry"),
        )
    };
    if pdf {
        return pdf_response(l, title, name, &q, rows, total).await;
    }
    let table = registry_table(l, &rows, name);
    if let Some(r) = table.download(format)? {
        return Ok(r);
    }
    let qs = q.query_string();
    let here = if qs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{qs}")
    };
    let sep = if qs.is_empty() { "?" } else { "&" };
    Ok(Page::new(&ctx, title).crumb(l.pick("Стройка", "Construction"), "/construction").render(html! {
        h1 { (title) }
        (nav(l, ctx.user.as_ref()))
        @if illegal_only {
            p { (l.pick("Постройки, возведённые без разрешения или с нарушением разрешения: по результатам проверок и из таблиц органов власти.", "Buildings erected without a permit or against it: from verifications and from the authorities' spreadsheets.")) }
        }
        (filters_form(l, path, &q))
        p role="status" { (l.pick("Найдено: ", "Found: ")) strong #objects-count { (total) } }
        (table.html(title))
        (links(l, &here))
        p.export { a href={ (here) (sep) "format=pdf" } { (l.pick("Отчёт PDF с картой", "PDF report with a map")) } }
        @if total > PAGE {
            nav.pager aria-label=(l.pick("Страницы", "Pages")) {
                @if page > 1 { a rel="prev" href={ (here) (sep) "page=" (page - 1) } { (l.pick("← назад", "← previous")) } " " }
                (page) " / " ((total + PAGE - 1) / PAGE)
                @if page * PAGE < total { " " a rel="next" href={ (here) (sep) "page=" (page + 1) } { (l.pick("дальше →", "next →")) } }
            }
        }
    }))
}

/// A PDF report is for reading: beyond this many objects (about 130 pages)
/// the spreadsheet formats serve better.
const MAX_PDF_OBJECTS: usize = 5000;

/// The filtered registry as a PDF report with a map.
async fn pdf_response(
    l: Locale,
    title: &str,
    name: &str,
    q: &ListQuery,
    rows: Vec<ObjectRow>,
    total: i64,
) -> AppResult<Response> {
    if total > MAX_PDF_OBJECTS as i64 {
        return Err(invalid(
            format!(
                "В отчёт PDF входит не больше {MAX_PDF_OBJECTS} объектов, а выбрано {total}. Сузьте отбор (статус, муниципалитет) или скачайте CSV или XLSX."
            ),
            format!(
                "A PDF report holds at most {MAX_PDF_OBJECTS} objects and {total} are selected. Narrow the filters (status, municipality) or download CSV or XLSX."
            ),
        ));
    }
    let mut parts = Vec::new();
    if let Some(s) = Status::parse(&q.status) {
        parts.push(format!("{}: {}", field_label("status", l), s.label(l)));
    }
    if !q.municipality.is_empty() {
        parts.push(format!(
            "{}: {}",
            l.pick("Муниципалитет", "Municipality"),
            municipality_name(l, &q.municipality)
        ));
    }
    if !q.q.trim().is_empty() {
        parts.push(format!("{}: {}", l.pick("Поиск", "Search"), q.q.trim()));
    }
    let filters = if parts.is_empty() {
        l.pick("Все объекты", "All objects").to_owned()
    } else {
        parts.join(" · ")
    };
    let title = title.to_owned();
    let bytes = tokio::task::spawn_blocking(move || super::pdf::render(l, &title, &filters, &rows))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.pdf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `GET /construction/registry`
pub async fn table(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    table_page(ctx, state, q, false).await
}

/// `GET /construction/illegal`
pub async fn illegal(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    table_page(ctx, state, q, true).await
}

/// `GET /construction`: the map, with the same filters; the table is one
/// link away for those without JavaScript or tiles.
pub async fn map_page(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let f = q.filter(false)?;
    let total = queries::count(&state.db, &f).await?;
    let qs = q.query_string();
    let title = l.pick("Стройки на карте", "Construction on the map");
    Ok(Page::new(&ctx, title)
        .head(html! {
            link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet.markercluster/MarkerCluster.css"));
            link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet.markercluster/MarkerCluster.Default.css"));
        })
        .script("vendor/leaflet/leaflet.js")
        .script("vendor/leaflet.markercluster/leaflet.markercluster.js")
        .script("js/construction-map.js")
        .render(html! {
            h1 { (title) }
            (nav(l, ctx.user.as_ref()))
            (filters_form(l, "/construction", &q))
            p role="status" { (l.pick("Объектов: ", "Objects: ")) strong #objects-count { (total) } }
            div #construction-map .big-map data-src={ "/api/v1/construction.geojson" @if !qs.is_empty() { "?" (qs) } } data-tiles=(ctx.tile_url)
                role="region" aria-label=(l.pick("Карта объектов строительства", "Map of construction objects")) {
                p { (l.pick("Карта появится, когда загрузится скрипт. Те же объекты — в таблице ниже по ссылке.", "The map appears once its script loads. The same objects are in the table linked below.")) }
            }
            ul.legend {
                @for s in ALL_STATUSES { li { span.swatch style={ "background:" (s.color()) } {} " " (s.label(l)) } }
            }
            p { a href={ "/construction/registry" @if !qs.is_empty() { "?" (qs) } } { (l.pick("Те же объекты таблицей", "The same objects as a table")) } }
        }))
}

/// `GET /api/v1/construction.geojson`: points (and footprints) with the
/// filters of the map; at most 5,000 objects.
pub async fn geojson(
    headers: HeaderMap,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    let mut f = q.filter(false)?;
    f.limit = 5000;
    let rows = queries::list(&state.db, &f).await?;
    let mut features: Vec<Value> = Vec::with_capacity(rows.len());
    for o in &rows {
        let props = json!({
            "id": o.object_id,
            "name": o.name,
            "address": o.address,
            "status": o.status,
            "status_label": o.status().label(l),
            "color": o.status().color(),
            "illegal": o.illegal,
            "url": format!("/construction/objects/{}", o.object_id),
        });
        features.push(json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [o.lon, o.lat] }, "properties": props }));
        if let Some(fp) = o
            .footprint
            .as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
        {
            let mut p = props.clone();
            p["footprint"] = json!(true);
            features.push(json!({ "type": "Feature", "geometry": fp, "properties": p }));
        }
    }
    let mut r = Json(json!({ "type": "FeatureCollection", "features": features })).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(r)
}

/// `GET /construction/objects/{id}`
pub async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let edit = ctx.user.as_ref().is_some_and(may_edit);
    let o = queries::object(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    // Old values in the history are as personal as the current one.
    let hide_personal = o.owner_is_personal() && !edit;
    let o = as_seen(o, edit);
    let docs = queries::documents(&state.db, id).await?;
    let history = queries::history(&state.db, id).await?;
    let checks = super::checks::object_section(l, &state.db, id).await?;
    let geo = {
        let mut f = vec![
            json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [o.lon, o.lat] }, "properties": { "name": o.name, "color": o.status().color(), "status_label": o.status().label(l) } }),
        ];
        if let Some(fp) = o
            .footprint
            .as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
        {
            f.push(json!({ "type": "Feature", "geometry": fp, "properties": { "footprint": true, "color": o.status().color() } }));
        }
        json!({ "type": "FeatureCollection", "features": f })
    };
    let facts: Vec<(&str, String)> = o
        .fields()
        .into_iter()
        .filter(|(f, v)| {
            !v.is_empty() && !matches!(*f, "name" | "footprint" | "status" | "lat" | "lon")
        })
        .collect();
    Ok(Page::new(&ctx, o.name.clone())
        .crumb(l.pick("Стройка", "Construction"), "/construction")
        .with_map()
        .render(html! {
            h1 { (o.name) }
            p #object-status { span.badge style={ "border-color:" (o.status().color()) } { (o.status().label(l)) }
                @if o.illegal { " " span.badge.overdue { (l.pick("в реестре самовольных построек", "in the illegal constructions registry")) } } }
            dl.pm-facts {
                dt { (l.pick("Муниципалитет", "Municipality")) } dd { a href={ "/municipalities/" (o.municipality_id) } { (municipality_name(l, &o.municipality_id)) } }
                @for (f, v) in &facts { dt { (field_label(f, l)) } dd { (v) } }
                dt { (l.pick("Координаты", "Coordinates")) } dd { (format!("{:.6}, {:.6}", o.lat, o.lon)) }
            }
            div #object-map .map.small-map data-geojson-inline="object-geo" data-tiles=(ctx.tile_url) role="region" aria-label=(l.pick("Объект на карте", "The object on the map")) {}
            (crate::web::layout::json_script("object-geo", &geo))
            section aria-labelledby="docs-h" {
                h2 #docs-h { (l.pick("Разрешительные документы", "Approval documents")) }
                @if docs.is_empty() { p { (l.pick("Документов нет.", "No documents.")) } } @else {
                    ul { @for d in &docs { li { a href={ "/construction/documents/" (d.document_id) } { (d.title) } " (PDF, " (d.size / 1024) " KB)" } } }
                }
                @if edit {
                    form method="post" action={ "/construction/objects/" (id) "/documents?csrf_token=" (ctx.csrf_token()) } enctype="multipart/form-data" {
                        (Input::new("title", l.pick("Название документа", "Document title"), "").required().render(l, &FieldErrors::new()))
                        div.field { label for="f-file" { (l.pick("Файл PDF (до 20 МБ)", "PDF file (up to 20 MB)")) } input #f-file type="file" name="file" accept="application/pdf" required; }
                        button.button type="submit" { (l.pick("Приложить", "Attach")) }
                    }
                }
            }
            @if edit { p { a.button href={ "/construction/objects/" (id) "/edit" } { (l.pick("Изменить", "Edit")) } } }
            (checks)
            section aria-labelledby="history-h" {
                h2 #history-h { (l.pick("История изменений", "History of changes")) }
                ol.timeline {
                    @for h in &history {
                        li {
                            strong { (history_label(l, &h.action)) } " · " (datetime(l, h.created_at))
                            @if let Some(n) = &h.actor_name { " · " (n) } @else if !h.actor_label.is_empty() { " · " (h.actor_label) }
                            (changes_markup(l, &h.changes, hide_personal))
                        }
                    }
                }
            }
        }))
}

fn history_label(l: Locale, action: &str) -> &'static str {
    match action {
        "created" => l.pick("внесён в реестр", "added to the registry"),
        "updated" => l.pick("изменён", "changed"),
        "imported" => l.pick("загружен из таблицы", "imported from a spreadsheet"),
        "document" => l.pick("приложен документ", "document attached"),
        "verified" => l.pick("внесён по результату проверки", "changed by a verification"),
        _ => l.pick("изменение", "change"),
    }
}

/// What a history entry changed; `hide_personal` leaves out the fields that
/// may name a private person (`queries::PERSONAL_FIELDS`).
fn changes_markup(l: Locale, changes: &str, hide_personal: bool) -> Markup {
    let v: Value = serde_json::from_str(changes).unwrap_or(Value::Null);
    let map = v.get("changes").unwrap_or(&v);
    html! {
        @if let Some(m) = map.as_object() {
            @if !m.is_empty() {
                ul {
                    @for (f, pair) in m.iter().filter(|(f, _)| !(hide_personal && queries::PERSONAL_FIELDS.contains(&f.as_str()))) {
                        @if let Some([old, new]) = pair.as_array().map(|a| a.as_slice()).and_then(|a| <&[Value; 2]>::try_from(a).ok()) {
                            li { (field_label(f, l)) ": " (old.as_str().filter(|s| !s.is_empty()).unwrap_or("—")) " → " (new.as_str().filter(|s| !s.is_empty()).unwrap_or("—")) }
                        }
                    }
                }
            }
        }
        @if let Some(t) = v.get("title").and_then(Value::as_str) { p { (t) } }
    }
}

fn object_form(ctx: &PageCtx, action: &str, values: &ObjectForm, errors: &FieldErrors) -> Markup {
    let l = ctx.locale;
    let statuses: Vec<(String, String)> = ALL_STATUSES
        .iter()
        .map(|s| (s.as_str().into(), s.label(l).into()))
        .collect();
    let value = |f: &str| -> String {
        match f {
            "name" => values.name.clone(),
            "address" => values.address.clone(),
            "lat" => values.lat.clone(),
            "lon" => values.lon.clone(),
            "footprint" => values.footprint.clone(),
            "cadastral_number" => values.cadastral_number.clone(),
            "permit_number" => values.permit_number.clone(),
            "permit_date" => values.permit_date.clone(),
            "developer" => values.developer.clone(),
            "purpose" => values.purpose.clone(),
            "floors" => values.floors.clone(),
            "planned_start" => values.planned_start.clone(),
            "planned_end" => values.planned_end.clone(),
            "actual_start" => values.actual_start.clone(),
            "actual_end" => values.actual_end.clone(),
            "detected_on" => values.detected_on.clone(),
            _ => String::new(),
        }
    };
    html! {
        (crate::web::components::error_summary(l, errors))
        form method="post" action=(action) {
            (ctx.csrf_field())
            @for f in FIELDS {
                @if f == "status" {
                    (Select { name: "status", label: field_label("status", l), options: &statuses, selected: &values.status, placeholder: None, disabled: false }.render(l, errors))
                } @else {
                    @let v = value(f);
                    @let kind = match f { "footprint" => "textarea", "permit_date" | "planned_start" | "planned_end" | "actual_start" | "actual_end" | "detected_on" => "date", _ => "text" };
                    @let input = Input::new(f, field_label(f, l), &v).kind(kind);
                    @let input = if matches!(f, "name" | "lat" | "lon") { input.required() } else { input };
                    (input.render(l, errors))
                }
            }
            button.button type="submit" { (l.pick("Сохранить", "Save")) }
        }
    }
}

/// `GET /construction/objects/new`
pub async fn new_form(ctx: PageCtx, user: CurrentUser) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let title = l.pick("Новый объект строительства", "A new construction object");
    let values = ObjectForm {
        status: "under_construction".into(),
        ..Default::default()
    };
    Ok(Page::new(&ctx, title)
        .crumb(l.pick("Стройка", "Construction"), "/construction")
        .render(html! {
            h1 { (title) }
            (object_form(&ctx, "/construction/objects/new", &values, &FieldErrors::new()))
        }))
}

fn form_errors(problems: Vec<super::domain::FieldProblem>) -> FieldErrors {
    let mut e = FieldErrors::new();
    for p in problems {
        let field = FIELDS
            .iter()
            .find(|f| **f == p.field)
            .copied()
            .unwrap_or("name");
        e.add(field, p.msg);
    }
    e
}

/// Creates an object with its history entry, in one transaction.
async fn save_new(state: &AppState, o: &ObjectInput, actor: Option<i64>) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    let id = queries::insert(&mut tx, o, false, "officer").await?;
    queries::add_history(&mut tx, id, actor, "", "created", &json!({})).await?;
    refresh(&mut tx, o.status == Status::Illegal).await?;
    tx.commit().await?;
    Ok(id)
}

async fn refresh(tx: &mut crate::db::Tx, illegal: bool) -> AppResult<()> {
    crate::opendata::system::request_refresh(tx, super::REGISTRY).await?;
    if illegal {
        crate::opendata::system::request_refresh(tx, super::ILLEGAL_REGISTRY).await?;
    }
    Ok(())
}

/// `POST /construction/objects/new`
pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<ObjectForm>,
) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    match f.parse() {
        Ok(o) => {
            let id = save_new(&state, &o, Some(user.account_id)).await?;
            Ok(Redirect::to(&format!("/construction/objects/{id}")).into_response())
        }
        Err(problems) => {
            let title = l.pick("Новый объект строительства", "A new construction object");
            Ok(Page::new(&ctx, title)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render(html! {
                    h1 { (title) }
                    (object_form(&ctx, "/construction/objects/new", &f, &form_errors(problems)))
                }))
        }
    }
}

pub fn form_of(o: &ObjectRow) -> ObjectForm {
    let v = |f: &str| {
        o.fields()
            .into_iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v)
            .unwrap_or_default()
    };
    ObjectForm {
        name: v("name"),
        address: v("address"),
        lat: v("lat"),
        lon: v("lon"),
        footprint: v("footprint"),
        cadastral_number: v("cadastral_number"),
        permit_number: v("permit_number"),
        permit_date: v("permit_date"),
        developer: v("developer"),
        purpose: v("purpose"),
        floors: v("floors"),
        planned_start: v("planned_start"),
        planned_end: v("planned_end"),
        actual_start: v("actual_start"),
        actual_end: v("actual_end"),
        status: v("status"),
        detected_on: v("detected_on"),
    }
}

/// `GET /construction/objects/{id}/edit`
pub async fn edit_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    editor(&user)?;
    let o = queries::object(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let l = ctx.locale;
    Ok(Page::new(&ctx, o.name.clone()).crumb(l.pick("Стройка", "Construction"), "/construction").render(html! {
        h1 { (l.pick("Изменить: ", "Edit: ")) (o.name) }
        (object_form(&ctx, &format!("/construction/objects/{id}/edit"), &form_of(&o), &FieldErrors::new()))
    }))
}

/// `POST /construction/objects/{id}/edit`
pub async fn update(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ObjectForm>,
) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let input = match f.parse() {
        Ok(o) => o,
        Err(problems) => {
            return Ok(Page::new(&ctx, l.pick("Изменить объект", "Edit the object")).status(StatusCode::UNPROCESSABLE_ENTITY).render(html! {
                h1 { (l.pick("Изменить объект", "Edit the object")) }
                (object_form(&ctx, &format!("/construction/objects/{id}/edit"), &f, &form_errors(problems)))
            }));
        }
    };
    let mut tx = state.db.begin().await?;
    let before = queries::object_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let diff = changes(before.fields(), input.fields());
    queries::update(&mut tx, id, &input, before.illegal).await?;
    queries::add_history(
        &mut tx,
        id,
        Some(user.account_id),
        "",
        "updated",
        &json!({ "changes": diff }),
    )
    .await?;
    refresh(&mut tx, before.illegal || input.status == Status::Illegal).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/construction/objects/{id}")).into_response())
}

/// `POST /construction/objects/{id}/documents` (multipart, PDF)
pub async fn add_document(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    editor(&user)?;
    queries::object(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut title = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        match field.name().unwrap_or("") {
            "title" => title = field.text().await.map_err(upload_error)?,
            "file" => {
                let name = field.file_name().unwrap_or("document.pdf").to_owned();
                let bytes = field.bytes().await.map_err(upload_error)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(invalid(
            "Укажите название документа (до 300 символов).",
            "Give the document's title (up to 300 characters).",
        ));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(invalid("Приложите файл PDF.", "Attach a PDF file."));
    };
    if bytes.len() > 20 * 1024 * 1024 {
        return Err(AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Msg::new("Файл больше 20 МБ.", "The file is larger than 20 MB."),
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(invalid(
            format!("«{name}» — не PDF. Приложите документ в формате PDF."),
            format!("“{name}” is not a PDF. Attach the document as PDF."),
        ));
    }
    let key = uuid::Uuid::new_v4().simple().to_string();
    let dir = state.config.media_dir().join("files");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    tokio::fs::write(dir.join(&key), &bytes)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    queries::insert_document(&mut tx, id, &title, &key, &name, bytes.len() as i64).await?;
    queries::add_history(
        &mut tx,
        id,
        Some(user.account_id),
        "",
        "document",
        &json!({ "title": title }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/construction/objects/{id}#docs-h")).into_response())
}

fn upload_error(err: axum::extract::multipart::MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Msg::new(
                format!(
                    "Файл больше {} МБ. Разделите таблицу на части.",
                    import::MAX_FILE >> 20
                ),
                format!(
                    "The file is larger than {} MB. Split the sheet.",
                    import::MAX_FILE >> 20
                ),
            ),
        )
    } else {
        AppError::bad_request(
            "upload",
            Msg::new(
                format!("Загрузка прервана: {}", err.body_text()),
                format!("The upload failed: {}", err.body_text()),
            ),
        )
    }
}

/// `GET /construction/documents/{id}`: public; a download.
pub async fn document(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let d = queries::document(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let bytes = tokio::fs::read(state.config.media_dir().join("files").join(&d.media_key))
        .await
        .map_err(|_| AppError::not_found())?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let name: String = url::form_urlencoded::byte_serialize(d.file_name.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `POST /api/v1/construction/objects` (Bearer token of an officer of the
/// supervision authority): the fields as JSON, answered with the object.
pub async fn api_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::web::extract::Json(f): crate::web::extract::Json<ObjectForm>,
) -> AppResult<Response> {
    let user = crate::opendata::tokens::bearer_user(&state, &headers).await?;
    editor(&user)?;
    let o = f.parse().map_err(|problems| {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::En)))
            .collect();
        let list_ru: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::Ru)))
            .collect();
        invalid(list_ru.join("; "), list.join("; "))
    })?;
    let id = save_new(&state, &o, Some(user.account_id)).await?;
    let row = queries::object(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((StatusCode::CREATED, Json(json!(row))).into_response())
}

/// `PUT /api/v1/construction/objects/{id}`: the whole object as JSON (as
/// for creating it); the change is recorded in its history.
pub async fn api_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    crate::web::extract::Json(f): crate::web::extract::Json<ObjectForm>,
) -> AppResult<Response> {
    let user = crate::opendata::tokens::bearer_user(&state, &headers).await?;
    editor(&user)?;
    let input = f.parse().map_err(problems_error)?;
    let mut tx = state.db.begin().await?;
    let before = queries::object_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let diff = changes(before.fields(), input.fields());
    queries::update(&mut tx, id, &input, before.illegal).await?;
    queries::add_history(
        &mut tx,
        id,
        Some(user.account_id),
        "",
        "updated",
        &json!({ "changes": diff }),
    )
    .await?;
    refresh(&mut tx, before.illegal || input.status == Status::Illegal).await?;
    tx.commit().await?;
    let row = queries::object(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(json!(row)).into_response())
}

/// `GET /api/v1/construction/objects/{id}`: public; the authority's
/// officers (signed in, or with a personal token) get the personal fields.
pub async fn api_show(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = queries::object(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let editor = match user {
        Some(u) => may_edit(&u),
        // A token that does not resolve is no worse than none here.
        None if headers.contains_key(header::AUTHORIZATION) => {
            crate::opendata::tokens::bearer_user(&state, &headers)
                .await
                .is_ok_and(|u| may_edit(&u))
        }
        None => false,
    };
    Ok(Json(json!(as_seen(row, editor))).into_response())
}

fn problems_error(problems: Vec<super::domain::FieldProblem>) -> AppError {
    let en: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::En)))
        .collect();
    let ru: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.msg.get(Locale::Ru)))
        .collect();
    invalid(ru.join("; "), en.join("; "))
}

// ---- Import ---------------------------------------------------------------

/// `GET /construction/import`
pub async fn import_form(ctx: PageCtx, user: CurrentUser) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let title = l.pick(
        "Импорт реестра самовольных построек из Excel",
        "Import of the illegal constructions registry from Excel",
    );
    Ok(Page::new(&ctx, title).crumb(l.pick("Стройка", "Construction"), "/construction").render(html! {
        h1 { (title) }
        (nav(l, Some(&user)))
        p { (l.pick("Первая строка листа — заголовки. Обязательны столбцы «Адрес», «Широта», «Долгота»; распознаются также «Наименование», «Кадастровый номер», «Застройщик», «Назначение», «Этажность», «Статус», «Дата выявления», «Номер разрешения», «Дата разрешения». Строки с тем же кадастровым номером или адресом, что у объекта в реестре, обновляют его. Сначала будет показан предварительный просмотр; в реестр ничего не попадёт, пока вы не подтвердите.",
                    "The first row holds headers. Address, Latitude and Longitude are required; Name, Cadastral number, Developer, Purpose, Floors, Status, Detected on, Permit number and Permit date are recognised too (in Russian or as field codes). Rows with the cadastral number or address of an object in the registry update it. You will see a preview first; nothing enters the registry until you confirm.")) }
        form method="post" action={ "/construction/import?csrf_token=" (ctx.csrf_token()) } enctype="multipart/form-data" {
            div.field { label for="f-file" { (l.pick("Файл .xlsx (до 50 МБ)", ".xlsx file (up to 50 MB)")) } input #f-file type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required; }
            button.button type="submit" { (l.pick("Проверить", "Check")) }
        }
    }))
}

fn import_path(state: &AppState, key: &str) -> std::path::PathBuf {
    state
        .config
        .media_dir()
        .join("imports")
        .join(format!("{key}.xlsx"))
}

fn import_error(e: ImportError) -> AppError {
    match e {
        ImportError::File(m) => AppError::unprocessable("invalid_spreadsheet", m),
        ImportError::Internal(e) => AppError::Internal(e),
    }
}

fn preview_markup(ctx: &PageCtx, key: &str, p: &import::Prepared) -> Markup {
    let l = ctx.locale;
    html! {
        dl.pm-summary {
            div { dt { (l.pick("Строк в таблице", "Rows in the sheet")) } dd #rows-total { (p.rows) } }
            div { dt { (l.pick("Новых объектов", "New objects")) } dd #rows-new { (p.new_count()) } }
            div { dt { (l.pick("Обновят объекты реестра", "Update registry objects")) } dd #rows-updated { (p.update_count()) } }
            div { dt { (l.pick("Отклонено строк", "Rows rejected")) } dd #rows-rejected { (p.rejected_rows) } }
        }
        p { (l.pick("Сопоставление столбцов: ", "Columns matched: "))
            @for (i, (f, h)) in p.mapping.iter().enumerate() { @if i > 0 { ", " } (field_label(f, l)) " ← «" (h) "»" } }
        @if !p.ignored_columns.is_empty() { p { (l.pick("Не использованы столбцы: ", "Columns not used: ")) (p.ignored_columns.join(", ")) } }
        @if !p.problems.is_empty() {
            h2 { (l.pick("Отклонённые строки", "Rejected rows")) }
            div.table-wrap { table #import-problems {
                thead { tr { th scope="col" { (l.pick("Строка", "Row")) } th scope="col" { (l.pick("Столбец", "Column")) } th scope="col" { (l.pick("Причина", "Reason")) } } }
                tbody { @for pr in &p.problems { tr { td { (pr.row) } td { (pr.column) } td { (pr.reason.get(l)) } } } }
            } }
            @if p.rejected_rows as usize > p.problems.len() { p { (l.pick("Показаны первые причины; всего отклонено строк: ", "The first reasons are shown; rows rejected in all: ")) (p.rejected_rows) } }
        }
        @if p.accepted.is_empty() {
            (notice("error", html! { p { (l.pick("Нет ни одной строки, которую можно загрузить. Исправьте таблицу и загрузите её снова.", "No row can be imported. Fix the sheet and upload it again.")) } }))
        } @else {
            form method="post" action={ "/construction/import/" (key) "/commit" } {
                (ctx.csrf_field())
                button.button type="submit" {
                    (l.pick("Загрузить ", "Import ")) (p.accepted.len()) (l.pick(" строк", " rows"))
                    @if p.rejected_rows > 0 { (l.pick(", пропустив отклонённые: ", ", skipping the rejected: ")) (p.rejected_rows) }
                }
            }
        }
    }
}

/// `POST /construction/import` (multipart): checks the file and shows the
/// preview; nothing is written to the registry.
pub async fn import_preview(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    editor(&user)?;
    let l = ctx.locale;
    let key = uuid::Uuid::new_v4().simple().to_string();
    let path = import_path(&state, &key);
    let dir = path.parent().expect("a folder").to_owned();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    forget_stale_previews(&dir).await;
    let mut got = false;
    while let Some(mut field) = multipart.next_field().await.map_err(upload_error)? {
        if field.name() != Some("file") {
            continue;
        }
        use tokio::io::AsyncWriteExt;
        let mut out = tokio::fs::File::create(&path)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let mut size = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
            size += chunk.len() as u64;
            if size > import::MAX_FILE {
                drop(out);
                let _ = tokio::fs::remove_file(&path).await;
                return Err(upload_error_too_large());
            }
            out.write_all(&chunk)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
        }
        out.flush()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        got = size > 0;
    }
    if !got {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(invalid("Выберите файл .xlsx.", "Choose an .xlsx file."));
    }
    // Reading a spreadsheet is expensive work: one turn at the gate
    // (web/limits.rs).
    let permit = state.gates.expensive.enter().await;
    if permit.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    let _permit = permit?;
    let prepared = match import::prepare(&state, &path, &[], &|_, _| {}).await {
        Ok(p) => p,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(import_error(e));
        }
    };
    let title = l.pick("Предварительный просмотр импорта", "Import preview");
    Ok(Page::new(&ctx, title)
        .crumb(l.pick("Стройка", "Construction"), "/construction")
        .render(html! {
            h1 { (title) }
            (preview_markup(&ctx, &key, &prepared))
        }))
}

/// Previews nobody confirmed within a day are removed.
async fn forget_stale_previews(dir: &std::path::Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    let day = std::time::Duration::from_secs(24 * 3600);
    while let Ok(Some(e)) = entries.next_entry().await {
        let age = e
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok());
        if age.is_some_and(|a| a > day) {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}

fn upload_error_too_large() -> AppError {
    AppError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        Msg::new(
            format!(
                "Файл больше {} МБ. Разделите таблицу на части.",
                import::MAX_FILE >> 20
            ),
            format!(
                "The file is larger than {} MB. Split the sheet.",
                import::MAX_FILE >> 20
            ),
        ),
    )
}

/// `POST /construction/import/{key}/commit`: the previewed file, checked
/// again and written in one transaction.
pub async fn import_commit(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    editor(&user)?;
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found());
    }
    let path = import_path(&state, &key);
    if !path.exists() {
        return Err(AppError::conflict(
            "import_gone",
            Msg::new(
                "Этот импорт уже загружен или отменён. Загрузите файл снова.",
                "This import was already committed or discarded. Upload the file again.",
            ),
        ));
    }
    // The sheet is read again here: a turn at the gate like the preview.
    let _permit = state.gates.expensive.enter().await?;
    let prepared = import::prepare(&state, &path, &[], &|_, _| {})
        .await
        .map_err(import_error)?;
    if prepared.accepted.is_empty() {
        return Err(invalid(
            "Нет строк для загрузки.",
            "There are no rows to import.",
        ));
    }
    let (added, updated) = import::commit(
        &state,
        &prepared,
        Some(user.account_id),
        &format!("{key}.xlsx"),
    )
    .await
    .map_err(import_error)?;
    let _ = tokio::fs::remove_file(&path).await;
    Ok(Redirect::to(&format!(
        "/construction/illegal?imported={added}&updated={updated}"
    ))
    .into_response())
}
