//! Web Push to the phone apps (RFC 8030 delivery, RFC 8291 payload
//! encryption, RFC 8292 VAPID), with the `web-push-native` crate (pure
//! RustCrypto, no system OpenSSL) encrypting each message, `jwt-simple`
//! (which it re-exports) signing the VAPID token, and our own outbound
//! client sending it.
//!
//! - The server's VAPID key pair is made once and kept in the database
//!   (`push_vapid`), so every process of one site signs with the same key
//!   and a restart keeps the browsers' subscriptions valid. The public key
//!   is served at `GET /push/key`.
//! - A browser's subscription (its push service's endpoint and its keys) is
//!   kept per account and device, with the part of the site it was made for
//!   (`scope`, a path prefix such as `/pm/`): opt-in from a button, removed
//!   on request, and removed when its push service answers 404 or 410.
//! - `enqueue` (called by `workflow::notify::person`, the single path of
//!   site notifications) writes one job per account in the outbox, coalesced
//!   by a dedup key: however many notifications arrive before delivery, one
//!   push goes out, carrying the count of unread notifications under the
//!   subscription's scope at the time of sending.
//! - A push service belongs to the browser's maker and is outside the
//!   region: the payload is a number and a path, never a text of the site
//!   (`{"count":2,"scope":"/pm/"}`); the service worker words it.
//! - Endpoints are addresses a browser supplied: they are reached through
//!   `outbound` (public addresses only, no redirects, a timeout), over HTTPS
//!   unless an administrator allowed the host.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use url::Url;
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;
use web_push_native::{Auth, WebPushBuilder, p256};

use super::outbound::{self, AllowedHost, Outbound};
use crate::config::Config;
use crate::db::{Db, Tx, now, queue};
use crate::error::Msg;
use crate::{exec_db, exec_tx, fetch_db, fetch_tx};

pub const QUEUE: &str = "push";
/// Subscriptions kept per account (devices); the oldest goes first.
pub const MAX_PER_ACCOUNT: i64 = 10;
const MAX_ENDPOINT: usize = 1024;
/// How long a push service keeps an undelivered message (a phone that is
/// off): a day, after which the count is stale anyway.
const TTL_SECONDS: u64 = 24 * 3600;
/// How long a VAPID token is good for: RFC 8292 allows at most a day from
/// the request; half of it leaves room for a push service's clock.
const VAPID_VALID_SECONDS: u64 = 12 * 3600;

/// A browser's subscription as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct NewSubscription {
    pub endpoint: String,
    pub keys: Keys,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Keys {
    pub p256dh: String,
    pub auth: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    subscription_id: i64,
    endpoint: String,
    p256dh: String,
    auth: String,
    scope: String,
}

#[derive(Serialize, Deserialize)]
struct Job {
    account_id: i64,
}

/// The server's VAPID key pair: `(private, public)`, both base64url
/// (the raw scalar and the uncompressed point), made on first use.
pub async fn vapid_keys(db: &Db) -> Result<(String, String), sqlx::Error> {
    let row: Option<(String, String)> = fetch_db!(
        db,
        fetch_optional,
        (String, String),
        "select private_key, public_key from push_vapid where id = 1"
    )?;
    if let Some(keys) = row {
        return Ok(keys);
    }
    let (private, public) = generate_key();
    // Two processes starting at once: the first write wins, both read it.
    exec_db!(
        db,
        "insert into push_vapid (id, private_key, public_key, created_at) values (1, $1, $2, $3)
         on conflict (id) do nothing",
        &private,
        &public,
        now()
    )?;
    fetch_db!(
        db,
        fetch_one,
        (String, String),
        "select private_key, public_key from push_vapid where id = 1"
    )
}

/// A new P-256 key pair from the operating system's random source.
fn generate_key() -> (String, String) {
    let pair = ES256KeyPair::generate();
    (
        URL_SAFE_NO_PAD.encode(pair.to_bytes()),
        URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed()),
    )
}

/// The stored private key (base64url of the raw scalar) as a signing key.
fn key_pair(private: &str) -> anyhow::Result<ES256KeyPair> {
    let raw = URL_SAFE_NO_PAD.decode(private)?;
    ES256KeyPair::from_bytes(&raw).map_err(|e| anyhow::anyhow!("the VAPID key: {e}"))
}

/// `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292) for a push
/// service at `audience`. Signed here rather than by the crate's
/// `with_vapid`, whose audience leaves out the endpoint's port.
fn vapid_authorization(
    pair: &ES256KeyPair,
    audience: &str,
    contact: &str,
) -> anyhow::Result<String> {
    let claims = Claims::create(Duration::from_secs(VAPID_VALID_SECONDS).into())
        .with_audience(audience)
        .with_subject(contact);
    let token = pair
        .sign(claims)
        .map_err(|e| anyhow::anyhow!("signing the VAPID token: {e}"))?;
    let public = URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed());
    Ok(format!("vapid t={token}, k={public}"))
}

