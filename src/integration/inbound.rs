//! Receiving messages: `POST /api/v1/integration/messages` (signed, from a
//! partner) and the in-process path of the `local` destination. Both end in
//! [`apply`], which records the message id in the inbox in the same
//! transaction as its effect: a message is applied exactly once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use serde_json::json;

use super::messages::{Body, Message};
use super::partners::{self, Partner};
use super::signing;
use crate::app::AppState;
use crate::error::{AppError, AppResult, Msg};

/// Who sent a message.
// One per message received, passed by reference: not worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Sender {
    /// This process (the `local` destination).
    Local,
    Partner(Partner),
}

impl Sender {
    /// The origin recorded on orders and in the inbox.
    pub fn id(&self) -> &str {
        match self {
            Sender::Local => super::exchange::LOCAL,
            Sender::Partner(p) => &p.partner_id,
        }
    }

    pub fn is_instance(&self) -> bool {
        match self {
            Sender::Local => true,
            Sender::Partner(p) => p.is_instance(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Sender::Local => String::new(),
            Sender::Partner(p) => p.name.clone(),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    Duplicate,
}

fn unauthorized(ru: &'static str, en: &'static str) -> AppError {
    AppError::client(StatusCode::UNAUTHORIZED, "bad_signature", Msg::new(ru, en))
}

pub fn instances_only() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        "not_allowed",
        Msg::new(
            "Это сообщение принимается только от другого экземпляра veche.",
            "This message is accepted only from another veche instance.",
        ),
    )
}

/// A message about a citizen's request that was not sent to its sender.
/// Refused like another organisation's order: the message is not consumed,
/// nothing changes.
pub fn not_sent_to_you(appeal_id: i64) -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        "not_sent_to_you",
        Msg::new(
            format!(
                "Обращение № {appeal_id} не передавалось отправителю: отвечать на него или перенаправлять его он не может."
            ),
            format!(
                "Request No. {appeal_id} was not sent to the sender, so it may not answer or refer it."
            ),
        ),
    )
}

/// On the portal: whether the request was sent to `sender` (the core that
/// answers it).
pub async fn check_sent_to(
    tx: &mut crate::db::Tx,
    sender: &Sender,
    appeal_id: i64,
) -> AppResult<()> {
    if partners::request_sent_to(tx, appeal_id)
        .await?
        .iter()
        .any(|p| p == sender.id())
    {
        Ok(())
    } else {
        Err(not_sent_to_you(appeal_id))
    }
}

/// Refuses a message a partner system (not another veche instance) sent.
pub fn require_instance(sender: &Sender) -> AppResult<()> {
    if sender.is_instance() {
        Ok(())
    } else {
        Err(instances_only())
    }
}

/// What a feature does with the messages of some types. `integration`
/// checks the signature, reads the envelope and records the id; the
/// handler registered for the type (wired in `features.rs`) applies the
/// body inside that same transaction.
#[async_trait::async_trait]
pub trait MessageHandler: Send + Sync {
    /// The message types (`Body::type_name`) this handler applies.
    fn types(&self) -> &'static [&'static str];
    async fn apply(
        &self,
        tx: &mut crate::db::Tx,
        state: &AppState,
        sender: &Sender,
        body: &Body,
        photos: &[crate::media::upload::StoredPhoto],
    ) -> AppResult<()>;
}

/// The registered handlers.
#[derive(Clone, Default)]
pub struct Handlers(std::sync::Arc<Vec<std::sync::Arc<dyn MessageHandler>>>);

impl Handlers {
    pub fn new(all: Vec<std::sync::Arc<dyn MessageHandler>>) -> Handlers {
        Handlers(std::sync::Arc::new(all))
    }

    /// Every type some handler applies.
    pub fn types(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .flat_map(|h| h.types().iter().copied())
            .collect()
    }

    /// The handlers of a type, in the order they were registered: a type
    /// may have several (the directory applies `directory.updated`, then
    /// the core moves the orders of organisations that left it), each
    /// seeing what the ones before it wrote in the same transaction.
    fn for_type(&self, kind: &str) -> Vec<&std::sync::Arc<dyn MessageHandler>> {
        self.0
            .iter()
            .filter(|h| h.types().contains(&kind))
            .collect()
    }
}

