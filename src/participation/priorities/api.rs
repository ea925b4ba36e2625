//! JSON over priorities and their ranks: public data only (supporters are
//! counts, never people), described in `/api/openapi.json`.

#![allow(dead_code)] // the structs below exist only for their schemas

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::domain::{self, Quarter, Ranked, State as PState, Topic};
use super::pages::RankQuery;
use super::queries::{self, PriorityRow};
use super::service::{self, current_quarter};
use super::{REGION, population};
use crate::app::AppState;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::{Path, Query};
use crate::web::i18n::Locale;

#[derive(OpenApi)]
#[openapi(
    paths(list, one, ranks),
    components(schemas(PriorityJson, RankJson)),
    tags((name = "participation", description = "Priority ranks (docs/PARTICIPATION.md): public data only"))
)]
struct ParticipationApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    ParticipationApi::openapi()
}

/// The formula, as published with every ranking.
pub const FORMULA: &str = "municipal: v_im / P_m; regional: sum over m of (N_m / N) * (v_im / P_m); \
    v and P count verified residents fully and declared residents by declared_weight; ties: \
    the lower bound of the 95% Wilson interval of the verified share, then the number of supporters";

fn priority_json(p: &PriorityRow, base: &str) -> Value {
    json!({
        "id": p.priority_id,
        "title": p.title,
        "description": p.description,
        "scope": p.municipality_id.as_deref().unwrap_or(REGION),
        "topic": p.topic,
        "topic_name": Topic::parse(&p.topic).map(|t| t.label(Locale::Ru)),
        "organisation": { "id": p.organisation_id, "name": p.organisation_ru, "name_en": p.organisation_en },
        "state": p.state,
        "published_at": p.published_at.and_then(|t| t.format(&Rfc3339).ok()),
        "url": format!("{base}/participation/priorities/{}", p.priority_id),
    })
}

/// A priority (schema only).
#[derive(ToSchema)]
struct PriorityJson {
    id: i64,
    title: String,
    description: String,
    /// `region` or a municipality id
    scope: String,
    topic: String,
    topic_name: Option<String>,
    /// `{id, name, name_en}`
    organisation: Object,
    /// `published` or `frozen`
    state: String,
    published_at: Option<String>,
    url: String,
}

#[derive(ToSchema)]
struct Object {}

/// A string that is one of `values`.
fn one_of(values: Vec<String>) -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .build()
}

/// A scope: empty, `region`, or one of the 44 municipality ids.
fn scope_schema() -> utoipa::openapi::Object {
    let mut values = vec![String::new(), REGION.to_owned()];
    values.extend(crate::geo::geography().all().iter().map(|m| m.id.clone()));
    one_of(values)
}

/// A topic code, or empty.
fn topic_schema() -> utoipa::openapi::Object {
    let mut values = vec![String::new()];
    values.extend(Topic::ALL.iter().map(|t| t.as_str().to_owned()));
    one_of(values)
}

/// A line of a ranking (schema only).
#[derive(ToSchema)]
struct RankJson {
    position: i64,
    /// `▲3`, `▼1`, `=` or `new`, against the previous quarter's snapshot
    change: String,
    priority_id: i64,
    title: String,
    score: f64,
    /// `{verified, declared}`
    supporters: Object,
    /// `{verified, declared}`
    participants: Object,
    wilson_lower: f64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `region`, a municipality id, or empty for all
    #[serde(default)]
    #[param(schema_with = scope_schema)]
    scope: String,
    /// A topic code, or empty for all
    #[serde(default)]
    #[param(schema_with = topic_schema)]
    topic: String,
}

