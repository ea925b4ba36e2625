//! This feature's part of `/api/openapi.json`: the problems API
//! (`api.rs`) and Open311 GeoReport v2 (`open311/`).
//!
//! The descriptions sit on empty stubs here rather than on the handlers:
//! the handlers read raw queries (Open311 takes repeated and comma-joined
//! keys the standard allows), so there is no typed extractor to derive from,
//! and keeping the annotations apart leaves the handler files as they are.
//! The numbers are the code's limits; the tests below hold them to the
//! constants where those are public.

#![allow(dead_code)] // the structs below exist only for their schemas

use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::web::api_docs::{ApiErrorBody, or_blank};

#[derive(OpenApi)]
#[openapi(
    paths(
        problems_geojson,
        problems_nearby,
        problem,
        open311_discovery,
        open311_services,
        open311_service_definition,
        open311_requests,
        open311_create,
        open311_request,
        open311_token,
    ),
    components(schemas(Open311Error, Open311Service, Open311Request, Open311Token)),
    tags(
        (name = "problems", description = "Citizens' problem reports (docs/PROBLEMS.md): public data only"),
        (name = "open311", description = "Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2). \
            Every resource is also served as `.xml`; errors are Open311's list of `{code, description}`."),
    )
)]
struct IssuesApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    IssuesApi::openapi()
}

/// A public state of a report.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
enum PublicState {
    Published,
    InProgress,
    Planned,
    Resolved,
    Reopened,
    Closed,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct GeoParams {
    /// The view, `min_lon,min_lat,max_lon,max_lat` in degrees (Leaflet's
    /// `toBBoxString()`); latitudes within ±90, min ≤ max. The whole krai
    /// when empty or left out.
    #[param(
        pattern = r"^$|^\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*$",
        example = "38.9,45.0,39.1,45.1"
    )]
    bbox: Option<String>,
    /// A category id (`/open311/v2/services.json` lists them); unknown → 400
    #[param(example = "road-pothole")]
    category: Option<String>,
    /// A municipality id (`/api/v1/municipalities`); unknown → 400
    #[param(example = "krasnodar")]
    municipality: Option<String>,
    #[param(inline)]
    state: Option<PublicState>,
    /// `on`, `1` or `true`: only reports past their deadline
    overdue: Option<String>,
}

/// Public reports in a view as a GeoJSON FeatureCollection, or, when the
/// view holds more than 2000, clusters (`clustered: true`, a count and mean
/// position per grid cell).
#[utoipa::path(
    get,
    path = "/api/v1/problems.geojson",
    tag = "problems",
    params(GeoParams),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 400, description = "Malformed `bbox` or an unknown filter value", body = ApiErrorBody),
        (status = 503, description = "Too many clustering requests at once; retry after `Retry-After` seconds", body = ApiErrorBody),
    )
)]
fn problems_geojson() {}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct NearbyParams {
    /// Latitude, degrees
    #[param(minimum = -90, maximum = 90, example = 45.0355)]
    lat: f64,
    /// Longitude, degrees
    #[param(minimum = -180, maximum = 180, example = 38.9753)]
    lon: f64,
    /// A category id; unknown → 400
    category: Option<String>,
}

/// Open reports (of the category) within 150 m of a point, nearest first,
/// at most 5: the report form's duplicate check. Reports placed only by a
/// town's name (approximate) are not among them. Also where the point is:
/// its municipality and who answers there for the category.
#[utoipa::path(
    get,
    path = "/api/v1/problems/nearby",
    tag = "problems",
    params(NearbyParams),
    responses(
        (status = 200, description = "`{radius_m, reports: [{id, title, description, distance_m, support_count, state, url}], place: {municipality, answers} | null}`", body = Object),
        (status = 400, description = "Missing or invalid point, or an unknown category", body = ApiErrorBody),
    )
)]
fn problems_nearby() {}

/// One public report: category, municipality, organisation, state,
/// deadline, reaction, photos and the public timeline. No reporter is named.
#[utoipa::path(
    get,
    path = "/api/v1/problems/{id}",
    tag = "problems",
    params(("id" = i64, Path, description = "Report id", example = 1)),
    responses(
        (status = 200, description = "The report", body = Object),
        (status = 404, description = "No such public report", body = ApiErrorBody),
    )
)]
fn problem() {}

// ---- Open311 ----------------------------------------------------------------

/// One error of Open311's error list.
#[derive(Serialize, ToSchema)]
struct Open311Error {
    #[schema(example = 404)]
    code: u16,
    description: String,
}

/// A service: a category of problem reports.
#[derive(Serialize, ToSchema)]
struct Open311Service {
    #[schema(example = "road-pothole")]
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[schema(rename = "type", example = "realtime")]
    kind: String,
    keywords: String,
    group: String,
}

