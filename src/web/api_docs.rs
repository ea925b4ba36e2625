//! The OpenAPI description of every JSON API (`/api/openapi.json`) and a
//! browsable Swagger UI (`/api/docs/`), whose files are compiled into the
//! binary so the page works offline.

use axum::Router;
use serde::Serialize;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::app::AppState;

/// The error body of every JSON API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorDetail {
    /// HTTP status
    #[schema(example = 422)]
    pub status: u16,
    /// Stable machine-readable code
    #[schema(example = "outside_region")]
    pub code: String,
    /// What went wrong and how to fix it, in English
    pub message: String,
    /// The same in Russian
    pub message_ru: String,
}

/// The shared part of the document: what it is, the error body every JSON
/// API uses, and the bearer-token scheme. Each feature describes its own
/// paths in a fragment (`<feature>/openapi.rs`) that `app.rs` hands to
/// [`document`], so this module names no feature.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Veche API",
        version = "1",
        description = "JSON APIs of Veche, the open-government platform of Krasnodar Krai. \
            Errors have the shape `{\"error\": {\"status\", \"code\", \"message\", \"message_ru\"}}`, \
            except the CKAN actions (CKAN's envelope) and Open311 (its list of errors). \
            Geometry: © OpenStreetMap contributors, ODbL 1.0.",
        license(name = "Data: ODbL 1.0 (boundaries), CC BY 4.0 (veche datasets)")
    ),
    components(schemas(ApiErrorBody, ApiErrorDetail)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// `Authorization: Bearer <token>`: the personal API tokens of
/// `/account/tokens`, used by every write API.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token from /account/tokens"))
                    .build(),
            ),
        );
    }
}

/// The whole document: the shared part with every feature's fragment.
pub fn document(
    fragments: impl IntoIterator<Item = utoipa::openapi::OpenApi>,
) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for fragment in fragments {
        doc.merge(fragment);
    }
    doc
}

/// `schema`, or an empty (blank) value: the APIs that follow CKAN and
/// Open311 read a blank parameter as no parameter, as their clients send
/// them. For `#[param(schema_with = ...)]`.
pub fn or_blank(schema: impl Into<RefOr<Schema>>) -> Schema {
    OneOfBuilder::new()
        .item(schema)
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^\s*$")),
        )
        .build()
        .into()
}

/// An integer in `min..=max` (no upper bound with `None`).
pub fn integer(min: i64, max: Option<i64>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(max)
}

pub fn router(doc: utoipa::openapi::OpenApi) -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}

/// The schema of parameter `name` of `method path`, for tests that hold the
/// document's numbers to the constants the code checks.
#[cfg(test)]
pub fn param_schema(
    doc: &utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
    name: &str,
) -> serde_json::Value {
    let v = serde_json::to_value(doc).expect("the document serialises");
    let params = v["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has no parameters"));
    params
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))["schema"]
        .clone()
}
