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
use crate::config::Config;
use crate::db::now;
use crate::error::{AppError, Msg};
use crate::web::i18n::Locale;
use crate::workflow::queries::{self, AppealFilter, AppealRow, AppealSort};
use crate::workflow::views::Categories;
use crate::workflow::{self, NewRequest};

mod read;
mod write;

use read::{one_request, root_get, service_definition, token};
use write::root_post;

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

/// Writes `v` as the element `name`: arrays as their items (each named by
/// `item_name`), objects as their fields, null as an empty element.
fn xml_value<W: std::io::Write>(
    w: &mut quick_xml::Writer<W>,
    name: &str,
    v: &Value,
) -> std::io::Result<()> {
    use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
    let text = |w: &mut quick_xml::Writer<W>, t: &str| {
        w.create_element(name)
            .write_text_content(BytesText::new(t))
            .map(|_| ())
    };
    match v {
        Value::Null => w.write_event(Event::Empty(BytesStart::new(name))),
        Value::Array(items) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            let item = item_name(name);
            for i in items {
                xml_value(w, item, i)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))
        }
        Value::Object(map) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for (k, v) in map {
                xml_value(w, k, v)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))
        }
        Value::String(s) => text(w, s),
        Value::Bool(b) => text(w, &b.to_string()),
        Value::Number(n) => text(w, &n.to_string()),
    }
}

/// A whole XML answer: the declaration, then a collection under `root`
/// (each item as `item`) or a single object as `root`.
fn xml_document(items: &Value, root: &str, item: &str) -> std::io::Result<Vec<u8>> {
    use quick_xml::events::{BytesEnd, BytesStart, Event};
    let mut out = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_vec();
    let mut w = quick_xml::Writer::new(&mut out);
    match items {
        Value::Array(list) => {
            w.write_event(Event::Start(BytesStart::new(root)))?;
            for i in list {
                xml_value(&mut w, item, i)?;
            }
            w.write_event(Event::End(BytesEnd::new(root)))?;
        }
        other => xml_value(&mut w, root, other)?,
    }
    Ok(out)
}

/// A collection (`items` a JSON array) or a single object, as the format
/// wants it: JSON as is; XML under `root`, each item as `item`.
fn body(format: Format, items: Value, root: &str, item: &str) -> Response {
    let (text, content_type) = match format {
        Format::Json => (
            items.to_string().into_bytes(),
            "application/json; charset=utf-8",
        ),
        Format::Xml => match xml_document(&items, root, item) {
            Ok(bytes) => (bytes, "text/xml; charset=utf-8"),
            // Writing into memory does not fail; if it ever did, the
            // answer would be a bare 500 rather than half a document.
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
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
fn jurisdiction(config: &Config, p: &Params) -> Result<Option<String>, Failure> {
    let Some(j) = p.get("jurisdiction_id") else {
        return Ok(None);
    };
    let base = config.base_url();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_follows_the_standard_shapes() {
        let r = json!([{ "notes": [{ "summary": "a<b" }] }, { "media_url": null }]);
        let mut bytes = Vec::new();
        let mut w = quick_xml::Writer::new(&mut bytes);
        if let Value::Array(items) = &r {
            for i in items {
                xml_value(&mut w, "request", i).unwrap();
            }
        }
        let out = String::from_utf8(bytes).unwrap();
        assert_eq!(
            out,
            "<request><notes><note><summary>a&lt;b</summary></note></notes></request><request><media_url/></request>"
        );
    }
}
