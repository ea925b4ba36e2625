//! JSON over problem reports: the bounding-box GeoJSON behind the map, the
//! nearby check of the report form, and one report. Public data only: no
//! reporter is named, hidden and unmoderated reports are left out.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::Db;
use crate::db::now;
use crate::error::{AppError, AppResult, Msg};
use crate::issues::pages::ListQuery;
use crate::web::extract::{Path, Query};
use crate::web::i18n::Locale;
use crate::workflow::queries::{self, AppealRow, AppealSort};
use crate::workflow::views::{Categories, headline};

/// Most single reports in one answer; a view with more gets clusters.
pub const MAX_POINTS: usize = 2000;
/// Clusters per side of the view.
const GRID: f64 = 24.0;

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct GeoQuery {
    #[serde(default)]
    bbox: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    overdue: String,
}

/// `min_lon,min_lat,max_lon,max_lat`, as Leaflet's `toBBoxString()` gives.
pub fn parse_bbox(s: &str) -> AppResult<[f64; 4]> {
    let bad = || {
        AppError::bad_request(
            "invalid_bbox",
            Msg::new(
                "Параметр bbox задаётся как мин_долгота,мин_широта,макс_долгота,макс_широта в градусах, например 38.9,45.0,39.1,45.1.",
                "The bbox parameter is min_lon,min_lat,max_lon,max_lat in degrees, for example 38.9,45.0,39.1,45.1.",
            ),
        )
    };
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let [x0, y0, x1, y1] = <[f64; 4]>::try_from(parts).map_err(|_| bad())?;
    if ![x0, y0, x1, y1].iter().all(|v| v.is_finite())
        || x0 > x1
        || y0 > y1
        || !(-90.0..=90.0).contains(&y0)
        || !(-90.0..=90.0).contains(&y1)
    {
        return Err(bad());
    }
    // Leaflet may send longitudes beyond ±180 when the world wraps.
    Ok([x0.max(-180.0), y0, x1.min(180.0), y1])
}

fn geo_response(body: Value) -> Response {
    let mut r = axum::Json(body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=15"),
    );
    r
}

/// A report as a public GeoJSON feature.
fn feature(
    l: Locale,
    cats: &Categories,
    a: &AppealRow,
    photo: Option<&String>,
    at: OffsetDateTime,
) -> Value {
    json!({
        "type": "Feature",
        "id": a.appeal_id,
        "geometry": { "type": "Point", "coordinates": [a.lon, a.lat] },
        "properties": {
            "id": a.appeal_id,
            "title": headline(l, cats, a),
            "category": a.category_id,
            "state": a.state,
            "state_label": a.state().label(l),
            "overdue": a.is_overdue(at),
            "support_count": a.support_count,
            "url": crate::issues::PROBLEM.path(a.appeal_id),
            "thumbnail": photo.map(|k| crate::media::url(k, "thumb")),
        }
    })
}

/// `GET /api/v1/problems.geojson?bbox=…`: the public reports in a view, or
/// clusters (count and mean position per grid cell) when there are more
/// than [`MAX_POINTS`].
pub async fn geojson(
    // The map tolerates a replica's lag (db/replica.rs).
    crate::db::replica::LagTolerant(db): crate::db::replica::LagTolerant,
    State(gates): State<crate::web::limits::Gates>,
    headers: HeaderMap,
    Query(q): Query<GeoQuery>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    let lq = ListQuery {
        category: q.category,
        municipality: q.municipality,
        state: q.state,
        overdue: q.overdue,
        ..Default::default()
    };
    let mut f = lq.filter(&cats)?;
    let bbox = if q.bbox.is_empty() {
        let b = crate::geo::geography().bbox();
        [b[0], b[1], b[2], b[3]]
    } else {
        parse_bbox(&q.bbox)?
    };
    f.bbox = Some(bbox);
    f.limit = (MAX_POINTS + 1) as i64;
    f.offset = 0;
    f.sort = AppealSort::Newest;
    let at = now();
    if queries::count_up_to(&db, &f, f.limit).await? <= MAX_POINTS as i64 {
        let rows = queries::list_appeals(&db, &f).await?;
        let photos =
            queries::first_photos(&db, &rows.iter().map(|a| a.appeal_id).collect::<Vec<_>>())
                .await?;
        let features: Vec<Value> = rows
            .iter()
            .map(|a| feature(l, &cats, a, photos.get(&a.appeal_id), at))
            .collect();
        return Ok(geo_response(
            json!({ "type": "FeatureCollection", "clustered": false, "features": features }),
        ));
    }
    // Clustering groups every report in the view (the whole region when no
    // bbox is given): a turn at the expensive-work gate.
    let _permit = gates.expensive.enter().await?;
    let cell = ((bbox[2] - bbox[0]).max(bbox[3] - bbox[1]) / GRID).max(1e-6);
    let cells = queries::grid_counts(&db, &f, [bbox[0], bbox[1]], cell).await?;
    let total: i64 = cells.iter().map(|c| c.0).sum();
    let features: Vec<Value> = cells
        .iter()
        .map(|(n, lat, lon)| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": { "cluster": true, "count": n }
            })
        })
        .collect();
    Ok(geo_response(
        json!({ "type": "FeatureCollection", "clustered": true, "total": total, "features": features }),
    ))
}

