//! Open311 GeoReport v2 at `/open311/v2/`: discovery, services, service
//! definitions, requests (GET with filters, POST with an API key), one
//! request (a one-element list) and tokens, in XML and JSON, with the
//! standard's error bodies. Compatible with FixMyStreet's client: XML
//! without a namespace, codes and ids as strings, JSON collections as
//! top-level arrays.
//!
//! Mapping (see docs/PROBLEMS.md): `service_code` is the category id;
//! `status` is `open` for published, in progress, planned and reopened
//! reports and `closed` for resolved and closed ones (others are not
//! public); `expected_datetime` is the planned date, else the SLA deadline;
//! `agency_responsible` is the organisation the routing chose;
//! `status_notes` is the official reaction, `service_notice` the plan.
//!
//! Errors never go through the site's JSON error shape: every answer here,
//! failures included, is in Open311's own format.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::app::AppState;
use crate::db::now;
use crate::error::{AppError, Msg};
use crate::issues::views::Categories;
use crate::web::i18n::Locale;
use crate::workflow::queries::{self, AppealFilter, AppealRow, AppealSort};
use crate::workflow::{self, Kind, NewRequest};

pub const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";

pub fn router() -> Router<AppState> {
    Router::new()
        // Only requests take POST: their own routes, so a POST to discovery
        // or services is a 405 whose `Allow` is true.
        .route("/open311/v2/requests.json", requests_route("requests.json"))
        .route("/open311/v2/requests.xml", requests_route("requests.xml"))
        .route("/open311/v2/{file}", get(root_get))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

/// GET and POST of `requests.{json,xml}`, handled as `{file}` is.
fn requests_route(file: &'static str) -> axum::routing::MethodRouter<AppState> {
    let path = move || axum::extract::Path(file.to_owned());
    get(move |state, headers, query| root_get(state, headers, path(), query))
        .post(move |state, request| root_post(state, path(), request))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Xml,
    Json,
}

/// `name.xml` / `name.json` → (name, format).
fn split(file: &str) -> Option<(&str, Format)> {
    let (stem, ext) = file.rsplit_once('.')?;
    match ext {
        "xml" => Some((stem, Format::Xml)),
        "json" => Some((stem, Format::Json)),
        _ => None,
    }
}

/// An answer in Open311's error format.
struct Failure {
    status: StatusCode,
    description: String,
}

impl Failure {
    fn new(status: StatusCode, description: impl Into<String>) -> Failure {
        Failure {
            status,
            description: description.into(),
        }
    }

    fn not_found(what: &str) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    fn bad(description: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, description)
    }

    fn from_msg(status: StatusCode, m: &Msg) -> Failure {
        Failure::new(status, format!("{} / {}", m.en, m.ru))
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Failure {
        let status = e.status();
        if status.is_server_error() {
            tracing::error!(error = %format!("{e:#}"), "Open311 request failed");
            return Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The service is temporarily unable to answer; please retry later.",
            );
        }
        // Open311 knows 400, 403 and 404.
        let status = match status {
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => status,
            _ => StatusCode::BAD_REQUEST,
        };
        Failure::from_msg(status, &e.message())
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Failure {
        Failure::from(AppError::from(e))
    }
}

type Answer = Result<Response, Failure>;

fn finish(format: Format, r: Answer) -> Response {
    match r {
        Ok(r) => r,
        Err(f) => {
            let code = f.status.as_u16();
            let mut r = match format {
                Format::Json => body(
                    format,
                    json!([{ "code": code, "description": f.description }]),
                    "errors",
                    "error",
                ),
                Format::Xml => body(
                    format,
                    json!([{ "code": code, "description": f.description }]),
                    "errors",
                    "error",
                ),
            };
            *r.status_mut() = f.status;
            r
        }
    }
}

// ---- XML and JSON from one tree ------------------------------------------

/// The element name of the items of a list field, by the standard's shapes.
fn item_name(list: &str) -> &str {
    match list {
        "endpoints" => "endpoint",
        "formats" => "format",
        "attributes" => "attribute",
        "values" => "value",
        "notes" => "note",
        "photos" => "photo",
        "service_requests" => "request",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

fn xml_value(name: &str, v: &Value, out: &mut String) {
    use quick_xml::escape::escape;
    match v {
        Value::Null => {
            out.push('<');
            out.push_str(name);
            out.push_str("/>");
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item = item_name(name);
            for i in items {
                xml_value(item, i, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                xml_value(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s.as_str()))),
        Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Value::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
    }
}

/// A collection (`items` a JSON array) or a single object, as the format
/// wants it: JSON as is; XML under `root`, each item as `item`.
fn body(format: Format, items: Value, root: &str, item: &str) -> Response {
    let (text, content_type) = match format {
        Format::Json => (items.to_string(), "application/json; charset=utf-8"),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            match &items {
                Value::Array(list) => {
                    out.push_str(&format!("<{root}>"));
                    for i in list {
                        xml_value(item, i, &mut out);
                    }
                    out.push_str(&format!("</{root}>"));
                }
                other => xml_value(root, other, &mut out),
            }
            (out, "text/xml; charset=utf-8")
        }
    };
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

// ---- parameters -------------------------------------------------------------

/// Query or form parameters; empty values count as missing (the standard).
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: &[u8]) -> Params {
        Params(
            url::form_urlencoded::parse(raw)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn w3c(t: OffsetDateTime) -> String {
    t.to_offset(crate::workflow::sla::MSK)
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn parse_w3c(key: &str, v: &str) -> Result<OffsetDateTime, Failure> {
    OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
        Failure::bad(format!(
            "{key} must be a W3C date-time with a time zone, such as 2026-11-01T00:00:00Z"
        ))
    })
}

/// The jurisdiction: optional; when given, the site's host or the krai's
/// name, or a municipality id (then requests are limited to it).
fn jurisdiction(state: &AppState, p: &Params) -> Result<Option<String>, Failure> {
    let Some(j) = p.get("jurisdiction_id") else {
        return Ok(None);
    };
    let base = state.config.base_url();
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(&base)
        .split('/')
        .next()
        .unwrap_or("");
    let host_no_port = host.split(':').next().unwrap_or(host);
    if j == host || j == host_no_port || j == "krasnodar-krai" {
        return Ok(None);
    }
    if crate::geo::geography().by_id(j).is_some() {
        return Ok(Some(j.to_owned()));
    }
    Err(Failure::not_found("jurisdiction_id"))
}

fn locale(headers: &HeaderMap, p: &Params) -> Locale {
    p.get("locale")
        .and_then(|l| Locale::parse(l.get(..2).unwrap_or(l)))
        .unwrap_or_else(|| Locale::from_headers(headers))
}

// ---- GET /open311/v2/{discovery,services,requests}.{xml,json} --------------

async fn root_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some((name, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("resource")));
    };
    let p = Params::parse(q.unwrap_or_default().as_bytes());
    let r = match name {
        "discovery" => Ok(discovery(&state, format)),
        "services" => services(&state, &headers, &p, format).await,
        "requests" => requests(&state, &headers, &p, format).await,
        _ => Err(Failure::not_found("resource")),
    };
    finish(format, r)
}

fn discovery(state: &AppState, format: Format) -> Response {
    let base = state.config.base_url();
    let changeset = "2026-11-25T00:00:00Z";
    let v = json!({
        "changeset": changeset,
        "contact": format!("Министерство цифрового развития Краснодарского края — {base}/problems"),
        "key_service": format!("Ключи выдают администраторы портала: {base}/admin/open311"),
        "endpoints": [{
            "specification": SPEC,
            "url": format!("{base}/open311/v2"),
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    });
    body(format, v, "discovery", "discovery")
}

async fn services(state: &AppState, headers: &HeaderMap, p: &Params, format: Format) -> Answer {
    jurisdiction(state, p)?;
    let l = locale(headers, p);
    let cats = Categories::load(state, Kind::Problem).await?;
    let list: Vec<Value> = cats
        .active()
        .into_iter()
        .map(|c| {
            json!({
                "service_code": c.category_id,
                "service_name": l.pick(&c.name_ru, &c.name_en),
                "description": l.pick(&c.description_ru, &c.description_en),
                "metadata": false,
                "type": "realtime",
                "keywords": c.keywords,
                "group": c.grp,
            })
        })
        .collect();
    Ok(body(format, Value::Array(list), "services", "service"))
}

/// `GET /open311/v2/services/{code}.{fmt}`: no category needs extra
/// attributes (`metadata` is false), so definitions list none.
async fn service_definition(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some((code, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("service_code")));
    };
    let p = Params::parse(q.unwrap_or_default().as_bytes());
    let r = async {
        jurisdiction(&state, &p)?;
        let cats = Categories::load(&state, Kind::Problem).await?;
        if !cats.0.get(code).is_some_and(|c| c.active) {
            return Err(Failure::not_found("service_code"));
        }
        Ok(body(
            format,
            json!({ "service_code": code, "attributes": [] }),
            "service_definition",
            "service_definition",
        ))
    }
    .await;
    finish(format, r)
}

/// A public report as an Open311 service request.
fn request_json(
    state: &AppState,
    l: Locale,
    cats: &Categories,
    orgs: &[crate::directory::queries::OrgRow],
    a: &AppealRow,
    photo: Option<&String>,
    notes: Option<Vec<Value>>,
) -> Value {
    let s = a.state();
    let open = s.is_open();
    let base = state.config.base_url();
    let planned = a.planned_date.as_deref().and_then(|d| {
        time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()
    });
    let expected = match (planned, a.due_at) {
        (Some(d), _) if open => Some(w3c(d
            .with_hms(18, 0, 0)
            .unwrap_or(d.midnight())
            .assume_offset(crate::workflow::sla::MSK))),
        (_, Some(due)) if s.awaits_reaction() => Some(w3c(due)),
        _ => None,
    };
    let closed_at = if open {
        None
    } else {
        a.closed_at.or(a.resolved_at)
    };
    let status_notes = match (
        &a.reaction_text,
        a.close_reason
            .as_deref()
            .and_then(crate::workflow::CloseReason::parse),
    ) {
        (Some(t), Some(r)) => Some(format!("{}: {t}", r.label(l))),
        (Some(t), None) => Some(t.clone()),
        (None, _) => None,
    };
    let notice = planned.map(|d| match l {
        Locale::Ru => format!("Работы запланированы на {d}"),
        Locale::En => format!("Work is planned for {d}"),
    });
    let agency = a.organisation_id.as_deref().map(|id| {
        orgs.iter()
            .find(|o| o.organisation_id == id)
            .map(|o| l.pick(&o.name_ru, &o.name_en).to_owned())
            .unwrap_or_else(|| id.to_owned())
    });
    let mut v = json!({
        "service_request_id": a.appeal_id.to_string(),
        "status": if open { "open" } else { "closed" },
        "status_notes": status_notes,
        "service_name": cats.name(l, &a.category_id),
        "service_code": a.category_id,
        "description": a.description,
        "agency_responsible": agency,
        "service_notice": notice,
        "requested_datetime": w3c(a.created_at),
        "updated_datetime": w3c(closed_at.unwrap_or(a.updated_at)),
        "expected_datetime": expected,
        "address": if a.address.is_empty() { crate::issues::views::municipality_name(l, &a.municipality_id) } else { a.address.clone() },
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": a.lat,
        "long": a.lon,
        "media_url": photo.map(|k| format!("{base}{}", crate::media::url(k, "full"))),
    });
    if let (Some(notes), Some(obj)) = (notes, v.as_object_mut()) {
        obj.insert("notes".into(), Value::Array(notes));
    }
    v
}

async fn notes_of(state: &AppState, l: Locale, id: i64) -> Result<Vec<Value>, Failure> {
    Ok(queries::events(&state.db, id, false)
        .await?
        .iter()
        .map(|e| {
            json!({
                "datetime": w3c(e.created_at),
                "summary": crate::issues::views::event_label(l, &e.kind),
                "description": e.note,
                "type": e.kind,
            })
        })
        .collect())
}

async fn render_requests(
    state: &AppState,
    l: Locale,
    rows: &[AppealRow],
    extensions: bool,
    format: Format,
) -> Answer {
    let cats = Categories::load(state, Kind::Problem).await?;
    let orgs = crate::directory::queries::list(&state.db).await?;
    let photos = queries::first_photos(
        &state.db,
        &rows.iter().map(|a| a.appeal_id).collect::<Vec<_>>(),
    )
    .await?;
    let mut list = Vec::with_capacity(rows.len());
    for a in rows {
        let notes = if extensions {
            Some(notes_of(state, l, a.appeal_id).await?)
        } else {
            None
        };
        list.push(request_json(
            state,
            l,
            &cats,
            &orgs,
            a,
            photos.get(&a.appeal_id),
            notes,
        ));
    }
    Ok(body(
        format,
        Value::Array(list),
        "service_requests",
        "request",
    ))
}

/// Largest page; also the default ("the first 1000 requests").
const MAX_PAGE_SIZE: i64 = 1000;

async fn requests(state: &AppState, headers: &HeaderMap, p: &Params, format: Format) -> Answer {
    let municipality = jurisdiction(state, p)?;
    let l = locale(headers, p);
    let mut f = AppealFilter {
        kind: Kind::Problem.as_str().into(),
        public_only: true,
        sort: AppealSort::Newest,
        ..Default::default()
    };
    let ids = p.list("service_request_id");
    if !ids.is_empty() {
        // The standard: ids override every other argument.
        f.ids = ids
            .iter()
            .map(|i| {
                i.parse::<i64>().map_err(|_| {
                    Failure::bad("service_request_id must be a comma-separated list of request ids")
                })
            })
            .collect::<Result<_, _>>()?;
        if f.ids.len() > 1000 {
            return Err(Failure::bad(
                "At most 1000 service_request_id values at once",
            ));
        }
        f.limit = MAX_PAGE_SIZE;
        let rows = queries::list_appeals(&state.db, &f).await?;
        return render_requests(state, l, &rows, p.get("extensions") == Some("true"), format).await;
    }
    f.municipality_id = municipality;
    let codes = p.list("service_code");
    if !codes.is_empty() {
        let cats = Categories::load(state, Kind::Problem).await?;
        if let Some(bad) = codes.iter().find(|c| !cats.0.contains_key(c.as_str())) {
            return Err(Failure::not_found(&format!("service_code {bad}")));
        }
        f.categories_in = codes;
    }
    let statuses = p.list("status");
    for s in &statuses {
        if !matches!(s.as_str(), "open" | "closed") {
            return Err(Failure::bad(
                "status must be open, closed, or both separated by a comma",
            ));
        }
    }
    if statuses.len() == 1 {
        f.open = Some(statuses[0] == "open");
    }
    let end = match p.get("end_date") {
        Some(v) => Some(parse_w3c("end_date", v)?),
        None => None,
    };
    let start = match p.get("start_date") {
        Some(v) => Some(parse_w3c("start_date", v)?),
        None => None,
    };
    let window = Duration::days(90);
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        // Checked: a date at the calendar's edge must not overflow (panic).
        (Some(s), None) => (
            s,
            s.checked_add(window)
                .ok_or_else(|| Failure::bad("start_date is out of range"))?,
        ),
        (None, Some(e)) => (
            e.checked_sub(window)
                .ok_or_else(|| Failure::bad("end_date is out of range"))?,
            e,
        ),
        (None, None) => {
            let end = now() + Duration::minutes(1);
            (end - window, end)
        }
    };
    if end < start {
        return Err(Failure::bad("end_date is before start_date"));
    }
    if end - start > window + Duration::seconds(1) {
        return Err(Failure::bad(
            "start_date and end_date may span at most 90 days",
        ));
    }
    f.created_from = Some(start);
    f.created_to = Some(end);
    if let Some(v) = p.get("updated_after") {
        f.updated_from = Some(parse_w3c("updated_after", v)?);
    }
    if let Some(v) = p.get("updated_before") {
        f.updated_to = Some(parse_w3c("updated_before", v)?);
    }
    if let Some(a) = p.get("agency_responsible") {
        f.organisations_in = a.split('|').map(str::to_owned).collect();
        if f.organisations_in.len() > crate::web::limits::MAX_IN_VALUES {
            return Err(Failure::bad(
                "agency_responsible lists at most 100 agencies",
            ));
        }
    }
    let page_size = match p.get("page_size") {
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| Failure::bad("page_size must be a number from 1 to 1000"))?,
        None => MAX_PAGE_SIZE,
    };
    let page = match p.get("page") {
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| Failure::bad("page must be a positive number"))?,
        None => 1,
    };
    f.limit = page_size;
    f.offset = (page - 1) * page_size;
    if f.offset > crate::web::limits::MAX_OFFSET {
        // The database would walk every skipped request: narrow by dates.
        return Err(Failure::bad(
            "page × page_size may skip at most 100000 requests; narrow the dates instead",
        ));
    }
    let rows = queries::list_appeals(&state.db, &f).await?;
    render_requests(state, l, &rows, p.get("extensions") == Some("true"), format).await
}

