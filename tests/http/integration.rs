//! Outside document-flow systems: signed webhooks out (checked here with an
//! independent HMAC), signed messages in, limited to the system's
//! organisations; tampered, replayed and stale messages are refused;
//! undeliverable messages end in the administrators' dead-letter view.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use hmac::{KeyInit, Mac};
use veche::pm::queries as pmq;

use crate::both_backends;
use crate::helpers::TestApp;

const SECRET: &str = "0123456789abcdef0123456789abcdef-edo-transport";

pub type Received = Arc<Mutex<Vec<(axum::http::HeaderMap, Vec<u8>)>>>;

/// A webhook receiver on loopback that records what it gets.
pub async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let store = store.clone();
                async move {
                    store.lock().unwrap().push((headers, body.to_vec()));
                    StatusCode::NO_CONTENT
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

pub fn hmac_hex(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("{ts}.").as_bytes());
    m.update(body);
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Sends a message as the system would: `key` signs `signed`, `body` is sent.
pub async fn send(
    app: &TestApp,
    key: &str,
    secret: &str,
    ts: i64,
    signed: &[u8],
    body: &[u8],
) -> crate::helpers::TestResponse {
    let sig = format!("v1={}", hmac_hex(secret, ts, signed));
    app.post_bytes(
        "/api/v1/integration/messages",
        "application/json",
        body.to_vec(),
        &[
            ("veche-key-id", key),
            ("veche-timestamp", &ts.to_string()),
            ("veche-signature", &sig),
        ],
    )
    .await
}

fn action(id: &str, order_id: i64, what: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "sent_at": "2026-11-23T10:00:00Z",
        "type": "order.action",
        "data": { "order_id": order_id, "action": what, "text": text }
    }))
    .unwrap()
}

/// Runs the workers through every attempt, making each retry due at once
/// as time would: what keeps failing ends as a dead letter.
pub async fn retry_until_dead(app: &TestApp) {
    for _ in 0..veche::db::queue::MAX_ATTEMPTS {
        app.run_workers().await;
        veche::on_db!(&app.state.db, |pool| {
            sqlx::query("update outbox set run_after = created_at where queue = 'integration'")
                .execute(pool)
                .await
                .unwrap()
                .rows_affected()
        });
    }
}