/// `GET /api/v1/problems/nearby?lat=…&lon=…&category=…`: open reports of
/// the category close to a point (the report form's duplicate check).
pub async fn nearby(
    State(db): State<Db>,
    headers: HeaderMap,
    Query(q): Query<super::form::NewQuery>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    let (Ok(lat), Ok(lon)) = (q.lat.trim().parse::<f64>(), q.lon.trim().parse::<f64>()) else {
        return Err(AppError::bad_request(
            "invalid_point",
            Msg::new(
                "Укажите lat и lon в градусах.",
                "Give lat and lon in degrees.",
            ),
        ));
    };
    let p = crate::geo::GeoPoint::parse(lat, lon)
        .map_err(|m| AppError::bad_request("invalid_point", m))?;
    let category = (!q.category.is_empty()).then_some(q.category.as_str());
    if let Some(c) = category
        && !cats.0.contains_key(c)
    {
        return Err(AppError::bad_request(
            "unknown_category",
            Msg::new("Такой категории нет.", "There is no such category."),
        ));
    }
    let found = queries::nearby(
        &db,
        crate::issues::PROBLEM.as_str(),
        category,
        p.lat,
        p.lon,
        crate::issues::form::NEARBY_METRES,
        5,
    )
    .await?;
    let reports: Vec<Value> = found
        .iter()
        .map(|(a, d)| {
            json!({
                "id": a.appeal_id,
                "title": headline(l, &cats, a),
                "description": crate::workflow::views::excerpt(&a.description, 160),
                "distance_m": d.round(),
                "support_count": a.support_count,
                "state": a.state,
                "url": crate::issues::PROBLEM.path(a.appeal_id),
            })
        })
        .collect();
    // Where the point is and who would answer there: the form says it under
    // the map before the report is sent.
    let place = match crate::geo::geography().locate(p) {
        Ok(m) => {
            let org = match category {
                Some(c) => crate::workflow::routing::who_answers(&db, c, &m.id).await?,
                None => None,
            };
            let answers = match org {
                Some(o) => crate::directory::queries::by_id(&db, &o).await?.map(|o| {
                    // The short name where there is one: a line under a map.
                    let (ru, en) = (&o.short_name_ru, &o.short_name_en);
                    if ru.is_empty() {
                        l.pick(&o.name_ru, &o.name_en).to_owned()
                    } else {
                        l.pick(ru, if en.is_empty() { ru } else { en }).to_owned()
                    }
                }),
                None => None,
            };
            json!({ "municipality": m.name(l), "answers": answers })
        }
        Err(_) => Value::Null,
    };
    Ok(axum::Json(json!({
        "radius_m": crate::issues::form::NEARBY_METRES,
        "reports": reports,
        "place": place,
    }))
    .into_response())
}

/// A public report as JSON (also the open dataset's and Open311's source).
pub async fn public_json(db: &Db, l: Locale, cats: &Categories, a: &AppealRow) -> AppResult<Value> {
    let at = now();
    let events = queries::events(db, a.appeal_id, false).await?;
    // Photos of internal events stay with the staff, as the events do.
    let photos = queries::public_photos(db, a.appeal_id).await?;
    let org = match &a.organisation_id {
        Some(o) => crate::directory::queries::by_id(db, o).await?,
        None => None,
    };
    Ok(json!({
        "id": a.appeal_id,
        "url": crate::issues::PROBLEM.path(a.appeal_id),
        "title": headline(l, cats, a),
        "category": { "id": a.category_id, "name": cats.name(l, &a.category_id) },
        "municipality": { "id": a.municipality_id, "name": crate::workflow::views::municipality_name(l, &a.municipality_id) },
        "organisation": org.map(|o| json!({ "id": o.organisation_id, "name": l.pick(&o.name_ru, &o.name_en) })),
        "state": a.state,
        "state_label": a.state().label(l),
        "overdue": a.is_overdue(at),
        "description": a.description,
        "address": a.address,
        "lat": a.lat,
        "lon": a.lon,
        "support_count": a.support_count,
        "published_at": a.published_at.map(rfc3339),
        "due_at": a.due_at.map(rfc3339),
        "reacted_at": a.reacted_at.map(rfc3339),
        "reaction": a.reaction_text,
        "planned_date": a.planned_date,
        "close_reason": a.close_reason,
        "photos": photos.iter().map(|p| json!({ "full": crate::media::url(&p.media_key, "full"), "thumbnail": crate::media::url(&p.media_key, "thumb") })).collect::<Vec<_>>(),
        "timeline": events.iter().map(|e| json!({
            "event": e.kind, "role": e.actor_role, "at": rfc3339(e.created_at), "note": e.note,
        })).collect::<Vec<_>>(),
    }))
}

/// `GET /api/v1/problems/{id}`
pub async fn one(
    State(db): State<Db>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let a = queries::appeal(&db, id)
        .await?
        .filter(|a| a.kind == crate::issues::PROBLEM.as_str() && a.state().is_public())
        .ok_or_else(AppError::not_found)?;
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    Ok(axum::Json(public_json(&db, l, &cats, &a).await?).into_response())
}
