//! The durable exchange: a message is written to the outbox (queue
//! `integration`) in the same transaction as the change that causes it, and
//! a delivery worker carries it to its destination with retries and
//! exponential backoff, keeping the order of messages per destination.
//!
//! A destination is `local` (the core runs in this process: the message is
//! applied here, by the same code that applies messages received over HTTP)
//! or the id of a partner (signed HTTP POST to its URL, or for a МЭДО
//! partner a package in its outbound folder, `medo::deliver`). The receiver applies
//! each message id once, so a message delivered twice (the sender crashed
//! after the POST, before deleting its row) changes nothing the second time.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::messages::{Body, Message};
use super::outbound::{self, AllowedHost, Outbound};
use super::signing;
use crate::app::AppState;
use crate::db::{Db, Tx, queue};

pub const QUEUE: &str = "integration";
pub const LOCAL: &str = "local";

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    destination: String,
    message: Message,
}

/// Writes `body` for `destination` into the outbox, inside `tx`.
pub async fn emit(tx: &mut Tx, destination: &str, body: Body) -> Result<(), sqlx::Error> {
    let message = Message::new(body);
    let key = format!("{destination}:{}", message.id);
    queue::push(
        tx,
        QUEUE,
        Some(&key),
        &Envelope {
            destination: destination.to_owned(),
            message,
        },
    )
    .await
}

/// The delivery worker's handle: wakes it after a commit.
#[derive(Clone)]
pub struct Exchange {
    notify: Arc<Notify>,
    http: Outbound,
}

impl Exchange {
    /// `allow`: hosts an administrator allowed although their addresses
    /// are not public (`VECHE_OUTBOUND_ALLOW_HOSTS`).
    pub fn new(allow: Vec<AllowedHost>) -> Exchange {
        Exchange {
            notify: Arc::new(Notify::new()),
            http: Outbound::new(allow, Duration::from_secs(10)),
        }
    }

    pub fn notify(&self) {
        self.notify.notify_one();
    }