/// `POST /api/v1/integration/messages`
#[utoipa::path(
    post,
    path = "/api/v1/integration/messages",
    tag = "integration",
    request_body = Message,
    params(
        ("Veche-Key-Id" = String, Header, description = "The sender's id, as registered here"),
        ("Veche-Timestamp" = i64, Header, description = "Unix seconds when the message was signed"),
        ("Veche-Signature" = String, Header, description = "`v1=` + hex HMAC-SHA256 of `timestamp.body` with the shared secret; from an instance of the federation, `ed25519=` + base64 Ed25519 signature of `timestamp.body`"),
    ),
    responses(
        (status = 200, description = "Applied"),
        (status = 401, description = "Unknown key, bad signature, or (`clock_skew`) a timestamp more than 5 minutes off, saying by how many seconds and which way", body = crate::web::api_docs::ApiErrorBody),
        (status = 403, description = "The sender may not act on this order (`not_your_organisation`) or on this request, which was not sent to it (`not_sent_to_you`); the message is not consumed", body = crate::web::api_docs::ApiErrorBody),
        (status = 409, description = "`duplicate_message`: this id was applied before (a replay or a redelivery); nothing changed", body = crate::web::api_docs::ApiErrorBody),
        (status = 422, description = "The message cannot be applied, or (`unsupported_version`) its `v` is newer than this instance reads", body = crate::web::api_docs::ApiErrorBody),
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<serde_json::Value>> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(key_id), Some(ts), Some(sig)) = (
        header(signing::KEY_ID),
        header(signing::TIMESTAMP),
        header(signing::SIGNATURE),
    ) else {
        return Err(unauthorized(
            "Сообщение не подписано: нужны заголовки Veche-Key-Id, Veche-Timestamp и Veche-Signature.",
            "The message is not signed: send Veche-Key-Id, Veche-Timestamp and Veche-Signature.",
        ));
    };
    let partner = partners::get(&state.db, &key_id)
        .await?
        .filter(|p| p.disabled_at.is_none())
        .ok_or_else(|| {
            unauthorized(
                "Неизвестный или отключённый ключ отправителя.",
                "Unknown or disabled sender key.",
            )
        })?;
    let ts: i64 = ts.trim().parse().map_err(|_| {
        unauthorized(
            "Veche-Timestamp должен быть числом секунд Unix.",
            "Veche-Timestamp must be Unix seconds.",
        )
    })?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    check_signature(&partner, ts, now, &body, &sig)?;
    let message = read_message(&body)?;
    let sender = Sender::Partner(partner);
    match apply(&state, &sender, &message).await? {
        Applied::Done => {
            tracing::info!(
                partner = sender.id(),
                message_type = message.body.type_name(),
                "integration message applied"
            );
            Ok(Json(json!({ "status": "applied", "id": message.id })))
        }
        Applied::Duplicate => Err(AppError::conflict(
            "duplicate_message",
            Msg::new(
                "Сообщение с этим id уже получено и применено; повтор ничего не изменил.",
                "A message with this id was already received and applied; the repeat changed nothing.",
            ),
        )),
    }
}

/// The signature of a partner's message: Ed25519 for an instance of the
/// federation file (its public key), HMAC for the others (the shared
/// secret); either within the window of [`signing::TOLERANCE_SECS`].
fn check_signature(partner: &Partner, ts: i64, now: i64, body: &[u8], sig: &str) -> AppResult<()> {
    signing::check_time(ts, now).map_err(|e| match e {
        signing::Invalid::Stale { skew } => clock_skew(skew),
        _ => unauthorized("Подпись не совпадает.", "The signature does not match."),
    })?;
    let mismatch = || {
        unauthorized(
            "Подпись не совпадает с телом сообщения.",
            "The signature does not match the message body.",
        )
    };
    match &partner.public_key {
        Some(public) => match crate::federation::keys::verify(public, ts, body, sig) {
            Some(true) => Ok(()),
            Some(false) => Err(mismatch()),
            None => Err(unauthorized(
                "Этот отправитель — экземпляр федерации: его подпись — ed25519=… его ключом.",
                "This sender is an instance of the federation: it signs with ed25519=… and its own key.",
            )),
        },
        // A partner with no secret (an instance whose key was removed)
        // cannot be checked: an empty HMAC key would let anyone sign.
        None if partner.secret.is_empty() => Err(unauthorized(
            "У отправителя нет ни общего секрета, ни открытого ключа.",
            "The sender has neither a shared secret nor a public key.",
        )),
        None => signing::verify(&partner.secret, ts, now, body, sig).map_err(|e| match e {
            signing::Invalid::Stale { skew } => clock_skew(skew),
            _ => mismatch(),
        }),
    }
}

/// A timestamp outside the window: by how much, and which clock is off.
fn clock_skew(skew: i64) -> AppError {
    let secs = skew.unsigned_abs();
    let (ru, en) = if skew > 0 {
        ("спешат", "ahead of")
    } else {
        ("отстают", "behind")
    };
    AppError::client(
        StatusCode::UNAUTHORIZED,
        "clock_skew",
        Msg::new(
            format!(
                "Часы отправителя {ru} на {secs} с относительно часов получателя (допустимо {tol} с): \
                 проверьте синхронизацию времени (NTP) у отправителя. Сообщение будет принято, \
                 когда часы сойдутся.",
                tol = signing::TOLERANCE_SECS
            ),
            format!(
                "The sender's clock is {secs} s {en} the receiver's (the tolerance is {tol} s): \
                 check the sender's time synchronisation (NTP). The message is accepted once \
                 the clocks agree.",
                tol = signing::TOLERANCE_SECS
            ),
        ),
    )
}

