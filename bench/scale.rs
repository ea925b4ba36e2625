//! Region-scale figures (docs/SCALE.md), on SQLite and on PostgreSQL (the
//! tests' throwaway cluster, with synchronous commit turned on for the
//! database; its fsync stays off, see [`durable`]), over real HTTP on
//! loopback, the load generator in the same process as the server:
//!
//! 1. support votes per second from 200 concurrent signed-in citizens, one
//!    transaction per vote (`VECHE_SUPPORT_BATCH=off`, the peer) and with
//!    group commit, each on a fresh database; the home page's req/s in the
//!    same run; the database then proves no vote was lost or doubled, and
//!    (PostgreSQL) how many transactions and rows a vote cost;
//! 2. the mixed load of a quarterly vote day (the mix is [`MIX`]) from 200
//!    clients: per-node req/s, latency per kind, and the primary's load
//!    (PostgreSQL: transactions/s and rows written from pg_stat_database,
//!    the server processes' CPU);
//! 3. search: a second node's lag behind the event log under that load,
//!    how long after the last write both nodes caught up, and how fast a
//!    node that was stopped for the whole load catches up (events/s);
//! 4. the stored size per row of the tables a report and a vote write.
//!
//! On PostgreSQL the server runs on a primary with a streaming replica
//! (`pg_basebackup`, as in tests/http/nodes_cluster.rs), anonymous reads
//! going to the replica as in production (`DATABASE_REPLICA_URL`), and the
//! replica's lag is sampled on the primary during the mixed load.
//!
//! Run: `cargo bench --bench scale` (QUICK=1 for a short run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use support::{Visitor, percentile, quick};
use veche::app::AppState;
use veche::workflow::queries;

const CITIZENS: usize = 200;
const PASSWORD: &str = "bench password 1";

/// The mixed load of a vote day, per 100 requests.
const MIX: [(&str, u32); 8] = [
    ("home page", 15),
    ("report page", 20),
    ("report list", 10),
    ("map view (GeoJSON)", 20),
    ("support", 25),
    ("open-data CSV (passport, file)", 8),
    ("catalogue page", 1),
    ("report with a photo", 1),
];

fn report(lat: f64, lon: f64, author_id: i64) -> queries::NewAppeal<'static> {
    queries::NewAppeal {
        kind: "problem",
        state: "published",
        category_id: "road-pothole",
        municipality_id: "krasnodar",
        organisation_id: Some("admin-krasnodar"),
        author_id,
        hide_name: false,
        description: "Яма на проезжей части, глубина около 10 см.",
        address: "",
        lat,
        lon,
        approximate: false,
        published_at: Some(time::OffsetDateTime::now_utc()),
        due_at: Some(time::OffsetDateTime::now_utc() + time::Duration::days(10)),
        client_key: None,
    }
}

