//! JSON over government services and their monthly results: aggregates
//! only (a rating is never shown as a row), described in
//! `/api/openapi.json`.

#![allow(dead_code)] // the structs below exist only for their schemas

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::pages::{MonthQuery, month_rows};
use super::queries::{self, ResultRow, ServiceRow};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::api_docs::ApiErrorBody;
use crate::web::extract::{Path, Query};

#[derive(OpenApi)]
#[openapi(
    paths(list, one, results),
    components(schemas(ServiceJson, ResultJson)),
    tags((name = "services", description = "Monthly ratings of government services (docs/PARTICIPATION.md): aggregates only"))
)]
struct ServicesApi;

pub fn fragment() -> utoipa::openapi::OpenApi {
    ServicesApi::openapi()
}

fn service_json(s: &ServiceRow, base: &str) -> Value {
    json!({
        "id": s.service_id,
        "group": s.grp,
        "name": s.name_ru,
        "name_en": s.name_en,
        "organisation": { "id": s.organisation_id, "name": s.organisation_ru, "name_en": s.organisation_en },
        "municipality": s.municipality_id,
        "channel": s.channel,
        "active": s.active,
        "url": format!("{base}/participation/services/{}", s.service_id),
    })
}

fn result_json(r: &ResultRow) -> Value {
    let est = |m: Option<f64>, lo: Option<f64>, hi: Option<f64>| match (m, lo, hi) {
        (Some(m), Some(lo), Some(hi)) => json!({ "mean": m, "low": lo, "high": hi }),
        _ => Value::Null,
    };
    json!({
        "month": r.month,
        "kind": r.subject_kind,
        "id": r.subject_id,
        "group": r.grp,
        "n": r.n,
        "enough": r.overall_mean.is_some(),
        "quality": est(r.quality_mean, r.quality_low, r.quality_high),
        "convenience": est(r.convenience_mean, r.convenience_low, r.convenience_high),
        "speed": est(r.speed_mean, r.speed_low, r.speed_high),
        "overall": est(r.overall_mean, r.overall_low, r.overall_high),
        "position": r.position,
        "compared": r.compared,
    })
}

/// A service (schema only).
#[derive(ToSchema)]
struct ServiceJson {
    id: String,
    /// Services of one group are comparable and ranked together
    group: String,
    name: String,
    name_en: String,
    /// `{id, name, name_en}`
    organisation: Object,
    /// A municipality id, or null for the whole krai
    municipality: Option<String>,
    /// `mfc`, `office` or `online`
    channel: String,
    active: bool,
    url: String,
}

/// A month's result for a service or an organisation (schema only). The
/// scales are `{mean, low, high}` (95% interval), or null with fewer
/// ratings than the month's minimum.
#[derive(ToSchema)]
struct ResultJson {
    month: String,
    /// `service` or `organisation`
    kind: String,
    id: String,
    group: String,
    n: i64,
    enough: bool,
    quality: Option<Object>,
    convenience: Option<Object>,
    speed: Option<Object>,
    overall: Option<Object>,
    position: Option<i64>,
    compared: i64,
}

#[derive(ToSchema)]
struct Object {}

/// The directory of government services.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "services",
    responses((status = 200, description = "`{services: [Service]}`", body = Object))
)]
pub async fn list(State(state): State<AppState>) -> AppResult<Response> {
    let base = state.config.base_url();
    let items: Vec<Value> = queries::services(&state.db)
        .await?
        .iter()
        .map(|s| service_json(s, &base))
        .collect();
    Ok(axum::Json(json!({ "services": items })).into_response())
}

/// One service with its closed months' results.
#[utoipa::path(
    get,
    path = "/api/v1/services/{id}",
    tag = "services",
    params(("id" = String, Path, description = "The service's id")),
    responses(
        (status = 200, description = "A service with `months: [Result]`", body = ServiceJson),
        (status = 404, description = "No such service", body = ApiErrorBody),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let s = queries::service(&state.db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut v = service_json(&s, &state.config.base_url());
    v["months"] = queries::results_of_subject(&state.db, "service", &s.service_id)
        .await?
        .iter()
        .map(result_json)
        .collect::<Vec<_>>()
        .into();
    Ok(axum::Json(v).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ResultParams {
    /// `YYYY-MM`; the current month (preliminary) when absent or empty
    #[param(pattern = "^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    month: Option<String>,
}

/// A month's results: a closed month's stored ones, or the current month's
/// preliminary ones.
#[utoipa::path(
    get,
    path = "/api/v1/service-results",
    tag = "services",
    params(ResultParams),
    responses(
        (status = 200, description = "`{month, preliminary, min_n, results: [Result]}`", body = Object),
        (status = 400, description = "Invalid month", body = ApiErrorBody),
        (status = 404, description = "A month that is neither current nor closed", body = ApiErrorBody),
    )
)]
pub async fn results(
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let month = q.parse()?;
    let (rows, preliminary) = month_rows(&state, month).await?;
    let min_n = if preliminary {
        super::service::Settings::of(&state.config).min_n
    } else {
        queries::closed_months(&state.db)
            .await?
            .into_iter()
            .find(|(m, _)| *m == month)
            .map_or(0, |(_, n)| n)
    };
    Ok(axum::Json(json!({
        "month": month.to_string(),
        "preliminary": preliminary,
        "min_n": min_n,
        "results": rows.iter().map(result_json).collect::<Vec<_>>(),
    }))
    .into_response())
}
