//! Two veche processes on loopback: the public portal and the
//! project-management core, each with its own data folder, talking only
//! through signed messages. A citizen's report becomes an order in the core,
//! is delegated, and its report of execution comes back as the official
//! reaction. The core is killed twice in the middle (before the order
//! arrives, and right after it sends the reaction) and brought back:
//! everything is delivered, exactly once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::process::{Child, Command};

const SECRET: &str = "shared-secret-between-portal-and-core-0123456789";
const ADMIN_PASSWORD: &str = "admin password 1";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `veche` binary: Cargo's, or `VECHE_TEST_BIN` when several
/// checkouts share one target folder (each build overwrites the others'
/// `target/debug/veche`, so a copy is pointed at instead).
pub fn veche_bin() -> String {
    std::env::var("VECHE_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_veche").to_owned())
}

pub struct Node {
    pub dir: PathBuf,
    pub port: u16,
    pub id: &'static str,
    pub core: &'static str,
    pub child: Option<Child>,
    /// More environment (or overrides), applied last.
    pub env: Vec<(&'static str, String)>,
}

impl Node {
    fn command(&self) -> Command {
        let mut c = Command::new(veche_bin());
        c.env("VECHE_DATA_DIR", &self.dir)
            .env("VECHE_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("VECHE_INSTANCE_ID", self.id)
            .env("VECHE_PM_CORE", self.core)
            .env("VECHE_INTEGRATION_RETRY_MS", "300")
            .env("VECHE_LOG", "warn")
            .env("VECHE_DEMO_REGION", "false")
            .env("VECHE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            // Both nodes are on loopback, which partner URLs may name only
            // when allowed.
            .env("VECHE_OUTBOUND_ALLOW_HOSTS", "127.0.0.1")
            .env_remove("DATABASE_URL")
            .env_remove("VECHE_SMTP_URL")
            .env_remove("VECHE_OIDC_ISSUER")
            .kill_on_drop(true);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    pub async fn run(&self, args: &[&str]) {
        self.output(args).await;
    }

    /// Runs a command of the binary with this node's settings; its stdout.
    pub async fn output(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().await.unwrap();
        assert!(
            out.status.success(),
            "veche {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub async fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let child = self
            .command()
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.child = Some(child);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = http.get(format!("{}/health", self.base())).send().await
                && r.status() == StatusCode::OK
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not start: {}",
                self.id,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, whatever was in flight stays in flight.
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    pub async fn db(&self) -> sqlx::SqlitePool {
        let url = format!("sqlite://{}?mode=ro", self.dir.join("veche.db").display());
        sqlx::SqlitePool::connect(&url).await.unwrap()
    }
}

/// A browser: cookies, CSRF tokens from pages, no redirects followed.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    cookies: Mutex<BTreeMap<String, String>>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Page {
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = self.body[start..].find('"').unwrap();
        self.body[start..start + end].to_owned()
    }
}

impl Browser {
    pub fn new(base: String) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base,
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    async fn send(&self, r: reqwest::RequestBuilder) -> Page {
        self.try_send(r).await.unwrap()
    }

    /// `send` that reports a failed connection (a server killed mid-way).
    pub async fn try_send(&self, r: reqwest::RequestBuilder) -> reqwest::Result<Page> {
        let jar: String = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let r = if jar.is_empty() {
            r
        } else {
            r.header("cookie", jar)
        };
        let resp = r.send().await?;
        for c in resp.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies
                    .lock()
                    .unwrap()
                    .insert(k.to_owned(), v.to_owned());
            }
        }
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Ok(Page {
            status,
            location,
            body: resp.text().await?,
        })
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(page).await.csrf();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.send(self.http.post(format!("{}{action}", self.base)).form(&all))
            .await
    }

    pub async fn post_multipart(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
        photo: Option<Vec<u8>>,
    ) -> Page {
        let token = self.get(page).await.csrf();
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some(bytes) = photo {
            form = form.part(
                "files",
                reqwest::multipart::Part::bytes(bytes).file_name("done.jpg"),
            );
        }
        self.send(
            self.http
                .post(format!("{}{action}?csrf_token={token}", self.base))
                .multipart(form),
        )
        .await
    }

    pub async fn sign_in(&self, email: &str) {
        self.sign_in_with(email, ADMIN_PASSWORD).await;
    }

    pub async fn sign_in_with(&self, email: &str, password: &str) {
        let r = self
            .post(
                "/auth/login",
                "/auth/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
}

pub async fn wait_for<T>(
    what: &str,
    logs: &[&Node],
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        if Instant::now() > deadline {
            let logs: Vec<String> = logs
                .iter()
                .map(|n| format!("--- {}:\n{}", n.id, n.log()))
                .collect();
            panic!("timed out waiting for {what}\n{}", logs.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

pub async fn count(pool: &sqlx::SqlitePool, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The core's orders as its CSV export shows them: (id, title, state).
pub async fn core_orders(core: &Browser) -> Vec<(i64, String, String)> {
    let csv = core.get("/pm/orders?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    csv::Reader::from_reader(csv.body.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[1].to_owned(), r[4].to_owned())
        })
        .collect()
}

fn path(p: &Path) -> PathBuf {
    p.to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_and_core_in_two_processes_deliver_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (pa, pb) = (free_port(), free_port());
    let mut portal = Node {
        dir: path(&tmp.path().join("portal")),
        port: pa,
        id: "portal",
        core: "core",
        child: None,
        env: Vec::new(),
    };
    let mut core = Node {
        dir: path(&tmp.path().join("core")),
        port: pb,
        id: "core",
        core: "local",
        child: None,
        env: Vec::new(),
    };
    for n in [&portal, &core] {
        std::fs::create_dir_all(&n.dir).unwrap();
        n.run(&[
            "create-admin",
            "--email",
            &format!("admin@{}.test", n.id),
            "--name",
            &format!("Admin {}", n.id),
        ])
        .await;
    }
    portal
        .run(&[
            "partner",
            "--id",
            "core",
            "--name",
            "Ядро поручений",
            "--kind",
            "instance",
            "--url",
            &format!("{}/api/v1/integration/messages", core.base()),
            "--secret",
            SECRET,
            "--all-organisations",
        ])
        .await;
    core.run(&[
        "partner",
        "--id",
        "portal",
        "--name",
        "Портал",
        "--kind",
        "instance",
        "--url",
        &format!("{}/api/v1/integration/messages", portal.base()),
        "--secret",
        SECRET,
        "--all-organisations",
    ])
    .await;
    portal.start().await;
    core.start().await;

    // A citizen's report on the portal (the administrator files it and, as
    // moderator, publishes it), while the core is down.
    let p = Browser::new(portal.base());
    p.sign_in("admin@portal.test").await;
    let r = p
        .post_multipart(
            "/problems/new",
            "/problems/new",
            &[
                ("category", "road-pothole"),
                ("lat", "45.0355"),
                ("lon", "38.9753"),
                ("address", "Краснодар, ул. Красная, 122"),
                ("description", "Яма на проезжей части у остановки."),
                ("not_duplicate", "on"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location
        .trim_start_matches("/problems/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    core.kill().await;
    let page = format!("/problems/{id}");
    let r = p
        .post_multipart(
            &page,
            &format!("/problems/{id}/action"),
            &[("action", "approve")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    core.start().await;

    // The order arrives in the core once the core is back.
    let c = Browser::new(core.base());
    c.sign_in("admin@core.test").await;
    let title = format!("Обращение № {id}");
    let root = wait_for("the order in the core", &[&portal, &core], async || {
        core_orders(&c)
            .await
            .into_iter()
            .find(|o| o.1.starts_with(&title))
            .map(|o| o.0)
    })
    .await;

    assert!(
        portal.log().contains("not delivered; will retry"),
        "the portal tried while the core was down: {}",
        portal.log()
    );

    // Delegated to a sub-order, reported and accepted in the core.
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date();
    let deadline = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let r = c
        .post(
            &format!("/pm/orders/{root}"),
            &format!("/pm/orders/{root}/delegate"),
            &[
                ("title", "Заделать яму"),
                ("organisation_id", "admin-krasnodar"),
                ("deadline", &deadline),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sub: i64 = r
        .location
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    for fields in [
        vec![("action", "report"), ("text", "Заделали")],
        vec![("action", "accept_report")],
    ] {
        let r = c
            .post_multipart(
                &format!("/pm/orders/{sub}"),
                &format!("/pm/orders/{sub}/act"),
                &fields,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = c
        .post_multipart(
            &format!("/pm/orders/{root}"),
            &format!("/pm/orders/{root}/act"),
            &[
                ("action", "report"),
                ("text", "Яма заделана, покрытие восстановлено."),
                ("outcome", "resolved"),
            ],
            Some(crate::problems::jpeg(900, 600)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Killed right after: the reaction may or may not have left.
    core.kill().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    core.start().await;

    // The official reaction is on the portal, with its photo.
    let public = Browser::new(portal.base());
    wait_for(
        "the reaction on the portal",
        &[&portal, &core],
        async || {
            let page = public.get(&page).await;
            page.body
                .contains("Яма заделана, покрытие восстановлено.")
                .then_some(())
        },
    )
    .await;
    let shown = public.get(&page).await;
    assert!(
        shown.body.contains("/media/"),
        "the report's photo is shown"
    );

    // Exactly once, as both databases say.
    let pdb = portal.db().await;
    let cdb = core.db().await;
    wait_for("both outboxes empty", &[&portal, &core], async || {
        let a = count(
            &pdb,
            "select count(*) from outbox where queue = 'integration' and $1 = $1",
            0,
        )
        .await;
        let b = count(
            &cdb,
            "select count(*) from outbox where queue = 'integration' and $1 = $1",
            0,
        )
        .await;
        (a == 0 && b == 0).then_some(())
    })
    .await;
    assert_eq!(
        count(
            &pdb,
            "select count(*) from appeal_event where appeal_id = $1 and kind = 'resolved'",
            id
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &pdb,
            "select count(*) from appeal where appeal_id = $1 and state = 'resolved'",
            id
        )
        .await,
        1
    );
    assert_eq!(count(&pdb, "select count(*) from integration_inbox where message_type = 'order.reported' and $1 = $1", 0).await, 1);
    assert_eq!(
        count(
            &cdb,
            "select count(*) from pm_order where appeal_id = $1 and parent_id is null",
            id
        )
        .await,
        1,
        "one order, however often it was asked for"
    );
    assert_eq!(
        count(
            &cdb,
            "select count(*) from pm_order where appeal_id = $1",
            id
        )
        .await,
        2
    );
    assert_eq!(count(&cdb, "select count(*) from integration_inbox where message_type = 'order.requested' and $1 = $1", 0).await, 1);
    portal.kill().await;
    core.kill().await;
}
