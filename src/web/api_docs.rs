//! The OpenAPI description of every JSON API (`/api/openapi.json`) and a
//! browsable Swagger UI (`/api/docs/`), whose files are compiled into the
//! binary so the page works offline.

use axum::Router;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
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

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Veche API",
        version = "1",
        description = "JSON APIs of Veche, the open-government platform of Krasnodar Krai. \
            Errors have the shape `{\"error\": {\"status\", \"code\", \"message\", \"message_ru\"}}`. \
            Geometry: © OpenStreetMap contributors, ODbL 1.0.",
        license(name = "Data: ODbL 1.0 (boundaries), CC BY 4.0 (veche datasets)")
    ),
    paths(
        crate::geo::api::list_municipalities,
        crate::geo::api::show_municipality,
        crate::geo::api::locate,
        crate::directory::api::list_organisations,
        crate::directory::api::show_organisation,
        crate::integration::inbound::receive,
    ),
    components(schemas(
        ApiErrorBody,
        ApiErrorDetail,
        crate::integration::messages::Message,
        crate::integration::messages::Body,
    )),
    tags(
        (name = "geography", description = "The 44 municipalities and the point locator"),
        (name = "directory", description = "Authorities and organisations"),
        (name = "integration", description = "Signed messages between the portal, the project-management core and outside document-flow systems (docs/PM.md)"),
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
