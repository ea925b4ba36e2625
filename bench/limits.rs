//! Memory under the heaviest legal load: the peak resident set of a `veche`
//! server (the real binary, a child process, SQLite) while
//!
//! A. 16 clients pull exports of a 20,000-object registry at once (CSV,
//!    XLSX, and PDF reports of 5,000 objects with a map);
//! B. 8 clients upload at once, again and again, the worst legal files:
//!    problem reports with five 60-megapixel JPEGs each (the per-file and
//!    per-report limits) and 20,000-row registry spreadsheets.
//!
//! Exports come first: memory the allocator took for the uploads stays
//! with the process and would hide what the exports need.
//!
//! The gates of `web/limits.rs` decide how many of these run at once; the
//! rest wait their turn or get 503 with `Retry-After`. Printed: the server's
//! memory before, its peak in each phase (VmHWM, reset between phases), what
//! the clients were answered, and the time taken.
//!
//! Run: `cargo bench --bench limits` (QUICK=1 for fewer rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use support::quick;

const ADMIN: &str = "admin@bench.test";
const PASSWORD: &str = "bench password 1";

fn veche(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_veche"));
    c.args(["--data-dir", dir.to_str().unwrap(), "--log", "warn"])
        .env_remove("DATABASE_URL")
        .env("VECHE_DEMO_REGION", "false")
        .env("VECHE_LOGIN_ATTEMPTS_PER_MINUTE", "100000");
    c
}

/// `VmRSS` or `VmHWM` of a process, in MiB.
fn memory(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"));
    let kb: f64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb / 1024.0
}

/// Starts counting the peak anew (writing 5 to `clear_refs` resets VmHWM).
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
}

