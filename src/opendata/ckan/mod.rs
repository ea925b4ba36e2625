//! A CKAN-compatible read API under `/api/3/action/` and `/api/action/`, so a
//! real CKAN client (ckanapi, ckanext-harvest) can list, show and search
//! without knowing it is not talking to CKAN: the same envelope, the same
//! `__type` strings and statuses, GET and JSON POST, no redirects.
//!
//! Mapping: a dataset is a package (`name` = its lower-cased identifier),
//! each published data version is a resource (newest first) backed by the
//! DataStore, organisations are CKAN organisations, topics are groups,
//! keywords are tags.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json, json};

use crate::app::AppState;
use crate::config::Config;
use crate::opendata::catalogue::{Entry, Snapshot, facets};
use crate::opendata::domain::{FieldFormat, TOPICS, license};
use crate::opendata::query;
use crate::opendata::store::{self, Filter, Op, Sort};
use crate::web::limits;

/// CKAN's errors, with the exact `__type` strings clients match on.
pub enum CkanError {
    NotFound(String),
    Validation(Map<String, Json>),
    SearchQuery(String),
    Authorization(String),
    /// Not an envelope: CKAN answers these with a bare JSON string.
    BadRequest(String),
    /// Too much expensive work at once (web/limits.rs): 503 with
    /// `Retry-After`.
    Busy,
    Internal(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for CkanError {
    fn from(e: E) -> CkanError {
        CkanError::Internal(e.into())
    }
}

/// The largest body of an action call.
const MAX_ACTION_BODY: usize = 1024 * 1024;

fn validation(field: &str, message: &str) -> CkanError {
    let mut m = Map::new();
    m.insert(field.to_owned(), json!([message]));
    CkanError::Validation(m)
}

fn help(config: &Config, action: &str) -> String {
    format!("{}/api/3/action/help_show?name={action}", config.base_url())
}

/// What an action answers.
pub enum Reply {
    Value(Json),
    /// Serialised once from typed values, not through a `Value` tree
    /// (`package_search`, whose page of packages is most of the work).
    Raw(Box<RawValue>),
}

/// The envelope of a successful call.
#[derive(Serialize)]
struct Success<T> {
    help: String,
    success: bool,
    result: T,
}

fn envelope(state: &AppState, action: &str, result: Result<Reply, CkanError>) -> Response {
    let (status, body) = match result {
        Ok(reply) => {
            let help = help(&state.config, action);
            let r = match reply {
                Reply::Value(result) => axum::Json(Success {
                    help,
                    success: true,
                    result,
                })
                .into_response(),
                Reply::Raw(result) => axum::Json(Success {
                    help,
                    success: true,
                    result,
                })
                .into_response(),
            };
            return open_to_all(r);
        }
        Err(CkanError::BadRequest(msg)) => {
            return (StatusCode::BAD_REQUEST, axum::Json(Json::String(msg))).into_response();
        }
        Err(CkanError::Busy) => {
            let mut r = (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    json!({"help": help(&state.config, action), "success": false, "error": {
                        "__type": "Service Unavailable",
                        "message": "The server is busy with other heavy queries; try again shortly"
                    }}),
                ),
            )
                .into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            return r;
        }
        Err(e) => {
            let (status, error) = match e {
                CkanError::NotFound(m) => (
                    StatusCode::NOT_FOUND,
                    json!({"__type": "Not Found Error", "message": format!("Not found: {m}")}),
                ),
                CkanError::Validation(mut m) => {
                    m.insert("__type".into(), json!("Validation Error"));
                    (StatusCode::CONFLICT, Json::Object(m))
                }
                CkanError::SearchQuery(m) => (
                    StatusCode::BAD_REQUEST,
                    json!({"__type": "Search Query Error", "message": format!("Search Query is invalid: {m}")}),
                ),
                CkanError::Authorization(m) => (
                    StatusCode::FORBIDDEN,
                    json!({"__type": "Authorization Error", "message": format!("Access denied: {m}")}),
                ),
                CkanError::Internal(err) => {
                    tracing::error!(error = %format!("{err:#}"), action, "CKAN action failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json!({"__type": "Internal Server Error", "message": "Internal Server Error"}),
                    )
                }
                CkanError::BadRequest(_) | CkanError::Busy => unreachable!("handled above"),
            };
            (
                status,
                json!({"help": help(&state.config, action), "success": false, "error": error}),
            )
        }
    };
    open_to_all((status, axum::Json(body)).into_response())
}

/// Any site's scripts may read the API's answers (CKAN's own CORS).
fn open_to_all(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    r
}

/// The parameters of a call, from the query string or the JSON / form body.
pub struct Params(Map<String, Json>);

impl Params {
    fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        let mut m: Map<String, Json> = Map::new();
        for (k, v) in pairs {
            match m.get_mut(&k) {
                Some(Json::Array(a)) => a.push(Json::String(v)),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Json::Array(vec![first, Json::String(v)]);
                }
                None => {
                    m.insert(k, Json::String(v));
                }
            }
        }
        Params(m)
    }

    fn str(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Json::String(s) => Some(s.clone()),
            Json::Null => None,
            Json::Array(a) => a.first().map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            }),
            other => Some(other.to_string()),
        }
    }

    fn int(&self, key: &str, default: i64) -> Result<i64, CkanError> {
        match self.0.get(key) {
            None | Some(Json::Null) => Ok(default),
            Some(Json::Number(n)) => n.as_i64().ok_or_else(|| validation(key, "Invalid integer")),
            Some(Json::String(s)) if s.trim().is_empty() => Ok(default),
            Some(Json::String(s)) => s
                .trim()
                .parse()
                .map_err(|_| validation(key, "Invalid integer")),
            _ => Err(validation(key, "Invalid integer")),
        }
    }

    fn bool(&self, key: &str, default: bool) -> Result<bool, CkanError> {
        match self.0.get(key) {
            None | Some(Json::Null) => Ok(default),
            Some(Json::Bool(b)) => Ok(*b),
            Some(Json::String(s)) => match s.to_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" | "" => Ok(false),
                _ => Err(validation(key, "Invalid boolean")),
            },
            Some(Json::Number(n)) => Ok(n.as_i64() != Some(0)),
            _ => Err(validation(key, "Invalid boolean")),
        }
    }

    /// A list given as a JSON list, a JSON string holding a list, repeated
    /// keys, or a comma-separated string.
    fn list(&self, key: &str) -> Result<Vec<String>, CkanError> {
        let items = self.list_unchecked(key)?;
        if items.len() > limits::MAX_IN_VALUES {
            return Err(validation(
                key,
                &format!("At most {} items", limits::MAX_IN_VALUES),
            ));
        }
        Ok(items)
    }

    fn list_unchecked(&self, key: &str) -> Result<Vec<String>, CkanError> {
        let to_strings = |a: &Vec<Json>| {
            a.iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect()
        };
        match self.0.get(key) {
            None | Some(Json::Null) => Ok(Vec::new()),
            Some(Json::Array(a)) => {
                // Repeated GET keys, or a JSON list.
                if a.len() == 1
                    && let Some(s) = a[0].as_str()
                    && s.trim_start().starts_with('[')
                {
                    return self.parse_list_string(key, s);
                }
                Ok(to_strings(a))
            }
            Some(Json::String(s)) if s.trim_start().starts_with('[') => {
                self.parse_list_string(key, s)
            }
            Some(Json::String(s)) => Ok(s
                .split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()),
            _ => Err(validation(key, "Not a list")),
        }
    }

    fn parse_list_string(&self, key: &str, s: &str) -> Result<Vec<String>, CkanError> {
        let v: Vec<Json> =
            serde_json::from_str(s).map_err(|_| validation(key, "Not a valid JSON list"))?;
        Ok(v.iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect())
    }

    /// An object given as JSON or as a JSON string.
    fn object(&self, key: &str) -> Result<Option<Map<String, Json>>, CkanError> {
        match self.0.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Object(o)) => Ok(Some(o.clone())),
            Some(Json::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Json::String(s)) => match serde_json::from_str::<Json>(s) {
                Ok(Json::Object(o)) => Ok(Some(o)),
                _ => Err(validation(key, "Not a JSON Object")),
            },
            _ => Err(validation(key, "Not a JSON Object")),
        }
    }
}