/// Published (and frozen) priorities, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/priorities",
    tag = "participation",
    params(ListParams),
    responses(
        (status = 200, description = "`{priorities: [Priority]}`", body = Object),
        (status = 400, description = "Invalid parameter", body = ApiErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListParams>,
) -> AppResult<Response> {
    if !q.topic.is_empty() && Topic::parse(&q.topic).is_none() {
        return Err(AppError::bad_request(
            "invalid_topic",
            Msg::new("Неизвестная тема.", "Unknown topic."),
        ));
    }
    if !q.scope.is_empty() && q.scope != REGION && crate::geo::geography().by_id(&q.scope).is_none()
    {
        return Err(AppError::bad_request(
            "invalid_scope",
            Msg::new(
                "Охват — region или идентификатор муниципалитета.",
                "The scope is region or a municipality id.",
            ),
        ));
    }
    let base = state.config.base_url();
    let all = queries::by_states(&state.db, &[PState::Published, PState::Frozen]).await?;
    let items: Vec<Value> = all
        .iter()
        .filter(|p| q.topic.is_empty() || p.topic == q.topic)
        .filter(|p| q.scope.is_empty() || p.municipality_id.as_deref().unwrap_or(REGION) == q.scope)
        .map(|p| priority_json(p, &base))
        .collect();
    Ok(axum::Json(json!({ "priorities": items })).into_response())
}

async fn public(db: &Db, id: i64) -> AppResult<PriorityRow> {
    queries::priority(db, id)
        .await?
        .filter(|p| p.state().is_public())
        .ok_or_else(AppError::not_found)
}

/// One priority with its supporters this quarter per municipality and its
/// positions in closed quarters.
#[utoipa::path(
    get,
    path = "/api/v1/priorities/{id}",
    tag = "participation",
    params(("id" = i64, Path, description = "The priority's number")),
    responses(
        (status = 200, description = "A priority with `supporters` and `history`", body = PriorityJson),
        (status = 404, description = "No such public priority", body = ApiErrorBody),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let p = public(&state.db, id).await?;
    let quarter = current_quarter();
    let supporters = queries::supporters_by_municipality(&state.db, id, quarter).await?;
    let history = queries::history(&state.db, id).await?;
    let mut v = priority_json(&p, &state.config.base_url());
    v["quarter"] = json!(quarter.to_string());
    v["supporters"] = supporters
        .iter()
        .map(|(m, c)| {
            (
                m.clone(),
                json!({ "verified": c.verified, "declared": c.declared }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    v["history"] = history
        .iter()
        .map(|h| json!({ "quarter": h.quarter, "scope": h.scope, "position": h.position, "score": h.score }))
        .collect::<Vec<_>>()
        .into();
    Ok(axum::Json(v).into_response())
}

fn rank_json(r: &Ranked, before: Option<i64>, title: &str) -> Value {
    json!({
        "position": r.position,
        "change": domain::change(r.position, before, Locale::En),
        "priority_id": r.priority_id,
        "title": title,
        "score": r.score,
        "supporters": { "verified": r.supporters.verified, "declared": r.supporters.declared },
        "participants": { "verified": r.participants.verified, "declared": r.participants.declared },
        "wilson_lower": r.wilson_lower,
    })
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct RankParams {
    /// `2026Q4`; the current quarter (preliminary) when absent or empty
    #[param(pattern = "^(2[0-9]{3}[Qq][1-4])?$")]
    quarter: Option<String>,
    /// `region` (default, also when empty) or a municipality id
    #[param(schema_with = scope_schema)]
    scope: Option<String>,
}

/// A ranking: a closed quarter's snapshot or the current quarter's
/// preliminary ranks, with the formula and the population it used.
#[utoipa::path(
    get,
    path = "/api/v1/priority-ranks",
    tag = "participation",
    params(RankParams),
    responses(
        (status = 200, description = "`{quarter, preliminary, scope, declared_weight, population, formula, ranks: [Rank]}`", body = Object),
        (status = 400, description = "Invalid quarter", body = ApiErrorBody),
        (status = 404, description = "No such scope, or a past quarter without a snapshot", body = ApiErrorBody),
    )
)]
pub async fn ranks(
    State(state): State<AppState>,
    Query(q): Query<RankQuery>,
) -> AppResult<Response> {
    let (quarter, scope): (Quarter, String) = q.parse()?;
    let r = service::ranks(&state, quarter, Some(&scope))
        .await?
        .ok_or_else(AppError::not_found)?;
    let before: BTreeMap<i64, i64> = queries::snapshot_ranks(&state.db, quarter.previous(), &scope)
        .await?
        .into_iter()
        .map(|r| (r.priority_id, r.position))
        .collect();
    let titles: BTreeMap<i64, String> =
        queries::by_states(&state.db, &[PState::Published, PState::Frozen])
            .await?
            .into_iter()
            .map(|p| (p.priority_id, p.title))
            .collect();
    let lines: Vec<Value> = r
        .scope(&scope)
        .iter()
        .map(|x| {
            let title = titles.get(&x.priority_id).map(String::as_str).unwrap_or("");
            rank_json(x, before.get(&x.priority_id).copied(), title)
        })
        .collect();
    Ok(axum::Json(json!({
        "quarter": quarter.to_string(),
        "preliminary": r.preliminary,
        "scope": scope,
        "declared_weight": r.declared_weight,
        "population": {
            "source": r.population_source,
            "year": r.population_year,
            "total": population::population().values().sum::<u64>(),
        },
        "formula": FORMULA,
        "ranks": lines,
    }))
    .into_response())
}
