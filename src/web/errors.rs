//! Turns errors into what the client can use: a page in the site's layout
//! for browsers, a JSON body for API clients. Runs inside the trace span, so
//! each server error is logged once, with its request.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde_json::json;

use crate::error::{AppError, ErrorInfo, Msg};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx, login_href};

/// Paths whose clients are programs, not people.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/open311/")
        || path == "/health"
        || path.ends_with(".json")
        || path.ends_with(".jsonld")
}

fn wants_json(path: &str, headers: &axum::http::HeaderMap) -> bool {
    if is_api_path(path) {
        return true;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// An error response produced outside our handlers (router 404/405, body
/// limits), recognised by its bare plain-text body.
fn bare_error(response: &Response) -> Option<AppError> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(content_type.is_empty() || content_type.starts_with("text/plain")) {
        return None;
    }
    Some(match status {
        StatusCode::NOT_FOUND => AppError::not_found(),
        StatusCode::METHOD_NOT_ALLOWED => AppError::client(
            status,
            "method_not_allowed",
            Msg::new(
                "Этот адрес не принимает такой запрос.",
                "This address does not accept this kind of request.",
            ),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::client(
            status,
            "too_large",
            Msg::new(
                "Запрос слишком большой. Уменьшите размер файлов или текста.",
                "The request is too large. Make the files or the text smaller.",
            ),
        ),
        StatusCode::REQUEST_TIMEOUT => AppError::client(
            status,
            "timeout",
            Msg::new(
                "Запрос выполнялся слишком долго. Повторите попытку.",
                "The request took too long. Please try again.",
            ),
        ),
        s if s.is_server_error() => AppError::Internal(anyhow::anyhow!("{s} from a layer")),
        s => AppError::client(
            s,
            "bad_request",
            Msg::new(
                "Запрос не может быть выполнен.",
                "The request cannot be processed.",
            ),
        ),
    })
}

pub async fn render_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let here = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let json = wants_json(&path, request.headers());
    let locale = Locale::from_headers(request.headers());
    let is_get = request.method() == Method::GET;
    let slot = crate::web::layout::PageSlot::default();
    let mut request = request;
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;

    let error = match response.extensions_mut().remove::<ErrorInfo>() {
        Some(ErrorInfo(e)) => e,
        None => match bare_error(&response) {
            Some(e) => std::sync::Arc::new(e),
            None => return response,
        },
    };
    let status = error.status();
    if matches!(*error, AppError::Busy { .. }) {
        // Shedding load is the design working, not a failure.
        tracing::warn!(status = status.as_u16(), "busy: request shed");
    } else if status.is_server_error() {
        // The only place server errors are logged: once, in the request span.
        tracing::error!(error = %format!("{:#}", error), status = status.as_u16(), "request failed");
    }
    // Headers that tell the client what to do next survive the rendering.
    let kept: Vec<_> = [header::RETRY_AFTER, header::WWW_AUTHENTICATE]
        .into_iter()
        .filter_map(|name| Some((name.clone(), response.headers().get(&name)?.clone())))
        .collect();
    let msg = error.message();

    let mut out = if json {
        let body = json!({
            "error": {
                "status": status.as_u16(),
                "code": error.code(),
                "message": msg.en,
                "message_ru": msg.ru,
            }
        });
        (status, axum::Json(body)).into_response()
    } else if matches!(*error, AppError::Unauthorized) && is_get {
        Redirect::to(&login_href(&here)).into_response()
    } else {
        let ctx = PageCtx::for_error(locale, here, &slot);
        let title = match locale {
            Locale::Ru => "Ошибка",
            Locale::En => "Error",
        };
        Page::new(&ctx, title).status(status).render(html! {
            div.narrow {
                h1 { (title) " " (status.as_u16()) }
                p.lead { (msg.get(locale)) }
                @if matches!(*error, AppError::Unauthorized) {
                    p { a.button href=(login_href(&ctx.here)) { (ctx.t().sign_in) } }
                }
                p { a href="/" { (ctx.t().home) } }
            }
        })
    };
    out.headers_mut().extend(kept);
    out.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}
