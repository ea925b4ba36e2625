//! Unit tests of `store` (kept beside it: store.rs is at its length limit).

use super::*;
use rand::{Rng, SeedableRng};

/// A float cursor comes back as the very value it was made from: one
/// step off, the next page repeats or skips the ties of the last row.
#[test]
fn a_cursor_keeps_its_float_exactly() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let mut values = vec![9.315360764879477, 0.1 + 0.2, f64::MAX, f64::MIN_POSITIVE];
    for _ in 0..20_000 {
        let scale = 10f64.powi(rng.random_range(-5..6));
        values.push(rng.random::<f64>() * scale);
    }
    for x in values {
        let c = Cursor {
            r: 1,
            v: Some(serde_json::json!(x)),
            n: false,
        };
        let back = Cursor::decode(&c.encode()).and_then(|c| c.v?.as_f64());
        assert_eq!(back.map(f64::to_bits), Some(x.to_bits()), "{x:?}");
    }
}
