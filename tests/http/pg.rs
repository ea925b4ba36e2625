//! A throwaway PostgreSQL cluster for the test process: `initdb` and `pg_ctl`
//! on a Unix socket in a temporary folder, started at the first PostgreSQL
//! test and removed when the process exits. Each test gets its own database,
//! cloned from a template that already has the migrations.
//!
//! When the binaries are missing the PostgreSQL tests are skipped with a loud
//! message, except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::OnceCell;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres_user: bool,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static TEMPLATE: OnceCell<()> = OnceCell::const_new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

fn find_bin_dir() -> Option<PathBuf> {
    find_bin_dir_with(&["initdb", "pg_ctl"])
}

fn find_bin_dir_with(programs: &[&str]) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev());
    }
    candidates
        .into_iter()
        .find(|d| programs.iter().all(|p| d.join(p).is_file()))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn start() -> Result<Cluster, String> {
        let bin = find_bin_dir().ok_or("initdb and pg_ctl are not on PATH")?;
        remove_stale_clusters();
        let dir = std::env::temp_dir().join(format!(
            "veche-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let as_postgres_user = is_root();
        if as_postgres_user {
            // initdb refuses to run as root: the cluster belongs to `postgres`.
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err("cannot hand the cluster folder to the postgres user".into());
            }
        }
        let cluster = Cluster {
            dir,
            bin,
            as_postgres_user,
        };
        let data = cluster.dir.join("data");
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "veche",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            cluster.dir.display()
        );
        let out = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(cluster.dir.join("log"))
            .args(["-w", "start"])
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "pg_ctl start failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        // SAFETY: registering a plain extern "C" function without arguments.
        unsafe {
            libc::atexit(stop_at_exit);
        }
        Ok(cluster)
    }

    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://veche@localhost/{database}?host={}",
            self.dir.display()
        )
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

extern "C" fn stop_at_exit() {
    if let Some(Ok(cluster)) = CLUSTER.get() {
        cluster.stop();
    }
}

/// Clusters left by test processes that were killed: their folder names
/// carry the pid, which no longer exists.
fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("veche-pg-") else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let data = entry.path().join("data");
        if let Some(bin) = find_bin_dir() {
            let stale = Cluster {
                dir: entry.path(),
                bin,
                as_postgres_user: is_root(),
            };
            // A pair's replica too (`Pair`).
            for data in [entry.path().join("replica"), data] {
                let _ = stale
                    .command("pg_ctl")
                    .arg("-D")
                    .arg(&data)
                    .args(["-m", "immediate", "stop"])
                    .output();
            }
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// The URL of a fresh, migrated database, or `None` when PostgreSQL tests
/// are skipped.
pub async fn fresh_database() -> Option<String> {
    let cluster = match CLUSTER.get_or_init(Cluster::start) {
        Ok(c) => c,
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "PostgreSQL is required under CI=true, but the test cluster could not start: {why}"
                );
            }
            static WARNED: OnceLock<()> = OnceLock::new();
            WARNED.get_or_init(|| {
                eprintln!(
                    "\n\n*** SKIPPING the PostgreSQL half of the test suite: {why}.\n*** Install PostgreSQL (initdb, pg_ctl) to run it; CI=true makes this a failure.\n"
                );
            });
            return None;
        }
    };
    TEMPLATE
        .get_or_init(|| async {
            let admin = sqlx::PgPool::connect(&cluster.url("postgres"))
                .await
                .expect("connect to the test cluster");
            sqlx::query("create database veche_template")
                .execute(&admin)
                .await
                .expect("create template");
            admin.close().await;
            let db = veche::db::Db::connect_url(&cluster.url("veche_template"), 2)
                .await
                .expect("connect to template");
            db.migrate().await.expect("migrate the template");
            db.close().await;
        })
        .await;
    let name = format!("t{}", NEXT_DB.fetch_add(1, Ordering::SeqCst));
    // Copies of one template are made one at a time: PostgreSQL refuses a
    // copy while another session holds the template.
    static CREATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _guard = CREATING.lock().await;
    let admin = sqlx::PgPool::connect(&cluster.url("postgres"))
        .await
        .expect("connect to the test cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "create database {name} template veche_template"
    )))
    .execute(&admin)
    .await
    .expect("create a test database");
    admin.close().await;
    Some(cluster.url(&name))
}