/// `n` published reports by a citizen who does not vote; their ids.
async fn reports(state: &AppState, n: usize, who: &str) -> Vec<i64> {
    let mut tx = state.db.begin().await.unwrap();
    let author = support::account(&mut tx, &format!("{who}@bench.test"), "Автор", None).await;
    let mut ids = Vec::new();
    for i in 0..n {
        let (lat, lon) = (
            45.0 + (i % 100) as f64 * 0.001,
            38.95 + (i / 100) as f64 * 0.001,
        );
        ids.push(
            queries::insert_appeal(&mut tx, &report(lat, lon, author))
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids
}

/// `n` confirmed citizens (one password hash for all), signed in over HTTP,
/// each with a form token.
async fn citizens(
    state: &AppState,
    base: &str,
    n: usize,
    page: &str,
    who: &str,
) -> Vec<(Visitor, String)> {
    let hash = veche::auth::password::hash(PASSWORD.to_owned())
        .await
        .unwrap();
    let mut tx = state.db.begin().await.unwrap();
    for i in 0..n {
        support::account(
            &mut tx,
            &format!("{who}{i}@bench.test"),
            "Житель",
            Some(&hash),
        )
        .await;
    }
    tx.commit().await.unwrap();
    let emails: Vec<String> = (0..n).map(|i| format!("{who}{i}@bench.test")).collect();
    let mut out = Vec::new();
    for mut v in support::sign_in_all(base, &emails, PASSWORD).await {
        let (_, p) = v.get(page).await;
        let token = Visitor::token(&p);
        out.push((v, token));
    }
    out
}

/// GETs of `path` per second from `clients` clients for `secs` seconds.
async fn rate(base: &str, path: &str, clients: usize, secs: f64) -> f64 {
    let stop = Instant::now() + Duration::from_secs_f64(secs);
    let mut handles = Vec::new();
    for _ in 0..clients {
        let url = format!("{base}{path}");
        handles.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0u64;
            while Instant::now() < stop {
                let r = http.get(&url).send().await.unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let t = Instant::now();
    let mut n = 0;
    for h in handles {
        n += h.await.unwrap();
    }
    n as f64 / t.elapsed().as_secs_f64()
}

/// The primary's counters: transactions committed, rows written, and the
/// CPU seconds of the cluster's processes.
#[derive(Clone, Copy, Default)]
struct PgLoad {
    xacts: i64,
    rows: i64,
    cpu: f64,
    /// The database's size in bytes.
    size: i64,
}

async fn pg_load(state: &AppState) -> Option<PgLoad> {
    let veche::db::Db::Postgres(pool) = &state.db else {
        return None;
    };
    let (xacts, rows): (i64, i64) = sqlx::query_as(
        "select sum(xact_commit)::bigint, sum(tup_inserted + tup_updated + tup_deleted)::bigint
         from pg_stat_database",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let size: i64 = sqlx::query_scalar("select pg_database_size(current_database())")
        .fetch_one(pool)
        .await
        .unwrap();
    let dir: String = sqlx::query_scalar("show data_directory")
        .fetch_one(pool)
        .await
        .unwrap();
    Some(PgLoad {
        xacts,
        rows,
        cpu: cluster_cpu(&dir),
        size,
    })
}

/// CPU seconds of the postmaster of `data` and its children, from /proc.
fn cluster_cpu(data: &str) -> f64 {
    let pid = std::fs::read_to_string(format!("{data}/postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<u32>().ok()));
    let Some(pid) = pid else { return 0.0 };
    let tick = 100.0; // USER_HZ on Linux
    let mut total = 0.0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let f: Vec<&str> = after.split_whitespace().collect();
        let me = entry.file_name().to_string_lossy().parse::<u32>().ok();
        let ppid = f.get(1).and_then(|p| p.parse::<u32>().ok());
        if me == Some(pid) || ppid == Some(pid) {
            let ut: f64 = f[11].parse().unwrap_or(0.0);
            let st: f64 = f[12].parse().unwrap_or(0.0);
            total += (ut + st) / tick;
        }
    }
    total
}

/// CPU seconds of this process (server and load generator).
fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

fn cores() -> f64 {
    std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64)
}

/// Every citizen supports every report, all citizens at once; votes/s.
async fn votes(state: &AppState, base: &str, per_citizen: usize) -> f64 {
    let ids = reports(state, per_citizen, "author").await;
    let voters = citizens(
        state,
        base,
        CITIZENS,
        &format!("/problems/{}", ids[0]),
        "voter",
    )
    .await;
    let before = pg_load(state).await;
    let batches_before = state.supports.counts();
    let ids = Arc::new(ids);
    let t = Instant::now();
    let mut handles = Vec::new();
    for (n, (mut v, token)) in voters.into_iter().enumerate() {
        let ids = ids.clone();
        handles.push(tokio::spawn(async move {
            let mut order: Vec<i64> = ids.to_vec();
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            for i in (1..order.len()).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            for id in order {
                let s = v
                    .post(
                        &format!("/problems/{id}/support"),
                        &[("csrf_token", &token)],
                    )
                    .await;
                assert_eq!(s, 303, "a vote was refused");
            }
            // A second vote is refused, as before group commit.
            let s = v
                .post(
                    &format!("/problems/{}/support", ids[0]),
                    &[("csrf_token", &token)],
                )
                .await;
            assert_eq!(s, 409, "a second vote was taken");
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    let total = CITIZENS * per_citizen;
    let rows = support::scalar(state, "select count(*) from appeal_support").await;
    let counted = support::scalar(
        state,
        "select cast(coalesce(sum(support_count), 0) as bigint) from appeal",
    )
    .await;
    assert_eq!(rows as usize, total, "every vote stored once");
    assert_eq!(counted, rows, "every count equals its rows");
    let per_sec = total as f64 / secs;
    print!(
        "{total} votes in {secs:.2} s = {per_sec:.0} votes/s (proof: {rows} rows, counts equal)"
    );
    let (batches, in_them) = state.supports.counts();
    if batches > batches_before.0 {
        print!(
            "; {:.1} votes a transaction on average",
            (in_them - batches_before.1) as f64 / (batches - batches_before.0) as f64
        );
    }
    if let (Some(a), Some(b)) = (before, pg_load(state).await) {
        // The 200 refused second votes are in these figures too.
        print!(
            "; per vote {:.2} transactions, {:.1} rows written, the database {:.0} bytes larger",
            (b.xacts - a.xacts) as f64 / total as f64,
            (b.rows - a.rows) as f64 / total as f64,
            (b.size - a.size) as f64 / total as f64
        );
    }
    println!();
    per_sec
}

/// A phone photo as a citizen sends it (1600 × 1200).
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1600, 1200, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

/// The open dataset of reports' newest CSV, after a refresh.
async fn dataset_csv(state: &AppState, base: &str) -> String {
    veche::opendata::system::run_refreshes(state).await.unwrap();
    let meta: serde_json::Value =
        reqwest::get(format!("{base}/opendata/2312823003-problems/meta.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let url = meta["data"][0]["source"]
        .as_str()
        .expect("a data version")
        .replace(".json", ".csv");
    url[url.find("/opendata").unwrap()..].to_owned()
}

/// The second search node, its writer running; its largest lag seen.
struct Watch {
    stop: Arc<AtomicBool>,
    max_events: Arc<AtomicI64>,
    max_seconds: Arc<AtomicI64>,
}

fn watch(index: veche::search::SearchIndex, db: veche::db::Db) -> Watch {
    let w = Watch {
        stop: Arc::new(AtomicBool::new(false)),
        max_events: Arc::new(AtomicI64::new(0)),
        max_seconds: Arc::new(AtomicI64::new(0)),
    };
    tokio::spawn(index.clone().run_writer(db.clone()));
    let (stop, e, s) = (w.stop.clone(), w.max_events.clone(), w.max_seconds.clone());
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            if let Ok(lag) = index.lag(&db).await {
                e.fetch_max(lag.events, Ordering::Relaxed);
                s.fetch_max(lag.seconds, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    w
}

struct ReplicaWatch {
    stop: Arc<AtomicBool>,
    /// (replay lag in ms, WAL bytes not yet replayed) every 100 ms.
    handle: tokio::task::JoinHandle<Vec<(f64, i64)>>,
}

/// Samples the streaming replica's lag as the primary sees it; `None` on
/// SQLite. An idle replica reports no lag (null): counted as 0.
fn replica_watch(state: &AppState) -> Option<ReplicaWatch> {
    let veche::db::Db::Postgres(pool) = &state.db else {
        return None;
    };
    let (pool, stop) = (pool.clone(), Arc::new(AtomicBool::new(false)));
    let until = stop.clone();
    let handle = tokio::spawn(async move {
        let mut samples = Vec::new();
        while !until.load(Ordering::Relaxed) {
            let row: Option<(f64, i64)> = sqlx::query_as(
                "select coalesce(extract(epoch from replay_lag), 0)::float8 * 1000,
                        coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint
                   from pg_stat_replication limit 1",
            )
            .fetch_optional(&pool)
            .await
            .unwrap();
            samples.extend(row);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        samples
    });
    Some(ReplicaWatch { stop, handle })
}

/// The mixed load of a vote day, then the search figures.
async fn mixed(state: &AppState, base: &str, secs: f64) {
    let ids = Arc::new(reports(state, 2_000, "reporter").await);
    let clients = citizens(
        state,
        base,
        CITIZENS,
        &format!("/problems/{}", ids[0]),
        "visitor",
    )
    .await;
    dataset_csv(state, base).await;
    let csv = Arc::new("/opendata/2312823003-problems/meta.json".to_owned());
    let photo = Arc::new(photo());
    let sources = veche::features::search_sources;
    // Node B follows the log with its writer running; node C is stopped
    // for the whole load and catches up afterwards.
    let b_dir = tempfile::tempdir().unwrap();
    let b = veche::search::SearchIndex::open(b_dir.path(), sources()).unwrap();
    b.prepare(&state.db).await.unwrap();
    let c_dir = tempfile::tempdir().unwrap();
    let c = veche::search::SearchIndex::open(c_dir.path(), sources()).unwrap();
    c.prepare(&state.db).await.unwrap();
    let watch = watch(b.clone(), state.db.clone());
    let replica = replica_watch(state);

    let total_weight: u32 = MIX.iter().map(|m| m.1).sum();
    let before = pg_load(state).await;
    let cpu_before = own_cpu();
    let stop = Instant::now() + Duration::from_secs_f64(secs);
    let t = Instant::now();
    let mut handles = Vec::new();
    for (n, (v, token)) in clients.into_iter().enumerate() {
        let (ids, csv, photo, base) = (ids.clone(), csv.clone(), photo.clone(), base.to_owned());
        handles.push(tokio::spawn(async move {
            let mut v = v;
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut rng = rand::rngs::StdRng::seed_from_u64(1000 + n as u64);
            let mut next_vote = n * 7;
            let mut ms: Vec<Vec<f64>> = vec![Vec::new(); MIX.len()];
            let mut refused = vec![0usize; MIX.len()];
            let mut superseded = 0usize;
            while Instant::now() < stop {
                let mut pick = rng.random_range(0..total_weight);
                let kind = MIX
                    .iter()
                    .position(|m| {
                        if pick < m.1 {
                            true
                        } else {
                            pick -= m.1;
                            false
                        }
                    })
                    .unwrap();
                let id = ids[rng.random_range(0..ids.len())];
                let at = Instant::now();
                let status = match kind {
                    0 => v.get("/").await.0,
                    1 => v.get(&format!("/problems/{id}")).await.0,
                    2 => v.get("/problems").await.0,
                    3 => {
                        let (x, y) = (
                            38.95 + rng.random_range(0.0..0.15),
                            45.0 + rng.random_range(0.0..0.08),
                        );
                        v.get(&format!(
                            "/api/v1/problems.geojson?bbox={x:.3},{y:.3},{:.3},{:.3}",
                            x + 0.02,
                            y + 0.02
                        ))
                        .await
                        .0
                    }
                    4 => {
                        // Each citizen votes down its own sequence: a vote is new.
                        let id = ids[next_vote % ids.len()];
                        next_vote += 1;
                        let s = v
                            .post(
                                &format!("/problems/{id}/support"),
                                &[("csrf_token", &token)],
                            )
                            .await;
                        if s == 303 { 200 } else { s }
                    }
                    5 => {
                        // The live dataset's version changes with the votes:
                        // a client reads the passport for the current file,
                        // and reads it again when that version was replaced
                        // in between (today's preliminary version is
                        // superseded, its file removed: 404).
                        let mut status = 404;
                        for _ in 0..3 {
                            let (_, meta) = v.get(&csv).await;
                            let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
                            let url = meta["data"][0]["source"]
                                .as_str()
                                .expect("a data version")
                                .replace(".json", ".csv");
                            status = v.get(&url[url.find("/opendata").unwrap()..]).await.0;
                            if status != 404 {
                                break;
                            }
                            superseded += 1;
                        }
                        status
                    }
                    6 => v.get("/opendata").await.0,
                    _ => {
                        let form = reqwest::multipart::Form::new()
                            .text("category", "road-pothole")
                            .text("lat", "45.035")
                            .text("lon", "38.975")
                            .text("address", "Краснодар, ул. Красная, 122")
                            .text("description", "Яма на проезжей части, глубина около 10 см.")
                            .text("not_duplicate", "on")
                            .part(
                                "photos",
                                reqwest::multipart::Part::bytes(photo.to_vec()).file_name("p.jpg"),
                            );
                        let r = http
                            .post(format!("{base}/problems/new?csrf_token={token}"))
                            .header(reqwest::header::COOKIE, v.cookie_header())
                            .multipart(form)
                            .send()
                            .await
                            .unwrap();
                        let s = r.status().as_u16();
                        // 503 when the photo gate is full is a designed answer.
                        if s == 303 || s == 503 { 200 } else { s }
                    }
                };
                // An overloaded node answers 503 (designed: come back
                // later); anything else is a fault.
                if status == 503 {
                    refused[kind] += 1;
                    continue;
                }
                assert_eq!(status, 200, "{}", MIX[kind].0);
                ms[kind].push(at.elapsed().as_secs_f64() * 1000.0);
            }
            (ms, refused, superseded)
        }));
    }
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); MIX.len()];
    let mut busy = vec![0usize; MIX.len()];
    let mut replaced = 0;
    for h in handles {
        let (ms, refused, superseded) = h.await.unwrap();
        replaced += superseded;
        for (k, mut m) in ms.into_iter().enumerate() {
            all[k].append(&mut m);
            busy[k] += refused[k];
        }
    }
    let wall = t.elapsed().as_secs_f64();
    let after = pg_load(state).await;
    let cpu = own_cpu() - cpu_before;
    let done = Instant::now();
    let n: usize = all.iter().map(Vec::len).sum();
    println!(
        "  mixed load of a vote day, {CITIZENS} clients for {wall:.1} s: {n} requests = {:.0} req/s on this node",
        n as f64 / wall
    );
    // No peer: nothing else carries this mix in the same run.
    support::figure(
        &format!(
            "scale {}: mixed load of a vote day, {CITIZENS} clients",
            state.db.backend()
        ),
        n as f64 / wall,
        "req/s",
        "-",
        f64::NAN,
        support::Better::Higher,
    );
    for (k, m) in all.iter_mut().enumerate() {
        if m.is_empty() {
            continue;
        }
        m.sort_by(f64::total_cmp);
        println!(
            "    {:<20} {:>6} ({:>4.1} %) {:>7.1} /s  p50 {:>6.1} ms  p99 {:>7.1} ms{}",
            MIX[k].0,
            m.len(),
            m.len() as f64 * 100.0 / n as f64,
            m.len() as f64 / wall,
            percentile(m, 0.5),
            percentile(m, 0.99),
            match busy[k] {
                0 => String::new(),
                b => format!("  ({b} answered 503, not counted)"),
            }
        );
    }
    if replaced > 0 {
        println!(
            "    (the CSV's version was replaced between passport and file {replaced} times: passport read again)"
        );
    }
    println!(
        "    this process (server and load generator) used {:.0} % of the {} cores",
        cpu * 100.0 / wall / cores(),
        cores()
    );
    if let (Some(a), Some(b)) = (before, after) {
        println!(
            "    the primary: {:.0} transactions/s, {:.0} rows written/s, {:.0} % of the {} cores, the database {:.1} MB larger",
            (b.xacts - a.xacts) as f64 / wall,
            (b.rows - a.rows) as f64 / wall,
            (b.cpu - a.cpu) * 100.0 / wall / cores(),
            cores(),
            (b.size - a.size) as f64 / 1e6
        );
    }

    if let Some(r) = replica {
        r.stop.store(true, Ordering::Relaxed);
        let samples = r.handle.await.unwrap();
        let mut ms: Vec<f64> = samples.iter().map(|s| s.0).collect();
        ms.sort_by(f64::total_cmp);
        let bytes = samples.iter().map(|s| s.1).max().unwrap_or(0);
        println!(
            "    the replica ({} samples): replay lag p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; at most {:.0} KB of WAL behind",
            samples.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms.last().copied().unwrap_or(0.0),
            bytes as f64 / 1024.0
        );
    }

    // Search: node B's lag during the load, and the time until both nodes
    // stand at the end of the log.
    loop {
        let a = state.search.lag(&state.db).await.unwrap();
        let l = b.lag(&state.db).await.unwrap();
        if a.events == 0 && l.events == 0 {
            break;
        }
        assert!(
            done.elapsed() < Duration::from_secs(120),
            "search never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watch.stop.store(true, Ordering::Relaxed);
    println!(
        "  search: node B at most {} events and {} s behind during the load; both nodes at the end of the log {:.2} s after the last request",
        watch.max_events.load(Ordering::Relaxed),
        watch.max_seconds.load(Ordering::Relaxed),
        done.elapsed().as_secs_f64()
    );
    let behind = c.lag(&state.db).await.unwrap().events;
    let t = Instant::now();
    let applied = c.drain(&state.db).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  search: node C, stopped for the whole load, {behind} events behind, applied {applied} in {secs:.2} s = {:.0} events/s",
        applied as f64 / secs
    );
    let d_dir = tempfile::tempdir().unwrap();
    let d = veche::search::SearchIndex::open(d_dir.path(), sources()).unwrap();
    let t = Instant::now();
    let docs = d.prepare(&state.db).await.unwrap().unwrap_or(0);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  search: a new node D built its index of {docs} documents in {secs:.2} s = {:.0} documents/s",
        docs as f64 / secs
    );
}

/// Stored bytes per row of the largest tables (PostgreSQL: with indexes
/// and TOAST; SQLite: the database file only).
async fn sizes(state: &AppState) {
    match &state.db {
        veche::db::Db::Postgres(pool) => {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "select relname::text, pg_total_relation_size(relid) from pg_stat_user_tables
                 order by 2 desc limit 12",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            println!("  stored size, largest tables (with indexes):");
            for (table, bytes) in rows {
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "select count(*) from \"{table}\""
                )))
                .fetch_one(pool)
                .await
                .unwrap();
                println!(
                    "    {table:<28} {n:>8} rows {:>8.1} MB {:>7.0} bytes/row",
                    bytes as f64 / 1e6,
                    bytes as f64 / n.max(1) as f64
                );
            }
        }
        veche::db::Db::Sqlite(_) => {
            let pages = support::scalar(
                state,
                "select page_count * page_size from pragma_page_count(), pragma_page_size()",
            )
            .await;
            println!("  database file {:.1} MB", pages as f64 / 1e6);
        }
    }
}

/// The throwaway cluster runs with fsync and synchronous commit off (set
/// on its command line, which `alter system` cannot override). Synchronous
/// commit is turned on for this database, so each commit waits for its
/// write-ahead log to be written; fsync stays off, so the flush itself is
/// not measured: the figures understate what a commit costs on a real disk
/// and therefore what group commit saves.
async fn durable(url: &str) {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let db: String = sqlx::query_scalar("select current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter database \"{db}\" set synchronous_commit = on"
    )))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let (f, c): (String, String) =
        sqlx::query_as("select current_setting('fsync'), current_setting('synchronous_commit')")
            .fetch_one(&pool)
            .await
            .unwrap();
    println!("  (fsync {f}, synchronous_commit {c})");
    pool.close().await;
}

type Server = (
    tempfile::TempDir,
    AppState,
    String,
    Option<support::pg::Pair>,
);

async fn server(backend: &str, batch: bool) -> Option<Server> {
    // PostgreSQL: a primary and its streaming replica.
    let (url, pair) = match backend {
        "PostgreSQL" => {
            let Some(pair) = support::pg::Pair::start().await else {
                println!("{backend}: skipped (no initdb/pg_ctl/pg_basebackup)");
                return None;
            };
            durable(&pair.primary).await;
            (Some(pair.primary.clone()), Some(pair))
        }
        _ => (None, None),
    };
    // SAFETY: set before the server is built, while no other thread reads
    // the environment.
    unsafe {
        std::env::set_var("VECHE_SUPPORT_BATCH", if batch { "on" } else { "off" });
        match &pair {
            Some(p) => std::env::set_var("DATABASE_REPLICA_URL", &p.replica),
            None => std::env::remove_var("DATABASE_REPLICA_URL"),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (state, base) = support::start(url, dir.path()).await;
    Some((dir, state, base, pair))
}

fn main() {
    let rt = support::runtime();
    rt.block_on(async {
        let per_citizen = if quick() { 20 } else { 50 };
        let secs = if quick() { 10.0 } else { 30.0 };
        for backend in support::BACKENDS {
            println!("{backend}:");
            let mut rates = Vec::new();
            for batch in [false, true] {
                let Some((_dir, state, base, _pair)) = server(backend, batch).await else {
                    break;
                };
                let label = if batch {
                    "group commit"
                } else {
                    "a transaction per vote"
                };
                print!("  votes, {label}: ");
                let v = votes(&state, &base, per_citizen).await;
                let home = rate(&base, "/", 64, if quick() { 3.0 } else { 5.0 }).await;
                println!(
                    "    the home page in the same run: {home:.0} req/s (votes/home = {:.3})",
                    v / home
                );
                rates.push(v);
                if batch {
                    println!(
                        "  group commit / a transaction per vote = {:.2}",
                        rates[1] / rates[0]
                    );
                    support::figure(
                        &format!(
                            "scale {}: support votes, 200 citizens, group commit",
                            state.db.backend()
                        ),
                        rates[1],
                        "votes/s",
                        "a transaction per vote",
                        rates[0],
                        support::Better::Higher,
                    );
                    mixed(&state, &base, secs).await;
                    sizes(&state).await;
                }
                state.db.close().await;
            }
        }
    });
}