/// `GET|POST /api/3/action/{action}` and `/api/action/{action}`.
pub async fn action(
    State(state): State<AppState>,
    Path(action): Path<String>,
    request: Request,
) -> Response {
    let params = match read_params(request).await {
        Ok(p) => p,
        Err(e) => return envelope(&state, &action, Err(e)),
    };
    let result = dispatch(&state, &action, &params).await;
    envelope(&state, &action, result)
}

async fn read_params(request: Request) -> Result<Params, CkanError> {
    let query = crate::web::extract::query_pairs(request.uri());
    if request.method() != Method::POST {
        return Ok(Params::from_pairs(query));
    }
    let content_type = crate::web::extract::content_type(request.headers());
    // Action parameters are small; a megabyte is thousands of filters.
    let bytes = axum::body::to_bytes(request.into_body(), MAX_ACTION_BODY)
        .await
        .map_err(|_| {
            CkanError::BadRequest("Bad request: the body is too large or unreadable".into())
        })?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Params::from_pairs(query));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(&bytes).into_owned().collect();
        // CKAN's legacy quirk: one key with an empty value is a JSON body.
        if pairs.len() == 1
            && (pairs[0].1.is_empty() || pairs[0].1 == "1")
            && let Ok(Json::Object(m)) = serde_json::from_str::<Json>(&pairs[0].0)
        {
            return Ok(Params(m));
        }
        return Ok(Params::from_pairs(pairs));
    }
    match serde_json::from_slice::<Json>(&bytes) {
        Ok(Json::Object(m)) => Ok(Params(m)),
        Ok(_) => Err(CkanError::BadRequest(
            "Bad request - JSON Error: Request data JSON decoded to a non-dict".into(),
        )),
        Err(e) => Err(CkanError::BadRequest(format!(
            "Bad request - JSON Error: Could not parse request data as JSON: {e}"
        ))),
    }
}

