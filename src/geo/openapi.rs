//! This feature's part of `/api/openapi.json` (the annotations live on the
//! handlers in `api.rs`; `app.rs` merges the fragment).

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(
        crate::geo::api::list_municipalities,
        crate::geo::api::list_towns,
        crate::geo::api::show_municipality,
        crate::geo::api::locate,
    ),
    tags((name = "geography", description = "The 44 municipalities and the point locator"))
)]
struct GeoApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    GeoApi::openapi()
}