/// `GET /open311/v2/requests/{id}.{fmt}`: a list of one.
async fn one_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let Some((id, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("service_request_id")));
    };
    let p = Params::parse(q.unwrap_or_default().as_bytes());
    let r = async {
        jurisdiction(&state, &p)?;
        let id: i64 = id
            .parse()
            .map_err(|_| Failure::not_found("service_request_id"))?;
        let a = queries::appeal(&state.db, id)
            .await?
            .filter(|a| a.kind == Kind::Problem.as_str() && a.state().is_public())
            .ok_or_else(|| Failure::not_found("service_request_id"))?;
        render_requests(
            &state,
            locale(&headers, &p),
            &[a],
            p.get("extensions") == Some("true"),
            format,
        )
        .await
    }
    .await;
    finish(format, r)
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: every service is `realtime`, so
/// a request's id is its own token. A report that is not public answers as
/// an unknown token does, so ids cannot be probed for hidden reports.
async fn token(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let Some((t, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("token")));
    };
    let r = async {
        let id: i64 = t.parse().map_err(|_| Failure::not_found("token"))?;
        let a = queries::appeal(&state.db, id)
            .await?
            .filter(|a| a.kind == Kind::Problem.as_str() && a.state().is_public())
            .ok_or_else(|| Failure::not_found("token"))?;
        Ok(body(
            format,
            json!([{ "service_request_id": a.appeal_id.to_string(), "token": t }]),
            "service_requests",
            "request",
        ))
    }
    .await;
    finish(format, r)
}