/// A JPEG of `w`×`h` pixels: smooth colour with a little noise, so it stays
/// under the 15 MB file limit while it decodes to the full pixel count.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let n: u8 = rng.random_range(0..8);
        image::Rgb([
            (x * 255 / w) as u8 ^ n,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

/// A registry spreadsheet of `rows` objects in four municipalities (so a
/// PDF of one municipality holds about 5,000).
fn spreadsheet(rows: usize) -> Vec<u8> {
    let geo = veche::geo::geography();
    let towns: Vec<_> = ["krasnodar", "sochi", "novorossiysk", "armavir"]
        .iter()
        .map(|id| geo.all().iter().find(|m| m.id == *id).unwrap())
        .collect();
    support::registry(
        rows,
        &["Этажность", "Статус"],
        |_, r| towns[r as usize % towns.len()],
        |ws, r| {
            ws.write_string(r, 0, format!("Объект № {r}")).unwrap();
            ws.write_number(r, 4, f64::from(1 + r % 9)).unwrap();
            ws.write_string(r, 5, "строится").unwrap();
        },
    )
}

/// A signed-in administrator with cookies of its own.
struct Client {
    http: reqwest::Client,
    base: String,
    cookies: std::sync::Mutex<BTreeMap<String, String>>,
}

impl Client {
    async fn sign_in(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        let c = Client {
            http,
            base: base.to_owned(),
            cookies: Default::default(),
        };
        let token = c.token("/auth/login").await;
        let r = c
            .send(c.http.post(format!("{base}/auth/login")).form(&[
                ("csrf_token", token.as_str()),
                ("email", ADMIN),
                ("password", PASSWORD),
            ]))
            .await;
        assert_eq!(r.status(), 303, "sign-in");
        c
    }

    /// Sends with this client's cookies and keeps what the server sets.
    async fn send(&self, r: reqwest::RequestBuilder) -> reqwest::Response {
        let cookie = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let r = r
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        let mut jar = self.cookies.lock().unwrap();
        for v in r.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = v.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        r
    }

    async fn token(&self, path: &str) -> String {
        let page = self
            .send(self.http.get(format!("{}{path}", self.base)))
            .await
            .text()
            .await
            .unwrap();
        support::Visitor::token(&page)
    }

    async fn upload(&self, page: &str, form: reqwest::multipart::Form) -> u16 {
        let token = self.token(page).await;
        self.send(
            self.http
                .post(format!("{}{page}?csrf_token={token}", self.base))
                .multipart(form),
        )
        .await
        .status()
        .as_u16()
    }

    /// Downloads `path` to the end; the status and the size.
    async fn pull(&self, path: &str) -> (u16, usize) {
        let r = self
            .send(self.http.get(format!("{}{path}", self.base)))
            .await;
        let status = r.status().as_u16();
        (status, r.bytes().await.map(|b| b.len()).unwrap_or(0))
    }
}

fn tally(statuses: &[u16]) -> String {
    let mut by: BTreeMap<u16, usize> = BTreeMap::new();
    for s in statuses {
        *by.entry(*s).or_default() += 1;
    }
    by.iter()
        .map(|(s, n)| format!("{n}× {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let rounds = if quick() { 1 } else { 3 };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rt = support::runtime();

    let t = Instant::now();
    let big_photo = photo(7740, 7740);
    let sheet = spreadsheet(20_000);
    println!(
        "fixtures: a {:.1}-megapixel JPEG of {:.1} MB, a 20,000-row spreadsheet of {:.1} MB ({:.0} s)",
        7740.0 * 7740.0 / 1e6,
        big_photo.len() as f64 / 1e6,
        sheet.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    assert!(big_photo.len() < 15 * 1024 * 1024, "the photo is legal");

    let status = veche(dir)
        .args(["create-admin", "--email", ADMIN])
        .env("VECHE_ADMIN_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "create-admin");
    let file = dir.join("registry.xlsx");
    std::fs::write(&file, &sheet).unwrap();
    let out = veche(dir)
        .args([
            "import-constructions",
            "--skip-invalid",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        veche(dir)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();

    rt.block_on(async {
        for _ in 0..600 {
            if reqwest::get(format!("{base}/health")).await.is_ok_and(|r| r.status() == 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut clients = Vec::new();
        for _ in 0..16 {
            clients.push(std::sync::Arc::new(Client::sign_in(&base).await));
        }
        // Warm up every page once.
        clients[0].pull("/construction/registry?format=csv&municipality=sochi").await;
        let started = memory(pid, "VmRSS:");
        println!("server memory after start and warm-up: {started:.0} MiB");

        // A. Exports, first: the allocator keeps what the uploads took, which
        // would hide what the exports need.
        reset_peak(pid);
        let t = Instant::now();
        let mut tasks = Vec::new();
        for (i, c) in clients.iter().enumerate() {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::new();
                for _ in 0..rounds {
                    let path = match i % 3 {
                        0 => "/construction/registry?format=csv",
                        1 => "/construction/registry?format=xlsx",
                        _ => "/construction/registry?format=pdf&municipality=sochi",
                    };
                    out.push(c.pull(path).await);
                }
                out
            }));
        }
        let mut pulls = Vec::new();
        for t in tasks {
            pulls.extend(t.await.unwrap());
        }
        let bytes: usize = pulls.iter().map(|(_, n)| n).sum();
        let peak = memory(pid, "VmHWM:");
        println!(
            "A. 16 clients × {rounds} exports (CSV and XLSX of 20,000 objects, PDF of ~5,000): {} ({:.0} MB) in {:.1} s; server peak {peak:.0} MiB",
            tally(&pulls.iter().map(|(s, _)| *s).collect::<Vec<_>>()),
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64(),
        );
        // The peer: the same server at rest, measured just before.
        support::figure(
            "limits sqlite: server peak memory, 16 clients pulling exports",
            peak,
            "MiB",
            "the server after start and warm-up",
            started,
            support::Better::Lower,
        );
        // B. Uploads.
        let before = memory(pid, "VmRSS:");
        println!("server memory before the uploads: {before:.0} MiB");
        reset_peak(pid);
        let t = Instant::now();
        let mut tasks = Vec::new();
        for (i, c) in clients.iter().take(8).enumerate() {
            let c = c.clone();
            let photo = big_photo.clone();
            let sheet = sheet.clone();
            tasks.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..rounds {
                    let s = if i % 2 == 0 {
                        let mut form = reqwest::multipart::Form::new()
                            .text("category", "road-pothole")
                            .text("lat", "45.035")
                            .text("lon", "38.975")
                            .text("address", "Краснодар, ул. Красная, 122")
                            .text("description", "Яма на проезжей части, глубина около 10 см.")
                            .text("not_duplicate", "on");
                        for n in 0..5 {
                            form = form.part(
                                "photos",
                                reqwest::multipart::Part::bytes(photo.clone())
                                    .file_name(format!("p{n}.jpg")),
                            );
                        }
                        c.upload("/problems/new", form).await
                    } else {
                        let form = reqwest::multipart::Form::new().part(
                            "file",
                            reqwest::multipart::Part::bytes(sheet.clone()).file_name("r.xlsx"),
                        );
                        c.upload("/construction/import", form).await
                    };
                    statuses.push(s);
                }
                statuses
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.extend(t.await.unwrap());
        }
        let peak = memory(pid, "VmHWM:");
        println!(
            "B. 8 clients × {rounds} uploads (4 with five {:.0}-MP photos, 4 with the spreadsheet): {} in {:.1} s; server peak {peak:.0} MiB",
            7740.0 * 7740.0 / 1e6,
            tally(&statuses),
            t.elapsed().as_secs_f64(),
        );
        support::figure(
            "limits sqlite: server peak memory, 8 clients uploading the largest legal files",
            peak,
            "MiB",
            "the server before the uploads",
            before,
            support::Better::Lower,
        );

    });
    drop(server);
}