async fn dispatch(state: &AppState, action: &str, p: &Params) -> Result<Reply, CkanError> {
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    let value = match action {
        "status_show" => Ok(json!({
            "site_title": "Вече — открытые данные Краснодарского края",
            "site_description": "Портал открытых данных органов власти Краснодарского края",
            "site_url": state.config.base_url(),
            "error_emails_to": null,
            "locale_default": "ru",
            "extensions": ["datastore", "dcat"],
            "ckan_version": "2.10.4",
        })),
        "package_list" => {
            let mut names: Vec<&str> = snapshot.entries.iter().map(|e| e.dataset.identifier_norm.as_str()).collect();
            names.sort_unstable();
            Ok(json!(page(&names, p)?))
        }
        "current_package_list_with_resources" => {
            let mut entries: Vec<&Arc<Entry>> = snapshot.entries.iter().collect();
            entries.sort_by_key(|e| std::cmp::Reverse(e.dataset.updated_at));
            let base = state.config.base_url();
            Ok(json!(page(&entries, p)?.iter().map(|e| package(&base, e)).collect::<Vec<_>>()))
        }
        "package_show" => {
            let id = p.str("id").or_else(|| p.str("name")).ok_or_else(|| validation("id", "Missing value"))?;
            let e = snapshot.get(&id).ok_or_else(|| CkanError::NotFound("Dataset not found".into()))?;
            Ok(json!(package(&state.config.base_url(), e)))
        }
        "package_search" => return package_search(state, &snapshot, p).await.map(Reply::Raw),
        "resource_show" => {
            let id = p.str("id").ok_or_else(|| validation("id", "Missing value"))?;
            let (e, v) = snapshot.by_resource(&id).ok_or_else(|| CkanError::NotFound("Resource was not found.".into()))?;
            let pos = e.versions.iter().position(|x| x.uuid == v.uuid).unwrap_or(0);
            Ok(json!(resource(&state.config.base_url(), e, v, pos)))
        }
        "organization_list" => organization_list(state, &snapshot, p).await,
        "organization_show" => {
            let id = p.str("id").ok_or_else(|| validation("id", "Missing value"))?;
            let org = crate::directory::queries::by_id(&state.db, &id)
                .await?
                .ok_or_else(|| CkanError::NotFound("Organization was not found.".into()))?;
            let mut o = organization(&org, count_for(&snapshot, &org.organisation_id));
            if p.bool("include_datasets", false)? {
                let base = state.config.base_url();
                let packages: Vec<Package<'_>> = snapshot
                    .entries
                    .iter()
                    .filter(|e| e.dataset.organisation_id == org.organisation_id)
                    .take(10)
                    .map(|e| package(&base, e))
                    .collect();
                o["packages"] = json!(packages);
            }
            Ok(o)
        }
        "group_list" => {
            let all = p.bool("all_fields", false)?;
            Ok(json!(TOPICS
                .iter()
                .map(|(id, ru, _)| if all { json!({"id": id, "name": id, "title": ru, "display_name": ru, "type": "group", "is_organization": false, "state": "active", "package_count": snapshot.entries.iter().filter(|e| e.dataset.topic == *id).count()}) } else { json!(id) })
                .collect::<Vec<_>>()))
        }
        "tag_list" => {
            let q = p.str("query").map(|s| s.to_lowercase());
            let mut tags: Vec<String> = snapshot.entries.iter().flat_map(|e| e.keywords.clone()).collect();
            tags.sort();
            tags.dedup();
            if let Some(q) = q {
                tags.retain(|t| t.to_lowercase().contains(&q));
            }
            if p.bool("all_fields", false)? {
                Ok(json!(tags.iter().map(|t| json!({"id": t, "name": t, "display_name": t, "vocabulary_id": null})).collect::<Vec<_>>()))
            } else {
                Ok(json!(tags))
            }
        }
        "license_list" => Ok(json!(crate::opendata::domain::LICENSES
            .iter()
            .map(|(id, title, url)| json!({"id": id, "title": title, "url": url, "status": "active", "od_conformance": "approved", "osd_conformance": "not reviewed"}))
            .collect::<Vec<_>>())),
        "datastore_search" => datastore_search(state, &snapshot, p).await,
        "help_show" => Ok(json!(format!("See {}/api/docs/ and the CKAN Action API documentation.", state.config.base_url()))),
        other => Err(CkanError::BadRequest(format!("Bad request - Action name not known: {other}"))),
    };
    value.map(Reply::Value)
}

