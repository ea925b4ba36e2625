//! The project-management core under load:
//!
//! 1. dashboard render time (p50, p99) with 100,000 orders and 1,300
//!    projects, on SQLite and on PostgreSQL (a throwaway cluster, as in the
//!    tests), over real HTTP on loopback, signed in as an administrator:
//!    the region, a portfolio, an organisation, the projects list and the
//!    first page of the orders list;
//! 2. integration messages delivered per second between two processes: this
//!    process runs the portal (its outbox and delivery worker), a `veche`
//!    child process runs the core; N `order.requested` messages are
//!    committed at once and timed until the core has created every order.
//!
//! Run: `cargo bench --bench pm` (QUICK=1 for a smaller run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::{Duration, Instant};

use clap::Parser;
use rand::{Rng, SeedableRng};
use support::{Visitor, quick};
use veche::app::AppState;
use veche::cli::Cli;
use veche::on_tx;

const STATES: [&str; 4] = ["done", "in_progress", "new", "report_submitted"];

async fn executors(state: &AppState, n: usize) -> Vec<i64> {
    let mut tx = state.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let email = format!("exec{i}@bench.test");
        ids.push(support::account(&mut tx, &email, &format!("Исполнитель {i}"), None).await);
    }
    tx.commit().await.unwrap();
    ids
}

/// The ids of the directory's organisations.
async fn organisations(state: &AppState) -> Vec<String> {
    veche::directory::queries::list(&state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.organisation_id)
        .collect()
}

/// 1,300 projects and `n` orders spread over every organisation, a fifth
/// of them overdue, in multi-row inserts.
async fn seed(state: &AppState, n: usize, projects: usize) {
    let t = Instant::now();
    let orgs = organisations(state).await;
    let people = executors(state, 300).await;
    let now = veche::db::now();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut tx = state.db.begin().await.unwrap();
    for chunk in (0..projects).collect::<Vec<_>>().chunks(200) {
        let rows: Vec<(String, String)> = chunk
            .iter()
            .map(|i| (format!("P-{i:04}"), orgs[i % orgs.len()].clone()))
            .collect();
        on_tx!(&mut tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into pm_project (kind, code, title, organisation_id, created_at, updated_at) ",
            );
            q.push_values(&rows, |mut b, (code, org)| {
                b.push_bind("project")
                    .push_bind(code)
                    .push_bind(format!("Приоритетный проект {code}"))
                    .push_bind(org)
                    .push_bind(now)
                    .push_bind(now);
            });
            q.build().execute(conn).await.unwrap().rows_affected()
        });
    }
    let first_project: i64 = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar::<_, i64>("select min(project_id) from pm_project")
            .fetch_one(conn)
            .await
            .unwrap()
    });
    struct Row {
        org: String,
        executor: Option<i64>,
        creator: Option<i64>,
        state: &'static str,
        deadline: time::OffsetDateTime,
        done_at: Option<time::OffsetDateTime>,
        project: Option<i64>,
    }
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<Row> = chunk
            .iter()
            .map(|_| {
                let state = STATES[rng.random_range(0..STATES.len())];
                let days = rng.random_range(-60i64..60);
                let deadline = now + time::Duration::days(days);
                Row {
                    org: orgs[rng.random_range(0..orgs.len())].clone(),
                    executor: rng
                        .random_bool(0.7)
                        .then(|| people[rng.random_range(0..people.len())]),
                    creator: rng
                        .random_bool(0.8)
                        .then(|| people[rng.random_range(0..people.len())]),
                    state,
                    deadline,
                    done_at: (state == "done")
                        .then(|| deadline - time::Duration::days(rng.random_range(-5..10))),
                    project: rng
                        .random_bool(0.3)
                        .then(|| first_project + rng.random_range(0..projects as i64)),
                }
            })
            .collect();
        on_tx!(&mut tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into pm_order (title, description, source, origin, organisation_id,
                     executor_id, creator_id, deadline, priority, required, state, created_at,
                     updated_at, done_at, project_id) ",
            );
            q.push_values(&rows, |mut b, r| {
                b.push_bind("Поручение")
                    .push_bind("")
                    .push_bind("manual")
                    .push_bind("local")
                    .push_bind(&r.org)
                    .push_bind(r.executor)
                    .push_bind(r.creator)
                    .push_bind(r.deadline)
                    .push_bind("normal")
                    .push_bind(true)
                    .push_bind(r.state)
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(r.done_at)
                    .push_bind(r.project);
            });
            q.build().execute(conn).await.unwrap().rows_affected()
        });
    }
    tx.commit().await.unwrap();
    // Written around the application, so the dashboards' counters are
    // filled as the migration that made them fills them from the orders
    // there are (src/pm/tally.rs).
    let filled = Instant::now();
    veche::pm::tally::rebuild(&state.db).await.unwrap();
    let filled = filled.elapsed().as_secs_f64();
    if let veche::db::Db::Postgres(pool) = &state.db {
        sqlx::query("analyze").execute(pool).await.unwrap();
    }
    println!(
        "  {n} orders and {projects} projects inserted in {:.1} s (their counters filled in {filled:.1} s)",
        t.elapsed().as_secs_f64()
    );
}

