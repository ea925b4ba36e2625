//! See `mod.rs`. Accounts: where redirects go, who an OIDC sign-in links to,
//! how often mail-sending and hashing forms may be used, HSTS, `/metrics`,
//! and what Open311 tokens reveal.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use super::still_healthy;
use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestResponse};
use crate::oidc::{app_with, sign_in_through_provider, start_provider};
use crate::problems::{KRASNODAR, citizen, file, id_from, set};

const PASSWORD: &str = "correct horse battery";

/// `next` values a browser would follow off the site, as they arrive
/// decoded: tab, newline and other control characters, backslashes,
/// encoded and double-encoded slashes, absolute and scheme-relative URLs.
const HOSTILE_NEXT: &[&str] = &[
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x7f/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2f/evil.example",
    "/%2F/evil.example",
    "/%5c/evil.example",
    "/%5C%5Cevil.example",
    "/%252f/evil.example",
    "/%252F%252F/evil.example",
    "/%09/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/эвил",
];

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The account page of whoever is signed in, or the redirect to sign-in.
async fn account(app: &TestApp) -> TestResponse {
    app.get("/account").await
}

fn assert_rate_limited(r: &TestResponse, text: &str) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    assert!(r.body.contains(text), "{}", r.body);
}

async fn register(app: &TestApp, email: &str, name: &str) -> TestResponse {
    app.submit(
        "/auth/register",
        "/auth/register",
        &[
            ("email", email),
            ("display_name", name),
            ("password", PASSWORD),
            ("consent", "on"),
        ],
    )
    .await
}

// ---- 1. open redirect ------------------------------------------------------

