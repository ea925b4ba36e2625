//! Extractors whose rejections are our [`AppError`], so malformed input gets
//! the same clear 4xx (HTML or JSON) as any other error, never axum's bare
//! plain-text rejection.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::error::{AppError, Msg};

#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> AppError {
        let detail = r.body_text();
        AppError::client(
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            },
            "invalid_form",
            Msg::new(
                format!(
                    "Форму не удалось прочитать: {detail}. Обновите страницу и попробуйте снова."
                ),
                format!("The form could not be read: {detail}. Reload the page and try again."),
            ),
        )
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        let detail = r.body_text();
        let status = match r {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        AppError::client(
            status,
            "invalid_json",
            Msg::new(
                format!("Тело запроса не является корректным JSON: {detail}"),
                format!("The request body is not valid JSON: {detail}"),
            ),
        )
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> AppError {
        let detail = r.body_text();
        AppError::bad_request(
            "invalid_query",
            Msg::new(
                format!("Неверные параметры запроса: {detail}"),
                format!("Invalid query parameters: {detail}"),
            ),
        )
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> AppError {
        match r {
            PathRejection::FailedToDeserializePathParams(_) => AppError::not_found(),
            other => AppError::Internal(anyhow::anyhow!("path extraction: {}", other.body_text())),
        }
    }
}

/// The client's address: the peer address, or, behind a trusted reverse
/// proxy, the last address it appended to `X-Forwarded-For`.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.server.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(ip))
    }
}

/// The pairs of a request's query string, decoded, in their order.
pub fn query_pairs(uri: &axum::http::Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// A request's `Content-Type`, or empty.
pub fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// A required text field, trimmed: refused with `ru`/`en` when empty or
/// longer than `max` characters.
pub fn text_field(
    s: &str,
    max: usize,
    ru: &'static str,
    en: &'static str,
) -> crate::error::AppResult<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max {
        Err(AppError::invalid(ru, en))
    } else {
        Ok(s.to_owned())
    }
}

/// An optional text field, trimmed; refused when longer than `max`.
pub fn optional_field(s: &str, max: usize) -> crate::error::AppResult<String> {
    let s = s.trim();
    if s.chars().count() > max {
        Err(AppError::invalid(
            "Слишком длинный текст.",
            "The text is too long.",
        ))
    } else {
        Ok(s.to_owned())
    }
}

/// A code that becomes part of an address (`/pm/reports/appeals`): 2 to
/// 40 lower-case Latin letters, digits and hyphens.
pub fn code_field(s: &str) -> crate::error::AppResult<String> {
    let code = s.trim().to_lowercase();
    if (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(code)
    } else {
        Err(AppError::invalid(
            "Код: от 2 до 40 латинских букв, цифр и дефисов.",
            "Code: 2 to 40 Latin letters, digits and hyphens.",
        ))
    }
}