pub async fn new_order(app: &TestApp, org: &str, title: &str) -> i64 {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(7)).date();
    let deadline = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let r = app
        .submit(
            "/pm/orders/new",
            "/pm/orders",
            &[
                ("title", title),
                ("organisation_id", org),
                ("deadline", &deadline),
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

both_backends!(
    an_outside_system_gets_signed_webhooks_and_answers_for_its_organisations,
    config = crate::helpers::allow_loopback,
    |app| {
        app.signed_in_admin().await;
        let (url, got) = receiver().await;
        // The administrator registers the system for the transport ministry.
        let r = app
            .submit(
                "/admin/integration",
                "/admin/integration",
                &[
                    ("partner_id", "edo-transport"),
                    ("name", "СЭД Минтранса"),
                    ("kind", "system"),
                    ("url", &url),
                    ("secret", SECRET),
                    ("organisations", "min-transport"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get("/admin/integration").await;
        assert!(page.body.contains("edo-transport") && page.body.contains("min-transport"));
        assert!(!page.body.contains(SECRET), "a secret is never shown again");
        // Bad partner input is refused with a message.
        let bad = app
            .submit(
                "/admin/integration",
                "/admin/integration",
                &[("partner_id", "bad id!"), ("name", "x")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        // An order for the ministry goes out as a signed webhook.
        let ours = new_order(&app, "min-transport", "Подготовить ответ о ремонте моста").await;
        let theirs = new_order(&app, "min-health", "Не их поручение").await;
        app.run_workers().await;
        let hooks = got.lock().unwrap().clone();
        assert_eq!(
            hooks.len(),
            1,
            "only the system's organisation's orders are sent"
        );
        let (headers, body) = &hooks[0];
        assert_eq!(headers["veche-key-id"], "veche");
        let ts: i64 = headers["veche-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((now_secs() - ts).abs() < 60);
        assert_eq!(
            headers["veche-signature"].to_str().unwrap(),
            format!("v1={}", hmac_hex(SECRET, ts, body)),
            "HMAC-SHA256 over timestamp.body with the shared secret"
        );
        let msg: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(msg["type"], "order.updated");
        assert_eq!(msg["data"]["order_id"], ours);
        assert_eq!(msg["data"]["title"], "Подготовить ответ о ремонте моста");

        // The system accepts the order through the inbound API.
        let accept = action("m-1", ours, "accept", "");
        let r = send(&app, "edo-transport", SECRET, now_secs(), &accept, &accept).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            pmq::order(&app.state.db, ours)
                .await
                .unwrap()
                .unwrap()
                .state,
            "accepted"
        );
        let history = app.get(&format!("/pm/orders/{ours}")).await;
        assert!(
            history.body.contains("СЭД Минтранса"),
            "the system is named in the history"
        );

        // Replayed: refused, nothing changes.
        let r = send(&app, "edo-transport", SECRET, now_secs(), &accept, &accept).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["error"]["code"], "duplicate_message");
        // Tampered: the signature is of another body.
        let start = action("m-2", ours, "start", "");
        let tampered = action("m-2", theirs, "start", "");
        let r = send(&app, "edo-transport", SECRET, now_secs(), &start, &tampered).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"]["code"], "bad_signature");
        // An old capture: stale timestamp.
        let r = send(
            &app,
            "edo-transport",
            SECRET,
            now_secs() - 600,
            &start,
            &start,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // The answer says the sender's clock is off, by how much and which way.
        assert_eq!(r.json()["error"]["code"], "clock_skew");
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(" s behind"), "{message}");
        // Wrong secret and unknown key.
        let r = send(
            &app,
            "edo-transport",
            "not the secret at all, not at all",
            now_secs(),
            &start,
            &start,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = send(&app, "edo-nobody", SECRET, now_secs(), &start, &start).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            pmq::order(&app.state.db, ours)
                .await
                .unwrap()
                .unwrap()
                .state,
            "accepted"
        );

        // Its key cannot touch another organisation's order.
        let foreign = action("m-3", theirs, "accept", "");
        let r = send(
            &app,
            "edo-transport",
            SECRET,
            now_secs(),
            &foreign,
            &foreign,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.json()["error"]["code"], "not_your_organisation");
        assert_eq!(
            pmq::order(&app.state.db, theirs)
                .await
                .unwrap()
                .unwrap()
                .state,
            "new"
        );
        // The refused message did not use up its id.
        let retry = send(
            &app,
            "edo-transport",
            SECRET,
            now_secs(),
            &foreign,
            &foreign,
        )
        .await;
        assert_eq!(retry.status, StatusCode::FORBIDDEN);

        // It reports; the order waits for the giver's acceptance.
        let report = action("m-4", ours, "report", "Ответ подготовлен, исх. № 12-345");
        let r = send(&app, "edo-transport", SECRET, now_secs(), &report, &report).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let o = pmq::order(&app.state.db, ours).await.unwrap().unwrap();
        assert_eq!(
            (o.state.as_str(), o.report_text.as_deref()),
            ("report_submitted", Some("Ответ подготовлен, исх. № 12-345"))
        );
        // The messages are described in the OpenAPI document veche serves.
        let api = app.get("/api/openapi.json").await.json();
        assert!(api["paths"]["/api/v1/integration/messages"]["post"].is_object());
        let schemas = api["components"]["schemas"].to_string();
        for t in [
            "order.requested",
            "order.reported",
            "order.action",
            "order.updated",
            "request.referred",
        ] {
            assert!(schemas.contains(t), "{t} in the OpenAPI schemas");
        }
        // Unreadable JSON gets a 400 with a reason.
        let junk = b"{not json".to_vec();
        let r = send(&app, "edo-transport", SECRET, now_secs(), &junk, &junk).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);

both_backends!(
    undeliverable_messages_end_in_the_dead_letter_view,
    config = crate::helpers::allow_loopback,
    |app| {
        app.signed_in_admin().await;
        // A system whose endpoint is down.
        let r = app
            .submit(
                "/admin/integration",
                "/admin/integration",
                &[
                    ("partner_id", "edo-down"),
                    ("name", "Недоступная СЭД"),
                    ("kind", "system"),
                    ("url", "http://127.0.0.1:9/hook"),
                    ("secret", SECRET),
                    ("organisations", "min-transport"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        new_order(&app, "min-transport", "Проверить ливнёвку").await;
        // Every attempt fails; make the retries due at once, as time would.
        retry_until_dead(&app).await;
        let page = app.get("/admin/integration").await;
        assert!(page.body.contains("id=\"dead-letters\""), "{}", page.body);
        assert!(
            page.body.contains("127.0.0.1:9"),
            "the last error names the endpoint"
        );
        let dead = veche::db::queue::dead_jobs(&app.state.db, 10)
            .await
            .unwrap();
        assert_eq!(dead.len(), 1);
        // Retry puts it back in line.
        let r = app
            .submit(
                "/admin/integration",
                "/admin/integration/retry",
                &[("outbox_id", &dead[0].outbox_id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            veche::db::queue::dead_jobs(&app.state.db, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            veche::integration::exchange::pending(&app.state.db)
                .await
                .unwrap(),
            1
        );
    }
);

both_backends!(
    a_destination_gets_its_messages_in_order_after_a_failure,
    config = crate::helpers::allow_loopback,
    |app| {
        app.signed_in_admin().await;
        // A receiver that fails the first delivery, then accepts.
        let got: Received = Arc::default();
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (store, counter) = (got.clone(), calls.clone());
        let hook = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let (store, counter) = (store.clone(), counter.clone());
                    async move {
                        if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                            return StatusCode::SERVICE_UNAVAILABLE;
                        }
                        store.lock().unwrap().push((headers, body.to_vec()));
                        StatusCode::NO_CONTENT
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });
        let r = app
            .submit(
                "/admin/integration",
                "/admin/integration",
                &[
                    ("partner_id", "edo-flaky"),
                    ("name", "СЭД с перебоями"),
                    ("kind", "system"),
                    ("url", &url),
                    ("secret", SECRET),
                    ("organisations", "min-transport"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let first = new_order(&app, "min-transport", "Первое").await;
        let second = new_order(&app, "min-transport", "Второе").await;
        app.run_workers().await;
        assert!(
            got.lock().unwrap().is_empty(),
            "the second message waits behind the first, which failed"
        );
        // Even when the second is due and the first is still backing off.
        veche::on_db!(&app.state.db, |pool| {
            sqlx::query(
                "update outbox set run_after = created_at where queue = 'integration'
                   and outbox_id = (select max(outbox_id) from outbox where queue = 'integration')",
            )
            .execute(pool)
            .await
            .unwrap()
            .rows_affected()
        });
        app.run_workers().await;
        assert!(
            got.lock().unwrap().is_empty(),
            "still waiting behind the first"
        );
        veche::on_db!(&app.state.db, |pool| {
            sqlx::query("update outbox set run_after = created_at where queue = 'integration'")
                .execute(pool)
                .await
                .unwrap()
                .rows_affected()
        });
        app.run_workers().await;
        let ids: Vec<i64> = got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| {
                serde_json::from_slice::<serde_json::Value>(b).unwrap()["data"]["order_id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        assert_eq!(ids, vec![first, second]);
    }
);
