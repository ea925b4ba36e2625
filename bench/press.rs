//! Feed polling at the size of a region's media and more: 2,000 feeds of
//! 100 items each (200,000 items) served over HTTP on loopback by a feed
//! server in this process (bodies made on request, nothing kept), polled
//! by the real poller (conditional GET, parsing with limits, deduplication,
//! matching against every tracked name, the heuristic tone, one
//! transaction per feed), on SQLite and on PostgreSQL (a throwaway
//! cluster, as in the tests). A fifth of the items are other feeds'
//! stories (half under the same link with tracking parameters, half under
//! another link with the same title), so 160,000 stories and 200,000
//! appearances are stored.
//!
//! Printed: the time of the first poll of every feed and of the second
//! (every answer a 304), the peak memory of the process (VmHWM, reset
//! before each phase), and two peers measured in the same run on the same
//! bodies: parsing alone, and a naive store (every item inserted as a row,
//! no lookup, no matching, no tone).
//!
//! Run: `cargo bench --bench press` (QUICK=1: 200 feeds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clap::Parser;
use support::{exec, quick, scalar};
use veche::app::AppState;
use veche::cli::Cli;

const ITEMS: usize = 100;
/// Items of a feed that are its own stories; the rest are copies.
const OWN: usize = 80;

const TEMPLATES: &[&str] = &[
    "{m}: после ремонта открыли новую школу, выпуск {k}",
    "Авария на водоводе ликвидирована в муниципалитете {m}, сообщение {k}",
    "Министерство здравоохранения проверило больницы: {m}, материал {k}",
    "{m}: жители жалуются на перебои с водой, обращение {k}",
    "Департамент имущественных отношений продал здание: {m}, лот {k}",
    "Совет депутатов обсудит бюджет, {m}, заседание {k}",
    "На Кубани собрали рекордный урожай, хозяйство {m} номер {k}",
    "Пожар на складе потушили за шесть часов: {m}, происшествие {k}",
];

/// Story `k`: its title, link and snippet.
fn story(k: usize) -> (String, String, String) {
    let muns = veche::geo::geography().all();
    let m = &muns[k % muns.len()].name_ru;
    let title = TEMPLATES[k % TEMPLATES.len()]
        .replace("{m}", m)
        .replace("{k}", &k.to_string());
    let link = format!("https://media{}.example.ru/news/{k}", k % 2000);
    let snippet =
        format!("Подробности материала {k}: работы продолжатся, жители довольны итогами.");
    (title, link, snippet)
}

