//! Every stored file on the one media store (docs/NODES.md), with the store
//! a real S3-compatible server (s3s with s3s-fs, `nodes::S3`): published
//! open data downloads whole, in ranges and revalidated from the bucket; an
//! order's document and a previewed import stored through one node are
//! served and committed by a second node over the same database, whose own
//! folder never held them; a large file goes up in parts.

use axum::http::StatusCode;
use veche::app::{self, AppState};
use veche::media::MediaStore;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, test_config};
use crate::nodes::{S3, S3_KEY, S3_SECRET};

const TOWNS: &str = "2312823003-towns";

fn bucket(s3: &S3) -> MediaStore {
    MediaStore::open(&s3.url("veche"), Some((S3_KEY, S3_SECRET))).unwrap()
}

/// `app` with its files in the bucket.
fn on_bucket(mut app: TestApp, s3: &S3) -> TestApp {
    app.state.media = bucket(s3);
    app.router = app::router(app.state.clone());
    app
}

/// Another node over `app`'s database and the same bucket, with a data
/// folder of its own (returned, to be kept alive and looked into).
async fn second_node(app: &TestApp, s3: &S3) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match app.backend {
        Backend::Sqlite => format!("sqlite://{}", app.dir.path().join("veche.db").display()),
        Backend::Postgres => app.database_url.clone().unwrap(),
    };
    let mut state = AppState::build(test_config(dir.path(), Some(url)))
        .await
        .expect("the second node builds");
    state.media = bucket(s3);
    (state, dir)
}

/// Every file under a folder, as paths relative to it.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