async fn dashboards(state: &AppState, base: &str) {
    veche::auth::create_admin(&state.db, "admin@bench.test", "Admin", "admin password 1")
        .await
        .unwrap();
    let mut v = Visitor::new(base);
    let (_, page) = v.get("/auth/login").await;
    let token = Visitor::token(&page);
    let status = v
        .post(
            "/auth/login",
            &[
                ("csrf_token", token.as_str()),
                ("email", "admin@bench.test"),
                ("password", "admin password 1"),
            ],
        )
        .await;
    assert_eq!(status, 303, "signed in");
    let rounds = if quick() { 20 } else { 100 };
    for (label, path) in [
        ("region (/pm)", "/pm"),
        ("portfolio", "/pm/portfolios/vg-infrastructure"),
        ("organisation", "/pm/organisations/min-transport"),
        ("projects (1,300)", "/pm/projects"),
        ("orders list, page 1", "/pm/orders"),
    ] {
        let (status, body) = v.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let (p50, p99, ()) = support::p50_p99(rounds, async || {
            let (status, _) = v.get(path).await;
            assert_eq!(status, 200);
        })
        .await;
        println!("  {label:<22} p50 {p50:7.1} ms  p99 {p99:7.1} ms");
        // No peer measured in this bench.
        support::figure(
            &format!("pm {}: dashboard, {label} p50", state.db.backend()),
            p50,
            "ms",
            "-",
            f64::NAN,
            support::Better::Lower,
        );
    }
}

/// The portal here, the core in a child process; both on SQLite.
async fn delivery() {
    let n: i64 = if quick() { 1_000 } else { 5_000 };
    let secret = "bench-secret-0123456789abcdef0123456789";
    let tmp = tempfile::tempdir().unwrap();
    let core_dir = tmp.path().join("core");
    let portal_dir = tmp.path().join("portal");
    std::fs::create_dir_all(&core_dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let core_url = format!("http://127.0.0.1:{port}");
    let core = |args: &[&str]| {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_veche"));
        c.env("VECHE_DATA_DIR", &core_dir)
            .env("VECHE_LISTEN", format!("127.0.0.1:{port}"))
            .env("VECHE_INSTANCE_ID", "core")
            .env("VECHE_DEMO_REGION", "false")
            .env("VECHE_LOG", "warn")
            .env_remove("DATABASE_URL")
            .args(args)
            .kill_on_drop(true);
        c
    };
    let out = core(&[
        "partner",
        "--id",
        "portal",
        "--kind",
        "instance",
        "--secret",
        secret,
        "--all-organisations",
    ])
    .output()
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = core(&[])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{core_url}/health")).send().await
            && r.status() == 200
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let cli = Cli::try_parse_from([
        "veche",
        "--data-dir",
        portal_dir.to_str().unwrap(),
        "--log",
        "warn",
        "--instance-id",
        "portal",
        "--pm-core",
        "core",
        // The core listens on loopback, which outbound requests refuse
        // unless allowed.
        "--outbound-allow-hosts",
        "127.0.0.1",
    ])
    .unwrap();
    let mut config = cli.config;
    config.database_url = None;
    let state = AppState::build(config).await.unwrap();
    veche::integration::partners::upsert(
        &state.db,
        &veche::integration::partners::NewPartner {
            partner_id: "core",
            name: "core",
            kind: "instance",
            url: Some(&format!("{core_url}/api/v1/integration/messages")),
            secret,
            all_organisations: true,
            organisations: &[],
            medo: None,
        },
    )
    .await
    .unwrap();
    let orgs = organisations(&state).await;
    let deadline = veche::db::now() + time::Duration::days(10);
    let mut tx = state.db.begin().await.unwrap();
    for i in 0..n {
        veche::integration::exchange::emit(
            &mut tx,
            "core",
            veche::integration::messages::Body::OrderRequested(
                veche::integration::messages::OrderRequested {
                    appeal_id: i + 1,
                    round: 0,
                    kind: "problem".into(),
                    title: format!("Обращение № {}", i + 1),
                    description: "Яма на дороге".into(),
                    address: "Краснодар".into(),
                    url: format!("http://portal.test/problems/{}", i + 1),
                    organisation_id: orgs[i as usize % orgs.len()].clone(),
                    deadline,
                },
            ),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let t = Instant::now();
    tokio::spawn(state.exchange.clone().run(state.clone()));
    let core_db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        core_dir.join("veche.db").display()
    ))
    .await
    .unwrap();
    loop {
        let pending = veche::integration::exchange::pending(&state.db)
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(600), "delivery stalled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = t.elapsed().as_secs_f64();
    let orders: i64 = sqlx::query_scalar("select count(*) from pm_order")
        .fetch_one(&core_db)
        .await
        .unwrap();
    println!(
        "Integration, two processes on loopback (SQLite both): {n} messages delivered in {secs:.2} s = {:.0} messages/s (signed, applied once each; the core holds {orders} orders)",
        n as f64 / secs
    );
    support::figure(
        "pm sqlite: integration messages between two processes",
        n as f64 / secs,
        "messages/s",
        "-",
        f64::NAN,
        support::Better::Higher,
    );
    assert_eq!(orders, n, "every message made exactly one order");
    child.kill().await.unwrap();
    state.db.close().await;
}

fn main() {
    support::runtime().block_on(async {
        let n = if quick() { 20_000 } else { 100_000 };
        support::on_each_backend(async |_, state, base| {
            seed(state, n, 1_300).await;
            dashboards(state, base).await;
        })
        .await;
        delivery().await;
    });
}
