//! Several nodes of one installation (docs/NODES.md): job leases on both
//! backends, and photos kept in a real S3-compatible server (s3s with
//! s3s-fs, on loopback in this process). The whole story with three
//! processes, nginx, a primary and its replica is in nodes_cluster.rs.

use std::path::PathBuf;
use std::time::Duration;

use crate::both_backends;
use reqwest::StatusCode;
use veche::db::lease;

use crate::problems::{KRASNODAR, citizen, file, id_from, jpeg, set, sign_in_as};

pub const S3_KEY: &str = "veche-test-key";
pub const S3_SECRET: &str = "veche-test-secret-0123456789";

/// An S3-compatible server on a loopback port: s3s's protocol over s3s-fs's
/// folder, with signed requests required. Stops with the test's runtime.
pub struct S3 {
    pub endpoint: String,
    pub root: PathBuf,
    _dir: tempfile::TempDir,
}

impl S3 {
    pub async fn start(bucket: &str) -> S3 {
        use hyper_util::rt::{TokioExecutor, TokioIo};
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        // A bucket of s3s-fs is a folder under its root.
        std::fs::create_dir_all(root.join(bucket)).unwrap();
        let fs = s3s_fs::FileSystem::new(&root).unwrap();
        let mut b = s3s::service::S3ServiceBuilder::new(fs);
        b.set_auth(s3s::auth::SimpleAuth::from_single(S3_KEY, S3_SECRET));
        let service = b.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        S3 {
            endpoint,
            root,
            _dir: dir,
        }
    }

    pub fn url(&self, bucket: &str) -> String {
        format!("s3://{bucket}/media?endpoint={}", self.endpoint)
    }

    /// The objects the server keeps, as paths under the bucket.
    pub fn objects(&self, bucket: &str) -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else if !p.to_string_lossy().contains(".s3s") {
                    out.push(p.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        let base = self.root.join(bucket);
        walk(&base, &base, &mut out);
        out
    }
}

both_backends!(a_lease_has_one_holder_and_a_period_runs_once, |app| {
    let db = &app.state.db;
    let t0 = veche::db::now();
    let ttl = Duration::from_secs(15);
    assert!(lease::try_hold_as(db, "job", "a", t0, ttl).await.unwrap());
    assert!(
        !lease::try_hold_as(db, "job", "b", t0, ttl).await.unwrap(),
        "held by a"
    );
    // The holder renews; the other node claims nothing while it holds.
    assert!(
        lease::try_hold_as(db, "job", "a", t0 + time::Duration::seconds(10), ttl)
            .await
            .unwrap()
    );
    assert!(!lease::claim_period_as(db, "job", "b", 7, t0).await.unwrap());
    assert!(lease::claim_period_as(db, "job", "a", 7, t0).await.unwrap());
    assert!(
        !lease::claim_period_as(db, "job", "a", 7, t0).await.unwrap(),
        "a period runs once"
    );
    // a stops renewing (killed): after its lease runs out, b takes over,
    // and the period a already ran is not run again.
    let later = t0 + time::Duration::seconds(26);
    assert!(
        !lease::try_hold_as(db, "job", "b", t0 + time::Duration::seconds(24), ttl)
            .await
            .unwrap()
    );
    assert!(
        lease::try_hold_as(db, "job", "b", later, ttl)
            .await
            .unwrap()
    );
    assert!(
        !lease::claim_period_as(db, "job", "a", 8, later)
            .await
            .unwrap()
    );
    assert!(
        !lease::claim_period_as(db, "job", "b", 7, later)
            .await
            .unwrap()
    );
    assert!(
        lease::claim_period_as(db, "job", "b", 8, later)
            .await
            .unwrap()
    );
    assert_eq!(
        app.scalar("select count(*) from job_run where name = 'job'")
            .await,
        2
    );
    assert_eq!(
        app.scalar("select count(*) from job_run where name = 'job' and node = 'b' and period = 8")
            .await,
        1
    );
    // A node that stops gracefully gives its leases up: another takes
    // them at once, not after their time to live.
    let now = veche::db::now();
    assert!(
        lease::try_hold_as(db, "stopping", lease::node_id(), now, ttl)
            .await
            .unwrap()
    );
    assert!(
        !lease::try_hold_as(db, "stopping", "b", now, ttl)
            .await
            .unwrap()
    );
    assert!(lease::release_all(db).await.unwrap() >= 1);
    assert!(
        lease::try_hold_as(db, "stopping", "b", now, ttl)
            .await
            .unwrap(),
        "free once its holder stopped"
    );
    // Another job's lease is another row.
    assert!(
        lease::try_hold_as(db, "other", "b", later, ttl)
            .await
            .unwrap()
    );
    assert_eq!(
        lease::period_of(
            time::macros::datetime!(2026-12-01 10:00:59 UTC),
            Duration::from_secs(60)
        ),
        time::macros::datetime!(2026-12-01 10:00:00 UTC).unix_timestamp() / 60
    );
});

both_backends!(photos_are_kept_in_an_s3_compatible_bucket, |app| {
    let s3 = S3::start("veche").await;
    let mut app = app;
    app.state.media =
        veche::media::MediaStore::open(&s3.url("veche"), Some((S3_KEY, S3_SECRET))).unwrap();
    app.router = veche::app::router(app.state.clone());
    set(&app, "premoderation", "off").await;
    citizen(&app, "s3@example.ru", "Фото").await;
    sign_in_as(&app, "s3@example.ru").await;
    let photo = jpeg(800, 500);
    let id = id_from(
        &file(
            &app,
            "road-pothole",
            KRASNODAR,
            "Яма у остановки, фото в хранилище.",
            &[("photos", "yama.jpg", photo)],
        )
        .await,
    );
    let page = app.get(&format!("/problems/{id}")).await;
    let start = page.body.find("/media/").expect("the photo is shown");
    let key = &page.body[start + 7..start + 39];
    // In the bucket, under its prefix, both sizes; nothing in the folder.
    let objects = s3.objects("veche");
    assert!(
        objects.contains(&format!("media/photos/{key}-full.jpg"))
            && objects.contains(&format!("media/photos/{key}-thumb.jpg")),
        "{objects:?}"
    );
    assert!(
        !app.state
            .config
            .media_dir()
            .join("photos")
            .join(format!("{key}-full.jpg"))
            .exists()
    );
    // Served from the bucket with the same ETag and revalidation as before.
    app.clear_cookies();
    let r = app.get(&format!("/media/{key}-full.jpg")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "image/jpeg");
    let etag = r.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{key}-full\""));
    let img = image::load_from_memory(&r.bytes).unwrap();
    assert_eq!((img.width(), img.height()), (800, 500));
    let r = app.get_with(&format!("/media/{key}-thumb.jpg"), &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .get_with(
            &format!("/media/{key}-full.jpg"),
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.bytes.is_empty());
    // A key the bucket does not have is a 404, not an error.
    let r = app
        .get("/media/0123456789abcdef0123456789abcdef-full.jpg")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Photos stored but never recorded are removed from the bucket.
    veche::media::discard(&app.state.media, &[key.to_owned()]).await;
    assert!(
        !s3.objects("veche").iter().any(|o| o.contains(key)),
        "discarded"
    );
    // A wrong secret is refused by the server: the store does not pretend.
    let wrong = veche::media::MediaStore::open(&s3.url("veche"), Some((S3_KEY, "wrong"))).unwrap();
    assert!(wrong.put("photos/x-full.jpg", vec![1, 2, 3]).await.is_err());
});
