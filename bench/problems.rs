//! Citizens' control under load, on SQLite and on PostgreSQL (a throwaway
//! cluster, as in the tests), over real HTTP on loopback:
//!
//! 1. votes per second with 200 concurrent clients, each a distinct signed-in
//!    citizen supporting every one of 50 reports (10,000 votes), then each
//!    trying one vote again; afterwards the database proves that no vote was
//!    lost or counted twice;
//! 2. bounding-box GeoJSON latency (p50, p99) with 100,000 reports, for
//!    street, town and whole-krai views;
//! 3. report pages per second (64 clients), side by side with the home page
//!    measured the same way;
//! 4. the time to process a 12-megapixel JPEG into its stored sizes.
//!
//! Run: `cargo bench --bench problems` (QUICK=1 for a smaller run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use support::{Visitor, percentile, quick};

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use veche::app::AppState;
use veche::workflow::queries;

const CITIZENS: usize = 200;
const PASSWORD: &str = "bench password 1";

/// The account that files the generated reports (not one of the voters:
/// nobody supports their own report).
async fn author(state: &AppState) -> i64 {
    let mut tx = state.db.begin().await.unwrap();
    let id = support::account(&mut tx, "author@bench.test", "Автор", None).await;
    tx.commit().await.unwrap();
    id
}

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

/// Creates `n` confirmed citizens (one password hash for all: hashing is not
/// what is measured) and signs each in over HTTP.
async fn citizens(state: &AppState, base: &str, n: usize) -> Vec<Visitor> {
    let hash = veche::auth::password::hash(PASSWORD.to_owned())
        .await
        .unwrap();
    let mut tx = state.db.begin().await.unwrap();
    for i in 0..n {
        let email = format!("citizen{i}@bench.test");
        support::account(&mut tx, &email, "Житель", Some(&hash)).await;
    }
    tx.commit().await.unwrap();
    let emails: Vec<String> = (0..n).map(|i| format!("citizen{i}@bench.test")).collect();
    support::sign_in_all(base, &emails, PASSWORD).await
}

