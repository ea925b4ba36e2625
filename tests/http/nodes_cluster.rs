//! One installation on three nodes (docs/NODES.md): three `veche` processes
//! behind nginx, a PostgreSQL primary and its streaming replica, photos in
//! an S3-compatible server. A storm of citizens' reports with photos and
//! supports goes through nginx while the node holding the job leases is
//! killed with SIGKILL and, later, started again. Afterwards every
//! acknowledged write is in the primary once, every photo is served by
//! every node, each scheduled job ran once per period, and the indexes
//! caught up. Before the storm: an anonymous page is read from the replica
//! (it does not see a write while the replica's replay is paused) and the
//! writer's own next page from the primary.
//!
//! PostgreSQL only: several nodes over one SQLite file make no sense.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::nodes::{S3, S3_KEY, S3_SECRET};
use crate::pg::Pair;
use crate::problems::jpeg;
use crate::two_processes::{Browser, Node, free_port, wait_for};

const CITIZENS: usize = 8;
const REPORTS_EACH: usize = 4;
const PASSWORD: &str = "citizen password 1";

fn nginx_bin() -> Option<String> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
        .map(str::to_owned)
}

struct Nginx {
    child: std::process::Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: the master then stops its workers, which
        // would otherwise outlive the test (holding its ports and files).
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with a pid this test started has no
            // preconditions.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let _ = self.child.wait();
    }
}

/// nginx in front of the nodes: round robin, and a request that could not
/// reach a node (refused, timed out) goes to the next one, which nginx does
/// only for idempotent methods: a POST that reached a killed node is lost
/// (502), never sent twice.
fn start_nginx(dir: &std::path::Path, port: u16, nodes: &[u16]) -> Nginx {
    let bin = nginx_bin().expect("nginx");
    let servers: String = nodes
        .iter()
        .map(|p| format!("server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "user root;\nworker_processes 1;\ndaemon off;\nerror_log {d}/error.log warn;\npid {d}/nginx.pid;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n\
         client_max_body_size 100m;\n upstream veche {{\n{servers} }}\n\
         server {{\n  listen 127.0.0.1:{port};\n  location / {{\n   proxy_pass http://veche;\n\
           proxy_set_header Host $http_host;\n   proxy_set_header X-Forwarded-For $remote_addr;\n\
           proxy_next_upstream error timeout;\n   proxy_connect_timeout 1s;\n   proxy_read_timeout 60s;\n  }}\n }}\n}}\n"
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = std::process::Command::new(bin)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    Nginx { child }
}

fn node(dir: &std::path::Path, name: &'static str, pair: &Pair, s3: &S3) -> Node {
    let n = Node {
        dir: dir.join(name),
        port: free_port(),
        id: name,
        core: "local",
        child: None,
        env: vec![
            ("DATABASE_URL", pair.primary.clone()),
            ("DATABASE_REPLICA_URL", pair.replica.clone()),
            ("VECHE_MEDIA_URL", s3.url("veche")),
            ("AWS_ACCESS_KEY_ID", S3_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", S3_SECRET.into()),
            ("AWS_REGION", "us-east-1".into()),
            ("VECHE_NODE_ID", name.into()),
            ("VECHE_DEMO", "false".into()),
            ("VECHE_TRUST_PROXY", "true".into()),
            ("VECHE_LOGIN_ATTEMPTS_PER_MINUTE", "1000".into()),
            ("VECHE_DB_MAX_CONNECTIONS", "20".into()),
        ],
    };
    std::fs::create_dir_all(&n.dir).unwrap();
    n
}

async fn scalar(db: &sqlx::PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db)
        .await
        .unwrap()
}

