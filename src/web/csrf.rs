//! Cross-site request forgery protection for every form.
//!
//! Each browser gets a random secret in an HttpOnly cookie. Every form carries
//! a token derived from it (`csrf_field`), masked with a fresh random pad on
//! each render so compressed pages do not leak it (BREACH). A middleware checks
//! every unsafe request to the HTML site before any handler runs, so no form
//! can forget the check. The token is read from the `X-CSRF-Token` header, the
//! `csrf_token` field of a URL-encoded form, or the first field of a
//! multipart form (`csrf_field` comes first in every upload form): only that
//! field is read ahead, the rest of the upload still streams to its handler.
//! The `csrf_token` query parameter is accepted from scripts, but no page puts
//! a token in an address: addresses end up in logs and `Referer` headers.
//!
//! This is Django's design (a signed session is not needed for anonymous
//! forms such as sign-in); written by hand because it is small and the crates
//! that offer it tie it to their own session or cookie types.
//!
//! Machine APIs under `/api/` and `/open311/` are exempt: they authenticate
//! with keys or tokens in headers, never with cookies.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::error::{AppError, Msg};
use crate::web::i18n::cookie_value;

pub const CSRF_COOKIE: &str = "veche_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
const SECRET_LEN: usize = 32;
/// URL-encoded forms larger than this are refused before the check.
const MAX_FORM_BYTES: usize = 4 * 1024 * 1024;

/// The browser's CSRF secret, available to handlers through request extensions.
#[derive(Clone)]
pub struct CsrfSecret {
    bytes: [u8; SECRET_LEN],
    /// Set when a page put a token in a form: only then does a new secret
    /// need its cookie (JSON and file responses send none).
    used: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl CsrfSecret {
    fn generate() -> CsrfSecret {
        let mut bytes = [0u8; SECRET_LEN];
        rand::rng().fill_bytes(&mut bytes);
        CsrfSecret::from_bytes(bytes)
    }

    fn from_bytes(bytes: [u8; SECRET_LEN]) -> CsrfSecret {
        CsrfSecret {
            bytes,
            used: Default::default(),
        }
    }

    fn parse(value: &str) -> Option<CsrfSecret> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        Some(CsrfSecret::from_bytes(bytes.try_into().ok()?))
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.bytes)
    }

    /// A fresh masked token for one form.
    pub fn masked_token(&self) -> String {
        self.used.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut pad = [0u8; SECRET_LEN];
        rand::rng().fill_bytes(&mut pad);
        let mut out = Vec::with_capacity(SECRET_LEN * 2);
        out.extend_from_slice(&pad);
        out.extend(pad.iter().zip(self.bytes.iter()).map(|(p, s)| p ^ s));
        URL_SAFE_NO_PAD.encode(out)
    }

    fn accepts(&self, token: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        if bytes.len() != SECRET_LEN * 2 {
            return false;
        }
        let (pad, masked) = bytes.split_at(SECRET_LEN);
        let unmasked: Vec<u8> = pad.iter().zip(masked).map(|(p, m)| p ^ m).collect();
        unmasked.ct_eq(&self.bytes).into()
    }
}

fn is_exempt(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/open311/")
        // The JSON tables are read-only: another method gets the router's
        // 405 with `Allow`, not a CSRF refusal that suggests a form.
        || (path.starts_with("/opendata/") && path.ends_with("/table.json"))
}

fn rejection() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        "csrf",
        Msg::new(
            "Форма устарела или отправлена с другого сайта. Обновите страницу и отправьте её ещё раз.",
            "The form has expired or was sent from another site. Reload the page and submit it again.",
        ),
    )
}

