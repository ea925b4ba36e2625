//! The population N_m of each municipality, which weighs its share in the
//! regional rank. Shipped with veche (`population.csv`); every snapshot
//! records the source and year it was computed with.
//!
//! These figures are rounded estimates compiled for the demo from public
//! summaries of the 2021 census, not an official Rosstat table: an
//! installation replaces the file with Rosstat's municipal population on
//! 1 January (by OKTMO) and changes `SOURCE` and `YEAR` with it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const CSV: &str = include_str!("population.csv");

/// Where the figures come from, as published beside every ranking.
pub const SOURCE: &str = "Оценка численности населения муниципальных образований, округлённая до тысяч (демонстрационные данные veche по итогам переписи 2021 года, не официальная таблица Росстата)";
pub const SOURCE_EN: &str = "Estimated population of the municipalities, rounded to thousands (veche demo figures after the 2021 census, not Rosstat's official table)";
pub const YEAR: i64 = 2021;

/// Municipality id → population.
pub fn population() -> &'static BTreeMap<String, u64> {
    static P: OnceLock<BTreeMap<String, u64>> = OnceLock::new();
    P.get_or_init(|| parse(CSV))
}

fn parse(csv_text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for r in reader.records().flatten() {
        if let (Some(id), Some(n)) = (r.get(0), r.get(1).and_then(|n| n.parse().ok())) {
            out.insert(id.to_owned(), n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Every one of the 44 has a population, and nothing else does.
    #[test]
    fn every_municipality_has_a_population() {
        let p = super::population();
        let all = crate::geo::geography().all();
        assert_eq!(p.len(), all.len());
        for m in all {
            assert!(p.get(&m.id).is_some_and(|n| *n > 10_000), "{}", m.id);
        }
        let total: u64 = p.values().sum();
        assert!((5_000_000..6_500_000).contains(&total), "{total}");
    }
}