/// A service request: a public problem report.
#[derive(Serialize, ToSchema)]
struct Open311Request {
    #[schema(example = "17")]
    service_request_id: String,
    #[schema(inline)]
    status: Open311Status,
    status_notes: Option<String>,
    service_name: String,
    service_code: String,
    description: String,
    agency_responsible: Option<String>,
    service_notice: Option<String>,
    requested_datetime: String,
    updated_datetime: String,
    expected_datetime: Option<String>,
    address: String,
    address_id: Option<String>,
    zipcode: Option<String>,
    lat: f64,
    long: f64,
    media_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct Open311Token {
    service_request_id: String,
    token: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Open311Status {
    Open,
    Closed,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct JurisdictionParams {
    /// The krai (`krasnodar-krai`) or one municipality's id; unknown → 404
    jurisdiction_id: Option<String>,
    /// `ru` or `en` (else `Accept-Language`)
    locale: Option<String>,
}

/// Discovery: the endpoint, its formats and where keys come from.
#[utoipa::path(
    get,
    path = "/open311/v2/discovery.json",
    tag = "open311",
    responses((status = 200, description = "Discovery", body = Object))
)]
fn open311_discovery() {}

/// Every active service (category).
#[utoipa::path(
    get,
    path = "/open311/v2/services.json",
    tag = "open311",
    params(JurisdictionParams),
    responses(
        (status = 200, description = "The services", body = Vec<Open311Service>),
        (status = 404, description = "Unknown jurisdiction_id", body = Vec<Open311Error>),
    )
)]
fn open311_services() {}

/// A service's definition (no extra attributes).
#[utoipa::path(
    get,
    path = "/open311/v2/services/{service_code}.json",
    tag = "open311",
    params(("service_code" = String, Path, example = "road-pothole"), JurisdictionParams),
    responses(
        (status = 200, description = "`{service_code, attributes: []}`", body = Object),
        (status = 404, description = "Unknown service_code or jurisdiction_id", body = Vec<Open311Error>),
    )
)]
fn open311_service_definition() {}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct RequestsParams {
    /// Comma-separated request ids, at most 1000; overrides every other filter
    #[param(pattern = r"^\s*([+-]?[0-9]{1,18})?\s*(,\s*([+-]?[0-9]{1,18})?\s*){0,999}$")]
    service_request_id: Option<String>,
    /// Comma-separated service codes; an unknown one → 404
    service_code: Option<String>,
    /// `open`, `closed` or `open,closed`
    #[param(pattern = r"^\s*(open|closed)?\s*(,\s*(open|closed)?\s*)*$")]
    status: Option<String>,
    /// RFC 3339 date-time with a zone; the window
    /// start_date..end_date spans at most 90 days (default: the last 90
    /// days). Here and below an empty value is no value, as Open311
    /// clients send them.
    #[param(schema_with = w3c_or_blank)]
    start_date: Option<String>,
    #[param(schema_with = w3c_or_blank)]
    end_date: Option<String>,
    #[param(schema_with = w3c_or_blank)]
    updated_after: Option<String>,
    #[param(schema_with = w3c_or_blank)]
    updated_before: Option<String>,
    /// Organisation ids separated by `|`, at most 100
    agency_responsible: Option<String>,
    /// Requests per page (default 1000)
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
    /// Page number; (page − 1) × page_size may skip at most 100000 requests
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// `true`: each request carries its public `notes` (any other value:
    /// without them)
    extensions: Option<String>,
}

/// An RFC 3339 date-time, or blank.
fn w3c_or_blank() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    or_blank(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
    )
}

/// Public requests, newest first.
#[utoipa::path(
    get,
    path = "/open311/v2/requests.json",
    tag = "open311",
    params(RequestsParams, JurisdictionParams),
    responses(
        (status = 200, description = "The requests", body = Vec<Open311Request>),
        (status = 400, description = "A malformed parameter, a window over 90 days, or a page deeper than 100000 requests", body = Vec<Open311Error>),
        (status = 404, description = "Unknown service_code or jurisdiction_id", body = Vec<Open311Error>),
    )
)]
fn open311_requests() {}

/// The fields of a new request (`application/x-www-form-urlencoded`, or
/// multipart with up to 5 `media` photos).
#[derive(ToSchema)]
struct NewRequestForm {
    /// A key from an administrator (`/admin/open311`)
    api_key: String,
    jurisdiction_id: Option<String>,
    service_code: String,
    /// With `long`, or give `address_string`
    lat: Option<f64>,
    long: Option<f64>,
    #[schema(max_length = 300)]
    address_string: Option<String>,
    #[schema(max_length = 4000)]
    description: String,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    device_id: Option<String>,
    media_url: Option<String>,
}

/// Creates a request on behalf of the key's account (published after
/// moderation, like one from the site).
#[utoipa::path(
    post,
    path = "/open311/v2/requests.json",
    tag = "open311",
    request_body(content = inline(NewRequestForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`[{service_request_id, service_notice, account_id}]`", body = Vec<serde_json::Value>),
        (status = 400, description = "A missing or invalid field", body = Vec<Open311Error>),
        (status = 403, description = "Missing or unknown api_key", body = Vec<Open311Error>),
        (status = 404, description = "Unknown service_code or jurisdiction_id", body = Vec<Open311Error>),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
    )
)]
fn open311_create() {}

/// One request, as a list of one.
#[utoipa::path(
    get,
    path = "/open311/v2/requests/{service_request_id}.json",
    tag = "open311",
    params(("service_request_id" = String, Path, example = "1"), JurisdictionParams, ("extensions" = Option<String>, Query, description = "`true`: with the public `notes`")),
    responses(
        (status = 200, description = "The request", body = Vec<Open311Request>),
        (status = 404, description = "No such public request, or unknown jurisdiction_id", body = Vec<Open311Error>),
    )
)]
fn open311_request() {}

/// A token's request: every service is realtime, so a request's id is its
/// token.
#[utoipa::path(
    get,
    path = "/open311/v2/tokens/{token}.json",
    tag = "open311",
    params(("token" = String, Path, example = "1")),
    responses(
        (status = 200, description = "The request id", body = Vec<Open311Token>),
        (status = 404, description = "No such token", body = Vec<Open311Error>),
    )
)]
fn open311_token() {}
