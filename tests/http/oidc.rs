//! The whole authorization-code flow against an authorization server that
//! the test starts on loopback and that speaks real HTTP: discovery,
//! authorize (with PKCE and state), token (client authentication, PKCE check,
//! one-time codes), userinfo.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp};

#[derive(Clone)]
pub(crate) struct Provider {
    base: String,
    claims: Value,
    /// code -> (PKCE challenge, redirect_uri)
    codes: Arc<Mutex<HashMap<String, (String, String)>>>,
    tokens: Arc<Mutex<Vec<String>>>,
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    Json(json!({
        "issuer": p.base,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "userinfo_endpoint": format!("{}/userinfo", p.base),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn authorize(
    State(p): State<Provider>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // The person "consents" at once: this is the provider's side of the flow.
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "veche-test");
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["scope"].split(' ').any(|s| s == "openid"));
    assert!(q.contains_key("nonce"));
    let code = format!("code-{}", p.codes.lock().unwrap().len());
    p.codes.lock().unwrap().insert(
        code.clone(),
        (q["code_challenge"].clone(), q["redirect_uri"].clone()),
    );
    Redirect::to(&format!(
        "{}?code={code}&state={}",
        q["redirect_uri"], q["state"]
    ))
    .into_response()
}

async fn token(
    State(p): State<Provider>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let basic = base64::engine::general_purpose::STANDARD.encode("veche-test:s3cret");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Basic {basic}"))
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let Some((challenge, redirect)) = p.codes.lock().unwrap().remove(&f["code"]) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(f["code_verifier"].as_bytes()));
    if computed != challenge
        || redirect != f["redirect_uri"]
        || f["grant_type"] != "authorization_code"
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let access = format!("at-{}", p.tokens.lock().unwrap().len());
    p.tokens.lock().unwrap().push(access.clone());
    Json(json!({"access_token": access, "token_type": "Bearer", "expires_in": 300})).into_response()
}

async fn userinfo(State(p): State<Provider>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ok = p
        .tokens
        .lock()
        .unwrap()
        .iter()
        .any(|t| bearer == format!("Bearer {t}"));
    if !ok {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(p.claims.clone()).into_response()
}

pub(crate) async fn start_provider(claims: Value) -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = Provider {
        base,
        claims,
        codes: Arc::default(),
        tokens: Arc::default(),
    };
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .with_state(provider.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    provider
}

pub(crate) async fn app_with(provider: &Provider, backend: Backend) -> Option<TestApp> {
    let issuer = provider.base.clone();
    TestApp::spawn_with(backend, move |c| {
        c.oidc.oidc_issuer = Some(issuer.parse().unwrap());
        c.oidc.oidc_client_id = "veche-test".into();
        c.oidc.oidc_client_secret = Some("s3cret".to_owned().into());
    })
    .await
}

/// Follows the browser: veche → provider → veche callback. Returns the
/// callback's response.
pub(crate) async fn sign_in_through_provider(
    app: &TestApp,
    next: &str,
) -> crate::helpers::TestResponse {
    let r = app.get(&format!("/auth/oidc/start?next={next}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let authorize = r.location().to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(&authorize).send().await.unwrap();
    assert_eq!(answer.status(), 303);
    let callback = answer.headers()["location"].to_str().unwrap().to_owned();
    let path = callback.split_once("://").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    assert!(path.starts_with("/auth/oidc/callback?code="), "{path}");
    app.get(path).await
}

async fn full_flow(backend: Backend) {
    let provider = start_provider(json!({
        "sub": "esia-1000001",
        "name": "Мария Иванова",
        "email": "maria@example.ru",
        "email_verified": true,
        "oktmo": "03726000001",
    }))
    .await;
    let Some(app) = app_with(&provider, backend).await else {
        return;
    };
    let login = app.get("/auth/login").await;
    assert!(
        login.body.contains("Войти через Госуслуги"),
        "the provider's button"
    );

    let r = sign_in_through_provider(&app, "%2Faccount").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/account");
    let r = app.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Мария Иванова"));
    assert!(
        r.body.contains("Сочи (подтверждён Госуслугами)"),
        "a verified residence: {}",
        r.body
    );
    assert!(r.body.contains("maria@example.ru"));

    // A second sign-in finds the same account.
    app.clear_cookies();
    let r = sign_in_through_provider(&app, "%2F").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let n = veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from account"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(n, 1);

    // A verified residence cannot be changed by hand.
    let r = app
        .submit(
            "/account",
            "/account",
            &[
                ("display_name", "Мария"),
                ("municipality_id", "anapa"),
                ("locale", "ru"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.get("/account")
            .await
            .body
            .contains("Сочи (подтверждён Госуслугами)")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_authorization_code_flow_sqlite() {
    full_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_authorization_code_flow_postgres() {
    full_flow(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_links_an_existing_account_only_by_a_verified_address() {
    let provider = start_provider(json!({"sub": "idp-7", "name": "Чужой", "email": "owner@example.ru", "email_verified": false})).await;
    let app = app_with(&provider, Backend::Sqlite).await.unwrap();
    let owner = app
        .register_confirmed("owner@example.ru", "Owner", "correct horse battery")
        .await;
    let r = sign_in_through_provider(&app, "%2F").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get("/account").await;
    assert!(r.body.contains("Чужой"), "a new account, not the owner's");
    assert!(!r.body.contains("owner@example.ru"));
    let linked = veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select account_id from account_identity"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_ne!(linked, owner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_callbacks_that_were_not_started_here_are_refused() {
    let provider = start_provider(json!({"sub": "x"})).await;
    let app = app_with(&provider, Backend::Sqlite).await.unwrap();
    // No sign-in in progress.
    let r = app
        .get("/auth/oidc/callback?code=code-0&state=forged")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Начните вход заново"), "{}", r.body);
    // A sign-in in progress, but the state does not match.
    app.get("/auth/oidc/start").await;
    let r = app
        .get("/auth/oidc/callback?code=code-0&state=forged")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The provider refused.
    app.get("/auth/oidc/start").await;
    let r = app
        .get("/auth/oidc/callback?error=access_denied&state=whatever")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("access_denied"));
    assert_eq!(
        app.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "nobody signed in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_issuer_there_is_no_provider_sign_in() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert!(!app.get("/auth/login").await.body.contains("Войти через"));
    assert_eq!(
        app.get("/auth/oidc/start").await.status,
        StatusCode::NOT_FOUND
    );
}
