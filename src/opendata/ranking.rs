//! The order of catalogue results (CKAN's and the portal's `sort`): only
//! the page a request asks for is put in order.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::opendata::catalogue::Snapshot;
use crate::opendata::query::SortKey;

/// A result: its full-text score and its place in the snapshot.
pub type Found = (f32, u32);

/// A sort key resolved once, not by name at every comparison.
#[derive(Clone, Copy)]
enum Key {
    Score,
    Modified,
    Created,
    Title,
    Name,
    Id,
}

fn resolve(keys: &[SortKey]) -> Vec<(Key, bool)> {
    keys.iter()
        .filter_map(|k| {
            let key = match k.field.as_str() {
                "score" | "views_recent" | "views_total" => Key::Score,
                "metadata_modified" => Key::Modified,
                "metadata_created" => Key::Created,
                "title_string" | "title" => Key::Title,
                "name" => Key::Name,
                "id" => Key::Id,
                _ => return None,
            };
            Some((key, k.desc))
        })
        .collect()
}

/// A key that is a number, as an `i64` in the same order: the score's
/// `f32` total order, or an instant from the snapshot's compact columns.
fn number(key: Key, r: &Found, snapshot: &Snapshot) -> Option<i64> {
    Some(match key {
        Key::Score => {
            let b = r.0.to_bits() as i32;
            i64::from(b ^ ((((b >> 31) as u32) >> 1) as i32))
        }
        Key::Modified => snapshot.modified_keys[r.1 as usize],
        Key::Created => snapshot.created_keys[r.1 as usize],
        _ => return None,
    })
}