fn page<'a, T>(items: &'a [T], p: &Params) -> Result<&'a [T], CkanError> {
    let limit = p.int("limit", i64::MAX)?;
    let offset = p.int("offset", 0)?;
    if limit < 0 {
        return Err(validation("limit", "Must be a natural number"));
    }
    if offset < 0 {
        return Err(validation("offset", "Must be a natural number"));
    }
    let start = (offset as usize).min(items.len());
    let end = start
        .saturating_add(limit.min(items.len() as i64) as usize)
        .min(items.len());
    Ok(&items[start..end])
}

fn count_for(snapshot: &Snapshot, org: &str) -> usize {
    snapshot
        .entries
        .iter()
        .filter(|e| e.dataset.organisation_id == org)
        .count()
}

/// `2024-06-01T12:30:00.000000`: CKAN's naive UTC timestamps.
fn ckan_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

fn organization(o: &crate::directory::queries::OrgRow, count: usize) -> Json {
    json!({
        "id": o.organisation_id,
        "name": o.organisation_id,
        "title": o.name_ru,
        "display_name": o.name_ru,
        "description": o.name_en,
        "type": "organization",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(o.updated_at),
        "is_organization": true,
        "approval_status": "approved",
        "state": "active",
        "package_count": count,
    })
}

mod package;
mod search;
pub use package::{Package, Resource, package, resource};
use search::*;
