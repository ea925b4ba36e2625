//! This feature's part of `/api/openapi.json` (the annotations live on the
//! handlers in `api.rs`; `app.rs` merges the fragment).

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(
        crate::directory::api::list_organisations,
        crate::directory::api::show_organisation,
    ),
    tags((name = "directory", description = "Authorities and organisations"))
)]
struct DirectoryApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    DirectoryApi::openapi()
}
