//! JSON over albums: the shown ones only, with their shown photos (caption,
//! place, date taken, the two sizes). No person is named: an official
//! album names its organisation, acting in its role. Described in
//! `/api/openapi.json`.

#![allow(dead_code)] // the structs below exist only for their schemas

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::domain;
use super::queries::{self, AlbumRow, PhotoRow};
use crate::app::AppState;
use crate::error::{AppError, AppResult, Msg};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::{Path, Query};

/// The most albums one answer holds.
pub const LIMIT_MAX: i64 = 100;

#[derive(OpenApi)]
#[openapi(
    paths(list, one),
    components(schemas(AlbumJson, PhotoJson)),
    tags((name = "galleries", description = "Albums of photos with captions, places and dates (docs/PARTICIPATION.md)"))
)]
struct GalleriesApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    GalleriesApi::openapi()
}

/// An album (schema only).
#[derive(ToSchema)]
struct AlbumJson {
    id: i64,
    title: String,
    description: String,
    /// A municipality id, or null
    municipality: Option<String>,
    /// The organisation an official album is kept for, or null
    organisation: Option<String>,
    photo_count: i64,
    /// The first photo's thumbnail URL, or null
    cover: Option<String>,
    created_at: String,
    url: String,
    /// In `GET /api/v1/albums/{id}` only
    photos: Option<Vec<PhotoJson>>,
}

/// A photo of an album (schema only).
#[derive(ToSchema)]
struct PhotoJson {
    id: i64,
    caption: String,
    /// Degrees, or null when no place was given
    lat: Option<f64>,
    lon: Option<f64>,
    /// `YYYY-MM-DD`, or null
    taken_on: Option<String>,
    width: i64,
    height: i64,
    thumb: String,
    full: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Page number, from 1
    #[serde(default)]
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Albums per page, 1 to 100 (default 20)
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// Only albums of this municipality (its id)
    #[serde(default)]
    municipality: Option<String>,
}

fn album_json(a: &AlbumRow, base: &str) -> Value {
    json!({
        "id": a.album_id,
        "title": a.title,
        "description": a.description,
        "municipality": a.municipality_id,
        "organisation": a.organisation_id,
        "photo_count": a.photo_count,
        "cover": a.cover_key.as_deref().map(|k| format!("{base}{}", crate::media::url(k, "thumb"))),
        "created_at": a.created_at.format(&Rfc3339).ok(),
        "url": format!("{base}{}", super::service::album_path(a.album_id)),
    })
}

fn photo_json(p: &PhotoRow, base: &str) -> Value {
    json!({
        "id": p.photo_id,
        "caption": p.caption,
        "lat": p.lat,
        "lon": p.lon,
        "taken_on": p.taken_on,
        "width": p.width,
        "height": p.height,
        "thumb": format!("{base}{}", crate::media::url(&p.media_key, "thumb")),
        "full": format!("{base}{}", crate::media::url(&p.media_key, "full")),
    })
}

/// Shown albums, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/albums",
    tag = "galleries",
    params(ListParams),
    responses(
        (status = 200, description = "`{albums: [Album], page, pages, total}`", body = Object),
        (status = 400, description = "A page or a limit that is not a number", body = ApiErrorBody),
        (status = 422, description = "A limit out of range", body = ApiErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListParams>,
) -> AppResult<Response> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=LIMIT_MAX).contains(&limit) {
        return Err(AppError::invalid(
            format!("limit — от 1 до {LIMIT_MAX}."),
            format!("limit is from 1 to {LIMIT_MAX}."),
        ));
    }
    if q.page.is_some_and(|p| p < 1) {
        return Err(AppError::bad_request(
            "invalid_query",
            Msg::new("Страницы нумеруются с 1.", "Pages are numbered from 1."),
        ));
    }
    // A filter by a municipality that is not one finds nothing, as a
    // filter does (the page's form, not a client, gets the 422 with the
    // list to choose from).
    let wanted = q.municipality.as_deref().unwrap_or("").trim();
    let municipality = match domain::municipality(wanted) {
        Ok(m) => m.unwrap_or_default(),
        Err(_) => {
            return Ok(
                axum::Json(json!({"albums": [], "page": 1, "pages": 1, "total": 0}))
                    .into_response(),
            );
        }
    };
    let total = queries::count_public(&state.db, &municipality).await?;
    let pages = ((total + limit - 1) / limit).max(1);
    let page = q.page.unwrap_or(1);
    let albums = queries::public_albums(
        &state.db,
        &municipality,
        limit,
        (page - 1).saturating_mul(limit),
    )
    .await?;
    let base = state.config.base_url();
    Ok(axum::Json(json!({
        "albums": albums.iter().map(|a| album_json(a, &base)).collect::<Vec<_>>(),
        "page": page,
        "pages": pages,
        "total": total,
    }))
    .into_response())
}

#[derive(ToSchema)]
struct Object {}

/// One shown album with its shown photos, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/albums/{id}",
    tag = "galleries",
    params(("id" = i64, Path, description = "The album's number")),
    responses(
        (status = 200, description = "An album with `photos`", body = AlbumJson),
        (status = 404, description = "No such shown album", body = ApiErrorBody),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let a = queries::album(&state.db, id)
        .await?
        .filter(|a| domain::may_see_album(None, &a.access()))
        .ok_or_else(AppError::not_found)?;
    let access = a.access();
    let base = state.config.base_url();
    let photos: Vec<Value> = queries::photos(&state.db, id)
        .await?
        .iter()
        .filter(|p| domain::may_see_photo(None, &access, p.hidden))
        .map(|p| photo_json(p, &base))
        .collect();
    let mut v = album_json(&a, &base);
    v["photos"] = Value::Array(photos);
    Ok(axum::Json(v).into_response())
}