both_backends!(
    redirects_never_leave_the_site,
    config = |c| {
        // Every hostile `next` goes through a real sign-in.
        c.server.login_attempts_per_minute = 1000;
    },
    |app| {
        app.register_confirmed("walker@example.ru", "W", PASSWORD)
            .await;
        for next in HOSTILE_NEXT {
            // The language switch: the report's `/lang/ru?next=/%09/evil.example`.
            let r = app.get(&format!("/lang/ru?next={}", enc(next))).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
            assert_eq!(r.location(), "/", "/lang with next={next:?}");

            // The sign-in page carries only a safe `next` in its form.
            let r = app.get(&format!("/auth/login?next={}", enc(next))).await;
            assert_eq!(r.status, StatusCode::OK, "{next:?}");
            assert!(
                r.body.contains(r#"name="next" value="/""#),
                "sign-in form with next={next:?}"
            );

            // A forged form posts its own `next`: after sign-in, home.
            app.clear_cookies();
            let r = app
                .submit(
                    "/auth/login",
                    "/auth/login",
                    &[
                        ("email", "walker@example.ru"),
                        ("password", PASSWORD),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
            assert_eq!(r.location(), "/", "sign-in with next={next:?}");
        }
        // The site's own addresses still come back.
        let r = app.get("/lang/en?next=%2Fproblems%3Fstatus%3Dopen").await;
        assert_eq!(r.location(), "/problems?status=open");
        app.clear_cookies();
        let r = app
            .submit(
                "/auth/login",
                "/auth/login",
                &[
                    ("email", "walker@example.ru"),
                    ("password", PASSWORD),
                    ("next", "/account"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/account");
        still_healthy(&app).await;
    }
);

async fn oidc_returns_stay_on_the_site(backend: Backend) {
    let provider = start_provider(json!({"sub": "idp-next", "name": "Путник"})).await;
    let Some(app) = app_with(&provider, backend).await else {
        return;
    };
    for next in ["/\t/evil.example", "/%5c/evil.example", "//evil.example"] {
        app.clear_cookies();
        let r = sign_in_through_provider(&app, &enc(next)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/", "OIDC return with next={next:?}");
    }
    let r = sign_in_through_provider(&app, "%2Faccount").await;
    assert_eq!(r.location(), "/account");
    still_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_returns_stay_on_the_site_sqlite() {
    oidc_returns_stay_on_the_site(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_returns_stay_on_the_site_postgres() {
    oidc_returns_stay_on_the_site(Backend::Postgres).await;
}

// ---- 2. OIDC pre-account takeover -------------------------------------------

async fn oidc_sign_in_evicts_whoever_preregistered_the_address(backend: Backend) {
    let provider = start_provider(json!({
        "sub": "esia-victim",
        "name": "Вера Настоящая",
        "email": "vera@example.ru",
        "email_verified": true,
    }))
    .await;
    let Some(app) = app_with(&provider, backend).await else {
        return;
    };
    // The attacker registers the victim's address with their own password
    // and never confirms it.
    let r = register(&app, "vera@example.ru", "Подставной").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let attacker_account = app.account_id("vera@example.ru").await;
    // A session on that account. The forms give none to an unconfirmed
    // account today, so it is made the way a future path (or a bug) would:
    // confirmed for a moment, signed in, unconfirmed again. The fix must not
    // rely on there being no such session.
    let set_confirmed = |confirmed: bool| {
        let db = app.state.db.clone();
        async move {
            let at = confirmed.then(time::OffsetDateTime::now_utc);
            veche::on_db!(&db, |pool| sqlx::query(
                "update account set email_confirmed_at = $1 where account_id = $2"
            )
            .bind(at)
            .bind(attacker_account)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
            .unwrap();
        }
    };
    set_confirmed(true).await;
    assert_eq!(
        app.login("vera@example.ru", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    set_confirmed(false).await;
    let attacker_jar = app.jar();
    assert_eq!(account(&app).await.status, StatusCode::OK, "attacker in");

    // The owner signs in through the provider, which vouches for the address.
    app.clear_cookies();
    let r = sign_in_through_provider(&app, "%2Faccount").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = account(&app).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Вера Настоящая"), "{}", page.body);
    assert!(
        !page.body.contains("Подставной"),
        "the attacker's name is gone"
    );
    assert_eq!(app.account_id("vera@example.ru").await, attacker_account);
    let row = veche::auth::queries::account_by_id(&app.state.db, attacker_account)
        .await
        .unwrap()
        .unwrap();
    assert!(row.email_confirmed_at.is_some(), "the provider proved it");
    assert!(row.password_hash.is_none());

    // The attacker's session is over…
    app.restore_jar(attacker_jar);
    assert_eq!(
        account(&app).await.status,
        StatusCode::SEE_OTHER,
        "the attacker's session was ended"
    );
    // …and their password opens nothing.
    app.clear_cookies();
    let r = app.login("vera@example.ru", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Неверный адрес или пароль"));
    assert_eq!(account(&app).await.status, StatusCode::SEE_OTHER);
    still_healthy(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_sign_in_evicts_whoever_preregistered_the_address_sqlite() {
    oidc_sign_in_evicts_whoever_preregistered_the_address(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_sign_in_evicts_whoever_preregistered_the_address_postgres() {
    oidc_sign_in_evicts_whoever_preregistered_the_address(Backend::Postgres).await;
}

// ---- 3. rate limits ----------------------------------------------------------

both_backends!(registrations_for_one_address_are_limited, |app| {
    // Default: 3 a minute per address.
    for n in 0..3 {
        let r = register(&app, "flood@example.ru", &format!("Бот {n}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = register(&app, "FLOOD@example.ru", "Бот 4").await;
    assert_rate_limited(&r, "Слишком много попыток");
    // In English, and as JSON for a client that asks for it.
    app.get("/lang/en").await;
    let r = register(&app, "flood@example.ru", "Bot 5").await;
    assert_rate_limited(&r, "Too many attempts");
    let token = app.get("/auth/register").await.csrf_token();
    let body = serde_urlencoded::to_string([
        ("csrf_token", token.as_str()),
        ("email", "flood@example.ru"),
        ("display_name", "Bot 6"),
        ("password", PASSWORD),
        ("consent", "on"),
    ])
    .unwrap();
    let r = app
        .post_bytes(
            "/auth/register",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    assert!(
        r.json()["error"]["message_ru"]
            .as_str()
            .unwrap()
            .contains("Слишком много попыток")
    );
    // The inbox got at most three mails.
    app.run_workers().await;
    let mails = app
        .mailbox()
        .iter()
        .filter(|m| m.to.eq_ignore_ascii_case("flood@example.ru"))
        .count();
    assert_eq!(mails, 3);
    // Another address is not affected.
    let r = register(&app, "calm@example.ru", "Спокойный").await;
    assert_eq!(r.status, StatusCode::OK);
    still_healthy(&app).await;
});

both_backends!(
    registrations_from_one_client_are_limited,
    config = |c| {
        c.server.account_actions_per_minute = 4;
        c.server.trust_proxy = true;
    },
    |app| {
        for n in 0..4 {
            let r = register(&app, &format!("mass{n}@example.ru"), "Бот").await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let r = register(&app, "mass4@example.ru", "Бот").await;
        assert_rate_limited(&r, "Слишком много попыток");
        assert!(
            veche::auth::queries::account_by_email(&app.state.db, "mass4@example.ru")
                .await
                .unwrap()
                .is_none(),
            "no account was made"
        );
        // Another client (behind the trusted proxy) is not affected.
        let token = app.get("/auth/register").await.csrf_token();
        let body = serde_urlencoded::to_string([
            ("csrf_token", token.as_str()),
            ("email", "mass4@example.ru"),
            ("display_name", "Человек"),
            ("password", PASSWORD),
            ("consent", "on"),
        ])
        .unwrap();
        let r = app
            .post_bytes(
                "/auth/register",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
                &[("x-forwarded-for", "203.0.113.7")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        still_healthy(&app).await;
    }
);

both_backends!(password_reset_requests_are_limited, |app| {
    // Registration mailed the address once: one of its three a minute.
    app.register_confirmed("owner@example.ru", "Owner", PASSWORD)
        .await;
    app.run_workers().await;
    let before = app.mailbox().len();
    for _ in 0..2 {
        let r = app
            .submit(
                "/auth/forgot",
                "/auth/forgot",
                &[("email", "owner@example.ru")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .submit(
            "/auth/forgot",
            "/auth/forgot",
            &[("email", "Owner@Example.ru")],
        )
        .await;
    assert_rate_limited(&r, "Слишком много попыток");
    app.run_workers().await;
    assert_eq!(app.mailbox().len(), before + 2, "two reset mails, no more");
    still_healthy(&app).await;
});

both_backends!(
    reset_submissions_from_one_client_are_limited,
    config = |c| {
        c.server.account_actions_per_minute = 3;
    },
    |app| {
        let token = app.get("/auth/forgot").await.csrf_token();
        for n in 0..3 {
            let r = app
                .post_form_raw(
                    &format!("/auth/reset/guess{n}"),
                    &[("csrf_token", &token), ("password", "a brand new password")],
                )
                .await;
            assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
        }
        let r = app
            .post_form_raw(
                "/auth/reset/guess3",
                &[("csrf_token", &token), ("password", "a brand new password")],
            )
            .await;
        assert_rate_limited(&r, "Слишком много попыток");
        still_healthy(&app).await;
    }
);

both_backends!(new_confirmation_links_are_limited, |app| {
    // Registration mails the first link (one of three a minute).
    let r = register(&app, "slow@example.ru", "Не спешит").await;
    assert_eq!(r.status, StatusCode::OK);
    // Each sign-in before confirming mails a new one.
    for _ in 0..2 {
        let r = app.login("slow@example.ru", PASSWORD).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("мы отправили новую ссылку"), "{}", r.body);
    }
    let r = app.login("slow@example.ru", PASSWORD).await;
    assert_rate_limited(&r, "Слишком много попыток");
    app.run_workers().await;
    let mails = app
        .mailbox()
        .iter()
        .filter(|m| m.to == "slow@example.ru")
        .count();
    assert_eq!(mails, 3);
    still_healthy(&app).await;
});

// ---- 4. reset checks the token before hashing ------------------------------

both_backends!(made_up_reset_tokens_are_refused_without_hashing, |app| {
    // What one hash costs on this machine, now.
    let started = Instant::now();
    veche::auth::password::hash("a brand new password".into())
        .await
        .unwrap();
    let one_hash = started.elapsed();

    let token = app.get("/auth/forgot").await.csrf_token();
    let mut fastest = Duration::MAX;
    for n in 0..3 {
        let started = Instant::now();
        let r = app
            .post_form_raw(
                &format!("/auth/reset/made-up-{n}"),
                &[("csrf_token", &token), ("password", "a brand new password")],
            )
            .await;
        fastest = fastest.min(started.elapsed());
        assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
        assert!(
            r.body.contains("Ссылка устарела или уже использована"),
            "{}",
            r.body
        );
    }
    // A lookup, not a hash: well under the time of one.
    assert!(
        fastest < one_hash / 2,
        "a made-up token took {fastest:?}; one hash takes {one_hash:?}"
    );
    // A weak password with a made-up token: the link is the problem.
    let r = app
        .post_form_raw(
            "/auth/reset/made-up",
            &[("csrf_token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    still_healthy(&app).await;
});

// ---- 5. HSTS ---------------------------------------------------------------------

both_backends!(
    hsts_is_sent_when_the_site_is_https,
    config = |c| {
        c.server.base_url = Some("https://veche.example.org".parse().unwrap());
    },
    |app| {
        for path in ["/", "/auth/login", "/health", "/no-such-page"] {
            let r = app.get(path).await;
            assert_eq!(
                r.headers
                    .get("strict-transport-security")
                    .map(|v| v.to_str().unwrap()),
                Some("max-age=31536000; includeSubDomains"),
                "{path}"
            );
        }
    }
);

both_backends!(no_hsts_over_plain_http, |app| {
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.headers.contains_key("strict-transport-security"));
});

// ---- 6. /metrics -------------------------------------------------------------

both_backends!(metrics_are_off_without_a_token, |app| {
    let r = app.get("/metrics").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("http_requests_total"));
    let r = app
        .get_with("/metrics", &[("authorization", "Bearer ")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

both_backends!(
    metrics_need_the_configured_token,
    config = |c| {
        c.server.metrics_token = Some("s3cret-scrape".to_owned().into());
    },
    |app| {
        for auth in [
            None,
            Some("Bearer wrong"),
            Some("Bearer s3cret-scrap"),
            Some("Bearer s3cret-scrape-and-more"),
            Some("Basic s3cret-scrape"),
            Some("s3cret-scrape"),
        ] {
            let headers: Vec<(&str, &str)> =
                auth.map(|a| ("authorization", a)).into_iter().collect();
            let r = app.get_with("/metrics", &headers).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth:?}");
            assert!(!r.body.contains("http_requests_total"), "{auth:?}");
            assert!(r.headers.contains_key("www-authenticate"), "{auth:?}");
        }
        let r = app
            .get_with("/metrics", &[("authorization", "Bearer s3cret-scrape")])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("http_requests_total"), "{}", r.body);
    }
);

// ---- 7. Open311 tokens of hidden reports -----------------------------------

both_backends!(open311_tokens_do_not_reveal_hidden_reports, |app| {
    // Premoderation is on by default: a new report waits, hidden.
    citizen(&app, "author@example.ru", "Автор").await;
    app.login("author@example.ru", PASSWORD).await;
    let hidden = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у остановки.", &[]).await);
    // Published at once once premoderation is off.
    set(&app, "premoderation", "off").await;
    let public = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у школы.", &[]).await);
    app.clear_cookies();

    for fmt in ["json", "xml"] {
        let unknown = app.get(&format!("/open311/v2/tokens/99999999.{fmt}")).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let r = app.get(&format!("/open311/v2/tokens/{hidden}.{fmt}")).await;
        assert_eq!(r.status, unknown.status, "hidden report, {fmt}");
        assert_eq!(r.body, unknown.body, "same answer as an unknown token");
        let r = app.get(&format!("/open311/v2/tokens/{public}.{fmt}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains(&format!("<service_request_id>{public}<"))
                || r.body
                    .contains(&format!("\"service_request_id\":\"{public}\"")),
            "{}",
            r.body
        );
    }
    still_healthy(&app).await;
});
