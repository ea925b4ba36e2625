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
use serde_json::{Map, Value as Json, json};

use crate::app::AppState;
use crate::opendata::catalogue::{Entry, Snapshot, facets};
use crate::opendata::domain::{Ext, FieldFormat, TOPICS, license};
use crate::opendata::queries::VersionRow;
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

fn help(state: &AppState, action: &str) -> String {
    format!(
        "{}/api/3/action/help_show?name={action}",
        state.config.base_url()
    )
}

fn envelope(state: &AppState, action: &str, result: Result<Json, CkanError>) -> Response {
    let (status, body) = match result {
        Ok(result) => (
            StatusCode::OK,
            json!({"help": help(state, action), "success": true, "result": result}),
        ),
        Err(CkanError::BadRequest(msg)) => {
            return (StatusCode::BAD_REQUEST, axum::Json(Json::String(msg))).into_response();
        }
        Err(CkanError::Busy) => {
            let mut r = (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    json!({"help": help(state, action), "success": false, "error": {
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
                json!({"help": help(state, action), "success": false, "error": error}),
            )
        }
    };
    let mut r = (status, axum::Json(body)).into_response();
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
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if request.method() != Method::POST {
        return Ok(Params::from_pairs(query));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
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

async fn dispatch(state: &AppState, action: &str, p: &Params) -> Result<Json, CkanError> {
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    match action {
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
            Ok(package(&state.config.base_url(), e))
        }
        "package_search" => package_search(state, &snapshot, p).await,
        "resource_show" => {
            let id = p.str("id").ok_or_else(|| validation("id", "Missing value"))?;
            let (e, v) = snapshot.by_resource(&id).ok_or_else(|| CkanError::NotFound("Resource was not found.".into()))?;
            let pos = e.versions.iter().position(|x| x.uuid == v.uuid).unwrap_or(0);
            Ok(resource(&state.config.base_url(), e, v, pos))
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
                let packages: Vec<Json> = snapshot
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
    }
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

pub fn resource(base: &str, e: &Entry, v: &VersionRow, position: usize) -> Json {
    let d = &e.dataset;
    let url = format!("{base}/opendata/{}/{}", d.identifier, v.file_name(Ext::Csv));
    json!({
        "id": v.uuid,
        "package_id": d.uuid,
        "position": position,
        "state": "active",
        "name": v.file_name(Ext::Csv),
        "description": v.provenance,
        "format": "CSV",
        "mimetype": "text/csv",
        "mimetype_inner": null,
        "url": url,
        "url_type": "upload",
        "size": v.byte_size,
        "hash": format!("sha256:{}", v.sha256),
        "created": ckan_time(v.created_at),
        "last_modified": ckan_time(v.published_at.unwrap_or(v.created_at)),
        "metadata_modified": ckan_time(v.published_at.unwrap_or(v.created_at)),
        "cache_url": null,
        "cache_last_updated": null,
        "resource_type": null,
        "datastore_active": true,
        "row_count": v.row_count,
        "structure": format!("{base}/opendata/{}/structure-{}.csv", d.identifier, v.structure_stamp),
    })
}

pub fn package(base: &str, e: &Entry) -> Json {
    let d = &e.dataset;
    let lic = license(&d.license_id);
    let (topic_ru, _) = TOPICS
        .iter()
        .find(|t| t.0 == d.topic)
        .map(|t| (t.1, t.2))
        .unwrap_or(("", ""));
    json!({
        "id": d.uuid,
        "name": d.identifier_norm,
        "title": d.title,
        "notes": d.description,
        "author": null,
        "author_email": null,
        "maintainer": d.publisher_name,
        "maintainer_email": d.publisher_mbox,
        "license_id": d.license_id,
        "license_title": lic.map(|l| l.1),
        "license_url": lic.map(|l| l.2),
        "isopen": true,
        "url": format!("{base}/opendata/{}", d.identifier),
        "version": e.current().map(|v| v.stamp.clone()),
        "state": "active",
        "type": "dataset",
        "private": false,
        "metadata_created": ckan_time(d.created_at),
        "metadata_modified": ckan_time(d.updated_at),
        "creator_user_id": null,
        "num_resources": e.versions.len(),
        "num_tags": e.keywords.len(),
        "owner_org": d.organisation_id,
        "organization": {
            "id": d.organisation_id, "name": d.organisation_id, "title": e.org_name_ru,
            "type": "organization", "description": e.org_name_en, "image_url": "",
            "created": ckan_time(d.created_at), "is_organization": true,
            "approval_status": "approved", "state": "active",
        },
        "groups": [{"id": d.topic, "name": d.topic, "title": topic_ru, "display_name": topic_ru, "description": "", "image_display_url": ""}],
        "tags": e.keywords.iter().map(|k| json!({"id": k, "name": k, "display_name": k, "state": "active", "vocabulary_id": null})).collect::<Vec<_>>(),
        "extras": [
            {"key": "identifier", "value": d.identifier},
            {"key": "standardversion", "value": crate::opendata::domain::STANDARD_VERSION},
            {"key": "provenance", "value": d.provenance},
            {"key": "valid", "value": d.valid},
            {"key": "frequency", "value": d.frequency},
            {"key": "maintainer_phone", "value": d.publisher_phone},
            {"key": "municipality", "value": d.municipality_id.clone().unwrap_or_default()},
        ],
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "resources": e.versions.iter().enumerate().map(|(i, v)| resource(base, e, v, i)).collect::<Vec<_>>(),
    })
}

async fn package_search(
    state: &AppState,
    snapshot: &Snapshot,
    p: &Params,
) -> Result<Json, CkanError> {
    let q = p.str("q").unwrap_or_default();
    let mut fq_parts = Vec::new();
    if let Some(fq) = p.str("fq") {
        fq_parts.push(fq);
    }
    fq_parts.extend(p.list("fq_list")?);
    let rows = p.int("rows", 10)?;
    if !(0..=1000).contains(&rows) {
        return Err(validation("rows", "Must be between 0 and 1000"));
    }
    let start = p.int("start", 0)?;
    if start < 0 {
        return Err(validation("start", "Must be a natural number"));
    }
    let sort_text = p.str("sort").unwrap_or_default();
    let sort_keys = query::parse_sort(&sort_text).map_err(|e| CkanError::SearchQuery(e.0))?;
    let q_expr = query::parse(&q).map_err(|e| CkanError::SearchQuery(e.0))?;
    let mut fq_exprs = Vec::new();
    for fq in &fq_parts {
        let e = query::parse(fq).map_err(|e| CkanError::SearchQuery(e.0))?;
        query::validate(&e).map_err(|e| CkanError::SearchQuery(e.0))?;
        fq_exprs.push(e);
    }
    query::validate(&q_expr).map_err(|e| CkanError::SearchQuery(e.0))?;
    let fq_expr = if fq_exprs.is_empty() {
        query::Expr::All
    } else {
        query::Expr::And(fq_exprs)
    };
    let mut results = query::run(&state.search, snapshot, &q_expr, &fq_expr).await?;
    query::sort(&mut results, &sort_keys);
    let count = results.len();
    let base = state.config.base_url();
    let start = (start as usize).min(count);
    let end = (start + rows as usize).min(count);
    let page: Vec<Json> = results[start..end]
        .iter()
        .map(|(_, e)| package(&base, e))
        .collect();

    let facet_fields = p.list("facet.field")?;
    let facet_on = p.bool("facet", true)?;
    let facet_limit = p.int("facet.limit", 50)?;
    let mincount = p.int("facet.mincount", 1)?.max(1) as usize;
    let mut facets_json = Map::new();
    let mut search_facets = Map::new();
    if facet_on && !facet_fields.is_empty() {
        let matched: Vec<&Arc<Entry>> = results.iter().map(|(_, e)| *e).collect();
        let names: Vec<&str> = facet_fields.iter().map(String::as_str).collect();
        let limit = if facet_limit < 0 {
            usize::MAX
        } else {
            facet_limit as usize
        };
        let computed = facets(&matched, &names, limit);
        let org_titles: HashMap<&str, &str> = snapshot
            .entries
            .iter()
            .map(|e| (e.dataset.organisation_id.as_str(), e.org_name_ru.as_str()))
            .collect();
        for field in &facet_fields {
            let Some(f) = computed.get(field) else {
                continue;
            };
            let counts: Vec<&(String, usize)> =
                f.counts.iter().filter(|(_, c)| *c >= mincount).collect();
            facets_json.insert(
                field.clone(),
                json!(
                    counts
                        .iter()
                        .map(|(v, c)| (v.clone(), json!(c)))
                        .collect::<Map<_, _>>()
                ),
            );
            let display = |v: &str| -> String {
                match field.as_str() {
                    "organization" => org_titles
                        .get(v)
                        .map(|s| (*s).to_owned())
                        .unwrap_or_else(|| v.to_owned()),
                    "groups" => TOPICS
                        .iter()
                        .find(|t| t.0 == v)
                        .map(|t| t.1.to_owned())
                        .unwrap_or_else(|| v.to_owned()),
                    "license_id" => license(v)
                        .map(|l| l.1.to_owned())
                        .unwrap_or_else(|| v.to_owned()),
                    _ => v.to_owned(),
                }
            };
            let mut items: Vec<Json> = counts
                .iter()
                .map(|(v, c)| json!({"name": v, "display_name": display(v), "count": c}))
                .collect();
            // CKAN sorts items by display name, descending.
            items.sort_by(|a, b| b["display_name"].as_str().cmp(&a["display_name"].as_str()));
            search_facets.insert(field.clone(), json!({"title": field, "items": items}));
        }
    }
    let sort_echo = if sort_text.is_empty() {
        "score desc, metadata_modified desc".to_owned()
    } else {
        sort_text
    };
    Ok(json!({
        "count": count,
        "sort": sort_echo,
        "results": page,
        "facets": facets_json,
        "search_facets": search_facets,
    }))
}

async fn organization_list(
    state: &AppState,
    snapshot: &Snapshot,
    p: &Params,
) -> Result<Json, CkanError> {
    let mut orgs = crate::directory::queries::list(&state.db).await?;
    let sort = p.str("sort").unwrap_or_else(|| "title asc".into());
    let (key, desc) = {
        let mut w = sort.split_whitespace();
        (
            w.next().unwrap_or("title").to_owned(),
            w.next().is_some_and(|d| d.eq_ignore_ascii_case("desc")),
        )
    };
    match key.as_str() {
        "name" => orgs.sort_by(|a, b| a.organisation_id.cmp(&b.organisation_id)),
        "package_count" => orgs.sort_by_key(|o| count_for(snapshot, &o.organisation_id)),
        "title" => orgs.sort_by(|a, b| a.name_ru.cmp(&b.name_ru)),
        other => {
            return Err(validation(
                "sort",
                &format!("Cannot sort by field `{other}`"),
            ));
        }
    }
    if desc {
        orgs.reverse();
    }
    let filter = p.list("organizations")?;
    if !filter.is_empty() {
        orgs.retain(|o| filter.contains(&o.organisation_id));
    }
    let all = p.bool("all_fields", false)?;
    let default_limit = if all { 25 } else { 1000 };
    let limit = p.int("limit", default_limit)?;
    let offset = p.int("offset", 0)?;
    if limit < 0 || offset < 0 {
        return Err(validation("limit", "Must be a natural number"));
    }
    let page: Vec<Json> = orgs
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|o| {
            if all {
                organization(o, count_for(snapshot, &o.organisation_id))
            } else {
                json!(o.organisation_id)
            }
        })
        .collect();
    Ok(json!(page))
}

fn ckan_type(f: FieldFormat) -> &'static str {
    match f {
        FieldFormat::String { .. } => "text",
        FieldFormat::Integer => "int",
        FieldFormat::Float => "numeric",
        FieldFormat::Date => "date",
        FieldFormat::Boolean => "bool",
    }
}

async fn datastore_search(
    state: &AppState,
    snapshot: &Snapshot,
    p: &Params,
) -> Result<Json, CkanError> {
    let rid = p
        .str("resource_id")
        .or_else(|| p.str("id"))
        .ok_or_else(|| validation("resource_id", "Missing value"))?;
    let (_, v) = snapshot
        .by_resource(&rid)
        .ok_or_else(|| CkanError::NotFound(format!("Resource \"{rid}\" was not found.")))?;
    let structure = crate::opendata::queries::structure_by_id(&state.db, v.structure_id)
        .await?
        .ok_or_else(|| CkanError::NotFound("Resource structure was not found.".into()))?;
    let fields = structure.fields();
    let find = |name: &str| fields.iter().position(|f| f.name == name);

    let limit = p.int("limit", 100)?;
    if !(0..=32000).contains(&limit) {
        return Err(validation("limit", "Must be between 0 and 32000"));
    }
    let offset = p.int("offset", 0)?;
    if !(0..=limits::MAX_OFFSET).contains(&offset) {
        return Err(validation(
            "offset",
            &format!(
                "Must be between 0 and {}; download the resource for deeper reads",
                limits::MAX_OFFSET
            ),
        ));
    }
    let include_total = p.bool("include_total", true)?;
    let records_format = p.str("records_format").unwrap_or_else(|| "objects".into());
    if !["objects", "lists", "csv", "tsv"].contains(&records_format.as_str()) {
        return Err(validation(
            "records_format",
            "Must be one of: objects, lists, csv, tsv",
        ));
    }

    // filters: {"field": value | [values] | {"gte": x, ...}}
    let mut filters = Vec::new();
    if let Some(obj) = p.object("filters")? {
        for (name, value) in obj {
            let Some(i) = find(&name) else {
                return Err(validation(
                    "filters",
                    &format!("field \"{name}\" not in resource"),
                ));
            };
            let parse = |j: &Json| -> Result<crate::opendata::domain::Value, CkanError> {
                let text = j
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| j.to_string());
                fields[i]
                    .format
                    .parse_value(&text)
                    .map_err(|m| validation("filters", &format!("{name}: {}", m.en)))
            };
            match &value {
                Json::Array(items) => filters.push(Filter {
                    field: i,
                    op: Op::In,
                    values: items.iter().map(parse).collect::<Result<_, _>>()?,
                }),
                Json::Object(ops) => {
                    for (op, v) in ops {
                        let op = match op.as_str() {
                            "eq" => Op::Eq,
                            "lt" => Op::Lt,
                            "lte" => Op::Lte,
                            "gt" => Op::Gt,
                            "gte" => Op::Gte,
                            other => {
                                return Err(validation(
                                    "filters",
                                    &format!(
                                        "unknown operator \"{other}\"; use eq, lt, lte, gt, gte"
                                    ),
                                ));
                            }
                        };
                        filters.push(Filter {
                            field: i,
                            op,
                            values: vec![parse(v)?],
                        });
                    }
                }
                Json::Null => filters.push(Filter {
                    field: i,
                    op: Op::IsNull,
                    values: vec![],
                }),
                other => filters.push(Filter {
                    field: i,
                    op: Op::Eq,
                    values: vec![parse(other)?],
                }),
            }
        }
    }
    // q: a string over all text fields (a dict per field is narrowed to
    // "contains" on that field).
    let mut text_q = None;
    match p.0.get("q") {
        Some(Json::Object(per_field)) => {
            for (name, value) in per_field {
                let i = find(name)
                    .ok_or_else(|| validation("q", &format!("field \"{name}\" not in resource")))?;
                let text = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                filters.push(Filter {
                    field: i,
                    op: Op::Contains,
                    values: vec![crate::opendata::domain::Value::Text(text)],
                });
            }
        }
        _ => text_q = p.str("q").filter(|s| !s.trim().is_empty()),
    }
    let mut sorts = Vec::new();
    if let Some(sort) = p.str("sort") {
        for part in sort.split(',') {
            let mut w = part.split_whitespace();
            let Some(name) = w.next() else { continue };
            let name = name.trim_matches('"');
            let desc = w.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
            if name == "_id" {
                continue;
            }
            let i = find(name)
                .ok_or_else(|| validation("sort", &format!("field \"{name}\" not in resource")))?;
            sorts.push(Sort { field: i, desc });
        }
        if sorts.len() > limits::MAX_SORT_KEYS {
            return Err(validation(
                "sort",
                &format!("At most {} sort fields", limits::MAX_SORT_KEYS),
            ));
        }
    }
    if filters.len() > limits::MAX_FILTERS
        || filters
            .iter()
            .any(|f| f.values.len() > limits::MAX_IN_VALUES)
    {
        return Err(validation(
            "filters",
            &format!(
                "At most {} filters of at most {} values each",
                limits::MAX_FILTERS,
                limits::MAX_IN_VALUES
            ),
        ));
    }
    if filters.iter().any(|f| {
        f.values.iter().any(|v| match v {
            crate::opendata::domain::Value::Text(t) => {
                t.chars().count() > limits::MAX_FILTER_VALUE_CHARS
            }
            _ => false,
        })
    }) || text_q
        .as_deref()
        .is_some_and(|q| q.chars().count() > limits::MAX_FILTER_VALUE_CHARS)
    {
        return Err(validation(
            "q",
            &format!(
                "Values are at most {} characters",
                limits::MAX_FILTER_VALUE_CHARS
            ),
        ));
    }
    // Text search and substring filters scan every row: one turn at the
    // expensive-work gate for the query and its count.
    let _permit = if text_q.is_some() || filters.iter().any(|f| f.op == Op::Contains) {
        Some(
            state
                .gates
                .expensive
                .enter()
                .await
                .map_err(|_| CkanError::Busy)?,
        )
    } else {
        None
    };
    let wanted: Vec<String> = p.list("fields")?;
    for name in &wanted {
        if name != "_id" && find(name).is_none() {
            return Err(validation(
                "fields",
                &format!("field \"{name}\" not in resource"),
            ));
        }
    }
    let columns: Vec<(String, Option<usize>)> = if wanted.is_empty() {
        std::iter::once(("_id".to_owned(), None))
            .chain(
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), Some(i))),
            )
            .collect()
    } else {
        wanted.iter().map(|n| (n.clone(), find(n))).collect()
    };
    let rows = if limit == 0 {
        Vec::new()
    } else {
        store::offset_page(
            &state.db,
            v.version_id,
            &fields,
            &filters,
            text_q.as_deref(),
            &sorts,
            limit,
            offset,
        )
        .await?
    };
    let total = if include_total {
        Some(if filters.is_empty() && text_q.is_none() {
            v.row_count
        } else {
            store::count_matching(
                &state.db,
                v.version_id,
                &fields,
                &filters,
                text_q.as_deref(),
            )
            .await?
        })
    } else {
        None
    };
    let field_json: Vec<Json> = columns
        .iter()
        .map(|(name, i)| match i {
            None => json!({"id": "_id", "type": "int"}),
            Some(i) => json!({"id": name, "type": ckan_type(fields[*i].format), "info": {"label": fields[*i].ru, "notes": fields[*i].en}}),
        })
        .collect();
    let cell = |r: &store::StoredRow, i: &Option<usize>| match i {
        None => json!(r.row),
        Some(i) => r.values[*i].to_json(),
    };
    let records: Json = match records_format.as_str() {
        "objects" => json!(
            rows.iter()
                .map(|r| columns
                    .iter()
                    .map(|(n, i)| (n.clone(), cell(r, i)))
                    .collect::<Map<_, _>>())
                .collect::<Vec<_>>()
        ),
        "lists" => json!(
            rows.iter()
                .map(|r| columns.iter().map(|(_, i)| cell(r, i)).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        ),
        sep => {
            let delimiter = if sep == "tsv" { b'\t' } else { b',' };
            let mut w = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(Vec::new());
            for r in &rows {
                let record: Vec<String> = columns
                    .iter()
                    .map(|(_, i)| match i {
                        None => r.row.to_string(),
                        Some(i) => crate::opendata::import::protect_cell(&r.values[*i].to_text())
                            .into_owned(),
                    })
                    .collect();
                let _ = w.write_record(&record);
            }
            json!(String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default())
        }
    };
    let base = "/api/3/action/datastore_search";
    let mut out = json!({
        "resource_id": v.uuid,
        "include_total": include_total,
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "fields": field_json,
        "records": records,
        "_links": {
            "start": format!("{base}?resource_id={}", v.uuid),
            "next": format!("{base}?resource_id={}&offset={}", v.uuid, offset + limit),
        },
    });
    if let Some(t) = total {
        out["total"] = json!(t);
        out["total_was_estimated"] = json!(false);
    }
    Ok(out)
}
