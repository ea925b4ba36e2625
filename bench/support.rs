//! What the benchmarks share: a visitor with its own cookies, percentiles,
//! a server on loopback over a fresh data folder, the run on each backend
//! (SQLite, then a throwaway PostgreSQL cluster as in the tests), raw SQL
//! for bulk writes, and the rows of a registry spreadsheet.

#[path = "../tests/http/pg.rs"]
pub mod pg;

use std::collections::HashMap;
use std::time::Instant;

use clap::Parser;
use reqwest::header::{COOKIE, SET_COOKIE};
use veche::app::{self, AppState};
use veche::cli::Cli;
use veche::workflow::queries;

pub fn quick() -> bool {
    std::env::var("QUICK").is_ok_and(|v| v == "1")
}

/// The runtime a benchmark's `main` runs its async part on.
pub fn runtime() -> tokio::runtime::Runtime {
    // Huge pages off, as the binary has them: the servers measured here run
    // in this process.
    veche::app::no_huge_pages();
    // A failed request's cause, and nothing else (the servers of earlier
    // runs keep their workers, which log their closed pools).
    veche::telemetry::init(
        "off,veche::web::errors=error",
        veche::config::LogFormat::Pretty,
    );
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The backends every benchmark runs on, in this order.
pub const BACKENDS: [&str; 2] = ["SQLite", "PostgreSQL"];

/// The database of `backend`: `Some(None)` for SQLite (a file in the data
/// folder), `Some(Some(url))` for a fresh database of the throwaway
/// PostgreSQL cluster, or `None`, said in a line, when that cluster cannot
/// start here.
pub async fn database(backend: &str) -> Option<Option<String>> {
    if backend != "PostgreSQL" {
        return Some(None);
    }
    let url = pg::fresh_database().await;
    if url.is_none() {
        println!("{backend}: skipped (no initdb/pg_ctl)");
    }
    url.map(Some)
}

/// Runs `bench` once on each backend, against a server of its own over a
/// fresh data folder: prints the backend's name, starts the server, runs
/// `bench(backend, state, base)` and closes the database.
pub async fn on_each_backend(mut bench: impl AsyncFnMut(&str, &AppState, &str)) {
    for backend in BACKENDS {
        let dir = tempfile::tempdir().unwrap();
        let Some(url) = database(backend).await else {
            continue;
        };
        println!("{backend}:");
        let (state, base) = start(url, dir.path()).await;
        bench(backend, &state, &base).await;
        state.db.close().await;
    }
}

/// Runs one statement built from numbers and fixed words only.
pub async fn exec(state: &AppState, sql: String) {
    veche::on_db!(&state.db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    });
}

/// The one number a query built from numbers and fixed words answers.
pub async fn scalar(state: &AppState, sql: &str) -> i64 {
    let sql = sql.to_owned();
    veche::on_db!(&state.db, |pool| sqlx::query_scalar::<_, i64>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_one(pool)
    .await
    .unwrap())
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

/// Times `rounds` runs of `once`: p50 and p99 in ms, and what the last run
/// returned.
pub async fn p50_p99<T>(rounds: usize, mut once: impl AsyncFnMut() -> T) -> (f64, f64, T) {
    let mut ms = Vec::with_capacity(rounds);
    let mut last = None;
    for _ in 0..rounds {
        let t = Instant::now();
        last = Some(once().await);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        last.expect("at least one round"),
    )
}

/// p50 and p99 in ms of `rounds` GETs of `path` by one client without
/// cookies (every answer a success), and the size of the last answer.
pub async fn latency(base: &str, path: &str, rounds: usize) -> (f64, f64, usize) {
    let http = reqwest::Client::new();
    p50_p99(rounds, async || {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.bytes().await.unwrap().len()
    })
    .await
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

/// Inserts a confirmed account, the address its own normal form, with no
/// municipality and Russian for its language; its id.
pub async fn account(
    tx: &mut veche::db::Tx,
    email: &str,
    display_name: &str,
    password_hash: Option<&str>,
) -> i64 {
    veche::auth::queries::insert_account(
        tx,
        &veche::auth::queries::NewAccount {
            email: Some((email, email)),
            display_name,
            password_hash,
            email_confirmed: true,
            municipality: None,
            locale: "ru",
        },
    )
    .await
    .unwrap()
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
                // A 503 (a server busy with its start-up work: the pool's
                // wait for a connection ran out once under all.sh) is
                // retried as a person would, a second later; anything else
                // fails the benchmark.
                for attempt in 1.. {
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
                    if s == 503 && attempt < 5 {
                        eprintln!("  sign-in of {email}: 503, trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                    assert_eq!(s, 303, "sign-in of {email}");
                    return v;
                }
                unreachable!()
            }));
        }
        for h in handles {
            out.push(h.await.unwrap());
        }
    }
    out
}

