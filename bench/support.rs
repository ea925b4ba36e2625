//! What the benchmarks share: a visitor with its own cookies, percentiles,
//! and a server on loopback over a fresh data folder.

use std::collections::HashMap;

use clap::Parser;
use reqwest::header::{COOKIE, SET_COOKIE};
use veche::app::{self, AppState};
use veche::cli::Cli;
use veche::workflow::queries;

pub fn quick() -> bool {
    std::env::var("QUICK").is_ok_and(|v| v == "1")
}

/// A client with its own cookies (one citizen).
pub struct Visitor {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
}

impl Visitor {
    pub fn new(base: &str) -> Visitor {
        Visitor {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: HashMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(SET_COOKIE) {
            if let Some((kv, _)) = v
                .to_str()
                .unwrap_or("")
                .split_once(';')
                .or(Some((v.to_str().unwrap_or(""), "")))
                && let Some((k, v)) = kv.split_once('=')
            {
                self.cookies
                    .insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.remember(&r);
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> u16 {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.remember(&r);
        r.status().as_u16()
    }

    pub fn token(page: &str) -> String {
        let at = page
            .find("name=\"csrf_token\"")
            .expect("a form with a CSRF token");
        let rest = &page[at..];
        let v = rest.find("value=\"").unwrap() + 7;
        rest[v..v + rest[v..].find('"').unwrap()].to_owned()
    }
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn start(database_url: Option<String>, dir: &std::path::Path) -> (AppState, String) {
    let mut cli = Cli::try_parse_from([
        "veche",
        "--data-dir",
        dir.to_str().unwrap(),
        "--log",
        "warn",
    ])
    .unwrap();
    cli.config.database_url = database_url.map(Into::into);
    cli.config.mail.smtp_url = None;
    cli.config.oidc.oidc_issuer = None;
    cli.config.server.login_attempts_per_minute = 1_000_000;
    cli.config.server.account_actions_per_minute = 1_000_000;
    cli.config.server.account_mails_per_minute = 1_000_000;
    let state = AppState::build(cli.config).await.unwrap();
    app::spawn_workers(&state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(app::serve(listener, app::router(state.clone())));
    let mut tx = state.db.begin().await.unwrap();
    queries::set_setting(&mut tx, "premoderation", "off")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (state, base)
}

/// Signs each of `emails` in over HTTP, 25 at a time (password hashing has
/// its own concurrency cap, 503 beyond it, and signing in is not what a
/// benchmark measures). Every sign-in must succeed.
pub async fn sign_in_all(base: &str, emails: &[String], password: &str) -> Vec<Visitor> {
    let mut out = Vec::new();
    for batch in emails.chunks(25) {
        let mut handles = Vec::new();
        for email in batch {
            let (base, email, password) = (base.to_owned(), email.clone(), password.to_owned());
            handles.push(tokio::spawn(async move {
                let mut v = Visitor::new(&base);
                let (_, page) = v.get("/auth/login").await;
                let token = Visitor::token(&page);
                let s = v
                    .post(
                        "/auth/login",
                        &[
                            ("csrf_token", &token),
                            ("email", &email),
                            ("password", &password),
                        ],
                    )
                    .await;
                assert_eq!(s, 303, "sign-in of {email}");
                v
            }));
        }
        for h in handles {
            out.push(h.await.unwrap());
        }
    }
    out
}