// ---- POST /open311/v2/requests.{fmt} ---------------------------------------

async fn root_post(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    request: Request,
) -> Response {
    let Some((name, format)) = split(&file) else {
        return finish(Format::Xml, Err(Failure::not_found("resource")));
    };
    if name != "requests" {
        return finish(
            format,
            Err(Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Only requests accept POST",
            )),
        );
    }
    let r = create(&state, request, format).await;
    finish(format, r)
}

/// Reads an urlencoded body, or a multipart one with `media` photos (the
/// v2.1 draft's upload, used by FixMyStreet's client).
async fn read_post(
    state: &AppState,
    request: Request,
) -> Result<(Params, Vec<(String, Vec<u8>)>), Failure> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    if !is_multipart {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| Failure::bad(format!("The body could not be read: {}", e.body_text())))?;
        return Ok((Params::parse(&bytes), Vec::new()));
    }
    let mut mp = Multipart::from_request(request, state)
        .await
        .map_err(|e| Failure::bad(format!("The body could not be read: {}", e.body_text())))?;
    let mut fields = Vec::new();
    let mut media = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| Failure::bad(format!("The body could not be read: {}", e.body_text())))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "media" || name == "media[]" || field.file_name().is_some() {
            let file_name = field.file_name().unwrap_or("media").to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                Failure::bad(format!("The upload could not be read: {}", e.body_text()))
            })?;
            if bytes.len() > crate::media::MAX_BYTES {
                return Err(Failure::bad(format!(
                    "{file_name} is larger than {} MB",
                    crate::media::MAX_BYTES >> 20
                )));
            }
            if !bytes.is_empty() {
                media.push((file_name, bytes.to_vec()));
            }
        } else {
            let v = field.text().await.map_err(|e| {
                Failure::bad(format!("The body could not be read: {}", e.body_text()))
            })?;
            fields.push((name, v));
        }
    }
    Ok((Params(fields), media))
}

