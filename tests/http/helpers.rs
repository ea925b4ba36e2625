//! The test harness: a real application (real router, real store, real
//! index) per test, on SQLite or on a throwaway PostgreSQL database; requests
//! go through the router in-process with a cookie jar, like a browser.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use clap::Parser;
use tempfile::TempDir;
use tower::ServiceExt;

use veche::app::{self, AppState};
use veche::cli::Cli;
use veche::config::Config;

use crate::pg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `both_backends!(name, |app| { ... });` makes `name::sqlite` and
/// `name::postgres`. `both_backends!(name, config = |c| { ... }, |app| { ... })`
/// adjusts the configuration first.
#[macro_export]
macro_rules! both_backends {
    // With the configuration adjusted first: `both_backends!(name,
    // config = |c| { ... }, |app| { ... });`.
    ($name:ident, config = $adjust:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app =
                    $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $adjust)
                        .await
                        .unwrap();
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::helpers::TestApp::spawn_with(
                    $crate::helpers::Backend::Postgres,
                    $adjust,
                )
                .await
                else {
                    return;
                };
                $body
            }
        }
    };
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)
                    .await
                    .unwrap();
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) =
                    $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await
                else {
                    return;
                };
                $body
            }
        }
    };
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub backend: Backend,
    /// The PostgreSQL URL of this test's database (None on SQLite).
    pub database_url: Option<String>,
    pub dir: TempDir,
    jar: Mutex<BTreeMap<String, String>>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (for binary downloads).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The first CSRF token in the page.
    pub fn csrf_token(&self) -> String {
        extract_attr_after(&self.body, "name=\"csrf_token\"", "value=\"")
            .unwrap_or_else(|| panic!("no CSRF token in the page: {}", self.body))
    }
}

fn extract_attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let rest = &html[at..];
    let start = rest.find(attr)? + attr.len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].replace("&amp;", "&"))
}

/// Lets partner URLs on loopback through (tests run their receivers on
/// 127.0.0.1, which outbound requests refuse unless allowed).
pub fn allow_loopback(c: &mut Config) {
    c.integration.outbound_allow_hosts = vec!["127.0.0.1".parse().unwrap()];
}