/// A signed-in browser with its CSRF token, taken once (a token stays
/// good for the browser's secret, on every node).
async fn citizen(base: &str, email: &str) -> (Browser, String) {
    let b = Browser::new(base.to_owned());
    // nginx does not resend a POST that reached a node killed under it
    // (502): the citizen signs in again, as a person would.
    for attempt in 1.. {
        let r = b
            .post(
                "/auth/login",
                "/auth/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        if r.status == StatusCode::SEE_OTHER {
            break;
        }
        assert!(
            r.status == StatusCode::BAD_GATEWAY && attempt < 20,
            "sign-in: {} {}",
            r.status,
            r.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let token = b.get("/problems/new").await.csrf();
    (b, token)
}

/// Files a report with a photo; the report's id when acknowledged.
async fn report(b: &Browser, token: &str, marker: &str, photo: Vec<u8>) -> Option<i64> {
    report_or_why(b, token, marker, photo).await.ok()
}

async fn report_or_why(
    b: &Browser,
    token: &str,
    marker: &str,
    photo: Vec<u8>,
) -> Result<i64, String> {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.to_owned())
        .text("category", "road-pothole")
        .text("lat", "45.0355")
        .text("lon", "38.9753")
        .text("address", "Краснодар, ул. Красная, 122")
        .text(
            "description",
            format!("Яма на дороге {marker}, нужен ремонт."),
        )
        .text("not_duplicate", "on")
        .part(
            "photos",
            reqwest::multipart::Part::bytes(photo).file_name("yama.jpg"),
        );
    let r = b
        .try_send(
            b.http
                .post(format!("{}/problems/new", b.base))
                .multipart(form),
        )
        .await
        .map_err(|e| e.to_string())?;
    (r.status == StatusCode::SEE_OTHER)
        .then(|| {
            // `/problems/{id}?filed=1`
            let path = r.location.split('?').next().unwrap_or_default();
            path.trim_start_matches("/problems/").parse().ok()
        })
        .flatten()
        .ok_or_else(|| format!("{} {}: {}", r.status, r.location, r.body))
}

async fn support(b: &Browser, token: &str, id: i64) -> bool {
    b.try_send(
        b.http
            .post(format!("{}/problems/{id}/support", b.base))
            .form(&[("csrf_token", token)]),
    )
    .await
    .is_ok_and(|r| r.status == StatusCode::SEE_OTHER)
}

fn features_of(geojson: &str) -> usize {
    serde_json::from_str::<serde_json::Value>(geojson).unwrap()["features"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_behind_nginx_survive_a_killed_node() {
    if nginx_bin().is_none() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "nginx is required under CI=true"
        );
        eprintln!("\n*** SKIPPING the three-node test: nginx is not installed.\n");
        return;
    }
    let Some(pair) = Pair::start().await else {
        return;
    };
    let began = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = S3::start("veche").await;
    let primary = sqlx::PgPool::connect(&pair.primary).await.unwrap();
    let replica = sqlx::PgPool::connect(&pair.replica).await.unwrap();
    {
        let db = veche::db::Db::Postgres(primary.clone());
        let mut tx = db.begin().await.unwrap();
        veche::workflow::queries::set_setting(&mut tx, "premoderation", "off")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for i in 0..CITIZENS {
            veche::auth::create_admin(
                &db,
                &format!("c{i}@nodes.test"),
                &format!("Житель {i}"),
                PASSWORD,
            )
            .await
            .unwrap();
        }
    }
    let mut nodes = vec![
        node(tmp.path(), "node-a", &pair, &s3),
        node(tmp.path(), "node-b", &pair, &s3),
        node(tmp.path(), "node-c", &pair, &s3),
    ];
    for n in &mut nodes {
        n.start().await;
    }
    let lb_port = free_port();
    let _nginx = start_nginx(
        &tmp.path().join("nginx"),
        lb_port,
        &nodes.iter().map(|n| n.port).collect::<Vec<_>>(),
    );
    let lb = format!("http://127.0.0.1:{lb_port}");
    wait_for("nginx", &[], async || {
        reqwest::get(format!("{lb}/health"))
            .await
            .ok()
            .filter(|r| r.status() == StatusCode::OK)
            .map(|_| ())
    })
    .await;

    // Read-your-writes, and the replica really read: with the replica's
    // replay paused, a report filed through nginx is on the writer's next
    // page (the primary) but not on an anonymous visitor's map (the
    // replica) until replay goes on.
    let (writer, token) = citizen(&lb, "c0@nodes.test").await;
    wait_for("the replica to catch up", &[], async || {
        let sent: String = sqlx::query_scalar("select pg_current_wal_lsn()::text")
            .fetch_one(&primary)
            .await
            .unwrap();
        let caught_up: bool = sqlx::query_scalar("select pg_last_wal_replay_lsn() >= $1::pg_lsn")
            .bind(sent)
            .fetch_one(&replica)
            .await
            .unwrap();
        caught_up.then_some(())
    })
    .await;
    sqlx::query("select pg_wal_replay_pause()")
        .execute(&replica)
        .await
        .unwrap();
    let first = match report_or_why(&writer, &token, "zqlagx", jpeg(320, 200)).await {
        Ok(id) => id,
        Err(why) => panic!(
            "not acknowledged: {why}\n{}",
            nodes.iter().map(|n| n.log()).collect::<Vec<_>>().join("\n")
        ),
    };
    let own = writer.get(&format!("/problems/{first}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("zqlagx"), "the writer reads the primary");
    let map = "/api/v1/problems.geojson";
    let anonymous = Browser::new(nodes[1].base());
    assert_eq!(
        features_of(&anonymous.get(map).await.body),
        0,
        "an anonymous map reads the paused replica"
    );
    assert_eq!(
        features_of(&writer.get(map).await.body),
        1,
        "the writer's map reads the primary"
    );
    sqlx::query("select pg_wal_replay_resume()")
        .execute(&replica)
        .await
        .unwrap();
    wait_for(
        "the replica to replay",
        &nodes.iter().collect::<Vec<_>>(),
        async || (features_of(&anonymous.get(map).await.body) == 1).then_some(()),
    )
    .await;

    // The storm: every citizen files reports with photos and supports the
    // others' reports, all through nginx and at once. Midway the node
    // holding the open data refresh lease is killed.
    let ids = Arc::new(tokio::sync::Mutex::new(Vec::<(i64, String)>::new()));
    let supported = Arc::new(tokio::sync::Mutex::new(Vec::<(i64, usize)>::new()));
    let filed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..CITIZENS {
        let (lb, ids) = (lb.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let (b, token) = citizen(&lb, &format!("c{c}@nodes.test")).await;
            for r in 0..REPORTS_EACH {
                let marker = format!("zq{c}r{r}x");
                let photo = tokio::task::spawn_blocking(move || jpeg(300 + 10 * r as u32, 200))
                    .await
                    .unwrap();
                if let Some(id) = report(&b, &token, &marker, photo).await {
                    ids.lock().await.push((id, marker));
                }
            }
        }));
    }
    let storm_started = Instant::now();
    // Supports follow the reports as they are acknowledged.
    let supporters = {
        let (lb, ids, supported, filed) =
            (lb.clone(), ids.clone(), supported.clone(), filed.clone());
        tokio::spawn(async move {
            let mut browsers = Vec::new();
            for c in 0..CITIZENS {
                browsers.push(citizen(&lb, &format!("c{c}@nodes.test")).await);
            }
            let browsers = Arc::new(browsers);
            let mut done = BTreeSet::new();
            let deadline = Instant::now() + Duration::from_secs(90);
            while Instant::now() < deadline {
                let all_filed = filed.load(std::sync::atomic::Ordering::SeqCst);
                let batch: Vec<(i64, String)> = ids
                    .lock()
                    .await
                    .iter()
                    .filter(|(id, _)| !done.contains(id))
                    .cloned()
                    .collect();
                if batch.is_empty() && all_filed {
                    break;
                }
                let mut jobs = Vec::new();
                for (id, marker) in batch {
                    done.insert(id);
                    let author: usize = marker[2..].split('r').next().unwrap().parse().unwrap();
                    for c in (0..CITIZENS).filter(|&c| c != author) {
                        let (browsers, supported) = (browsers.clone(), supported.clone());
                        jobs.push(tokio::spawn(async move {
                            let (b, token) = &browsers[c];
                            if support(b, token, id).await {
                                supported.lock().await.push((id, c));
                            }
                        }));
                    }
                }
                for j in jobs {
                    j.await.unwrap();
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    // Midway: the node doing the open data refreshes dies.
    wait_for(
        "a third of the reports",
        &nodes.iter().collect::<Vec<_>>(),
        async || (ids.lock().await.len() >= CITIZENS * REPORTS_EACH / 3).then_some(()),
    )
    .await;
    let holder: String =
        sqlx::query_scalar("select holder from job_lease where name = 'opendata.refresh'")
            .fetch_one(&primary)
            .await
            .unwrap();
    let victim = nodes
        .iter()
        .position(|n| n.id == holder)
        .expect("a node holds the lease");
    nodes[victim].kill().await;
    let killed_at = Instant::now();
    for t in tasks {
        t.await.unwrap();
    }
    filed.store(true, std::sync::atomic::Ordering::SeqCst);
    supporters.await.unwrap();
    // Another node takes the lease over while the victim is down.
    wait_for(
        "the lease taken over",
        &nodes.iter().collect::<Vec<_>>(),
        async || {
            let h: String =
                sqlx::query_scalar("select holder from job_lease where name = 'opendata.refresh'")
                    .fetch_one(&primary)
                    .await
                    .unwrap();
            (h != holder).then_some(())
        },
    )
    .await;
    assert!(killed_at.elapsed() < Duration::from_secs(60));
    nodes[victim].start().await;
    let storm = storm_started.elapsed();

    // Every acknowledged write is in the primary once.
    let ids = ids.lock().await.clone();
    let supported = supported.lock().await.clone();
    assert!(
        ids.len() >= CITIZENS * REPORTS_EACH * 2 / 3,
        "most reports acknowledged: {} of {}",
        ids.len(),
        CITIZENS * REPORTS_EACH
    );
    assert!(
        supported.len() >= ids.len() * 3,
        "supports: {}",
        supported.len()
    );
    for (id, marker) in &ids {
        let n: i64 = sqlx::query_scalar("select count(*) from appeal where description like $1")
            .bind(format!("%{marker}%"))
            .fetch_one(&primary)
            .await
            .unwrap();
        assert_eq!(n, 1, "report {marker} once");
        let n: i64 = sqlx::query_scalar("select count(*) from appeal where appeal_id = $1")
            .bind(id)
            .fetch_one(&primary)
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
    for (id, c) in &supported {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from appeal_support s join account a using (account_id) where s.appeal_id = $1 and a.email = $2",
        )
        .bind(id)
        .bind(format!("c{c}@nodes.test"))
        .fetch_one(&primary)
        .await
        .unwrap();
        assert_eq!(n, 1, "support of report {id} by c{c} once");
    }
    // The counts shown agree with the supports kept.
    assert_eq!(
        scalar(
            &primary,
            "select count(*) from appeal a where support_count <> (select count(*) from appeal_support s where s.appeal_id = a.appeal_id)"
        )
        .await,
        0
    );

    // Every photo is in the bucket and served by every node, the restarted
    // one too.
    let keys: Vec<String> = sqlx::query_scalar("select media_key from appeal_photo")
        .fetch_all(&primary)
        .await
        .unwrap();
    // A report whose node died after its commit but before its answer is
    // kept without being acknowledged: at least one photo a report.
    assert!(keys.len() > ids.len(), "one photo a report");
    let http = reqwest::Client::new();
    for n in &nodes {
        for k in &keys {
            let r = http
                .get(format!("{}/media/{k}-thumb.jpg", n.base()))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{k} from {}", n.id);
            assert!(image::load_from_memory(&r.bytes().await.unwrap()).is_ok());
        }
        assert!(
            !n.dir.join("media/photos").exists()
                || std::fs::read_dir(n.dir.join("media/photos"))
                    .unwrap()
                    .next()
                    .is_none(),
            "no photo in a node's own folder"
        );
    }

    // Each scheduled job ran at most once per period, and the refreshes
    // ran on more than one node (the lease moved when its holder died).
    assert_eq!(
        scalar(
            &primary,
            "select count(*) from (select name, period from job_run group by name, period having count(*) > 1) d"
        )
        .await,
        0,
        "a period ran twice"
    );
    assert!(
        scalar(
            &primary,
            "select count(distinct node) from job_run where name = 'opendata.refresh'"
        )
        .await
            >= 2
    );
    for job in ["workflow.sweeper", "features.scheduled", "opendata.refresh"] {
        let n: i64 = sqlx::query_scalar("select count(*) from job_run where name = $1")
            .bind(job)
            .fetch_one(&primary)
            .await
            .unwrap();
        assert!(n >= 1, "{job} ran");
    }
    assert_eq!(
        scalar(
            &primary,
            "select count(*) from job_lease where name in ('planner.reminders', 'press.poller')"
        )
        .await,
        2,
        "the endless workers hold their leases"
    );

    // Every index caught up: the map of each node through the replica, and
    // the search index of each node.
    let all = usize::try_from(scalar(&primary, "select count(*) from appeal").await).unwrap();
    for n in &nodes {
        let b = Browser::new(n.base());
        wait_for(
            "the map through the replica",
            &nodes.iter().collect::<Vec<_>>(),
            async || (features_of(&b.get(map).await.body) == all).then_some(()),
        )
        .await;
    }
    // Search: each node's index follows the shared search log with its own
    // cursor, so every node finds every report (a generous wait).
    let markers: Vec<String> = ids.iter().map(|(_, m)| m.clone()).collect();
    let searchers: Vec<Browser> = nodes.iter().map(|n| Browser::new(n.base())).collect();
    let finds = async |b: &Browser, m: &str| {
        b.get(&format!("/search?q={m}"))
            .await
            .body
            .contains("/problems/")
    };
    wait_for(
        "every report in every node's index",
        &nodes.iter().collect::<Vec<_>>(),
        async || {
            for b in &searchers {
                for m in &markers {
                    if !finds(b, m).await {
                        return None;
                    }
                }
            }
            Some(())
        },
    )
    .await;
    eprintln!(
        "three nodes: {} reports, {} supports acknowledged; storm {:.1}s; whole test {:.1}s",
        ids.len(),
        supported.len(),
        storm.as_secs_f64(),
        began.elapsed().as_secs_f64()
    );
    for n in &mut nodes {
        n.kill().await;
    }
}
