//! `GET /api/v1/organisations`, `GET /api/v1/organisations/{id}`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::directory::OrgKind;
use crate::directory::queries::{self, OrgRow};
use crate::error::{AppError, AppResult};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::Path;

/// An organisation of the directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    /// Stable id
    #[schema(example = "min-transport")]
    pub id: String,
    /// Id of the parent organisation (portfolio, supervising department)
    pub parent_id: Option<String>,
    pub kind: OrgKind,
    pub name: String,
    pub name_en: String,
    pub short_name: String,
    pub short_name_en: String,
    /// 10-digit INN of the legal entity
    pub inn: Option<String>,
    /// For municipal administrations: the municipality id
    pub municipality_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// RFC 3339
    pub updated_at: String,
}

impl From<OrgRow> for OrganisationView {
    fn from(o: OrgRow) -> OrganisationView {
        OrganisationView {
            kind: OrgKind::parse(&o.kind).unwrap_or(OrgKind::Department),
            id: o.organisation_id,
            parent_id: o.parent_id,
            name: o.name_ru,
            name_en: o.name_en,
            short_name: o.short_name_ru,
            short_name_en: o.short_name_en,
            inn: o.inn,
            municipality_id: o.municipality_id,
            email: o.email,
            phone: o.phone,
            website: o.website,
            updated_at: o
                .updated_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }
    }
}

/// Every organisation of the directory.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    tag = "directory",
    responses((status = 200, description = "All organisations", body = Vec<OrganisationView>))
)]
pub async fn list_organisations(State(db): State<Db>) -> AppResult<Json<Vec<OrganisationView>>> {
    let rows = queries::list(&db).await?;
    Ok(Json(rows.into_iter().map(OrganisationView::from).collect()))
}

/// One organisation.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{id}",
    tag = "directory",
    params(("id" = String, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationView),
        (status = 404, description = "No such organisation", body = ApiErrorBody),
    )
)]
pub async fn show_organisation(
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Json<OrganisationView>> {
    let row = queries::by_id(&db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(row.into()))
}
