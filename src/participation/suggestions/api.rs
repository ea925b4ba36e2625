//! JSON over suggestions: public ones only, their author never named,
//! described in `/api/openapi.json`.

#![allow(dead_code)] // the structs below exist only for their schemas

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use utoipa::{OpenApi, ToSchema};

use super::queries::{self, SuggestionRow};
use crate::app::AppState;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::Path;
use crate::workflow::queries::{AppealFilter, AppealRow, AppealSort};
use crate::workflow::{self};

#[derive(OpenApi)]
#[openapi(
    paths(list, one),
    components(schemas(SuggestionJson)),
    tags((name = "suggestions", description = "Citizens' suggestions and the official answers (docs/PARTICIPATION.md)"))
)]
struct SuggestionsApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    SuggestionsApi::openapi()
}

/// A suggestion (schema only).
#[derive(ToSchema)]
struct SuggestionJson {
    id: i64,
    title: String,
    description: String,
    topic: String,
    municipality: String,
    /// `{kind: problem|priority, id}` or null
    target: Option<Object>,
    /// The workflow's state: `published`, `in_progress` (under study),
    /// `planned` (accepted), `resolved` (done), `closed` (declined)
    state: String,
    supporters: i64,
    /// `{text, planned_date, close_reason, at}` or null
    answer: Option<Object>,
    due_at: Option<String>,
    url: String,
}

#[derive(ToSchema)]
struct Object {}

fn suggestion_json(a: &AppealRow, s: &SuggestionRow, base: &str) -> Value {
    json!({
        "id": a.appeal_id,
        "title": s.title,
        "description": a.description,
        "topic": a.category_id,
        "municipality": a.municipality_id,
        "target": s.target_kind.as_ref().map(|k| json!({ "kind": k, "id": s.target_id })),
        "state": a.state,
        "supporters": a.support_count,
        "answer": a.reaction_text.as_ref().map(|text| json!({
            "text": text,
            "planned_date": a.planned_date,
            "close_reason": a.close_reason,
            "at": a.reacted_at.and_then(|t| t.format(&Rfc3339).ok()),
        })),
        "due_at": a.due_at.and_then(|t| t.format(&Rfc3339).ok()),
        "url": format!("{base}{}", super::SUGGESTION.path(a.appeal_id)),
    })
}

/// Public suggestions, newest first (at most 500).
#[utoipa::path(
    get,
    path = "/api/v1/suggestions",
    tag = "suggestions",
    responses((status = 200, description = "`{suggestions: [Suggestion]}`", body = Object))
)]
pub async fn list(State(state): State<AppState>) -> AppResult<Response> {
    let base = state.config.base_url();
    let appeals = workflow::queries::list_appeals(
        &state.db,
        &AppealFilter {
            kind: super::SUGGESTION.as_str().to_owned(),
            public_only: true,
            sort: AppealSort::Newest,
            limit: 500,
            ..AppealFilter::default()
        },
    )
    .await?;
    let all: std::collections::BTreeMap<i64, SuggestionRow> = queries::all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.appeal_id, s))
        .collect();
    let items: Vec<Value> = appeals
        .iter()
        .filter_map(|a| Some(suggestion_json(a, all.get(&a.appeal_id)?, &base)))
        .collect();
    Ok(axum::Json(json!({ "suggestions": items })).into_response())
}

async fn public(db: &Db, id: i64) -> AppResult<(AppealRow, SuggestionRow)> {
    let a = workflow::queries::appeal(db, id)
        .await?
        .filter(|a| a.kind == super::SUGGESTION.as_str() && a.state().is_public())
        .ok_or_else(AppError::not_found)?;
    let s = queries::suggestion(db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((a, s))
}

/// One public suggestion with its official answer.
#[utoipa::path(
    get,
    path = "/api/v1/suggestions/{id}",
    tag = "suggestions",
    params(("id" = i64, Path, description = "The suggestion's number")),
    responses(
        (status = 200, description = "A suggestion", body = SuggestionJson),
        (status = 404, description = "No such public suggestion", body = ApiErrorBody),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (a, s) = public(&state.db, id).await?;
    Ok(axum::Json(suggestion_json(&a, &s, &state.config.base_url())).into_response())
}