/// Base64url without padding, as it is kept (browsers pad or not).
fn unpadded(s: &str) -> String {
    s.trim().trim_end_matches('=').to_owned()
}

/// Checks a subscription as a browser sent it: the endpoint an address we
/// may reach (HTTPS unless allowed, public), the keys of the right sizes;
/// `scope` a path prefix of the site.
pub async fn check(
    s: &NewSubscription,
    scope: &str,
    allow: &[AllowedHost],
) -> Result<(Url, String, String), Msg> {
    let bad = || {
        Msg::new(
            "Подписка браузера не разобрана.",
            "The browser's subscription could not be read.",
        )
    };
    if s.endpoint.len() > MAX_ENDPOINT {
        return Err(bad());
    }
    let url = outbound::check_url(&s.endpoint, allow).await?;
    if url.scheme() != "https" && !outbound::allowed(&url, allow) {
        return Err(Msg::new(
            "Адрес службы уведомлений должен начинаться с https://.",
            "The push service's address must start with https://.",
        ));
    }
    let (p256dh, auth) = (unpadded(&s.keys.p256dh), unpadded(&s.keys.auth));
    let key = URL_SAFE_NO_PAD.decode(&p256dh).map_err(|_| bad())?;
    let secret = URL_SAFE_NO_PAD.decode(&auth).map_err(|_| bad())?;
    if key.len() != 65 || key[0] != 4 || secret.len() != 16 {
        return Err(bad());
    }
    let scope_ok = scope.starts_with('/')
        && scope.len() <= 64
        && scope
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '/' || c == '-');
    if !scope_ok {
        return Err(bad());
    }
    Ok((url, p256dh, auth))
}

/// Keeps a checked subscription for `account_id`. A browser has one
/// endpoint: subscribing again (or as another person on a shared phone)
/// moves it. Beyond `MAX_PER_ACCOUNT` devices the oldest are dropped.
pub async fn subscribe(
    tx: &mut Tx,
    account_id: i64,
    endpoint: &Url,
    p256dh: &str,
    auth: &str,
    scope: &str,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into push_subscription (account_id, endpoint, p256dh, auth, scope, created_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (endpoint) do update set account_id = excluded.account_id,
             p256dh = excluded.p256dh, auth = excluded.auth, scope = excluded.scope,
             created_at = excluded.created_at",
        account_id,
        endpoint.as_str(),
        p256dh,
        auth,
        scope,
        now()
    )?;
    let ids: Vec<(i64,)> = fetch_tx!(
        tx,
        fetch_all,
        (i64,),
        "select subscription_id from push_subscription where account_id = $1
         order by created_at desc, subscription_id desc",
        account_id
    )?;
    for (id,) in ids.into_iter().skip(MAX_PER_ACCOUNT as usize) {
        exec_tx!(
            tx,
            "delete from push_subscription where subscription_id = $1",
            id
        )?;
    }
    Ok(())
}

/// Forgets a subscription of `account_id`; true when there was one.
pub async fn unsubscribe(db: &Db, account_id: i64, endpoint: &str) -> Result<bool, sqlx::Error> {
    Ok(exec_db!(
        db,
        "delete from push_subscription where account_id = $1 and endpoint = $2",
        account_id,
        endpoint
    )? > 0)
}

/// How many devices of `account_id` are subscribed.
pub async fn count(db: &Db, account_id: i64) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = fetch_db!(
        db,
        fetch_one,
        (i64,),
        "select count(*) from push_subscription where account_id = $1",
        account_id
    )?;
    Ok(n)
}

/// Something new for `account_id` (inside the transaction that recorded
/// it): a push follows the commit, if the person subscribed a device. Jobs
/// waiting for one account are one job.
pub async fn enqueue(tx: &mut Tx, account_id: i64) -> Result<(), sqlx::Error> {
    let subscribed: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select subscription_id from push_subscription where account_id = $1 limit 1",
        account_id
    )?;
    if subscribed.is_none() {
        return Ok(());
    }
    queue::push(
        tx,
        QUEUE,
        Some(&format!("push:{account_id}")),
        &Job { account_id },
    )
    .await
}

/// What became of one message.
enum Sent {
    Delivered,
    /// 404/410: the browser dropped the subscription.
    Gone,
    /// Refused for good (a 4xx other than 404/410/429): retrying would not
    /// help; logged and dropped.
    Refused(String),
}

/// Delivers the outbox's push jobs.
#[derive(Clone)]
pub struct Pusher {
    http: Outbound,
    allow: Vec<AllowedHost>,
    /// The `sub` claim: how the push service reaches the site's operator.
    contact: String,
}

impl Pusher {
    pub fn new(config: &Config) -> Pusher {
        let allow = config.integration.outbound_allow_hosts.clone();
        Pusher {
            http: Outbound::new(allow.clone(), Duration::from_secs(10)),
            allow,
            contact: config.base_url(),
        }
    }

