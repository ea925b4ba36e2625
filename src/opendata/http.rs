//! HTTP done right for every download: validators (`ETag`,
//! `Last-Modified`) with 304 answers, content types, `Content-Disposition`,
//! and bodies streamed in constant memory. Compression (gzip, brotli) is the
//! router's `CompressionLayer`, which streams too.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

/// What identifies one state of a resource.
#[derive(Debug, Clone)]
pub struct Validators {
    /// Without quotes.
    pub etag: String,
    pub last_modified: OffsetDateTime,
}

impl Validators {
    pub fn new(etag: impl Into<String>, last_modified: OffsetDateTime) -> Validators {
        Validators {
            etag: etag.into(),
            last_modified: last_modified.replace_nanosecond(0).unwrap_or(last_modified),
        }
    }

    /// An ETag from content (small generated documents).
    pub fn of_content(content: &[u8], last_modified: OffsetDateTime) -> Validators {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(content);
        Validators::new(
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            last_modified,
        )
    }

    fn http_date(&self) -> String {
        httpdate::fmt_http_date(SystemTime::from(self.last_modified))
    }

    /// True when the client's copy is current: `If-None-Match` decides when
    /// present (RFC 9110), else `If-Modified-Since`.
    pub fn fresh(&self, headers: &HeaderMap) -> bool {
        if let Some(inm) = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
        {
            return inm.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/").trim_matches('"') == self.etag
            });
        }
        if let Some(ims) = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
        {
            return SystemTime::from(self.last_modified) <= ims;
        }
        false
    }

    pub fn apply(&self, headers: &mut HeaderMap) {
        if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", self.etag)) {
            headers.insert(header::ETAG, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.http_date()) {
            headers.insert(header::LAST_MODIFIED, v);
        }
        // Public data: caches may keep it, but must check before reuse.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=0, must-revalidate"),
        );
    }

    pub fn not_modified(&self) -> Response {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        self.apply(r.headers_mut());
        r
    }
}

#[derive(Debug, Clone)]
pub enum Disposition {
    /// Shown by browsers (passports, lists).
    Inline,
    /// Saved under a readable name (the dataset's title and date), the
    /// address's name the fallback for old clients.
    Named(String),
}

/// A response with validators, content type and file name.
pub fn respond(
    request_headers: &HeaderMap,
    validators: &Validators,
    content_type: &str,
    file_name: &str,
    disposition: Disposition,
    body: impl FnOnce() -> Body,
) -> Response {
    if validators.fresh(request_headers) {
        return validators.not_modified();
    }
    let mut r = Response::new(body());
    let h = r.headers_mut();
    validators.apply(h);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let (kind, readable) = match &disposition {
        Disposition::Inline => ("inline", file_name),
        Disposition::Named(n) => ("attachment", n.as_str()),
    };
    h.insert(
        header::CONTENT_DISPOSITION,
        crate::web::tables::content_disposition(kind, file_name, readable),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}