/// Feed `i`'s body: its own 80 stories, then 20 of the next feed's.
fn body(i: usize, feeds: usize) -> String {
    let mut out = String::with_capacity(ITEMS * 400);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Лента</title><link>https://example.ru/</link>");
    let now = time::OffsetDateTime::now_utc();
    for j in 0..ITEMS {
        let (k, variant) = if j < OWN {
            (i * ITEMS + j, 0)
        } else {
            (((i + 1) % feeds) * ITEMS + (j - OWN), j % 2 + 1)
        };
        let (title, link, snippet) = story(k);
        let link = match variant {
            0 => link,
            1 => format!("{link}?utm_source=rss&amp;utm_medium=copy{i}"),
            _ => format!("https://copy{i}.example.ru/item/{k}"),
        };
        let published = now - time::Duration::minutes((k % (30 * 24 * 60)) as i64);
        let date = published
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap();
        out.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate><description>{snippet}</description></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// The feed server: `/feed/{i}` with validators; `If-None-Match` gets a 304.
async fn serve_feeds(feeds: usize) -> String {
    let app = axum::Router::new().route(
        "/feed/{i}",
        axum::routing::get(move |Path(i): Path<usize>, headers: HeaderMap| async move {
            let tag = format!("\"f{i}\"");
            if headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v.as_bytes() == tag.as_bytes())
            {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            let r: Response = (
                [
                    (header::ETAG, tag),
                    (header::CONTENT_TYPE, "application/rss+xml".to_owned()),
                ],
                body(i, feeds),
            )
                .into_response();
            r
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// `VmHWM` or `VmRSS` of this process, in MiB.
fn memory(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

/// Starts counting the peak anew.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

async fn state(database_url: Option<String>, dir: &std::path::Path) -> AppState {
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
    cli.config.server.demo_region = false;
    cli.config.press.poll = false;
    cli.config.press.host_spacing_ms = 0;
    cli.config.integration.outbound_allow_hosts = vec!["127.0.0.1".parse().unwrap()];
    AppState::build(cli.config).await.unwrap()
}

/// Polls until nothing is due; the seconds it took.
async fn poll_all(state: &AppState) -> f64 {
    let fetcher = veche::press::fetch::Fetcher::new(&state.config);
    let t = Instant::now();
    while veche::press::poller::poll_due(state, &fetcher)
        .await
        .unwrap()
        > 0
    {}
    t.elapsed().as_secs_f64()
}

fn main() {
    support::runtime().block_on(async {
        let feeds = if quick() { 200 } else { 2000 };
        let base = serve_feeds(feeds).await;
        // Peer 1: parsing alone, the same bodies.
        let t = Instant::now();
        let mut parsed = 0;
        for i in 0..feeds {
            parsed += veche::press::parse::feed(body(i, feeds).as_bytes(), None).unwrap().items.len();
        }
        let parse_s = t.elapsed().as_secs_f64();
        println!("{feeds} feeds, {parsed} items; parsing alone: {parse_s:.1} s");
        for backend in support::BACKENDS {
            let dir = tempfile::tempdir().unwrap();
            let Some(url) = support::database(backend).await else {
                continue;
            };
            println!("{backend}:");
            let state = state(url, dir.path()).await;
            // Whole seconds, as the application binds every time (db::now).
            let now = veche::db::now();
            let mut tx = state.db.begin().await.unwrap();
            for i in 0..feeds {
                let s = veche::press::queries::NewSource {
                    name: &format!("Издание {i}"),
                    kind: ["federal", "regional", "municipal"][i % 3],
                    municipality_id: None,
                    website: "",
                    demo: false,
                };
                let id = veche::press::queries::insert_source(&mut tx, &s, now).await.unwrap().unwrap();
                veche::press::queries::insert_feed(&mut tx, id, &format!("{base}/feed/{i}"), now)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
            let before = memory("VmRSS:");
            reset_peak();
            let first = poll_all(&state).await;
            let peak = memory("VmHWM:");
            let stories = scalar(&state, "select count(*) from press_story").await;
            let appearances = scalar(&state, "select count(*) from press_appearance").await;
            let mentions = scalar(&state, "select count(*) from press_mention").await;
            if appearances as usize != parsed {
                let errors: Vec<(Option<String>, Option<i64>)> = veche::fetch_db!(
                    &state.db,
                    fetch_all,
                    (Option<String>, Option<i64>),
                    "select last_error, last_status from press_feed order by feed_id limit 3"
                )
                .unwrap();
                println!("  feeds' errors: {errors:?}");
            }
            assert_eq!(appearances as usize, parsed, "every item is an appearance");
            assert_eq!(stories as usize, feeds * OWN, "copies are not new stories");
            println!(
                "  first poll: {first:.1} s = {:.0} items/s; {stories} stories, {appearances} appearances, {mentions} mentions; \
                 memory {before:.0} MiB before, peak {peak:.0} MiB",
                parsed as f64 / first
            );
            exec(&state, "update press_feed set next_poll_at = last_polled_at".to_owned()).await;
            reset_peak();
            let second = poll_all(&state).await;
            let not_modified = scalar(&state, "select count(*) from press_feed where last_status = 304").await;
            assert_eq!(not_modified as usize, feeds);
            println!("  second poll, every answer 304: {second:.1} s, peak {:.0} MiB", memory("VmHWM:"));
            // Peer 2: the same items stored naively, a transaction per feed.
            exec(
                &state,
                "create table bench_naive (url text not null, title text not null, snippet text not null, published_at text not null)".to_owned(),
            )
            .await;
            let t = Instant::now();
            for i in 0..feeds {
                let items = veche::press::parse::feed(body(i, feeds).as_bytes(), None).unwrap().items;
                let mut tx = state.db.begin().await.unwrap();
                for it in &items {
                    veche::exec_tx!(
                        &mut tx,
                        "insert into bench_naive (url, title, snippet, published_at) values ($1, $2, $3, $4)",
                        &it.url,
                        &it.title,
                        &it.snippet,
                        it.published.map(|p| p.to_string()).unwrap_or_default()
                    )
                    .unwrap();
                }
                tx.commit().await.unwrap();
            }
            let naive = t.elapsed().as_secs_f64();
            println!(
                "  peers: parsing alone {parse_s:.1} s, parse + naive insert (no lookup, matching or tone) {naive:.1} s; \
                 the poll is {:.1}× the naive store and {:.1}× parsing",
                first / naive,
                first / parse_s
            );
            support::figure(
                &format!("press {}: first poll of {feeds} feeds", state.db.backend()),
                parsed as f64 / first,
                "items/s",
                "parse + naive insert of the same items",
                parsed as f64 / naive,
                support::Better::Higher,
            );
            state.db.close().await;
        }
    });
}
