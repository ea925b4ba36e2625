//! `GET /api/v1/municipalities`, `GET /api/v1/municipalities/{id}`,
//! `GET /api/v1/locate`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult};
use crate::geo::{Detail, GeoPoint, geography};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::{Path, Query};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MunicipalitiesQuery {
    /// `full` (default): boundaries as published; `map`: simplified to ~100 m.
    #[serde(default)]
    #[param(inline)]
    pub detail: Detail,
}

/// Boundaries change a few times a decade; let caches keep them for a day.
fn geojson_response(value: serde_json::Value) -> Response {
    let mut response = axum::Json(value).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

/// The 44 municipalities of Krasnodar Krai as a GeoJSON FeatureCollection.
///
/// Each feature has the properties `id`, `name` (Russian), `name_en`, `kind`
/// (`urban_okrug`, `municipal_okrug`, `municipal_district`), `oktmo` (null
/// where unknown), `admin_centre`, `area_km2` and `url`.
/// Geometry: © OpenStreetMap contributors, ODbL 1.0.
#[utoipa::path(
    get,
    path = "/api/v1/municipalities",
    tag = "geography",
    params(MunicipalitiesQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 400, description = "Invalid parameter", body = ApiErrorBody),
    )
)]
pub async fn list_municipalities(Query(q): Query<MunicipalitiesQuery>) -> Response {
    geojson_response(geography().feature_collection(q.detail))
}

/// The region's towns as a GeoJSON FeatureCollection of points, for the
/// labels every map draws under its own layers.
///
/// Each feature has the properties `name` (Russian), `name_en` (where the
/// town is a municipality's administrative centre, else null) and
/// `population` (the 2010 census). Data: HFLabs (hflabs/city), CC BY-SA 4.0.
#[utoipa::path(
    get,
    path = "/api/v1/towns",
    tag = "geography",
    responses(
        (status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
    )
)]
pub async fn list_towns() -> Response {
    let features: Vec<serde_json::Value> = crate::geo::geocode::towns()
        .iter()
        .map(|t| {
            let name_en = geography()
                .all()
                .iter()
                .find(|m| m.admin_centre_ru == t.name)
                .map(|m| m.admin_centre_en.clone());
            serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [t.point.lon, t.point.lat] },
                "properties": { "name": t.name, "name_en": name_en, "population": t.population },
            })
        })
        .collect();
    geojson_response(serde_json::json!({ "type": "FeatureCollection", "features": features }))
}

/// One municipality as a GeoJSON Feature.
#[utoipa::path(
    get,
    path = "/api/v1/municipalities/{id}",
    tag = "geography",
    params(("id" = String, Path, description = "Municipality id, e.g. `krasnodar`", example = "krasnodar"), MunicipalitiesQuery),
    responses(
        (status = 200, description = "GeoJSON Feature", content_type = "application/geo+json", body = Object),
        (status = 400, description = "Invalid `detail`", body = ApiErrorBody),
        (status = 404, description = "No such municipality", body = ApiErrorBody),
    )
)]
pub async fn show_municipality(
    Path(id): Path<String>,
    Query(q): Query<MunicipalitiesQuery>,
) -> AppResult<Response> {
    let m = geography().by_id(&id).ok_or_else(AppError::not_found)?;
    Ok(geojson_response(m.feature(q.detail)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocateQuery {
    /// Latitude, WGS 84 degrees (e.g. 45.0355)
    #[param(minimum = -90, maximum = 90, example = 45.0355)]
    pub lat: f64,
    /// Longitude, WGS 84 degrees (e.g. 38.9753)
    #[param(minimum = -180, maximum = 180, example = 38.9753)]
    pub lon: f64,
}

/// The municipality that contains a point.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocateResponse {
    /// Municipality id
    #[schema(example = "krasnodar")]
    pub id: String,
    #[schema(example = "Краснодар")]
    pub name: String,
    #[schema(example = "Krasnodar")]
    pub name_en: String,
    #[schema(example = "urban_okrug")]
    pub kind: String,
    #[schema(example = "03701000")]
    pub oktmo: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

/// Finds the municipality of a point. Points outside Krasnodar Krai (in the
/// sea, in a neighbouring region, or swapped coordinates) get a 422 error
/// whose message says which.
#[utoipa::path(
    get,
    path = "/api/v1/locate",
    tag = "geography",
    params(LocateQuery),
    responses(
        (status = 200, description = "The municipality", body = LocateResponse),
        (status = 400, description = "Missing or malformed coordinates", body = ApiErrorBody),
        (status = 422, description = "The point is outside the krai (`outside_region`) or not a valid coordinate (`invalid_coordinates`)", body = ApiErrorBody),
    )
)]
pub async fn locate(Query(q): Query<LocateQuery>) -> AppResult<axum::Json<LocateResponse>> {
    let point = GeoPoint::parse(q.lat, q.lon)
        .map_err(|m| AppError::unprocessable("invalid_coordinates", m))?;
    let m = geography()
        .locate(point)
        .map_err(|e| AppError::unprocessable("outside_region", e.message()))?;
    Ok(axum::Json(LocateResponse {
        id: m.id.clone(),
        name: m.name_ru.clone(),
        name_en: m.name_en.clone(),
        kind: m.kind.as_str().to_owned(),
        oktmo: m.oktmo.clone(),
        lat: point.lat,
        lon: point.lon,
    }))
}