both_backends!(
    published_open_data_is_downloaded_from_the_bucket_in_ranges,
    |app| {
        let s3 = S3::start("veche").await;
        let app = on_bucket(app, &s3);
        let token =
            crate::opendata_api::token_for(&app, "s3od@example.ru", Some("min-digital")).await;
        let csv = std::fs::read_to_string(format!(
            "{}/datasets/{TOWNS}/data-20211011-structure-20261124.csv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .replacen(",744933,", ",800001,", 1);
        let r = app
            .post_bytes(
                &format!("/api/v1/opendata/{TOWNS}/versions?provenance=S3"),
                "text/csv",
                csv.into_bytes(),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let url = r.json()["url"].as_str().unwrap().to_owned();
        let path = &url[url.find("/opendata/").unwrap()..];
        let file_name = path.rsplit('/').next().unwrap();

        // In the bucket under its old relative path; not on this node's disk.
        let object = format!("media/opendata/{TOWNS}/{file_name}");
        assert!(
            s3.objects("veche").contains(&object),
            "{:?}",
            s3.objects("veche")
        );
        let stored = std::fs::read(s3.root.join("veche").join(&object)).unwrap();
        let local = files_under(&app.state.config.media_dir());
        assert!(
            !local.contains(&format!("opendata/{TOWNS}/{file_name}")),
            "the published file is not in the node's folder: {file_name} in {local:?}"
        );
        let size = stored.len();
        assert!(size > 1000, "{size}");

        // Whole.
        let whole = app.get(path).await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(whole.bytes, stored);
        assert!(whole.body.contains(",800001,"));
        assert_eq!(whole.headers["content-length"], size.to_string().as_str());
        assert_eq!(whole.headers["accept-ranges"], "bytes");
        assert!(
            whole.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            whole.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
            "saved under a readable name"
        );
        let etag = whole.headers["etag"].to_str().unwrap().to_owned();

        // One range: 206, its bytes, where they are in the whole.
        let part = app.get_with(path, &[("range", "bytes=10-29")]).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.bytes, stored[10..30]);
        assert_eq!(
            part.headers["content-range"],
            format!("bytes 10-29/{size}").as_str()
        );
        assert_eq!(part.headers["content-length"], "20");
        assert_eq!(part.headers["etag"], etag.as_str(), "the same validators");
        // The rest of an interrupted download, and the last bytes.
        let rest = app.get_with(path, &[("range", "bytes=1000-")]).await;
        assert_eq!(rest.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(rest.bytes, stored[1000..]);
        assert_eq!(
            rest.headers["content-range"],
            format!("bytes 1000-{}/{size}", size - 1).as_str()
        );
        let tail = app.get_with(path, &[("range", "bytes=-15")]).await;
        assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(tail.bytes, stored[size - 15..]);
        // Beyond the end, and several ranges at once: refused, as before.
        for asked in [format!("bytes={}-", size + 10), "bytes=0-1,5-9".to_owned()] {
            let r = app.get_with(path, &[("range", &asked)]).await;
            assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE, "{asked}");
            assert_eq!(
                r.headers["content-range"],
                format!("bytes */{size}").as_str()
            );
        }
        // Revalidation answers before the bucket is asked.
        let r = app.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED);
        assert!(r.bytes.is_empty());
        // A file the catalogue names but the bucket lost is an error, not a
        // page of somebody else's bytes.
        std::fs::remove_file(s3.root.join("veche").join(&object)).unwrap();
        assert_eq!(
            app.get(path).await.status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
);

both_backends!(
    a_document_and_an_import_stored_through_one_node_are_read_by_another,
    |app| {
        let s3 = S3::start("veche").await;
        let mut app = on_bucket(app, &s3);
        app.signed_in_admin().await;
        let admin = app.jar();
        let id = crate::integration::new_order(&app, "min-transport", "Отчёт о мостах").await;
        // A document larger than one read of the store, so ranges and the
        // stream have something to cut.
        let mut pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n".to_vec();
        pdf.extend((0..400_000u32).map(|i| b'a' + (i % 26) as u8));
        pdf.extend_from_slice(b"\ntrailer << >>\n%%EOF\n");
        let r = crate::problems::post_form(
            &app,
            &format!("/pm/orders/{id}"),
            &format!("/pm/orders/{id}/act"),
            &[("action", "comment"), ("text", "Акт осмотра")],
            &[("files", "akt.pdf", pdf.clone())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let files = veche::pm::queries::attachments(&app.state.db, id)
            .await
            .unwrap();
        let doc = files.iter().find(|f| !f.is_photo).expect("the document");
        let url = format!("/pm/attachments/{}", doc.attachment_id);
        assert!(
            s3.objects("veche")
                .contains(&format!("media/files/{}", doc.media_key)),
            "{:?}",
            s3.objects("veche")
        );
        assert!(
            !app.state.config.media_dir().join("files").exists(),
            "not in the node's folder"
        );

        // The construction registry's import: previewed on the first node...
        crate::construction::officer(&app).await;
        let sheet = crate::construction::xlsx(
            &[
                &["Адрес", "Широта", "Долгота"],
                &["Краснодар, ул. Узловая, 5", "45.04", "38.97"],
            ],
            None,
        );
        let preview = crate::construction::upload(&app, "uzly.xlsx", sheet).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        let commit = crate::construction::commit_path(&preview);
        let key = commit.split('/').nth(3).unwrap().to_owned();
        assert!(
            s3.objects("veche")
                .contains(&format!("media/imports/{key}.xlsx")),
            "the preview waits in the bucket: {:?}",
            s3.objects("veche")
        );

        // ...the second node, same database and bucket, its own empty folder.
        let (second, second_dir) = second_node(&app, &s3).await;
        let first = std::mem::replace(&mut app.router, app::router(second.clone()));
        let done = app
            .post_form_raw(&commit, &[("csrf_token", &preview.csrf_token())])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(
            done.location().contains("imported=1"),
            "{}",
            done.location()
        );
        assert!(
            !s3.objects("veche").iter().any(|o| o.contains(&key)),
            "a committed import is removed"
        );
        let again = app
            .post_form_raw(&commit, &[("csrf_token", &preview.csrf_token())])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "committed once");

        app.restore_jar(admin);
        let r = app.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.bytes, pdf);
        assert_eq!(r.headers["content-type"], "application/pdf");
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("akt.pdf")
        );
        let r = app.get_with(&url, &[("range", "bytes=0-7")]).await;
        assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.bytes, b"%PDF-1.4");
        assert_eq!(
            r.headers["content-range"],
            format!("bytes 0-7/{}", pdf.len()).as_str()
        );
        let copied = files_under(&second_dir.path().join("media"));
        assert!(
            !copied
                .iter()
                .any(|f| f.starts_with("files") || f.starts_with("imports")),
            "nothing was copied to the second node's folder: {copied:?}"
        );
        // And the first node reads it as well.
        app.router = first;
        assert_eq!(app.get(&url).await.bytes, pdf);
    }
);

/// A file above one part goes up as a multipart upload (three parts here),
/// comes back whole, and a range across a part's edge is exact; previews
/// older than a day are swept, fresh ones kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_goes_up_in_parts_and_comes_back_exact() {
    let s3 = S3::start("veche").await;
    let store = bucket(&s3);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let bytes: Vec<u8> = (0..20 * 1024 * 1024 + 123u32)
        .map(|i| (i % 251) as u8)
        .collect();
    std::fs::write(&big, &bytes).unwrap();
    store.put_file("opendata/big/data.csv", &big).await.unwrap();
    assert_eq!(
        std::fs::read(s3.root.join("veche/media/opendata/big/data.csv")).unwrap(),
        bytes
    );
    let back = dir.path().join("back.csv");
    assert!(
        store
            .get_file("opendata/big/data.csv", &back)
            .await
            .unwrap()
    );
    assert_eq!(std::fs::read(&back).unwrap(), bytes);
    assert!(
        !store
            .get_file("opendata/big/none.csv", &back)
            .await
            .unwrap()
    );

    let edge = 8 * 1024 * 1024u64;
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "range",
        format!("bytes={}-{}", edge - 5, edge + 4).parse().unwrap(),
    );
    let r = store
        .serve("opendata/big/data.csv", &axum::http::Method::GET, &headers)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(&body[..], &bytes[edge as usize - 5..edge as usize + 5]);
    let head = store
        .serve(
            "opendata/big/data.csv",
            &axum::http::Method::HEAD,
            &axum::http::HeaderMap::new(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        head.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    assert!(
        axum::body::to_bytes(head.into_body(), usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );

    // The sweep of stale previews, on a folder (whose times can be set back).
    let local = MediaStore::local(&dir.path().join("media")).unwrap();
    local.put("imports/old.xlsx", vec![1]).await.unwrap();
    local.put("imports/new.xlsx", vec![2]).await.unwrap();
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(dir.path().join("media/imports/old.xlsx"))
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    let day = std::time::Duration::from_secs(86_400);
    assert_eq!(local.delete_older("imports", day).await.unwrap(), 1);
    assert!(local.get("imports/old.xlsx").await.unwrap().is_none());
    assert!(local.get("imports/new.xlsx").await.unwrap().is_some());
    assert_eq!(
        store.delete_older("opendata", day).await.unwrap(),
        0,
        "fresh"
    );
}