    pub async fn run(self, state: AppState) {
        loop {
            match self.deliver_pending(&state).await {
                // A full batch: more may be waiting.
                Ok(n) if n >= BATCH as usize => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "integration worker failed; will retry")
                }
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Delivers one batch of due messages; returns how many were claimed.
    pub async fn deliver_pending(&self, state: &AppState) -> anyhow::Result<usize> {
        let db = &state.db;
        // A short lease: when a process dies holding a batch, another (or
        // the same one restarted) takes it over within half a minute. A
        // message sent twice that way is applied once by its receiver.
        let jobs = queue::claim(db, QUEUE, BATCH, Duration::from_secs(30)).await?;
        let n = jobs.len();
        let base = Duration::from_millis(state.config.integration.integration_retry_ms.max(1));
        // Destinations that failed in this batch: their later messages wait,
        // so the receiver sees them in order.
        let mut blocked: Vec<String> = Vec::new();
        for job in jobs {
            let env: Envelope = match job.payload() {
                Ok(e) => e,
                Err(e) => {
                    queue::fail(db, &job, &format!("unreadable message: {e}")).await?;
                    continue;
                }
            };
            // An older message to the same destination is still waiting (it
            // failed in an earlier batch): this one waits behind it.
            if blocked.contains(&env.destination)
                || queue::has_earlier(db, QUEUE, job.outbox_id, &format!("{}:", env.destination))
                    .await?
            {
                queue::postpone(db, &job, Duration::from_millis(100)).await?;
                blocked.push(env.destination.clone());
                continue;
            }
            match self.deliver(state, &env).await {
                // Removed at once: the next message to this destination
                // checks that nothing older is waiting.
                Ok(()) => queue::complete(db, &[job.outbox_id]).await?,
                Err(e) => {
                    tracing::warn!(
                        destination = %env.destination,
                        message_type = env.message.body.type_name(),
                        attempts = job.attempts,
                        error = %e,
                        "integration message not delivered; will retry"
                    );
                    queue::fail_after(db, &job, &e, queue::backoff_from(base, job.attempts))
                        .await?;
                    blocked.push(env.destination.clone());
                }
            }
        }
        Ok(n)
    }

    /// Applies a message to the core in this process.
    async fn deliver_local(&self, state: &AppState, env: &Envelope) -> Result<(), String> {
        match super::inbound::apply(state, &super::inbound::Sender::Local, &env.message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(format!(
                "{}: {}",
                e.code(),
                e.message().get(crate::web::i18n::Locale::En)
            )),
        }
    }

    async fn deliver(&self, state: &AppState, env: &Envelope) -> Result<(), String> {
        if env.destination == LOCAL {
            // Replaying a written history (the demo region): the core
            // applies the message at the time it was sent, and the queue
            // goes on at the time it was at.
            if crate::db::clock_is_set() {
                let at = crate::db::now();
                crate::db::set_clock(env.message.sent_at);
                let applied = self.deliver_local(state, env).await;
                crate::db::set_clock(at);
                return applied;
            }
            return self.deliver_local(state, env).await;
        }
        let partner = super::partners::get(&state.db, &env.destination)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no partner {}", env.destination))?;
        if partner.disabled_at.is_some() {
            return Err(format!("partner {} is disabled", partner.partner_id));
        }
        // A doc-flow system over МЭДО: packages in its outbound folder.
        if partner.kind == "medo" {
            return super::medo::deliver::deliver(state, &partner.partner_id, &env.message).await;
        }
        let url = partner
            .url
            .as_deref()
            .ok_or_else(|| format!("partner {} has no URL", partner.partner_id))?;
        let url =
            url::Url::parse(url).map_err(|_| format!("partner {}: bad URL", partner.partner_id))?;
        let origin = outbound::origin(&url);
        let client = self
            .http
            .client_for(&url)
            .map_err(|e| format!("{origin}: {e}"))?;
        let body = serde_json::to_vec(&env.message).map_err(|e| e.to_string())?;
        // Signed at sending time: a redelivery carries a fresh timestamp.
        let ts = time::OffsetDateTime::now_utc().unix_timestamp();
        // Another instance of the federation checks our Ed25519 key; any
        // other partner, the secret we share.
        let signature = match (&partner.public_key, &state.federation) {
            (Some(_), Some(f)) => f
                .key()
                .ok_or_else(|| "this process has no federation key".to_owned())?
                .sign(ts, &body),
            (Some(_), None) => {
                return Err(format!(
                    "partner {} is an instance of a federation, and this process is not in one \
                     (VECHE_FEDERATION)",
                    partner.partner_id
                ));
            }
            (None, _) => signing::sign(&partner.secret, ts, &body),
        };
        let response = client
            .post(url.clone())
            .header("content-type", "application/json")
            .header(signing::KEY_ID, &state.config.integration.instance_id)
            .header(signing::TIMESTAMP, ts.to_string())
            .header(signing::SIGNATURE, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("{origin}: {}", send_failure(&e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // A clock off by more than the window: said loudly, naming the
        // partner and by how much (from the answer's `Date`), since every
        // message to it fails until a clock is fixed; the message waits in
        // the outbox and is signed afresh at each retry.
        if status == reqwest::StatusCode::UNAUTHORIZED {
            let date = response
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|d| d.to_str().ok())
                .and_then(|d| httpdate::parse_http_date(d).ok());
            if String::from_utf8_lossy(&head(response, 64 * 1024).await).contains("clock_skew") {
                let skew = clock_skew(ts, date);
                tracing::warn!(
                    partner = %partner.partner_id,
                    skew_secs = skew,
                    "the partner refused our signature's time: this server's clock is {}; \
                     check time synchronisation (NTP) here or there",
                    describe_skew(skew)
                );
                return Err(format!(
                    "{origin}: HTTP 401 clock_skew: this server's clock is {}",
                    describe_skew(skew)
                ));
            }
            return Err(format!("{origin}: HTTP {status}"));
        }
        // Already applied by the receiver: delivered. Only this answer's
        // body is read, and only its first 64 KB.
        if status == reqwest::StatusCode::CONFLICT
            && String::from_utf8_lossy(&head(response, 64 * 1024).await)
                .contains("duplicate_message")
        {
            return Ok(());
        }
        // The status only: a body could carry the target's internal data,
        // and the error is shown to administrators.
        let reason = if status.is_redirection() {
            "; redirects are not followed"
        } else {
            ""
        };
        Err(format!("{origin}: HTTP {status}{reason}"))
    }
}

/// How far our clock (`ts`, when we signed) is from the partner's (the
/// answer's `Date`), in seconds: positive when ours is ahead.
fn clock_skew(ts: i64, date: Option<std::time::SystemTime>) -> Option<i64> {
    let theirs = date?.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(ts - i64::try_from(theirs).ok()?)
}

fn describe_skew(skew: Option<i64>) -> String {
    match skew {
        Some(s) if s > 0 => format!("{s} s ahead of the partner's"),
        Some(s) => format!("{} s behind the partner's", s.unsigned_abs()),
        None => "off from the partner's (it sent no Date)".to_owned(),
    }
}

/// Why a request failed, in words of our own: the refusal of a non-public
/// address, or the kind of failure.
fn send_failure(e: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<outbound::Refused>() {
            return r.to_string();
        }
        // An I/O error hides the error it wraps from `source()`.
        if let Some(r) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<outbound::Refused>())
        {
            return r.to_string();
        }
        source = s.source();
    }
    if e.is_timeout() {
        "no answer within 10 s".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// The first `limit` bytes of a response body.
async fn head(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < limit {
        match response.chunk().await {
            Ok(Some(c)) => out.extend_from_slice(&c),
            _ => break,
        }
    }
    out
}

const BATCH: i64 = 20;

/// Messages waiting for delivery (for /health and the admin page).
pub async fn pending(db: &Db) -> Result<i64, sqlx::Error> {
    queue::pending(db, QUEUE).await
}
