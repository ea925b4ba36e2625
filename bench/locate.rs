//! Point-in-municipality lookups per second over random points in the krai's
//! bounding box, with the R-tree locator, side by side with a brute-force scan
//! of all 44 boundaries (the ratio is what to compare across machines).
//!
//! Run: `cargo bench --bench locate`

use std::time::Instant;

#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
mod support;

use geo::Contains;
use rand::{Rng, SeedableRng};
use veche::geo::{GeoPoint, geography};

fn main() {
    let g = geography();
    let [x0, y0, x1, y1] = g.bbox();
    let mut rng = rand::rngs::StdRng::seed_from_u64(44);
    let n = 200_000;
    let points: Vec<GeoPoint> = (0..n)
        .map(|_| GeoPoint {
            lat: rng.random_range(y0..y1),
            lon: rng.random_range(x0..x1),
        })
        .collect();

    // Warm up, and count how many points fall inside the krai.
    let inside = points.iter().filter(|p| g.locate(**p).is_ok()).count();

    let t = Instant::now();
    let mut found = 0usize;
    for p in &points {
        found += usize::from(g.locate(*p).is_ok());
    }
    let indexed = t.elapsed().as_secs_f64();
    assert_eq!(found, inside);

    // Brute force over fewer points (it is slow), scaled per second.
    let sample = &points[..n / 20];
    let t = Instant::now();
    let mut brute_found = 0usize;
    for p in sample {
        let point = geo::Point::new(p.lon, p.lat);
        brute_found += usize::from(g.all().iter().any(|m| m.geometry.contains(&point)));
    }
    let brute = t.elapsed().as_secs_f64();
    let brute_expected = sample.iter().filter(|p| g.locate(**p).is_ok()).count();
    assert_eq!(brute_found, brute_expected, "both methods agree");

    let indexed_rate = n as f64 / indexed;
    let brute_rate = sample.len() as f64 / brute;
    println!(
        "points: {n} random in the bounding box, {:.1}% inside the krai",
        100.0 * inside as f64 / n as f64
    );
    println!(
        "R-tree locator:     {:>12.0} lookups/s  ({:.2} µs each)",
        indexed_rate,
        1e6 / indexed_rate
    );
    println!(
        "brute-force scan:   {:>12.0} lookups/s  ({:.2} µs each)",
        brute_rate,
        1e6 / brute_rate
    );
    println!(
        "ratio R-tree / brute force: {:.1}x",
        indexed_rate / brute_rate
    );
    support::figure(
        "locate: point-in-municipality lookups",
        indexed_rate,
        "lookups/s",
        "brute-force scan of the 44 boundaries",
        brute_rate,
        support::Better::Higher,
    );
}
