//! Pages of the municipalities.

use axum::extract::State;
use axum::response::Response;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::geo::{geography, views};
use crate::web::extract::Path;
use crate::web::layout::PageCtx;

/// `GET /municipalities`
pub async fn list_municipalities(ctx: PageCtx) -> Response {
    views::list_page(&ctx, geography())
}

/// `GET /municipalities/{id}`
pub async fn show_municipality(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let m = geography().by_id(&id).ok_or_else(AppError::not_found)?;
    let administration = crate::directory::queries::administration_of(&db, &m.id).await?;
    Ok(views::show_page(&ctx, m, administration.as_ref()))
}
