//! The staff's phone app (issue 19), server side through HTTP on both
//! backends: actions queued without a signal are applied exactly once (a
//! one-time key and the order's version), refused with 409 and the text
//! kept when the order changed meanwhile; a report of execution with a
//! photo; people who may not act are refused. Web Push: a local stand-in
//! for a browser's push service checks the VAPID signature (ES256 against
//! the `k=` key, audience and expiry) and decrypts the payload (RFC 8291)
//! with the keys this test made as the "browser": the encryption is real
//! and the payload is a count, never an order's text.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{TestApp, TestResponse};
use crate::problems::{citizen, jpeg, multipart, sign_in_as};

fn in_days(n: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(n)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

const ORG: &str = "admin-krasnodar";

/// An officer and an executor of one organisation; the officer gives the
/// executor an order. Returns (officer, executor, order id); the officer is
/// signed in.
pub(crate) async fn order_for_executor(app: &TestApp, title: &str) -> (i64, i64, i64) {
    let executor = citizen(app, "worker@krd.example", "Исполнитель Иванов").await;
    app.make_executor(executor, ORG).await;
    let officer = citizen(app, "head@krd.example", "Начальник Петров").await;
    app.make_officer(officer, ORG).await;
    sign_in_as(app, "head@krd.example").await;
    let id = give(app, executor, title).await;
    (officer, executor, id)
}

/// The signed-in officer gives `executor` an order; returns its id.
async fn give(app: &TestApp, executor: i64, title: &str) -> i64 {
    let r = app
        .submit(
            "/pm/orders/new",
            "/pm/orders",
            &[
                ("title", title),
                (
                    "description",
                    "Текст поручения, которого нет в уведомлении.",
                ),
                ("organisation_id", ORG),
                ("executor_id", &executor.to_string()),
                ("deadline", &in_days(5)),
                ("priority", "normal"),
                ("source", "meeting"),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap()
}

/// The version the order page carries for the phone.
async fn page_version(app: &TestApp, id: i64) -> i64 {
    let page = app.get(&format!("/pm/orders/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let at = page
        .body
        .find("data-version=\"")
        .expect("the page carries the version")
        + 14;
    page.body[at..].split('"').next().unwrap().parse().unwrap()
}

/// Sends a queued action as JSON with the page's token in the header, as
/// the phone's script does.
async fn send(app: &TestApp, id: i64, body: &Value) -> TestResponse {
    let token = app.get("/pm/tasks").await.csrf_token();
    app.post_bytes(
        &format!("/pm/api/orders/{id}/actions"),
        "application/json",
        body.to_string().into_bytes(),
        &[("x-csrf-token", &token), ("accept", "application/json")],
    )
    .await
}

pub(crate) async fn events(app: &TestApp, id: i64, kind: &str) -> i64 {
    app.scalar(&format!(
        "select count(*) from pm_order_event where order_id = {id} and kind = '{kind}'"
    ))
    .await
}

both_backends!(an_action_sent_twice_with_one_key_is_applied_once, |app| {
    let (_, _, id) = order_for_executor(&app, "Проверить освещение сквера").await;
    sign_in_as(&app, "worker@krd.example").await;
    let v = page_version(&app, id).await;
    let key = "6f1c2a7e-3b5d-4e8f-9a10-2b3c4d5e6f70";
    let action =
        json!({ "key": key, "version": v, "action": "comment", "text": "Выехал на место." });
    let first = send(&app, id, &action).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["status"], "applied");
    assert_eq!(first.json()["version"], v + 1);
    // The answer was lost on the way: the phone sends again.
    let again = send(&app, id, &action).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body, first.body, "the first answer, again");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(events(&app, id, "comment").await, 1, "applied once");
    assert_eq!(page_version(&app, id).await, v + 1);
    // Two at once with a new key: still one.
    let key2 = json!({ "key": "0d5e8b1a-77c2-4f3e-8d61-5a9b0c1d2e3f", "version": v + 1,
                       "action": "accept" });
    let (a, b) = tokio::join!(send(&app, id, &key2), send(&app, id, &key2));
    assert_eq!(
        (a.status, b.status),
        (StatusCode::OK, StatusCode::OK),
        "{} / {}",
        a.body,
        b.body
    );
    assert_eq!(a.body, b.body);
    assert_eq!(events(&app, id, "accepted").await, 1);
    // The timeline shows the comment once.
    let page = app.get(&format!("/pm/orders/{id}")).await.body;
    assert_eq!(page.matches("Выехал на место.").count(), 1);
});

both_backends!(
    an_action_against_a_changed_order_is_refused_and_its_text_kept,
    |app| {
        let (_, _, id) = order_for_executor(&app, "Убрать снег у школы").await;
        sign_in_as(&app, "worker@krd.example").await;
        let seen = page_version(&app, id).await;
        // Offline, the executor writes a comment against what the phone shows;
        // meanwhile the order is accepted from a computer.
        let accept = json!({ "key": "9e2f4a6b-1c3d-4e5f-8a7b-6c5d4e3f2a1b", "version": seen, "action": "accept" });
        assert_eq!(send(&app, id, &accept).await.status, StatusCode::OK);
        let text = "Снег убран частично, нужен трактор.";
        let late = json!({ "key": "3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d", "version": seen,
                       "action": "comment", "text": text });
        let r = send(&app, id, &late).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let body = r.json();
        assert_eq!(body["error"], "conflict");
        assert_eq!(body["reason"], "changed");
        assert_eq!(body["kept"]["text"], text, "the person's text comes back");
        assert_eq!(body["order"]["state"], "accepted");
        assert_eq!(body["order"]["version"], seen + 1);
        assert_eq!(events(&app, id, "comment").await, 0, "nothing applied");
        // Sent again with the same key: refused again (a refusal is not kept;
        // versions only grow), still nothing applied.
        assert_eq!(send(&app, id, &late).await.status, StatusCode::CONFLICT);
        assert_eq!(events(&app, id, "comment").await, 0);
        // Against the current version but no longer allowed (already accepted).
        let again = json!({ "key": "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e", "version": seen + 1, "action": "accept" });
        let r = send(&app, id, &again).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.json()["reason"], "not_allowed");
        assert_eq!(events(&app, id, "accepted").await, 1);
        assert_eq!(
            page_version(&app, id).await,
            seen + 1,
            "the refusals wrote nothing"
        );
        // The person sends the kept text again against what the order is now.
        let resent = json!({ "key": "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f", "version": seen + 1,
                         "action": "comment", "text": text });
        assert_eq!(send(&app, id, &resent).await.status, StatusCode::OK);
        assert_eq!(events(&app, id, "comment").await, 1);
        // Bad input is 422, not a conflict.
        let r = send(
            &app,
            id,
            &json!({ "key": "not a uuid", "version": 1, "action": "comment", "text": "x" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = send(&app, id, &json!({ "key": "8d9e0f1a-2b3c-4d4e-8f5a-6b7c8d9e0f1a", "version": seen + 2, "action": "cancel", "text": "x" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // The server is still up and the order page still answers.
        assert_eq!(app.get("/health").await.status, StatusCode::OK);
        assert_eq!(
            app.get(&format!("/pm/orders/{id}")).await.status,
            StatusCode::OK
        );
    }
);

both_backends!(
    a_report_of_execution_with_a_photo_goes_through_the_endpoint,
    |app| {
        let (_, _, id) = order_for_executor(&app, "Покрасить ограждение").await;
        sign_in_as(&app, "worker@krd.example").await;
        let v = page_version(&app, id).await;
        let token = app.get(&format!("/pm/orders/{id}")).await.csrf_token();
        let version = v.to_string();
        let (ct, body) = multipart(
            &[
                ("csrf_token", &token),
                ("key", "1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b"),
                ("version", &version),
                ("action", "report"),
                ("text", "Ограждение покрашено, фото приложено."),
            ],
            &[("files", "fence.jpg", jpeg(64, 48))],
        );
        let r = app
            .post_bytes(
                &format!("/pm/api/orders/{id}/actions"),
                &ct,
                body.clone(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "report_submitted");
        assert_eq!(r.json()["files"], 1);
        let photos = app
            .scalar(&format!(
                "select count(*) from pm_attachment where order_id = {id} and is_photo"
            ))
            .await;
        assert_eq!(photos, 1);
        // Sent again (the same body): the first answer, no second photo.
        let again = app
            .post_bytes(&format!("/pm/api/orders/{id}/actions"), &ct, body, &[])
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body, r.body);
        let photos = app
            .scalar(&format!(
                "select count(*) from pm_attachment where order_id = {id}"
            ))
            .await;
        assert_eq!(photos, 1);
        assert_eq!(events(&app, id, "report_submitted").await, 1);
        let page = app.get(&format!("/pm/orders/{id}")).await.body;
        assert!(page.contains("Ограждение покрашено, фото приложено."));
    }
);

both_backends!(people_who_may_not_act_are_refused, |app| {
    let (_, _, id) = order_for_executor(&app, "Закрыть люк").await;
    let v = page_version(&app, id).await;
    // A citizen: not in the core at all.
    citizen(&app, "resident@example.ru", "Житель Сидоров").await;
    sign_in_as(&app, "resident@example.ru").await;
    let accept =
        json!({ "key": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", "version": v, "action": "accept" });
    let token = app.get("/account/requests").await.csrf_token();
    let r = app
        .post_bytes(
            &format!("/pm/api/orders/{id}/actions"),
            "application/json",
            accept.to_string().into_bytes(),
            &[("x-csrf-token", &token), ("accept", "application/json")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Staff of another organisation: may read, may not accept.
    let other = citizen(&app, "other@kuban.example", "Чужой Сотрудник").await;
    app.make_executor(other, "min-transport").await;
    sign_in_as(&app, "other@kuban.example").await;
    let r = send(&app, id, &accept).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.json().get("order").is_none(),
        "nothing about the order is said"
    );
    // An order that does not exist.
    let r = send(&app, 999_999, &json!({ "key": "4c5d6e7f-8a9b-4c0d-8e1f-2a3b4c5d6e7f", "version": 0, "action": "comment", "text": "?" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Without the CSRF token (a cross-site post with the session cookie).
    let r = app
        .post_bytes(
            &format!("/pm/api/orders/{id}/actions"),
            "application/json",
            accept.to_string().into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(events(&app, id, "accepted").await, 0, "nothing applied");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_app_installs_from_the_task_list() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let m = app.get("/pm/manifest.webmanifest").await;
    assert_eq!(m.status, StatusCode::OK);
    let m = m.json();
    assert_eq!(m["start_url"], "/pm/tasks");
    assert_eq!(m["scope"], "/pm/");
    assert_eq!(m["display"], "standalone");
    order_for_executor(&app, "Проверить урны").await;
    sign_in_as(&app, "worker@krd.example").await;
    let tasks = app.get("/pm/tasks").await.body;
    assert!(tasks.contains(r#"rel="manifest" href="/pm/manifest.webmanifest""#));
    assert!(tasks.contains("id=\"synced\""));
    assert!(
        tasks.contains("/static/js/staff.js?v="),
        "the app's script is on the page"
    );
    // The citizens' pages keep the citizens' app.
    assert!(
        app.get("/")
            .await
            .body
            .contains(r#"rel="manifest" href="/manifest.webmanifest""#)
    );
}

// ---- Web Push ---------------------------------------------------------------

/// One request the stand-in received.
#[derive(Clone)]
struct Received {
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

/// A browser's push service on loopback: records what it is sent and
/// answers with `status`.
struct PushService {
    origin: String,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<std::sync::atomic::AtomicU16>,
}

async fn push_service() -> PushService {
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let status = Arc::new(std::sync::atomic::AtomicU16::new(201));
    let (g, s) = (got.clone(), status.clone());
    let router = axum::Router::new().route(
        "/push/{token}",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (g, s) = (g.clone(), s.clone());
                async move {
                    g.lock().unwrap().push(Received {
                        headers,
                        body: body.to_vec(),
                    });
                    StatusCode::from_u16(s.load(std::sync::atomic::Ordering::SeqCst)).unwrap()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    PushService {
        origin,
        got,
        status,
    }
}

/// The browser's side of a subscription: its key pair and auth secret.
struct BrowserKeys {
    secret: p256::SecretKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

fn browser_keys() -> BrowserKeys {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let secret = loop {
        if let Ok(k) = p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
            break k;
        }
    };
    let public = secret
        .public_key()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec();
    BrowserKeys {
        secret,
        public,
        auth: rand::random(),
    }
}

/// Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): the JWT is
/// signed (ES256) by `k`, for this origin, not expired; returns `k`.
fn check_vapid(headers: &axum::http::HeaderMap, origin: &str) -> String {
    use p256::ecdsa::signature::Verifier;
    let auth = headers["authorization"].to_str().unwrap();
    let rest = auth.strip_prefix("vapid ").expect("the vapid scheme");
    let part = |name: &str| {
        rest.split(',')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {auth}"))
            .to_owned()
    };
    let (jwt, k) = (part("t="), part("k="));
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(&k).unwrap())
        .expect("k is a P-256 public key");
    let mut pieces = jwt.split('.');
    let (h, c, s) = (
        pieces.next().unwrap(),
        pieces.next().unwrap(),
        pieces.next().unwrap(),
    );
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    key.verify(format!("{h}.{c}").as_bytes(), &signature)
        .expect("the JWT is signed with the k= key");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).unwrap()).unwrap();
    assert_eq!(
        claims["aud"], origin,
        "the audience is the endpoint's origin"
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let exp = claims["exp"].as_i64().unwrap();
    assert!(
        exp > now && exp <= now + 24 * 3600,
        "exp {exp} within a day"
    );
    assert!(
        claims["sub"]
            .as_str()
            .is_some_and(|s| s.starts_with("http") || s.starts_with("mailto:"))
    );
    k
}

/// Decrypts an `aes128gcm` body (RFC 8188 framing, RFC 8291 keys) as the
/// browser would.
fn decrypt(b: &BrowserKeys, body: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit};
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
    let idlen = body[20] as usize;
    let server_public = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    assert!(ciphertext.len() <= rs, "one record");
    let server =
        p256::PublicKey::from_sec1_bytes(server_public).expect("keyid is the sender's key");
    let shared = p256::ecdh::diffie_hellman(b.secret.to_nonzero_scalar(), server.as_affine());
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(&b.public);
    info.extend_from_slice(server_public);
    let mut ikm = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(&b.auth), shared.raw_secret_bytes().as_slice())
        .expand(&info, &mut ikm)
        .unwrap();
    let prk = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .unwrap();
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .unwrap();
    let cipher = aes_gcm::Aes128Gcm::new_from_slice(&cek).unwrap();
    let mut plain = cipher
        .decrypt(aes_gcm::Nonce::from_slice(&nonce), ciphertext)
        .expect("the payload decrypts with the browser's keys");
    while plain.last() == Some(&0) {
        plain.pop();
    }
    assert_eq!(plain.pop(), Some(2), "the last record's delimiter");
    plain
}

async fn deliver(app: &TestApp) -> usize {
    veche::integration::push::Pusher::new(&app.state.config)
        .deliver_pending(&app.state.db)
        .await
        .unwrap()
}

both_backends!(
    web_push_is_signed_encrypted_and_carries_only_a_count,
    config = crate::helpers::allow_loopback,
    |app| {
        let service = push_service().await;
        let (_, executor, _) = order_for_executor(&app, "Первое поручение").await;
        // The executor opts in on the phone: the page asks for the key,
        // the browser subscribes at its push service, the page posts the
        // subscription (a real push service is outside this machine, so
        // the test is the browser here).
        sign_in_as(&app, "worker@krd.example").await;
        let server_key = app.get("/push/key").await.json()["public_key"]
            .as_str()
            .unwrap()
            .to_owned();
        let b = browser_keys();
        let endpoint = format!("{}/push/device-1", service.origin);
        let token = app.get("/pm/tasks").await.csrf_token();
        let subscribe = |endpoint: String, scope: &str| {
            json!({
                "subscription": { "endpoint": endpoint, "keys": {
                    "p256dh": URL_SAFE_NO_PAD.encode(&b.public), "auth": URL_SAFE_NO_PAD.encode(b.auth) } },
                "scope": scope,
            })
            .to_string()
            .into_bytes()
        };
        let r = app
            .post_bytes(
                "/push/subscriptions",
                "application/json",
                subscribe(endpoint.clone(), "/pm/"),
                &[("x-csrf-token", &token)],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Browser-supplied addresses go through the outbound rules: a
        // private address is refused, and so is plain HTTP to a public one.
        for bad in [
            "https://10.1.2.3/push/x",
            "http://push.example.com/x",
            "not a url",
        ] {
            let r = app
                .post_bytes(
                    "/push/subscriptions",
                    "application/json",
                    subscribe(bad.into(), "/pm/"),
                    &[("x-csrf-token", &token)],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                r.body
            );
        }
        // Without the page's token: refused.
        let r = app
            .post_bytes(
                "/push/subscriptions",
                "application/json",
                subscribe(endpoint.clone(), "/pm/"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.scalar("select count(*) from push_subscription").await,
            1
        );

        // What was there before was read on the site already.
        {
            let mut tx = app.state.db.begin().await.unwrap();
            veche::exec_tx!(
                &mut tx,
                "update notification set read_at = $2 where account_id = $1",
                executor,
                veche::db::now()
            )
            .unwrap();
            tx.commit().await.unwrap();
        }
        // Two new orders before the worker runs: one push, counting both.
        sign_in_as(&app, "head@krd.example").await;
        give(&app, executor, "Секретный ремонт моста").await;
        give(&app, executor, "Второе секретное поручение").await;
        assert_eq!(
            app.scalar("select count(*) from outbox where queue = 'push'")
                .await,
            1,
            "coalesced"
        );
        assert_eq!(deliver(&app).await, 1);
        let got = service.got.lock().unwrap().clone();
        assert_eq!(got.len(), 1, "one push for two orders");
        let m = &got[0];
        assert_eq!(m.headers["content-encoding"], "aes128gcm");
        assert_eq!(m.headers["ttl"], "86400", "kept a day");
        assert_eq!(m.headers["urgency"], "normal");
        assert_eq!(m.headers["topic"], "counts");
        assert_eq!(
            m.headers.get_all("content-length").iter().count(),
            1,
            "one length, not the crate's and the client's"
        );
        let k = check_vapid(&m.headers, &service.origin);
        assert_eq!(k, server_key, "signed with the key the page was given");
        let plain = decrypt(&b, &m.body);
        let payload: Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(payload, json!({ "count": 2, "scope": "/pm/" }));
        let text = String::from_utf8(plain).unwrap();
        assert!(
            !text.contains("Секрет") && !text.contains("поручени"),
            "no order text: {text}"
        );
        // The body on the wire does not show it either.
        assert!(!String::from_utf8_lossy(&m.body).contains("count"));

        // The browser dropped the subscription: 410, and it is forgotten.
        service
            .status
            .store(410, std::sync::atomic::Ordering::SeqCst);
        give(&app, executor, "Третье поручение").await;
        deliver(&app).await;
        assert_eq!(service.got.lock().unwrap().len(), 2);
        assert_eq!(
            app.scalar("select count(*) from push_subscription").await,
            0
        );
        assert_eq!(
            app.scalar("select count(*) from outbox where queue = 'push'")
                .await,
            0
        );
        // No subscription: nothing is queued for the next order.
        give(&app, executor, "Четвёртое поручение").await;
        assert_eq!(
            app.scalar("select count(*) from outbox where queue = 'push'")
                .await,
            0
        );

        // Unsubscribing from a device removes only that device.
        sign_in_as(&app, "worker@krd.example").await;
        let token = app.get("/pm/tasks").await.csrf_token();
        let r = app
            .post_bytes(
                "/push/subscriptions",
                "application/json",
                subscribe(endpoint.clone(), "/pm/"),
                &[("x-csrf-token", &token)],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = app
            .post_bytes(
                "/push/subscriptions/delete",
                "application/json",
                json!({ "endpoint": endpoint }).to_string().into_bytes(),
                &[("x-csrf-token", &token)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["removed"], true);
        assert_eq!(
            app.scalar("select count(*) from push_subscription").await,
            0
        );
    }
);
