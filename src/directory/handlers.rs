//! HTML pages of the directory.

use axum::response::Response;

use crate::db::Db;
use crate::directory::{queries, views};
use crate::error::{AppError, AppResult};
use crate::web::extract::Path;
use crate::web::layout::PageCtx;
use axum::extract::State;

/// `GET /organisations`
pub async fn list_organisations(ctx: PageCtx, State(db): State<Db>) -> AppResult<Response> {
    let orgs = queries::list(&db).await?;
    Ok(views::list_page(&ctx, &orgs))
}

/// `GET /organisations/{id}`
pub async fn show_organisation(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let org = queries::by_id(&db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let parent = match &org.parent_id {
        Some(p) => queries::by_id(&db, p).await?,
        None => None,
    };
    let children = queries::children(&db, &id).await?;
    Ok(views::show_page(&ctx, &org, parent.as_ref(), &children))
}
