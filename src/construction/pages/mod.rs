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
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, datetime, notice};
use crate::web::extract::{Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};
use crate::web::limits::Gates;
use crate::web::tables::{Cell, Format, Table, links};

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
    let tx = RegistryTexts::get(l);
    html! {
        nav.pm-nav aria-label=(tx.registry_sections) {
            ul {
                li { a href="/construction" { (tx.map) } }
                li { a href="/construction/registry" { (tx.construction_registry) } }
                li { a href="/construction/illegal" { (tx.illegal_constructions) } }
                // The main case of a citizen: a building that is not in the
                // registry, so no object page offers the check.
                li { a href="/construction/checks/new" { (tx.ask_check) } }
                @if user.is_some_and(may_edit) {
                    li { a href="/construction/objects/new" { (tx.add_object) } }
                    li { a href="/construction/import" { (tx.import_excel) } }
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
                    .ok_or_else(|| AppError::invalid("Неизвестный статус.", "Unknown status."))?,
            ),
        };
        let municipality_id = match self.municipality.as_str() {
            "" => None,
            m if crate::geo::geography().by_id(m).is_some() => Some(m.to_owned()),
            _ => {
                return Err(AppError::invalid(
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
                    return Err(AppError::invalid(
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
    let tx = RegistryTexts::get(l);
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
            (Select { name: "status", label: tx.status, options: &statuses, selected: &q.status, placeholder: Some(tx.any), disabled: false }.render(l, &errors))
            (Select { name: "municipality", label: tx.municipality, options: &munis, selected: &q.municipality, placeholder: Some(tx.all), disabled: false }.render(l, &errors))
            (Input::new("q", tx.address_cadastral_number, &q.q).kind("search").render(l, &errors))
            div.actions { button.button type="submit" { (tx.show) } }
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
    let tx = RegistryTexts::get(l);
    Table {
        name: name.into(),
        headers: vec![
            tx.object.into(),
            field_label("address", l).into(),
            tx.municipality.into(),
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
    db: &Db,
    gates: &Gates,
    q: ListQuery,
    illegal_only: bool,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = RegistryTexts::get(l);
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
    let total = queries::count(db, &f).await?;
    // Exports and reports are built in memory: bounded in size, and a few
    // at a time (web/limits.rs).
    let _permit = if pdf || format != Format::Html {
        if !pdf && total > crate::web::limits::MAX_EXPORT_ROWS {
            return Err(AppError::invalid(
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
        Some(gates.expensive.enter().await?)
    } else {
        None
    };
    let editor = ctx.user.as_ref().is_some_and(may_edit);
    let rows: Vec<ObjectRow> = queries::list(db, &f)
        .await?
        .into_iter()
        .map(|o| as_seen(o, editor))
        .collect();
    let (path, name, title) = if illegal_only {
        (
            "/construction/illegal",
            "illegal-constructions",
            tx.registry_illegal_constructions,
        )
    } else {
        (
            "/construction/registry",
            "construction-registry",
            tx.construction_registry,
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
    Ok(Page::new(&ctx, title)
        .crumb(tx.construction, "/construction")
        .render(html! {
            h1 { (title) }
            (nav(l, ctx.user.as_ref()))
            @if illegal_only {
                p { (tx.buildings_erected_without_permit) }
            }
            (filters_form(l, path, &q))
            p role="status" { (tx.found) strong #objects-count { (total) } }
            (table.html(title))
            (links(l, &here))
            p.export { a href={ (here) (sep) "format=pdf" } { (tx.pdf_report_map) } }
            (crate::web::components::pager(l, &here, page, (total + PAGE - 1) / PAGE))
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
    let tx = RegistryTexts::get(l);
    if total > MAX_PDF_OBJECTS as i64 {
        return Err(AppError::invalid(
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
            tx.municipality,
            municipality_name(l, &q.municipality)
        ));
    }
    if !q.q.trim().is_empty() {
        parts.push(format!("{}: {}", tx.search, q.q.trim()));
    }
    let filters = if parts.is_empty() {
        tx.all_objects.to_owned()
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
    State(db): State<Db>,
    State(gates): State<Gates>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    table_page(ctx, &db, &gates, q, false).await
}

/// `GET /construction/illegal`
pub async fn illegal(
    ctx: PageCtx,
    State(db): State<Db>,
    State(gates): State<Gates>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    table_page(ctx, &db, &gates, q, true).await
}

/// `GET /construction`: the map, with the same filters; the table is one
/// link away for those without JavaScript or tiles.
pub async fn map_page(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = RegistryTexts::get(l);
    let f = q.filter(false)?;
    let total = queries::count(&db, &f).await?;
    let qs = q.query_string();
    let title = tx.construction_map;
    Ok(Page::new(&ctx, title)
        .with_cluster_map("js/construction-map.js")
        .render(html! {
            h1 { (title) }
            (nav(l, ctx.user.as_ref()))
            p.lead { (tx.not_in_registry) " " a href="/construction/checks/new" { (tx.ask_check) } }
            (filters_form(l, "/construction", &q))
            p role="status" { (tx.objects) strong #objects-count { (total) } }
            div #construction-map .big-map data-src={ "/api/v1/construction.geojson" @if !qs.is_empty() { "?" (qs) } } data-tiles=(ctx.tile_url)
                data-check-href="/construction/checks/new" data-check-label=(tx.ask_check_here)
                role="region" aria-label=(tx.map_construction_objects) {
                p { (tx.map_appears_once_script) }
            }
            ul.legend {
                @for s in ALL_STATUSES { li { span.swatch style={ "background:" (s.color()) } {} " " (s.label(l)) } }
            }
            p { a href={ "/construction/registry" @if !qs.is_empty() { "?" (qs) } } { (tx.same_objects_table) } }
        }))
}

/// `GET /api/v1/construction.geojson`: points (and footprints) with the
/// filters of the map; at most 5,000 objects.
pub async fn geojson(
    headers: HeaderMap,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    let mut f = q.filter(false)?;
    f.limit = 5000;
    let rows = queries::list(&db, &f).await?;
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

mod object;
pub use object::*;
mod importing;
pub use importing::*;

texts!(RegistryTexts {
    registry_sections: "Разделы реестра строек", "Registry sections";
    ask_check_here: "Здесь стройка, которой нет в реестре? Попросить проверить это место", "A construction here that is not in the registry? Ask for a check of this place";
    ask_check: "Попросить проверить стройку", "Ask for a construction check";
    not_in_registry: "Стройки нет в реестре или она отличается от разрешения?", "A construction is missing from the registry or differs from its permit?";
    map: "Карта", "Map";
    construction_registry: "Реестр строек", "Construction registry";
    illegal_constructions: "Реестр самовольных построек", "Illegal constructions";
    add_object: "Добавить объект", "Add an object";
    import_excel: "Импорт из Excel", "Import from Excel";
    status: "Статус", "Status";
    any: "— любой —", "— any —";
    municipality: "Муниципалитет", "Municipality";
    all: "— все —", "— all —";
    address_cadastral_number: "Адрес или кадастровый номер", "Address or cadastral number";
    show: "Показать", "Show";
    object: "Объект", "Object";
    registry_illegal_constructions: "Реестр самовольных построек", "Registry of illegal constructions";
    construction: "Стройка", "Construction";
    buildings_erected_without_permit: "Постройки, возведённые без разрешения или с нарушением разрешения: по результатам проверок и из таблиц органов власти.", "Buildings erected without a permit or against it: from verifications and from the authorities' spreadsheets.";
    found: "Найдено: ", "Found: ";
    pdf_report_map: "Отчёт PDF с картой", "PDF report with a map";
    search: "Поиск", "Search";
    all_objects: "Все объекты", "All objects";
    construction_map: "Стройки на карте", "Construction on the map";
    objects: "Объектов: ", "Objects: ";
    map_construction_objects: "Карта объектов строительства", "Map of construction objects";
    map_appears_once_script: "Карта появится, когда загрузится скрипт. Те же объекты — в таблице ниже по ссылке.", "The map appears once its script loads. The same objects are in the table linked below.";
    same_objects_table: "Те же объекты таблицей", "The same objects as a table";
});
