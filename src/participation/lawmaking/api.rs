//! JSON over initiatives: public ones only (past moderation), their stages
//! with dates and deadlines, the expertise and the decision; a citizen
//! initiator never named (an organisation initiator is, acting in its
//! role). Described in `/api/openapi.json`.

#![allow(dead_code)] // the structs below exist only for their schemas

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{OpenApi, ToSchema};

use super::queries::{self, ConclusionRow, InitiativeRow};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::Path;

#[derive(OpenApi)]
#[openapi(
    paths(list, one),
    components(schemas(InitiativeJson)),
    tags((name = "lawmaking", description = "Citizens' law-making initiatives in five stages (docs/PARTICIPATION.md)"))
)]
struct LawmakingApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    LawmakingApi::openapi()
}

/// An initiative (schema only).
#[derive(ToSchema)]
struct InitiativeJson {
    id: i64,
    title: String,
    problem: String,
    idea: String,
    /// `region` or `municipality`
    level: String,
    municipality: Option<String>,
    /// `citizen`, `group` or `organisation`
    initiator_kind: String,
    /// The organisation that proposed it, for an organisation's initiative
    initiator_organisation: Option<String>,
    organisation: String,
    /// `concept`, `discussion`, `text`, `expertise`, `reaction` or `closed`
    stage: String,
    /// `not_enough_support`, `adopted`, `sent_to_assembly`, `rejected`, or null while it runs
    outcome: Option<String>,
    supports: i64,
    supports_needed: i64,
    stage_started_at: String,
    stage_ends_at: Option<String>,
    /// The deadline of the official act the stage owes, if any
    act_due_at: Option<String>,
    overdue: bool,
    /// `{kind, verdict, summary, at}`
    conclusions: Vec<Object>,
    /// `{number, date, link, reasons}` or null
    decision: Option<Object>,
    url: String,
}

#[derive(ToSchema)]
struct Object {}

fn time(t: Option<OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&Rfc3339).ok())
}

fn initiative_json(
    i: &InitiativeRow,
    conclusions: &[ConclusionRow],
    base: &str,
    at: OffsetDateTime,
) -> Value {
    let decided = i
        .outcome()
        .is_some_and(|o| super::domain::Outcome::DECISIONS.contains(&o));
    json!({
        "id": i.initiative_id,
        "title": i.title,
        "problem": i.problem,
        "idea": i.idea,
        "level": i.level,
        "municipality": i.municipality_id,
        "initiator_kind": i.initiator_kind,
        "initiator_organisation": i.initiator_organisation_id,
        "organisation": i.organisation_id,
        "stage": i.stage,
        "outcome": i.outcome,
        "supports": i.support_count,
        "supports_needed": i.supports_needed,
        "stage_started_at": time(Some(i.stage_started_at)),
        "stage_ends_at": time(i.stage_ends_at),
        "act_due_at": time(i.act_due_at),
        "overdue": i.overdue(at),
        "conclusions": conclusions.iter().filter(|c| c.initiative_id == i.initiative_id).map(|c| json!({
            "kind": c.kind, "verdict": c.verdict, "summary": c.summary, "at": time(Some(c.created_at)),
        })).collect::<Vec<_>>(),
        "decision": decided.then(|| json!({
            "number": i.decision_number,
            "date": i.decision_date,
            "link": i.decision_link,
            "reasons": i.decision_reasons,
        })),
        "url": format!("{base}/participation/lawmaking/{}", i.initiative_id),
    })
}

/// Public initiatives, newest first (at most 1,000).
#[utoipa::path(
    get,
    path = "/api/v1/initiatives",
    tag = "lawmaking",
    responses((status = 200, description = "`{initiatives: [Initiative]}`", body = Object))
)]
pub async fn list(State(state): State<AppState>) -> AppResult<Response> {
    let base = state.config.base_url();
    let at = crate::db::now();
    let conclusions = queries::all_conclusions(&state.db).await?;
    let items: Vec<Value> = queries::public(&state.db)
        .await?
        .iter()
        .map(|i| initiative_json(i, &conclusions, &base, at))
        .collect();
    Ok(axum::Json(json!({ "initiatives": items })).into_response())
}

/// One public initiative.
#[utoipa::path(
    get,
    path = "/api/v1/initiatives/{id}",
    tag = "lawmaking",
    params(("id" = i64, Path, description = "The initiative's number")),
    responses(
        (status = 200, description = "An initiative", body = InitiativeJson),
        (status = 404, description = "No such public initiative", body = ApiErrorBody),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let i = queries::initiative(&state.db, id)
        .await?
        .filter(|i| super::service::visible(i, &super::domain::Viewer::default()))
        .ok_or_else(AppError::not_found)?;
    let conclusions = queries::conclusions(&state.db, id).await?;
    Ok(axum::Json(initiative_json(
        &i,
        &conclusions,
        &state.config.base_url(),
        crate::db::now(),
    ))
    .into_response())
}