/// A registry spreadsheet as the authorities keep them: a header of the
/// name, the address, the coordinates and `more` columns, then `rows`
/// buildings, one a row. Row `r` stands near the centre of the municipality
/// `town(rng, r)` (a random point within 0.01°, drawn again while it falls
/// outside the region: a centre's neighbourhood may touch the sea); columns
/// 1 to 3 are its address, latitude and longitude, and `row(ws, r)` writes
/// the name (column 0) and the `more` columns.
pub fn registry(
    rows: usize,
    more: &[&str],
    mut town: impl FnMut(&mut rand::rngs::StdRng, u32) -> &'static veche::geo::Municipality,
    mut row: impl FnMut(&mut rust_xlsxwriter::Worksheet, u32),
) -> Vec<u8> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let geo = veche::geo::geography();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let columns = ["Наименование", "Адрес", "Широта", "Долгота"];
    for (c, h) in columns.iter().chain(more).enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut r = 1u32;
    while (r as usize) <= rows {
        let m = town(&mut rng, r);
        let (lat, lon) = (
            m.centroid.0 + rng.random_range(-0.01..0.01),
            m.centroid.1 + rng.random_range(-0.01..0.01),
        );
        if geo.locate(veche::geo::GeoPoint { lat, lon }).is_err() {
            continue;
        }
        ws.write_string(r, 1, format!("{}, ул. Полевая, {r}", m.name_ru))
            .unwrap();
        ws.write_number(r, 2, lat).unwrap();
        ws.write_number(r, 3, lon).unwrap();
        row(ws, r);
        r += 1;
    }
    wb.save_to_buffer().unwrap()
}

/// Inserts `rows` (each a parenthesised tuple) in statements of 1,000.
pub async fn insert(state: &AppState, head: &str, rows: &[String]) {
    for chunk in rows.chunks(1000) {
        exec(state, format!("{head} values {}", chunk.join(","))).await;
    }
}

/// `n` departments `bench-0` … spread over four portfolios of the
/// directory, as the internal features' benchmarks need them.
pub async fn organisations(state: &AppState, n: i64) {
    let now = "'2026-01-01T00:00:00Z'";
    let parents = ["vg-first", "vg-internal-policy", "vg-social", "governor"];
    let orgs: Vec<String> = (0..n)
        .map(|o| {
            format!(
                "('bench-{o}', '{}', 'department', 'Ведомство {o}', 'Body {o}', 'В{o}', 'B{o}', {now}, {now})",
                parents[o as usize % parents.len()]
            )
        })
        .collect();
    insert(
        state,
        "insert into organisation (organisation_id, parent_id, kind, name_ru, name_en, short_name_ru, short_name_en, created_at, updated_at)",
        &orgs,
    )
    .await;
}

/// An administrator signed in over HTTP.
pub async fn admin(state: &AppState, base: &str, password: &str) -> Visitor {
    let hash = veche::auth::password::hash(password.to_owned())
        .await
        .unwrap();
    let mut tx = state.db.begin().await.unwrap();
    let id = account(&mut tx, "admin@bench.test", "Администратор", Some(&hash)).await;
    veche::auth::queries::grant_role(&mut tx, id, veche::auth::domain::GlobalRole::Administrator)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sign_in_all(base, &["admin@bench.test".to_owned()], password)
        .await
        .pop()
        .unwrap()
}

/// p50 and p99 in ms of `rounds` GETs of `path` by a signed-in visitor
/// (every answer a 200), and the size of the last answer.
pub async fn visitor_latency(v: &mut Visitor, path: &str, rounds: usize) -> (f64, f64, usize) {
    p50_p99(rounds, async || {
        let (status, body) = v.get(path).await;
        assert_eq!(status, 200, "{path}");
        body.len()
    })
    .await
}

/// Which way is better, for bench/all.sh's ratio (always "times as good as
/// the peer").
pub enum Better {
    Higher,
    Lower,
}

/// One line for bench/all.sh's table: the figure, the peer measured in the
/// same run, which way is better. A figure without a peer in its bench has
/// `peer` "-" and `peer_value` NaN (printed "-"). Tabs separate the fields,
/// so a tab inside one becomes a space.
pub fn figure(name: &str, value: f64, unit: &str, peer: &str, peer_value: f64, better: Better) {
    let field = |s: &str| s.replace(['\t', '\n'], " ");
    println!(
        "FIGURE\t{}\t{}\t{}\t{}\t{}\t{}",
        field(name),
        number(value),
        field(unit),
        field(peer),
        number(peer_value),
        match better {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    );
}

/// Up to three decimals, without trailing zeros; "-" for a missing number.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_owned();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A backend of `BACKENDS` as figure names spell it ("sqlite", "postgres",
/// as `veche::db::Backend` prints itself).
pub fn backend_key(backend: &str) -> &'static str {
    if backend == "PostgreSQL" {
        "postgres"
    } else {
        "sqlite"
    }
}