/// The middleware: issues the secret cookie and checks unsafe requests.
pub async fn protect(secure_cookies: bool, mut request: Request, next: Next) -> Response {
    let existing = cookie_value(request.headers(), CSRF_COOKIE).and_then(|v| CsrfSecret::parse(&v));
    let is_new = existing.is_none();
    let secret = existing.unwrap_or_else(CsrfSecret::generate);

    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if unsafe_method && !is_exempt(request.uri().path()) {
        // A request without the cookie cannot carry a matching token.
        if is_new {
            return rejection().into_response();
        }
        match checked(request, &secret).await {
            Ok(r) => request = r,
            Err(response) => return response,
        }
    }

    request.extensions_mut().insert(secret.clone());
    let mut response = next.run(request).await;
    if is_new && secret.used.load(std::sync::atomic::Ordering::Relaxed) {
        let mut cookie = crate::web::i18n::year_cookie(CSRF_COOKIE, secret.encode());
        cookie.set_http_only(true);
        cookie.set_secure(secure_cookies);
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Finds the token in the header, the query or the form body, and checks it.
/// Returns the request with its body restored.
async fn checked(request: Request, secret: &CsrfSecret) -> Result<Request, Response> {
    if let Some(token) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if secret.accepts(token) {
            Ok(request)
        } else {
            Err(rejection().into_response())
        };
    }
    if let Some(token) = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded_value(q.as_bytes(), CSRF_FIELD))
    {
        return if secret.accepts(&token) {
            Ok(request)
        } else {
            Err(rejection().into_response())
        };
    }
    let content_type = crate::web::extract::content_type(request.headers());
    if let Ok(boundary) = multer::parse_boundary(&content_type) {
        return checked_multipart(request, secret, boundary).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(rejection().into_response());
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Err(AppError::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                "form_too_large",
                Msg::new(
                    "Форма слишком большая. Сократите текст и отправьте снова.",
                    "The form is too large. Shorten the text and submit again.",
                ),
            )
            .into_response());
        }
    };
    match form_urlencoded_value(&bytes, CSRF_FIELD) {
        Some(token) if secret.accepts(&token) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(rejection().into_response()),
    }
}

/// How much of a multipart body is read ahead to find the token field.
const MULTIPART_HEAD: usize = 16 * 1024;

/// The token as the first field of a multipart body. The bytes read ahead
/// to find it go back in front of the rest of the stream, so the handler
/// reads the whole form, uploads included, as sent.
async fn checked_multipart(
    request: Request,
    secret: &CsrfSecret,
    boundary: String,
) -> Result<Request, Response> {
    use futures::StreamExt;
    let (parts, body) = request.into_parts();
    let mut rest = body.into_data_stream();
    let mut head = Vec::new();
    // Until the first field has ended (the second boundary is in), the body
    // ends, or the head is too long to be a token field.
    let delimiter = format!("--{boundary}");
    let needle = delimiter.as_bytes();
    // Boundaries seen so far; each chunk is searched from just before its
    // start, so a body sent a byte at a time costs no more than one scan.
    let mut seen = 0;
    while head.len() < MULTIPART_HEAD && seen < 2 {
        match rest.next().await {
            Some(Ok(chunk)) => {
                let from = head.len().saturating_sub(needle.len() - 1);
                head.extend_from_slice(&chunk);
                seen += count(&head[from..], needle);
            }
            Some(Err(_)) => return Err(rejection().into_response()),
            None => break,
        }
    }
    let head = axum::body::Bytes::from(head);
    let mut first = multer::Multipart::new(
        futures::stream::once({
            let head = head.clone();
            async move { Ok::<_, std::io::Error>(head) }
        }),
        boundary,
    );
    let token = match first.next_field().await {
        Ok(Some(field)) if field.name() == Some(CSRF_FIELD) => field.text().await.ok(),
        _ => None,
    };
    match token {
        Some(t) if secret.accepts(&t) => {
            let replay =
                futures::stream::once(async move { Ok::<_, axum::Error>(head) }).chain(rest);
            Ok(Request::from_parts(parts, Body::from_stream(replay)))
        }
        _ => Err(rejection().into_response()),
    }
}

/// How many times `needle` occurs in `haystack`.
fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn form_urlencoded_value(input: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(input)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_counted_across_chunks() {
        assert_eq!(count(b"--b\r\nx--b--", b"--b"), 2);
        assert_eq!(count(b"", b"--b"), 0);
    }

    #[test]
    fn masked_tokens_differ_but_all_verify() {
        let s = CsrfSecret::generate();
        let (a, b) = (s.masked_token(), s.masked_token());
        assert_ne!(a, b);
        assert!(s.accepts(&a));
        assert!(s.accepts(&b));
    }

    #[test]
    fn token_of_another_secret_is_refused() {
        let (s, other) = (CsrfSecret::generate(), CsrfSecret::generate());
        assert!(!s.accepts(&other.masked_token()));
        assert!(!s.accepts(""));
        assert!(!s.accepts("not base64!"));
        assert!(!s.accepts(&s.encode()));
    }
}
