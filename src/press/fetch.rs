//! Fetching a feed politely and safely:
//!
//! - conditional GET: the validators of the last full answer go back as
//!   `If-None-Match` / `If-Modified-Since`, and a 304 is a success that
//!   brings nothing;
//! - one host at a time: two requests to a host are at least
//!   `VECHE_PRESS_HOST_SPACING_MS` apart, whoever asks (the poller, a
//!   keeper's "poll now"), each taking the next free slot;
//! - the outbound-address rules of the exchange (`integration::outbound`):
//!   public addresses only unless `VECHE_OUTBOUND_ALLOW_HOSTS` allows a
//!   host, checked after DNS resolution; redirects are followed here, at
//!   most `VECHE_PRESS_MAX_REDIRECTS`, each hop checked again;
//! - a timeout for the whole answer, and the body read in chunks up to
//!   `VECHE_PRESS_MAX_FEED_KB`: a larger one is an error of the feed, not
//!   a full memory.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::time::Instant;
use url::Url;

use super::parse::FeedError;
use crate::config::Config;
use crate::integration::outbound::{Outbound, Refused};

/// The next free moment of each host (`host:port`).
static HOSTS: LazyLock<Mutex<HashMap<String, Instant>>> = LazyLock::new(Default::default);

/// Waits for `host`'s turn: the slot after the last one taken, at least
/// `spacing` later.
async fn wait_turn(host: &str, spacing: Duration) {
    if spacing.is_zero() {
        return;
    }
    let slot = {
        let mut hosts = HOSTS.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // Forget hosts idle for long, so the map stays as small as the
        // hosts polled lately.
        if hosts.len() > 10_000 {
            hosts.retain(|_, t| *t + Duration::from_secs(3600) > now);
        }
        let slot = hosts.get(host).map_or(now, |t| (*t).max(now));
        hosts.insert(host.to_owned(), slot + spacing);
        slot
    };
    tokio::time::sleep_until(slot).await;
}

fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// A feed's answer.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing changed since the validators sent.
    NotModified,
    Body {
        status: u16,
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        /// Where the body came from (after redirects): relative links are
        /// resolved against it.
        url: Url,
    },
}

/// A failed fetch: the status if one came, why, and how long the server
/// asked us to wait.
#[derive(Debug)]
pub struct FetchError {
    pub status: Option<u16>,
    pub error: FeedError,
    pub retry_after: Option<Duration>,
}

fn failed(status: Option<u16>, code: &'static str, detail: impl Into<String>) -> FetchError {
    FetchError {
        status,
        error: FeedError::new(code, detail),
        retry_after: None,
    }
}

/// Why reqwest failed, with a refusal of the address named as such.
fn reqwest_failure(e: &reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return failed(None, "refused", r.0.clone());
        }
        source = s.source();
    }
    if e.is_timeout() {
        failed(None, "timeout", "")
    } else if e.is_connect() {
        failed(None, "connect", e.to_string())
    } else {
        failed(None, "http", e.to_string())
    }
}

pub struct Fetcher {
    outbound: Outbound,
    max_bytes: usize,
    max_redirects: u32,
    spacing: Duration,
    user_agent: String,
}

impl Fetcher {
    pub fn new(config: &Config) -> Fetcher {
        let p = &config.press;
        Fetcher {
            outbound: Outbound::new(
                config.integration.outbound_allow_hosts.clone(),
                Duration::from_secs(p.timeout_secs),
            ),
            max_bytes: usize::try_from(p.max_feed_kb * 1024).unwrap_or(usize::MAX),
            max_redirects: p.max_redirects,
            spacing: Duration::from_millis(p.host_spacing_ms),
            user_agent: format!("veche-press/1.0 (+{})", config.base_url()),
        }
    }

    /// GETs `url` with the validators of the last answer.
    pub async fn get(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let mut url = Url::parse(url).map_err(|e| failed(None, "url", e.to_string()))?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
            ),
        );
        if let Ok(v) = HeaderValue::from_str(&self.user_agent) {
            headers.insert(header::USER_AGENT, v);
        }
        if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = last_modified.and_then(|e| HeaderValue::from_str(e).ok()) {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        for hop in 0..=self.max_redirects {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(failed(None, "url", url.scheme().to_owned()));
            }
            let client = self
                .outbound
                .client_for(&url)
                .map_err(|why| failed(None, "refused", why))?;
            wait_turn(&host_key(&url), self.spacing).await;
            let mut response = client
                .get(url.clone())
                .headers(headers.clone())
                .send()
                .await
                .map_err(|e| reqwest_failure(&e))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| failed(Some(status.as_u16()), "redirect", "no Location"))?;
                if hop == self.max_redirects {
                    return Err(failed(
                        Some(status.as_u16()),
                        "redirects",
                        format!("> {}", self.max_redirects),
                    ));
                }
                url = next;
                continue;
            }
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if !status.is_success() {
                let retry_after = response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s.min(7 * 86_400)));
                return Err(FetchError {
                    status: Some(status.as_u16()),
                    error: FeedError::new("status", status.as_u16().to_string()),
                    retry_after,
                });
            }
            let header = |name: header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| v.len() <= 200)
                    .map(str::to_owned)
            };
            let (etag, last_modified) = (header(header::ETAG), header(header::LAST_MODIFIED));
            let too_large = || {
                failed(
                    Some(status.as_u16()),
                    "too_large",
                    format!("> {} KiB", self.max_bytes / 1024),
                )
            };
            if response
                .content_length()
                .is_some_and(|n| n > self.max_bytes as u64)
            {
                return Err(too_large());
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| reqwest_failure(&e))? {
                if bytes.len() + chunk.len() > self.max_bytes {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(Fetched::Body {
                status: status.as_u16(),
                bytes,
                etag,
                last_modified,
                url,
            });
        }
        Err(failed(
            None,
            "redirects",
            format!("> {}", self.max_redirects),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_to_one_host_take_turns() {
        let spacing = Duration::from_millis(150);
        let start = Instant::now();
        for _ in 0..3 {
            wait_turn("turns.example:80", spacing).await;
        }
        // Three turns: now, +150 ms, +300 ms.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(300), "{took:?}");
        // Another host does not wait.
        let other = Instant::now();
        wait_turn("other.example:80", spacing).await;
        assert!(other.elapsed() < Duration::from_millis(100));
    }
}
