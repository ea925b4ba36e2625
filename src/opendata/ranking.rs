//! The order of catalogue results (CKAN's and the portal's `sort`): only
//! the page a request asks for is put in order.

use crate::opendata::catalogue::Entry;
use crate::opendata::query::SortKey;

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

/// Orders results; `score` gives each entry's full-text score.
pub fn sort(results: &mut [(f32, &std::sync::Arc<Entry>)], keys: &[SortKey]) {
    let len = results.len();
    sort_top(results, keys, len);
}

/// Puts the first `k` results in order (a page needs no more); the rest
/// follow in no particular order. The order is total (ties end on the
/// unique identifier), so a page is the same whichever way it was found.
pub fn sort_top(results: &mut [(f32, &std::sync::Arc<Entry>)], keys: &[SortKey], k: usize) {
    let keys: Vec<(Key, bool)> = keys
        .iter()
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
        .collect();
    let cmp = |a: &(f32, &std::sync::Arc<Entry>), b: &(f32, &std::sync::Arc<Entry>)| {
        let (da, db) = (&a.1.dataset, &b.1.dataset);
        for &(key, desc) in &keys {
            let ord = match key {
                Key::Score => a.0.total_cmp(&b.0),
                Key::Modified => a.1.modified_key.cmp(&b.1.modified_key),
                Key::Created => a.1.created_key.cmp(&b.1.created_key),
                Key::Title => a.1.title_key.cmp(&b.1.title_key),
                Key::Name => da.identifier_norm.cmp(&db.identifier_norm),
                Key::Id => da.uuid.cmp(&db.uuid),
            };
            let ord = if desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        da.identifier_norm.cmp(&db.identifier_norm)
    };
    let k = k.min(results.len());
    if k == 0 {
        return;
    }
    // Narrow by the first key alone, on a compact copy: only results whose
    // first key is at least as good as the k-th best can be on the page,
    // and comparing numbers in a vector does not chase each entry's pointer
    // (which missed the cache and was a quarter of a search over 38,000
    // hits at 100,000 passports).
    let mut len = results.len();
    if let Some(&(key @ (Key::Score | Key::Modified | Key::Created), desc)) = keys.first()
        && k < len
    {
        let first = |r: &(f32, &std::sync::Arc<Entry>)| -> i128 {
            match key {
                // f32's total order as an integer's.
                Key::Score => {
                    let b = r.0.to_bits() as i32;
                    i128::from(b ^ ((((b >> 31) as u32) >> 1) as i32))
                }
                Key::Modified => r.1.modified_key,
                _ => r.1.created_key,
            }
        };
        let mut firsts: Vec<i128> = results.iter().map(first).collect();
        let kth = if desc {
            *firsts.select_nth_unstable_by(k - 1, |a, b| b.cmp(a)).1
        } else {
            *firsts.select_nth_unstable(k - 1).1
        };
        len = 0;
        for i in 0..results.len() {
            let v = first(&results[i]);
            if if desc { v >= kth } else { v <= kth } {
                results.swap(len, i);
                len += 1;
            }
        }
    }
    let results = &mut results[..len];
    if k < len {
        results.select_nth_unstable_by(k - 1, cmp);
    }
    results[..k].sort_unstable_by(cmp);
}
