//! The time to turn a 12-megapixel JPEG upload into its stored sizes
//! (`veche::media::process`: checked, decoded, oriented, stripped, fitted
//! into 2048 px and 400 px, re-encoded), next to a peer measured in the same
//! run on the same file: the plain decode alone with the `image` crate's
//! defaults. The ratio says how much `process` costs over merely reading
//! the pixels, which does not depend on the machine as much as milliseconds.
//!
//! Run: `cargo bench --bench photo` (RUNS=n to change the 9 runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use rand::{Rng, SeedableRng};

/// The same photo `bench/problems.rs` measures: smooth gradients with noise,
/// which compress like a photo, not like a flat colour.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
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

/// Milliseconds one call of `f` takes.
fn ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

/// Median and best, in milliseconds.
fn stats(mut t: Vec<f64>) -> (f64, f64) {
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[0])
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    let bytes = photo(4000, 3000);
    // One of each first, so neither pays for cold caches or the allocator.
    let p = veche::media::process(&bytes, "12mp.jpg").unwrap();
    assert_eq!((p.width, p.height), (2048, 1536));
    std::hint::black_box(image::load_from_memory(&bytes).unwrap());
    // Interleaved, so a noisy neighbour hurts both alike.
    let mut process = Vec::new();
    let mut decode = Vec::new();
    for _ in 0..runs {
        process.push(ms(|| {
            std::hint::black_box(veche::media::process(&bytes, "12mp.jpg").unwrap());
        }));
        decode.push(ms(|| {
            std::hint::black_box(image::load_from_memory(&bytes).unwrap());
        }));
    }
    let (pm, pb) = stats(process);
    let (dm, db) = stats(decode);
    println!(
        "12-megapixel JPEG ({:.1} MB), {runs} runs:\n  process (full 2048 px + thumbnail 400 px, metadata stripped): median {pm:.0} ms, best {pb:.0} ms\n  peer: image::load_from_memory (decode only):                  median {dm:.0} ms, best {db:.0} ms\n  ratio process / decode: {:.2} (median), {:.2} (best)",
        bytes.len() as f64 / 1e6,
        pm / dm,
        pb / db
    );
    println!(
        "FIGURE\tphoto: a 12-megapixel JPEG to its stored sizes, median\t{pm:.3}\tms\timage::load_from_memory of the same file (decode only), median\t{dm:.3}\tlower"
    );
    println!(
        "  stored sizes: full {:.0} kB, thumbnail {:.0} kB",
        p.full.len() as f64 / 1e3,
        p.thumb.len() as f64 / 1e3
    );
}