/// A configuration as `veche` would parse it, with a temporary data folder.
pub fn test_config(dir: &std::path::Path, database_url: Option<String>) -> Config {
    let mut cli = Cli::try_parse_from(["veche", "--data-dir", dir.to_str().unwrap()]).unwrap();
    cli.config.database_url = database_url.map(Into::into);
    cli.config.mail.smtp_url = None;
    cli.config.oidc.oidc_issuer = None;
    cli.config
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Builds an app, letting the test adjust the configuration first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(pg::fresh_database().await?),
        };
        let mut config = test_config(dir.path(), url.clone());
        adjust(&mut config);
        let state = AppState::build(config).await.expect("the app builds");
        Some(TestApp {
            router: app::router(state.clone()),
            state,
            backend,
            database_url: url,
            dir,
            jar: Mutex::new(BTreeMap::new()),
        })
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.lock().unwrap();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn store_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.jar.lock().unwrap();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let expired = v.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if expired {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.to_owned());
    }

    /// The cookie jar, to come back to a signed-in session later (several
    /// people take turns in one test without signing in again).
    pub fn jar(&self) -> BTreeMap<String, String> {
        self.jar.lock().unwrap().clone()
    }

    pub fn restore_jar(&self, jar: BTreeMap<String, String>) {
        *self.jar.lock().unwrap() = jar;
    }

    pub fn clear_cookies(&self) {
        self.jar.lock().unwrap().clear();
    }

    pub async fn request(&self, mut request: Request<Body>) -> TestResponse {
        if let Some(c) = self.cookie_header() {
            request
                .headers_mut()
                .insert(header::COOKIE, c.parse().unwrap());
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        self.store_cookies(&headers);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut b = Request::get(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.request(b.body(Body::empty()).unwrap()).await
    }

    /// Posts a URL-encoded form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.request(
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Posts a form the way a browser does: opens `page` first to get the
    /// form's CSRF token, then submits with it.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> TestResponse {
        let page = self.get(page).await;
        assert!(
            page.status.is_success(),
            "{} answered {}",
            action,
            page.status
        );
        let token = page.csrf_token();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_form_raw(action, &all).await
    }

    /// Delivers queued mail and indexes queued documents, as the background
    /// workers of a server would.
    pub async fn run_workers(&self) {
        self.state
            .mailer
            .deliver_pending(&self.state.db)
            .await
            .unwrap();
        veche::opendata::system::run_refreshes(&self.state)
            .await
            .unwrap();
        // Integration messages (the core runs in this process): a delivery
        // may cause further messages, so deliver until none is due.
        for _ in 0..10 {
            if self
                .state
                .exchange
                .deliver_pending(&self.state)
                .await
                .unwrap()
                == 0
            {
                break;
            }
        }
        self.state.search.drain(&self.state.db).await.unwrap();
        self.state
            .mailer
            .deliver_pending(&self.state.db)
            .await
            .unwrap();
    }

    /// Makes an account an executor in an organisation.
    pub async fn make_executor(&self, account_id: i64, organisation_id: &str) {
        let mut tx = self.state.db.begin().await.unwrap();
        veche::auth::queries::grant_membership(
            &mut tx,
            account_id,
            organisation_id,
            veche::auth::domain::MembershipKind::Executor,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    /// Posts a body with a content type and extra headers.
    pub async fn post_bytes(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.request(b.body(Body::from(body)).unwrap()).await
    }

    /// Posts a multipart form with one file and text fields.
    pub async fn post_multipart(
        &self,
        path: &str,
        file_name: &str,
        file: &[u8],
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let boundary = "veche-test-boundary-7d1f";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_bytes(
            path,
            &format!("multipart/form-data; boundary={boundary}"),
            body,
            &[],
        )
        .await
    }

    /// Makes an account an officer of an organisation.
    pub async fn make_officer(&self, account_id: i64, organisation_id: &str) {
        let mut tx = self.state.db.begin().await.unwrap();
        veche::auth::queries::grant_membership(
            &mut tx,
            account_id,
            organisation_id,
            veche::auth::domain::MembershipKind::Officer,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    /// Mail written to the mailbox folder, oldest first.
    pub fn mailbox(&self) -> Vec<Mail> {
        read_mailbox(self.dir.path())
    }

    /// Registers through the form, confirms through the mailed link, and
    /// leaves the visitor signed out. Returns the account id.
    pub async fn register_confirmed(&self, email: &str, name: &str, password: &str) -> i64 {
        let r = self
            .submit(
                "/auth/register",
                "/auth/register",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", password),
                    ("municipality_id", "krasnodar"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        self.run_workers().await;
        let mail = self
            .mailbox()
            .into_iter()
            .rev()
            .find(|m| m.to == email)
            .expect("a confirmation mail");
        let link = mail.link("/auth/confirm/");
        let r = self.get(&link).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        self.account_id(email).await
    }

    pub async fn account_id(&self, email: &str) -> i64 {
        veche::auth::queries::account_by_email(&self.state.db, &email.to_lowercase())
            .await
            .unwrap()
            .expect("the account exists")
            .account_id
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.submit(
            "/auth/login",
            "/auth/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// A confirmed, signed-in citizen.
    pub async fn signed_in_citizen(&self, email: &str) -> i64 {
        let id = self
            .register_confirmed(email, "Иван Петров", "correct horse battery")
            .await;
        let r = self.login(email, "correct horse battery").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        id
    }

    /// A signed-in administrator, created the way `veche create-admin` does.
    pub async fn signed_in_admin(&self) -> i64 {
        veche::auth::create_admin(
            &self.state.db,
            "admin@veche.test",
            "Admin",
            "admin password 1",
        )
        .await
        .unwrap();
        let r = self.login("admin@veche.test", "admin password 1").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        self.account_id("admin@veche.test").await
    }
}

/// Mail written to `<data>/mailbox/`, oldest first.
pub fn read_mailbox(data_dir: &std::path::Path) -> Vec<Mail> {
    let dir = data_dir.join("mailbox");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    files
        .iter()
        // A file being written by another process may not parse yet.
        .filter_map(|p| {
            let raw = std::fs::read(p).ok()?;
            let m = mail_parser::MessageParser::default().parse(&raw[..])?;
            Some(Mail {
                to: m
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .unwrap_or("")
                    .to_owned(),
                subject: m.subject().unwrap_or("").to_owned(),
                body: m.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
            })
        })
        .collect()
}

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// The path (from `marker` on) of the first link in the mail containing it.
    pub fn link(&self, marker: &str) -> String {
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker} link in: {}", self.body));
        let rest = &self.body[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest[..end].to_owned()
    }
}

/// Now plus `d` (for comparing deadlines).
pub fn now_plus(d: time::Duration) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + d
}

/// A valid PNG that claims to be `w` × `h` pixels (the header only, with a
/// correct checksum): what a decompression bomb looks like to a decoder.
pub fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    // An IDAT and IEND so the file is complete in form.
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    png.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    png.extend_from_slice(idat);
    png.extend_from_slice(&crc32fast::hash(idat).to_be_bytes());
    png.extend_from_slice(&0u32.to_be_bytes());
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&crc32fast::hash(b"IEND").to_be_bytes());
    png
}

/// Adds an EXIF block to a JPEG: an orientation and GPS coordinates, as a
/// phone camera writes them.
pub fn with_exif(jpeg: &[u8], orientation: u16, (lat, lon): (f64, f64)) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    fn rationals(out: &mut Vec<u8>, deg: f64) {
        let d = deg.trunc();
        let m = ((deg - d) * 60.0).trunc();
        let s = ((deg - d) * 60.0 - m) * 60.0 * 100.0;
        for (n, den) in [(d as u32, 1u32), (m as u32, 1), (s.round() as u32, 100)] {
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&den.to_le_bytes());
        }
    }
    let mut t = b"II\x2a\x00".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: orientation and the GPS IFD pointer (at 38).
    t.extend_from_slice(&2u16.to_le_bytes());
    let mut o = [0u8; 4];
    o[..2].copy_from_slice(&orientation.to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, o);
    entry(&mut t, 0x8825, 4, 1, 38u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD at 38; rationals at 92 and 116.
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, 92u32.to_le_bytes());
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, 5, 3, 116u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), 92);
    rationals(&mut t, lat);
    rationals(&mut t, lon);
    let mut img = img_parts::jpeg::Jpeg::from_bytes(jpeg.to_vec().into()).unwrap();
    img_parts::ImageEXIF::set_exif(&mut img, Some(t.into()));
    let mut out = Vec::new();
    img.encoder().write_to(&mut out).unwrap();
    out
}