/// The newest major version of the envelope this veche reads.
pub const MESSAGE_VERSION: u64 = 1;

/// Reads a message, refusing a newer major version of the envelope before
/// its body is read (a newer sender's body may not parse here).
pub fn read_message(body: &[u8]) -> AppResult<Message> {
    #[derive(serde::Deserialize)]
    struct Head {
        v: Option<serde_json::Value>,
    }
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::bad_request(
            "invalid_message",
            Msg::new(
                format!("Сообщение не разобрано: {e}"),
                format!("The message could not be read: {e}"),
            ),
        )
    };
    let head: Head = serde_json::from_slice(body).map_err(|e| unreadable(&e))?;
    match head.v {
        // Senders before the field existed: version 1.
        None => {}
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some_and(|v| v >= 1) => {
            let v = n.as_u64().unwrap_or(MESSAGE_VERSION);
            if v > MESSAGE_VERSION {
                return Err(AppError::unprocessable(
                    "unsupported_version",
                    Msg::new(
                        format!(
                            "Версия сообщения {v} новее той, что читает этот экземпляр ({MESSAGE_VERSION}): обновите его."
                        ),
                        format!(
                            "Message version {v} is newer than this instance reads ({MESSAGE_VERSION}): upgrade it."
                        ),
                    ),
                ));
            }
        }
        Some(other) => {
            return Err(unreadable(&format!(
                "v must be a positive whole number, not {other}"
            )));
        }
    }
    serde_json::from_slice(body).map_err(|e| unreadable(&e))
}

/// Applies `message` from `sender` once.
pub async fn apply(state: &AppState, sender: &Sender, message: &Message) -> AppResult<Applied> {
    // Photos are decoded, cleaned and written before the transaction, as
    // with uploads; if the transaction fails the files are removed.
    let photos = match &message.body {
        Body::OrderReported(r) => decode_photos(state, &r.photos).await?,
        _ => Vec::new(),
    };
    let result = apply_in(state, sender, message, &photos).await;
    if !matches!(result, Ok(Applied::Done)) && !photos.is_empty() {
        let keys: Vec<String> = photos.iter().map(|p| p.key.clone()).collect();
        crate::media::discard(&state.media, &keys).await;
    }
    result
}

async fn apply_in(
    state: &AppState,
    sender: &Sender,
    message: &Message,
    photos: &[crate::media::upload::StoredPhoto],
) -> AppResult<Applied> {
    let mut tx = state.db.begin().await?;
    if apply_within(&mut tx, state, sender, message, photos).await? == Applied::Duplicate {
        return Ok(Applied::Duplicate);
    }
    tx.commit().await?;
    state.search.notify();
    state.mailer.notify();
    state.exchange.notify();
    Ok(Applied::Done)
}

/// Applies `message` inside the caller's transaction, once: for a sender
/// whose own record of the message must commit with its effect (a МЭДО
/// package registered with the orders it opened).
pub async fn apply_within(
    tx: &mut crate::db::Tx,
    state: &AppState,
    sender: &Sender,
    message: &Message,
    photos: &[crate::media::upload::StoredPhoto],
) -> AppResult<Applied> {
    if !partners::record_received(tx, sender.id(), &message.id, message.body.type_name()).await? {
        return Ok(Applied::Duplicate);
    }
    let kind = message.body.type_name();
    let handlers = state.message_handlers.for_type(kind);
    if handlers.is_empty() {
        return Err(AppError::unprocessable(
            "not_accepted",
            Msg::new(
                format!(
                    "veche не принимает сообщения {kind} (отправляет их партнёрам или не знает)."
                ),
                format!(
                    "veche does not accept {kind} messages (it sends them to partners, or does not know them)."
                ),
            ),
        ));
    }
    for handler in handlers {
        handler
            .apply(tx, state, sender, &message.body, photos)
            .await?;
    }
    Ok(Applied::Done)
}

async fn decode_photos(
    state: &AppState,
    photos: &[super::messages::Photo],
) -> AppResult<Vec<crate::workflow::StoredPhoto>> {
    let mut files = Vec::new();
    for (i, p) in photos.iter().enumerate().take(10) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(p.data.as_bytes())
            .map_err(|_| {
                AppError::unprocessable(
                    "invalid_photo",
                    Msg::new(
                        format!("Фото {} не в base64.", i + 1),
                        format!("Photo {} is not base64.", i + 1),
                    ),
                )
            })?;
        files.push((format!("photo-{}", i + 1), bytes));
    }
    match crate::media::upload::store_photos(&state.media, &state.gates, files).await? {
        Ok(stored) => Ok(stored),
        Err(m) => Err(AppError::unprocessable("invalid_photo", m)),
    }
}