/// A primary and its streaming replica (`pg_basebackup -R`), each on a Unix
/// socket of its own, for the tests of several nodes (tests/http/nodes.rs).
/// Stopped and removed when dropped.
pub struct Pair {
    cluster: Cluster,
    pub primary: String,
    pub replica: String,
}

fn run(c: &mut Command, what: &str) -> Result<(), String> {
    let out = c.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Pair {
    /// Starts the pair with a migrated database `veche`, or says why not
    /// (a missing binary skips the test loudly, except under `CI=true`).
    pub async fn start() -> Option<Pair> {
        match Pair::try_start().await {
            Ok(p) => Some(p),
            Err(why) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("a PostgreSQL primary and replica are required under CI=true: {why}");
                }
                eprintln!("\n\n*** SKIPPING a test of several nodes: {why}.\n");
                None
            }
        }
    }

    async fn try_start() -> Result<Pair, String> {
        let bin = find_bin_dir_with(&["initdb", "pg_ctl", "pg_basebackup"])
            .ok_or("initdb, pg_ctl and pg_basebackup are not installed side by side")?;
        let dir = std::env::temp_dir().join(format!(
            "veche-pg-{}-pair{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for d in ["p", "r"] {
            std::fs::create_dir_all(dir.join(d)).map_err(|e| e.to_string())?;
        }
        let as_postgres_user = is_root();
        if as_postgres_user {
            run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir),
                "chown",
            )?;
        }
        let cluster = Cluster {
            dir: dir.clone(),
            bin,
            as_postgres_user,
        };
        let (data, replica) = (dir.join("data"), dir.join("replica"));
        run(
            cluster.command("initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "veche",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]),
            "initdb",
        )?;
        let common =
            "-c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200";
        let start = |data: &Path, sockets: &str, extra: &str| -> Result<(), String> {
            let options = format!("-k {} {common} {extra}", dir.join(sockets).display());
            run(
                cluster
                    .command("pg_ctl")
                    .arg("-D")
                    .arg(data)
                    .args(["-o", &options, "-l"])
                    .arg(dir.join(format!("{sockets}.log")))
                    .args(["-w", "start"]),
                "pg_ctl start",
            )
        };
        start(&data, "p", "-c wal_level=replica -c max_wal_senders=5")?;
        run(
            cluster
                .command("pg_basebackup")
                .args(["-h"])
                .arg(dir.join("p"))
                .args(["-U", "veche", "-D"])
                .arg(&replica)
                .args(["-R", "-X", "stream", "--no-sync"]),
            "pg_basebackup",
        )?;
        start(&replica, "r", "-c hot_standby=on")?;
        let url = |sockets: &str| {
            format!(
                "postgres://veche@localhost/veche?host={}",
                dir.join(sockets).display()
            )
        };
        let pair = Pair {
            primary: url("p"),
            replica: url("r"),
            cluster,
        };
        let admin = sqlx::PgPool::connect(&pair.primary.replace("/veche?", "/postgres?"))
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query("create database veche")
            .execute(&admin)
            .await
            .map_err(|e| e.to_string())?;
        admin.close().await;
        let db = veche::db::Db::connect_url(&pair.primary, 2)
            .await
            .map_err(|e| format!("{e:#}"))?;
        db.migrate().await.map_err(|e| format!("{e:#}"))?;
        db.close().await;
        Ok(pair)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for data in ["replica", "data"] {
            let _ = self
                .cluster
                .command("pg_ctl")
                .arg("-D")
                .arg(self.cluster.dir.join(data))
                .args(["-m", "immediate", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.cluster.dir);
    }
}
