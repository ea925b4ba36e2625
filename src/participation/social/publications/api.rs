//! JSON over publications: visible ones only, with the same filters as the
//! list; an author named only where the page names them (a citizen's post
//! whose author shows their name), never an e-mail. Described in
//! `/api/openapi.json`.

#![allow(dead_code)] // the structs below exist only for their schemas

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use utoipa::{OpenApi, ToSchema};

use super::pages::ListQuery;
use super::queries::{self, CommentRow, PublicationRow};
use crate::app::AppState;
use crate::error::{AppError, AppResult, Msg};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::{Path, Query};

/// The longest page the list gives.
pub const LIMIT_MAX: i64 = 100;

#[derive(OpenApi)]
#[openapi(
    paths(list, one),
    components(schemas(PublicationJson, CommentJson, KindParam)),
    tags((name = "publications", description = "News and announcements of organisations, residents' posts, and their comments (docs/PARTICIPATION.md, the social layer)"))
)]
struct PublicationsApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    PublicationsApi::openapi()
}

/// A publication (schema only).
#[derive(ToSchema)]
struct PublicationJson {
    id: i64,
    /// `news`, `announcement` (an organisation's) or `post` (a resident's)
    kind: String,
    title: String,
    body: String,
    /// `{id, name_ru, name_en}` for news and announcements, else null
    organisation: Option<Object>,
    /// `{id, name}` for a resident's post whose author shows their name, else null
    author: Option<Object>,
    municipality: Option<String>,
    published_at: String,
    comment_count: i64,
    url: String,
    /// Only in `/api/v1/publications/{id}`: the visible comments, oldest first
    comments: Option<Vec<CommentJson>>,
}

/// A comment (schema only).
#[derive(ToSchema)]
struct CommentJson {
    id: i64,
    /// The name the author shows, or null when they hide it
    author: Option<String>,
    body: String,
    published_at: String,
}

#[derive(ToSchema)]
struct Object {}

/// The kinds of publication (schema only).
#[derive(ToSchema, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum KindParam {
    News,
    Announcement,
    Post,
}

fn stamp(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn publication_json(p: &PublicationRow, base: &str) -> Value {
    json!({
        "id": p.publication_id,
        "kind": p.kind,
        "title": p.title,
        "body": p.body,
        "organisation": p.organisation_id.as_ref().map(|id| json!({
            "id": id,
            "name_ru": p.organisation_ru,
            "name_en": p.organisation_en,
        })),
        "author": p.shown_author().map(|(id, name)| json!({ "id": id, "name": name })),
        "municipality": p.municipality_id,
        "published_at": stamp(p.created_at),
        "comment_count": p.comment_count,
        "url": format!("{base}/publications/{}", p.publication_id),
    })
}

fn comment_json(c: &CommentRow) -> Value {
    json!({
        "id": c.comment_id,
        "author": (!c.author_name.is_empty()).then_some(&c.author_name),
        "body": c.body,
        "published_at": stamp(c.created_at),
    })
}

/// Visible publications, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/publications",
    tag = "publications",
    params(
        ("municipality" = Option<String>, Query, description = "A municipality's id"),
        ("organisation" = Option<String>, Query, description = "An organisation's id"),
        ("author" = Option<i64>, Query, description = "An author's account id (residents' posts whose author shows their name)"),
        ("kind" = Option<KindParam>, Query, description = "`news`, `announcement` or `post`"),
        ("page" = Option<i64>, Query, minimum = 1, description = "From 1"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "1 to 100, 20 by default"),
    ),
    responses(
        (status = 200, description = "`{publications: [Publication], page, limit, total}`", body = Object),
        (status = 400, description = "A filter that is not one", body = ApiErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let f = q.filter()?;
    let limit = q.limit.unwrap_or(super::pages::PAGE);
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(AppError::bad_request(
            "invalid_query",
            Msg::new(
                format!("limit — от 1 до {LIMIT_MAX}."),
                format!("limit is from 1 to {LIMIT_MAX}."),
            ),
        ));
    }
    // The list's form sends `kind=` for "all"; a client names a kind.
    if q.kind.as_deref() == Some("") {
        return Err(AppError::bad_request(
            "invalid_query",
            Msg::new(
                "Вид публикации: news, announcement или post.",
                "The kind is news, announcement or post.",
            ),
        ));
    }
    if q.page.is_some_and(|p| p < 1) {
        return Err(AppError::bad_request(
            "invalid_query",
            Msg::new("Страницы нумеруются с 1.", "Pages are numbered from 1."),
        ));
    }
    let page = q.page();
    let base = state.config.base_url();
    let total = queries::count(&state.db, &f).await?;
    let rows = queries::list(&state.db, &f, limit, (page - 1) * limit).await?;
    let items: Vec<Value> = rows.iter().map(|p| publication_json(p, &base)).collect();
    Ok(axum::Json(json!({
        "publications": items,
        "page": page,
        "limit": limit,
        "total": total,
    }))
    .into_response())
}

/// One visible publication with its visible comments.
#[utoipa::path(
    get,
    path = "/api/v1/publications/{id}",
    tag = "publications",
    params(("id" = i64, Path, description = "The publication's number")),
    responses(
        (status = 200, description = "A publication with `comments`", body = PublicationJson),
        (status = 404, description = "No such visible publication", body = ApiErrorBody),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let p = super::pages::visible(&state.db, id, None).await?;
    let comments: Vec<Value> = queries::comments(&state.db, id)
        .await?
        .iter()
        .filter(|c| !c.hidden)
        .map(comment_json)
        .collect();
    let mut v = publication_json(&p, &state.config.base_url());
    v["comments"] = Value::Array(comments);
    Ok(axum::Json(v).into_response())
}
