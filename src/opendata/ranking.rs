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
/// chase each result's entry
/// (which missed the cache and was a quarter of a search over 38,000 hits
/// at 100,000 passports), and the second key matters because generated
/// passports, and many real ones, tie on score. Exact: every result whose
/// leading keys equal the k-th best's is kept for the full comparison.
fn narrow(snapshot: &Snapshot, results: &mut [Found], keys: &[(Key, bool)], k: usize) -> usize {
    let len = results.len();
    let Some(&(first, desc)) = keys.first() else {
        return len;
    };
    if k >= len || number(first, &results[0], snapshot).is_none() {
        return len;
    }
    let second = keys.get(1);
    let leading = |r: &Found| -> i128 {
        let a = number(first, r, snapshot).unwrap_or(0);
        // The second key turned to the first's direction (`!` reverses an
        // i64's order without overflow), then placed below the first.
        let b = match second.and_then(|&(key, d)| Some((number(key, r, snapshot)?, d))) {
            Some((b, d)) if d != desc => !b,
            Some((b, _)) => b,
            None => 0,
        };
        (i128::from(a) << 64) + (i128::from(b) - i128::from(i64::MIN))
    };
    // In the first key's direction, larger is better.
    let value = |r: &Found| if desc { leading(r) } else { !leading(r) };
    // The k-th best in one pass: a heap of the best k seen, whose least is
    // compared with each value (a page is small, the results many).
    let mut best: BinaryHeap<Reverse<i128>> = BinaryHeap::with_capacity(k + 1);
    for r in results.iter() {
        let v = value(r);
        if best.len() < k {
            best.push(Reverse(v));
        } else if best.peek().is_some_and(|&Reverse(least)| v > least) {
            best.pop();
            best.push(Reverse(v));
        }
    }
    let Some(&Reverse(kth)) = best.peek() else {
        return len;
    };
    let mut kept = 0;
    for i in 0..len {
        if value(&results[i]) >= kth {
            results.swap(kept, i);
            kept += 1;
        }
    }
    kept
}