async fn create(state: &AppState, request: Request, format: Format) -> Answer {
    let (p, media) = read_post(state, request).await?;
    let Some(key) = p.get("api_key") else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "api_key is missing -- can't proceed with create_request.",
        ));
    };
    let Some(author) =
        queries::open311_key_account(&state.db, &crate::auth::queries::token_hash(key)).await?
    else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "Invalid api_key received -- can't proceed with create_request.",
        ));
    };
    jurisdiction(state, &p)?;
    let code = p
        .get("service_code")
        .ok_or_else(|| Failure::bad("service_code is missing"))?;
    let cats = Categories::load(state, Kind::Problem).await?;
    if !cats.0.get(code).is_some_and(|c| c.active) {
        return Err(Failure::not_found("service_code"));
    }
    let address = p.get("address_string").unwrap_or("");
    let (lat, lon) = (p.get("lat").unwrap_or(""), p.get("long").unwrap_or(""));
    if (lat.is_empty() || lon.is_empty()) && address.is_empty() {
        return Err(Failure::bad(
            "A location is required: lat and long, or address_string",
        ));
    }
    let point = crate::issues::form::parse_place(lat, lon, address)
        .map_err(|m| Failure::from_msg(StatusCode::BAD_REQUEST, &m))?;
    let description = crate::issues::form::clean_text(
        p.get("description").unwrap_or(""),
        4000,
        "описание",
        "description",
        true,
    )
    .map_err(|m| Failure::from_msg(StatusCode::BAD_REQUEST, &m))?;
    let address = crate::issues::form::clean_text(address, 300, "адрес", "address_string", false)
        .map_err(|m| Failure::from_msg(StatusCode::BAD_REQUEST, &m))?;
    if media.len() > 5 {
        return Err(Failure::bad("At most 5 media files"));
    }
    // How to reach the reporter stays internal (staff only), never public.
    let contact: Vec<String> = [
        ("first_name", "Имя"),
        ("last_name", "Фамилия"),
        ("email", "E-mail"),
        ("phone", "Телефон"),
        ("device_id", "Устройство"),
        ("account_id", "Учётная запись"),
        ("media_url", "Фото (ссылка)"),
    ]
    .iter()
    .filter_map(|(k, label)| {
        p.get(k)
            .map(|v| format!("{label}: {}", v.chars().take(300).collect::<String>()))
    })
    .collect();
    let request = NewRequest {
        kind: Kind::Problem,
        category_id: code.to_owned(),
        point,
        address,
        description,
        hide_name: false,
        contact: (!contact.is_empty()).then(|| contact.join("\n")),
    };
    let photos = match crate::issues::form::store_photos(state, media).await? {
        Ok(p) => p,
        Err(m) => return Err(Failure::from_msg(StatusCode::BAD_REQUEST, &m)),
    };
    let keys: Vec<String> = photos.iter().map(|p| p.key.clone()).collect();
    let a = match workflow::submit(state, author, &request, &photos).await {
        Ok(a) => a,
        Err(e) => {
            crate::media::discard(&state.config.media_dir(), &keys).await;
            return Err(e.into());
        }
    };
    let notice = if a.state().is_public() {
        "Обращение опубликовано и направлено в ответственное ведомство. / The request is published and sent to the responsible department."
    } else {
        "Обращение будет опубликовано после проверки модератором. / The request will be published after a moderator checks it."
    };
    Ok(body(
        format,
        json!([{ "service_request_id": a.appeal_id.to_string(), "service_notice": notice, "account_id": Value::Null }]),
        "service_requests",
        "request",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_follows_the_standard_shapes() {
        let r = json!([{ "notes": [{ "summary": "a<b" }] }, { "media_url": null }]);
        let mut out = String::new();
        if let Value::Array(items) = &r {
            for i in items {
                xml_value("request", i, &mut out);
            }
        }
        assert_eq!(
            out,
            "<request><notes><note><summary>a&lt;b</summary></note></notes></request><request><media_url/></request>"
        );
    }
}
