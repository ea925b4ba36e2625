//! Crash consistency: a real `veche` process takes a storm of support votes
//! and problem reports from concurrent signed-in citizens over HTTP, is
//! killed with SIGKILL in the middle, and restarted on the same data. Every
//! acknowledged report and vote is there exactly once, nothing is
//! half-written (each report has its first events, each vote count equals
//! its vote rows), and the outbox resumes and drains: the search index finds
//! the reports, and each report got exactly one order in the core.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::read_mailbox;
use crate::two_processes::{Browser, Node, free_port, wait_for};

const PASSWORD: &str = "correct horse battery";
const CLIENTS: usize = 8;

/// Registers through the form, confirms through the mailed link, signs in.
async fn citizen(node: &Node, email: &str) -> Browser {
    let b = Browser::new(node.base());
    let r = b
        .post(
            "/auth/register",
            "/auth/register",
            &[
                ("email", email),
                ("display_name", "Житель"),
                ("password", PASSWORD),
                ("municipality_id", "krasnodar"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    wait_for("the confirmation mail", &[node], async || {
        let mail = read_mailbox(&node.dir)
            .into_iter()
            .find(|m| m.to == email)?;
        let link = mail.link("/auth/confirm/");
        (b.get(&link).await.status == StatusCode::OK).then_some(())
    })
    .await;
    b.sign_in_with(email, PASSWORD).await;
    b
}

#[derive(Default)]
struct Acknowledged {
    /// (report id, marker word in its text, client)
    reports: Vec<(i64, String, usize)>,
    /// (report id, client)
    votes: Vec<(i64, usize)>,
}

/// One client: files a report every third step, supports others' reports
/// otherwise, until the server stops answering.
async fn client(
    n: usize,
    b: Browser,
    token: String,
    acked: Arc<Mutex<Acknowledged>>,
    stop: Arc<AtomicBool>,
) {
    let mut step = 0usize;
    let mut voted: Vec<i64> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        step += 1;
        let target = if step % 3 == 1 {
            None
        } else {
            let a = acked.lock().unwrap();
            a.reports
                .iter()
                .rev()
                .find(|(id, _, by)| *by != n && !voted.contains(id))
                .map(|r| r.0)
        };
        let Some(id) = target else {
            let marker = format!("zq{n}w{step}");
            let form = reqwest::multipart::Form::new()
                .text("category", "road-pothole")
                .text("lat", "45.0355")
                .text("lon", "38.9753")
                .text("address", "Краснодар, ул. Красная, 122")
                .text("description", format!("Яма на дороге, метка {marker}."))
                .text("not_duplicate", "on");
            let r = b
                .http
                .post(format!("{}/problems/new?csrf_token={token}", b.base))
                .multipart(form);
            match b.try_send(r).await {
                Ok(p) if p.status == StatusCode::SEE_OTHER => {
                    let id: i64 = p
                        .location
                        .trim_start_matches("/problems/")
                        .split(['?', '#'])
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap();
                    acked.lock().unwrap().reports.push((id, marker, n));
                }
                Ok(p) => panic!("client {n}: report answered {}: {}", p.status, p.body),
                Err(_) => return,
            }
            continue;
        };
        let r = b
            .http
            .post(format!("{}/problems/{id}/support", b.base))
            .form(&[("csrf_token", token.as_str())]);
        match b.try_send(r).await {
            Ok(p) if p.status == StatusCode::SEE_OTHER => {
                voted.push(id);
                acked.lock().unwrap().votes.push((id, n));
            }
            Ok(p) => panic!("client {n}: support answered {}: {}", p.status, p.body),
            Err(_) => return,
        }
    }
}

async fn scalar(db: &veche::db::Db, sql: &'static str, id: i64) -> i64 {
    veche::on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

async fn storm(database_url: Option<String>) {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let mut env = vec![("VECHE_LOGIN_ATTEMPTS_PER_MINUTE", "1000".to_owned())];
    if let Some(url) = &database_url {
        env.push(("DATABASE_URL", url.clone()));
    }
    let mut node = Node {
        dir: tmp.path().join("node"),
        port: free_port(),
        id: "crash",
        core: "local",
        child: None,
        env,
    };
    std::fs::create_dir_all(&node.dir).unwrap();
    node.start().await;
    let db = veche::db::Db::connect_url(
        database_url
            .as_deref()
            .unwrap_or(&format!("sqlite://{}", node.dir.join("veche.db").display())),
        4,
    )
    .await
    .unwrap();
    // Published at once, so others can support them.
    let mut tx = db.begin().await.unwrap();
    veche::workflow::queries::set_setting(&mut tx, "premoderation", "off")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut browsers = Vec::new();
    let mut accounts = Vec::new();
    for n in 0..CLIENTS {
        let email = format!("storm{n}@example.ru");
        let b = citizen(&node, &email).await;
        let token = b.get("/problems/new").await.csrf();
        browsers.push((b, token));
        accounts.push(
            veche::auth::queries::account_by_email(&db, &email)
                .await
                .unwrap()
                .unwrap()
                .account_id,
        );
    }

    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = browsers
        .into_iter()
        .enumerate()
        .map(|(n, (b, token))| tokio::spawn(client(n, b, token, acked.clone(), stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_secs(4)).await;
    // SIGKILL with requests in flight.
    node.kill().await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        acked.reports.len() >= CLIENTS && !acked.votes.is_empty(),
        "a storm: {} reports, {} votes",
        acked.reports.len(),
        acked.votes.len()
    );
    // The killed process's leases on queued jobs (up to 10 minutes for the
    // open-data refresh) and backoffs run out, as time would; nothing holds
    // a lease legitimately while the process is down.
    let leased: u64 = veche::on_db!(&db, |pool| {
        sqlx::query(
            "update outbox set locked_until = null, run_after = created_at
             where dead_at is null and locked_until is not null",
        )
        .execute(pool)
        .await
        .unwrap()
        .rows_affected()
    });
    node.start().await;

    // Every acknowledged report, once, with its text and first event.
    for (id, marker, _) in &acked.reports {
        let text: Vec<String> = veche::on_db!(&db, |pool| {
            sqlx::query_scalar::<_, String>("select description from appeal where appeal_id = $1")
                .bind(id)
                .fetch_all(pool)
                .await
                .unwrap()
        });
        assert_eq!(text.len(), 1, "report {id} exactly once");
        assert!(text[0].contains(marker.as_str()));
        assert_eq!(
            scalar(
                &db,
                "select count(*) from appeal_event where appeal_id = $1 and kind = 'submitted'",
                *id
            )
            .await,
            1
        );
    }
    // Every acknowledged vote, once.
    for (id, n) in &acked.votes {
        let rows: i64 = veche::on_db!(&db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from appeal_support where appeal_id = $1 and account_id = $2",
            )
            .bind(id)
            .bind(accounts[*n])
            .fetch_one(pool)
            .await
            .unwrap()
        });
        assert_eq!(rows, 1, "vote of client {n} on {id}");
    }
    // Nothing half-written, acknowledged or not: each report has its
    // submitted and published events, each count equals its vote rows.
    let none = |sql: &'static str| scalar(&db, sql, 0);
    assert_eq!(
        none(
            "select count(*) from appeal a where $1 = 0 and (
                (select count(*) from appeal_event e where e.appeal_id = a.appeal_id
                   and e.kind in ('submitted', 'published')) <> 2
             or a.support_count <> (select count(*) from appeal_support s
                                    where s.appeal_id = a.appeal_id))"
        )
        .await,
        0
    );
    let total = none("select count(*) from appeal where $1 = 0").await;
    assert!(total >= acked.reports.len() as i64);

    // The outbox resumes after the restart and drains.
    wait_for("the outbox to drain", &[&node], async || {
        (none("select count(*) from outbox where $1 = 0").await == 0).then_some(())
    })
    .await;
    assert_eq!(
        none("select count(*) from outbox where dead_at is not null and $1 = 0").await,
        0
    );
    assert_eq!(
        none(
            "select count(*) from appeal a where $1 = 0 and (select count(*) from pm_order o
               where o.appeal_id = a.appeal_id and o.parent_id is null) <> 1"
        )
        .await,
        0,
        "each report got exactly one order in the core"
    );
    let reader = Browser::new(node.base());
    for (id, marker, _) in &acked.reports {
        let page = reader.get(&format!("/search?q={marker}")).await;
        assert!(
            page.body.contains(&format!("/problems/{id}\"")),
            "the index finds report {id} by {marker}"
        );
    }
    node.kill().await;
    eprintln!(
        "crash storm ({}): {} reports and {} votes acknowledged, {total} reports stored, \
         {leased} jobs leased at the kill, {:.1} s",
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        acked.reports.len(),
        acked.votes.len(),
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_keeps_every_acknowledged_write_sqlite() {
    storm(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_keeps_every_acknowledged_write_postgres() {
    let Some(url) = crate::pg::fresh_database().await else {
        return;
    };
    storm(Some(url)).await;
}
