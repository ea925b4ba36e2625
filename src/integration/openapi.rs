//! This feature's part of `/api/openapi.json` (the annotation lives on the
//! handler in `inbound.rs`; `app.rs` merges the fragment).

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(crate::integration::inbound::receive),
    components(schemas(crate::integration::messages::Message, crate::integration::messages::Body)),
    tags((name = "integration", description = "Signed messages between the portal, the project-management core and outside document-flow systems (docs/PM.md)"))
)]
struct IntegrationApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    IntegrationApi::openapi()
}