/// Puts the first `k` results in order (a page needs no more); the rest
/// follow in no particular order. The order is total (ties end on the
/// unique identifier), so a page is the same whichever way it was found.
pub fn sort_top(snapshot: &Snapshot, results: &mut [Found], keys: &[SortKey], k: usize) {
    let keys = resolve(keys);
    let cmp = |a: &Found, b: &Found| {
        let (ea, eb) = (
            &snapshot.entries[a.1 as usize],
            &snapshot.entries[b.1 as usize],
        );
        let (da, db) = (&ea.dataset, &eb.dataset);
        for &(key, desc) in &keys {
            let ord = match key {
                Key::Score => a.0.total_cmp(&b.0),
                Key::Modified => ea.modified_key.cmp(&eb.modified_key),
                Key::Created => ea.created_key.cmp(&eb.created_key),
                Key::Title => ea.title_key.cmp(&eb.title_key),
                Key::Name => da.identifier_norm.cmp(&db.identifier_norm),
                Key::Id => da.uuid.cmp(&db.uuid),
            };
            let ord = if desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        da.identifier_norm.cmp(&db.identifier_norm)
    };
    let k = k.min(results.len());
    if k == 0 {
        return;
    }
    let len = narrow(snapshot, results, &keys, k);
    let results = &mut results[..len];
    if k < len {
        results.select_nth_unstable_by(k - 1, cmp);
    }
    results[..k].sort_unstable_by(cmp);
}

/// Moves the results that can be among the first `k` to the front and
/// returns how many they are. Only the leading numeric keys are looked at
/// (the first, and the second when it is a number too), as one integer per
/// result from the snapshot's compact columns: comparing those does not
/// chase each result's entry (which missed the cache and was a quarter of a
/// search over 38,000 hits at 100,000 passports), and the second key
/// matters because generated passports, and many real ones, tie on score.
/// Exact: every result whose leading keys equal the k-th best's is kept for
/// the full comparison.
fn narrow(snapshot: &Snapshot, results: &mut [Found], keys: &[(Key, bool)], k: usize) -> usize {
    let len = results.len();
    let Some(&(first, desc)) = keys.first() else {
        return len;
    };
    if k >= len || number(first, &results[0], snapshot).is_none() {
        return len;
    }
    // A first key that lost precision (an instant before 1677 or after
    // 2262, clamped)
    // ties results the full order tells apart; the second key would then
    // choose between them, so it is left out.
    let second = keys
        .get(1)
        .filter(|_| matches!(first, Key::Score) || snapshot.instants_exact);
    let leading = |r: &Found| -> i128 {
        let a = number(first, r, snapshot).unwrap_or(0);
        let b = second.and_then(|&(key, d)| Some((number(key, r, snapshot)?, d)));
        // In the first key's direction, larger is better.
        if desc {
            pair(a, b, desc)
        } else {
            !pair(a, b, desc)
        }
    };
    keep_best(results, k, leading)
}

/// The first key and, below it, the second turned to the first's direction
/// (`!` reverses an i64's order without overflow), as one integer ordered
/// like the pair.
fn pair(a: i64, b: Option<(i64, bool)>, desc: bool) -> i128 {
    let b = match b {
        Some((b, d)) if d != desc => !b,
        Some((b, _)) => b,
        None => 0,
    };
    (i128::from(a) << 64) + (i128::from(b) - i128::from(i64::MIN))
}

/// Moves every result whose value is at least the k-th largest to the
/// front (ties with it included); returns how many they are.
///
/// One pass keeps a heap of the best k values seen and moves each result
/// at least as good as the heap's least, when it comes, to the front: the
/// least only rises, so the front holds every result the answer needs
/// (about k·ln(n/k) of them in a random order, k of 38,000 here). A second
/// pass over the front alone keeps those as good as the final k-th. Each
/// value of the many is computed once (two full passes were a seventh of a
/// search at 100,000 passports).
fn keep_best(results: &mut [Found], k: usize, value: impl Fn(&Found) -> i128) -> usize {
    let mut best: BinaryHeap<Reverse<i128>> = BinaryHeap::with_capacity(k + 1);
    let mut front = 0;
    for i in 0..results.len() {
        let v = value(&results[i]);
        if best.len() < k {
            best.push(Reverse(v));
        } else {
            match best.peek() {
                Some(&Reverse(least)) if v < least => continue,
                Some(&Reverse(least)) if v > least => {
                    best.pop();
                    best.push(Reverse(v));
                }
                _ => {}
            }
        }
        results.swap(front, i);
        front += 1;
    }
    let Some(&Reverse(kth)) = best.peek() else {
        return results.len();
    };
    let mut kept = 0;
    for i in 0..front {
        if value(&results[i]) >= kth {
            results.swap(kept, i);
            kept += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Values drawn mostly from a few, so that ties are common, plus the
    /// extremes.
    fn draw(rng: &mut rand::rngs::StdRng) -> i64 {
        match rng.random_range(0..10) {
            0 => i64::MIN,
            1 => i64::MAX,
            2 => rng.random(),
            _ => rng.random_range(-3..3),
        }
    }

    #[test]
    fn a_pair_orders_like_its_two_keys() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let (a1, b1, a2, b2) = (
                draw(&mut rng),
                draw(&mut rng),
                draw(&mut rng),
                draw(&mut rng),
            );
            let (desc, d) = (rng.random(), rng.random());
            // The second key in the first's direction.
            let second = |x: i64, y: i64| if d == desc { x.cmp(&y) } else { y.cmp(&x) };
            let want = a1.cmp(&a2).then(second(b1, b2));
            let got = pair(a1, Some((b1, d)), desc).cmp(&pair(a2, Some((b2, d)), desc));
            assert_eq!(
                got, want,
                "({a1}, {b1}) against ({a2}, {b2}), desc {desc}, {d}"
            );
            assert_eq!(pair(a1, None, desc).cmp(&pair(a2, None, desc)), a1.cmp(&a2));
        }
    }

    #[test]
    fn the_kept_results_are_exactly_those_as_good_as_the_kth() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for _ in 0..2_000 {
            let len = rng.random_range(1..60);
            let mut results: Vec<Found> = (0..len)
                .map(|i| (rng.random_range(0..5) as f32, i as u32))
                .collect();
            let k = rng.random_range(1..=len);
            let value = |r: &Found| i128::from(r.0 as i64);
            let mut sorted: Vec<i128> = results.iter().map(value).collect();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            let kth = sorted[k - 1];
            let want = sorted.iter().filter(|&&v| v >= kth).count();
            let kept = keep_best(&mut results, k, value);
            assert_eq!(kept, want);
            assert!(results[..kept].iter().all(|r| value(r) >= kth));
            assert!(results[kept..].iter().all(|r| value(r) < kth));
            let mut places: Vec<u32> = results.iter().map(|r| r.1).collect();
            places.sort_unstable();
            assert_eq!(places, (0..len as u32).collect::<Vec<_>>(), "nothing lost");
        }
    }
}