async fn votes(state: &AppState, base: &str, reports: usize, author: i64) {
    let mut tx = state.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..reports {
        ids.push(
            queries::insert_appeal(&mut tx, &report(45.03 + i as f64 * 0.001, 38.97, author))
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    let t = Instant::now();
    let mut visitors = citizens(state, base, CITIZENS).await;
    println!(
        "  {} citizens signed in over HTTP in {:.1} s",
        CITIZENS,
        t.elapsed().as_secs_f64()
    );
    // Each visitor reads a report page once for its form token.
    let mut tokens = Vec::new();
    for v in &mut visitors {
        let (_, page) = v.get(&format!("/problems/{}", ids[0])).await;
        tokens.push(Visitor::token(&page));
    }
    let ids = Arc::new(ids);
    let t = Instant::now();
    let mut handles = Vec::new();
    for (n, (mut v, token)) in visitors.into_iter().zip(tokens).enumerate() {
        let ids = ids.clone();
        handles.push(tokio::spawn(async move {
            let mut order: Vec<i64> = ids.to_vec();
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            for i in (1..order.len()).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            let mut ok = 0;
            for id in order {
                let s = v
                    .post(
                        &format!("/problems/{id}/support"),
                        &[("csrf_token", &token)],
                    )
                    .await;
                assert_eq!(s, 303, "a vote was refused");
                ok += 1;
            }
            (v, token, ok)
        }));
    }
    let mut done = Vec::new();
    for h in handles {
        done.push(h.await.unwrap());
    }
    let secs = t.elapsed().as_secs_f64();
    let total: usize = done.iter().map(|d| d.2).sum();
    println!(
        "  votes: {total} in {secs:.2} s = {:.0} votes/s with {CITIZENS} concurrent citizens",
        total as f64 / secs
    );
    // No peer in this bench: bench/scale.rs measures these votes against a
    // transaction per vote, bench/participation.rs against priority supports.
    support::figure(
        &format!(
            "problems {}: support votes, {CITIZENS} citizens at once",
            state.db.backend()
        ),
        total as f64 / secs,
        "votes/s",
        "-",
        f64::NAN,
        support::Better::Higher,
    );
    // Everyone tries again, all at once: every second vote must be refused.
    let mut handles = Vec::new();
    for (mut v, token, _) in done {
        let id = ids[0];
        handles.push(tokio::spawn(async move {
            v.post(
                &format!("/problems/{id}/support"),
                &[("csrf_token", &token)],
            )
            .await
        }));
    }
    let mut refused = 0;
    for h in handles {
        if h.await.unwrap() == 409 {
            refused += 1;
        }
    }
    // The proof, from the database.
    let (rows, distinct, mismatched): (i64, i64, i64) = veche::on_db!(&state.db, |pool| {
        let rows: i64 = sqlx::query_scalar("select count(*) from appeal_support")
            .fetch_one(pool)
            .await
            .unwrap();
        let distinct: i64 = sqlx::query_scalar(
            "select count(*) from (select distinct appeal_id, account_id from appeal_support) d",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        let mismatched: i64 = sqlx::query_scalar(
            "select count(*) from appeal a where a.support_count <> (select count(*) from appeal_support s where s.appeal_id = a.appeal_id)",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        (rows, distinct, mismatched)
    });
    let expected = (CITIZENS * ids.len()) as i64;
    println!(
        "  proof: {rows} support rows (expected {expected}), {distinct} distinct (citizen, report) pairs, \
         {mismatched} reports whose count differs from their rows, {refused}/{CITIZENS} second votes refused"
    );
    assert_eq!(
        (rows, distinct, mismatched, refused),
        (expected, expected, 0, CITIZENS),
        "votes were lost or doubled"
    );
}

async fn bbox_latency(state: &AppState, base: &str, n: usize, author: i64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let t = Instant::now();
    // Half in Krasnodar (dense), half over the krai.
    let mut tx = state.db.begin().await.unwrap();
    let [x0, y0, x1, y1] = veche::geo::geography().bbox();
    for i in 0..n {
        let (lat, lon) = if i % 2 == 0 {
            (
                rng.random_range(44.98..45.12),
                rng.random_range(38.88..39.10),
            )
        } else {
            (rng.random_range(y0..y1), rng.random_range(x0..x1))
        };
        queries::insert_appeal(&mut tx, &report(lat, lon, author))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    println!(
        "  {n} reports inserted in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let http = reqwest::Client::new();
    let rounds = if quick() { 100 } else { 400 };
    for (label, span) in [
        ("street view (0.01°)", 0.01),
        ("town view (0.1°)", 0.1),
        ("whole krai", 0.0),
    ] {
        let mut lat_ms = Vec::with_capacity(rounds);
        let mut features = 0usize;
        for _ in 0..rounds {
            let bbox = if span == 0.0 {
                format!("{x0},{y0},{x1},{y1}")
            } else {
                let (la, lo) = (
                    rng.random_range(44.98..45.12),
                    rng.random_range(38.88..39.10),
                );
                format!(
                    "{},{},{},{}",
                    lo - span / 2.0,
                    la - span / 2.0,
                    lo + span / 2.0,
                    la + span / 2.0
                )
            };
            let t = Instant::now();
            let r = http
                .get(format!("{base}/api/v1/problems.geojson?bbox={bbox}"))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
            let body = r.bytes().await.unwrap();
            lat_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            features += body.windows(10).filter(|w| w == b"\"Feature\",").count();
        }
        lat_ms.sort_by(f64::total_cmp);
        println!(
            "  GeoJSON {label:<20} p50 {:6.2} ms  p99 {:6.2} ms  ({:.0} features a view on average)",
            percentile(&lat_ms, 0.5),
            percentile(&lat_ms, 0.99),
            features as f64 / rounds as f64
        );
        support::figure(
            &format!("problems {}: GeoJSON {label} p50", state.db.backend()),
            percentile(&lat_ms, 0.5),
            "ms",
            "-",
            f64::NAN,
            support::Better::Lower,
        );
    }
}

/// Requests per second on `path` with `clients` concurrent clients.
async fn throughput(base: &str, path: &str, clients: usize, secs: f64) -> f64 {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut handles = Vec::new();
    for _ in 0..clients {
        let http = http.clone();
        let url = format!("{base}{path}");
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let r = http.get(&url).send().await.unwrap();
                assert!(r.status().is_success(), "{url}: {}", r.status());
                r.bytes().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    total as f64 / secs
}

async fn pages(state: &AppState, base: &str, author: i64) {
    // A report with three photos and a timeline of five events.
    let mut tx = state.db.begin().await.unwrap();
    let id = queries::insert_appeal(&mut tx, &report(45.0355, 38.9753, author))
        .await
        .unwrap();
    for kind in ["submitted", "published", "accepted", "planned", "resolved"] {
        queries::insert_event(
            &mut tx,
            &queries::NewEvent {
                appeal_id: id,
                kind,
                from_state: None,
                to_state: None,
                actor_id: None,
                actor_role: "officer",
                organisation_id: None,
                note: "Работы выполнены.",
                public: true,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let img = veche::media::process(&photo(1600, 1200), "p.jpg").unwrap();
    let mut tx = state.db.begin().await.unwrap();
    for i in 0..3 {
        let key = veche::media::store(&state.media, &img).await.unwrap();
        queries::insert_photo(&mut tx, id, None, &key, img.width, img.height, i)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let secs = if quick() { 3.0 } else { 10.0 };
    let report = throughput(base, &format!("/problems/{id}"), 64, secs).await;
    let home = throughput(base, "/", 64, secs).await;
    println!(
        "  report page: {report:.0} req/s; home page: {home:.0} req/s (ratio {:.2}), 64 clients",
        report / home
    );
    support::figure(
        &format!("problems {}: report page, 64 clients", state.db.backend()),
        report,
        "req/s",
        "home page, 64 clients",
        home,
        support::Better::Higher,
    );
}

fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    // Smooth gradients with noise: compresses like a photo, not like a flat colour.
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let n: u8 = rng.random_range(0..24);
        image::Rgb([
            ((x * 255 / w) as u8).saturating_add(n),
            ((y * 255 / h) as u8).saturating_add(n),
            128u8.saturating_add(n),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

fn twelve_megapixels() {
    let bytes = photo(4000, 3000);
    let mut times = Vec::new();
    for _ in 0..if quick() { 2 } else { 5 } {
        let t = Instant::now();
        let p = veche::media::process(&bytes, "12mp.jpg").unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!((p.width, p.height), (2048, 1536));
    }
    times.sort_by(f64::total_cmp);
    println!(
        "12-megapixel JPEG ({:.1} MB) → full 2048 px + thumbnail 400 px, metadata stripped: median {:.0} ms, best {:.0} ms",
        bytes.len() as f64 / 1e6,
        times[times.len() / 2] * 1000.0,
        times[0] * 1000.0
    );
}

fn main() {
    let rt = support::runtime();
    rt.block_on(async {
        let n = if quick() { 20_000 } else { 100_000 };
        support::on_each_backend(async |_, state, base| {
            let author = author(state).await;
            votes(state, base, 50, author).await;
            bbox_latency(state, base, n, author).await;
            pages(state, base, author).await;
        })
        .await;
    });
    twelve_megapixels();
}
