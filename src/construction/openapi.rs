//! This feature's part of `/api/openapi.json`: the map's GeoJSON and the
//! registry's write API (`pages.rs`). The descriptions sit on empty stubs so
//! the handler file stays as it is; the fields are those of
//! `domain::ObjectForm`, checked by `ObjectForm::parse`.

#![allow(dead_code)] // the types below exist only for their schemas

use utoipa::{IntoParams, OpenApi, ToSchema};

use super::domain::Status;
use crate::web::api_docs::ApiErrorBody;

#[derive(OpenApi)]
#[openapi(
    paths(geojson, create, show, update),
    components(schemas(ObjectFields)),
    tags((name = "construction", description = "The construction registries (docs/CONSTRUCTION.md). \
        Writing takes the API token of an officer of the supervision authority."))
)]
struct ConstructionApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    ConstructionApi::openapi()
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct MapParams {
    #[param(inline)]
    status: Option<Status>,
    /// A municipality id (`/api/v1/municipalities`); unknown → 422
    #[param(example = "krasnodar")]
    municipality: Option<String>,
    /// Words in the name, address, developer or cadastral number
    q: Option<String>,
    /// `west,south,east,north` in degrees, west ≤ east and south ≤ north
    #[param(
        pattern = r"^$|^\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*$",
        example = "38.9,45.0,39.1,45.1"
    )]
    bbox: Option<String>,
}

/// Objects as GeoJSON points (and their footprints), at most 5000, with the
/// map's filters.
#[utoipa::path(
    get,
    path = "/api/v1/construction.geojson",
    tag = "construction",
    params(MapParams),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 400, description = "A malformed query string (a parameter given twice)", body = ApiErrorBody),
        (status = 422, description = "`invalid_input`: an unknown status or municipality, or a malformed bbox", body = ApiErrorBody),
    )
)]
fn geojson() {}

/// An object's fields as text, as on the form; `name`, `lat`, `lon` and
/// `status` are required, dates are `YYYY-MM-DD`, a field left
/// out is empty (never `null`).
#[derive(ToSchema)]
struct ObjectFields {
    #[schema(example = "Склад", max_length = 300)]
    name: String,
    #[serde(default)]
    #[schema(example = "Новороссийск, ул. Портовая, 5", max_length = 500)]
    address: String,
    /// Degrees, inside the krai
    #[schema(example = "44.7235")]
    lat: String,
    #[schema(example = "37.7686")]
    lon: String,
    #[schema(inline)]
    status: Status,
    /// A GeoJSON Polygon as text
    #[serde(default)]
    footprint: String,
    #[serde(default)]
    cadastral_number: String,
    #[serde(default)]
    permit_number: String,
    #[serde(default)]
    permit_date: String,
    #[serde(default)]
    developer: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    #[schema(example = "2")]
    floors: String,
    #[serde(default)]
    planned_start: String,
    #[serde(default)]
    planned_end: String,
    #[serde(default)]
    actual_start: String,
    #[serde(default)]
    actual_end: String,
    /// For illegal constructions
    #[serde(default)]
    detected_on: String,
}

/// Adds an object to the registry.
#[utoipa::path(
    post,
    path = "/api/v1/construction/objects",
    tag = "construction",
    request_body = ObjectFields,
    responses(
        (status = 201, description = "The object as stored", body = Object),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 401, description = "No or unknown API token", body = ApiErrorBody),
        (status = 403, description = "The token's account is not an officer of the supervision authority", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "`invalid_input`: every field that does not pass, with the reason", body = ApiErrorBody),
    ),
    security(("bearer" = []))
)]
fn create() {}

/// One object of the registry (public).
#[utoipa::path(
    get,
    path = "/api/v1/construction/objects/{id}",
    tag = "construction",
    params(("id" = i64, Path, example = 1)),
    responses(
        (status = 200, description = "The object", body = Object),
        (status = 404, description = "No such object", body = ApiErrorBody),
    )
)]
fn show() {}

/// Replaces an object's fields; the change is recorded in its history.
#[utoipa::path(
    put,
    path = "/api/v1/construction/objects/{id}",
    tag = "construction",
    params(("id" = i64, Path, example = 1)),
    request_body = ObjectFields,
    responses(
        (status = 200, description = "The object as stored", body = Object),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 401, description = "No or unknown API token", body = ApiErrorBody),
        (status = 403, description = "The token's account is not an officer of the supervision authority", body = ApiErrorBody),
        (status = 404, description = "No such object", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "Not `application/json`", body = ApiErrorBody),
        (status = 422, description = "`invalid_input`: every field that does not pass, with the reason", body = ApiErrorBody),
    ),
    security(("bearer" = []))
)]
fn update() {}