    /// Sends every due push; returns how many messages went out.
    pub async fn deliver_pending(&self, db: &Db) -> anyhow::Result<usize> {
        let mut sent = 0;
        loop {
            let jobs = queue::claim(db, QUEUE, 20, Duration::from_secs(120)).await?;
            if jobs.is_empty() {
                return Ok(sent);
            }
            for job in jobs {
                match self.deliver(db, &job).await {
                    Ok(n) => {
                        queue::complete(db, &[job.outbox_id]).await?;
                        sent += n;
                    }
                    Err(e) => {
                        tracing::warn!(outbox_id = job.outbox_id, attempts = job.attempts, error = %format!("{e:#}"), "push delivery failed");
                        queue::fail(db, &job, &format!("{e:#}")).await?;
                    }
                }
            }
        }
    }

    async fn deliver(&self, db: &Db, job: &queue::Job) -> anyhow::Result<usize> {
        let Job { account_id } = job.payload()?;
        let (private, _) = vapid_keys(db).await?;
        let pair = key_pair(&private)?;
        let subs: Vec<Row> = fetch_db!(
            db,
            fetch_all,
            Row,
            "select subscription_id, endpoint, p256dh, auth, scope from push_subscription
             where account_id = $1 order by subscription_id",
            account_id
        )?;
        let mut sent = 0;
        let mut failed = Vec::new();
        for s in subs {
            // The count now, so a coalesced job says everything that waits.
            let (unread,): (i64,) = fetch_db!(
                db,
                fetch_one,
                (i64,),
                "select count(*) from notification
                 where account_id = $1 and read_at is null and link like $2",
                account_id,
                format!("{}%", s.scope)
            )?;
            if unread == 0 {
                continue;
            }
            let payload = serde_json::json!({ "count": unread, "scope": s.scope }).to_string();
            match self.send(&pair, &s, &payload).await {
                Ok(Sent::Delivered) => sent += 1,
                Ok(Sent::Gone) => {
                    exec_db!(
                        db,
                        "delete from push_subscription where subscription_id = $1",
                        s.subscription_id
                    )?;
                }
                Ok(Sent::Refused(why)) => {
                    tracing::warn!(subscription_id = s.subscription_id, why, "push refused")
                }
                Err(e) => failed.push(format!("subscription {}: {e:#}", s.subscription_id)),
            }
        }
        if failed.is_empty() {
            Ok(sent)
        } else {
            anyhow::bail!(failed.join("; "))
        }
    }

    async fn send(&self, pair: &ES256KeyPair, s: &Row, payload: &str) -> anyhow::Result<Sent> {
        let url = Url::parse(&s.endpoint)?;
        if url.scheme() != "https" && !outbound::allowed(&url, &self.allow) {
            return Ok(Sent::Refused("not https".into()));
        }
        let client = self.http.client_for(&url).map_err(anyhow::Error::msg)?;
        // Checked when subscribed; a row that fails now is refused, not retried.
        let keys = URL_SAFE_NO_PAD
            .decode(&s.p256dh)
            .ok()
            .and_then(|k| p256::PublicKey::from_sec1_bytes(&k).ok());
        let secret = URL_SAFE_NO_PAD
            .decode(&s.auth)
            .ok()
            .filter(|a| a.len() == 16);
        let (Some(key), Some(secret)) = (keys, secret) else {
            return Ok(Sent::Refused("the subscription's keys do not parse".into()));
        };
        // The crate encrypts (aes128gcm) and sets TTL, Content-Encoding,
        // Content-Type and Content-Length; the VAPID header is ours.
        let message =
            WebPushBuilder::new(s.endpoint.parse()?, key, Auth::clone_from_slice(&secret))
                .with_valid_duration(Duration::from_secs(TTL_SECONDS))
                .build(payload)?;
        // RFC 8292: the audience is the endpoint's origin, port included.
        let authorization = vapid_authorization(pair, &outbound::origin(&url), &self.contact)?;
        let (parts, body) = message.into_parts();
        let request = client
            .post(url.clone())
            .headers(parts.headers)
            .header("Authorization", authorization)
            .header("Urgency", "normal")
            // A newer count replaces one the push service still holds.
            .header("Topic", "counts")
            .body(body);
        let response = request
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", outbound::origin(&url)))?;
        let status = response.status().as_u16();
        Ok(match status {
            200..=299 => Sent::Delivered,
            404 | 410 => Sent::Gone,
            429 | 500..=599 => anyhow::bail!("{} answered {status}", outbound::origin(&url)),
            _ => Sent::Refused(format!("{} answered {status}", outbound::origin(&url))),
        })
    }

    /// The delivery worker of a serving process.
    pub async fn run(self, db: Db) {
        loop {
            if let Err(e) = self.deliver_pending(&db).await {
                tracing::error!(error = %format!("{e:#}"), "push worker failed; will retry");
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    }
}

mod api;
pub use api::router;
