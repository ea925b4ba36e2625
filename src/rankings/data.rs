//! The data shipped in `datasets/rankings/` (SOURCES.md there): the
//! constituent entities of the federation, and the list of indicators of
//! effectiveness under Decree No. 1014. Both are data, never code: a
//! revised decree is an edited CSV.

use std::sync::OnceLock;

use crate::web::i18n::Locale;

const REGIONS: &str = include_str!("../../datasets/rankings/regions.csv");
const INDICATORS: &str = include_str!("../../datasets/rankings/indicators-1014.csv");

/// A region of a ranking's table.
#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    /// The ОКАТО prefix ЕМИСС names the region by; empty when unknown.
    pub okato: String,
    pub name_ru: String,
    pub name_en: String,
    /// The federal district (`south` …); empty when not confirmed.
    pub district: String,
}

impl Region {
    pub fn name(&self, l: Locale) -> &str {
        match l {
            Locale::Ru => &self.name_ru,
            Locale::En => &self.name_en,
        }
    }
}

fn parse_regions(text: &str) -> Vec<Region> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| Region {
            code: r[0].to_owned(),
            okato: r[1].to_owned(),
            name_ru: r[2].to_owned(),
            name_en: r[3].to_owned(),
            district: r[4].to_owned(),
        })
        .collect()
}

/// Every region, as shipped.
pub fn regions() -> &'static [Region] {
    static ALL: OnceLock<Vec<Region>> = OnceLock::new();
    ALL.get_or_init(|| parse_regions(REGIONS))
}

pub fn region(code: &str) -> Option<&'static Region> {
    regions().iter().find(|r| r.code == code)
}

/// A folded form of a name for matching a spreadsheet's cell: lower case,
/// ё as е, spaces and dashes collapsed.
fn fold(s: &str) -> String {
    s.to_lowercase()
        .replace('ё', "е")
        .split(|c: char| c.is_whitespace() || c == '-' || c == '—' || c == '–')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The region a cell names: its code (`RU-KDA`, any case), its name in
/// either language, or its ОКАТО code.
pub fn find_region(cell: &str) -> Option<&'static Region> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    let upper = cell.to_uppercase();
    if let Some(r) = regions().iter().find(|r| r.code == upper) {
        return Some(r);
    }
    if cell.bytes().all(|b| b.is_ascii_digit()) {
        return by_okato(cell);
    }
    let f = fold(cell);
    regions()
        .iter()
        .find(|r| fold(&r.name_ru) == f || fold(&r.name_en) == f)
}

/// The region whose ОКАТО prefix is the longest one `code` starts with,
/// the rest of `code` being zeros (`03000000000` is Krasnodar Krai;
/// `71100000` Khanty-Mansi, not Tyumen). A code with more after the
/// prefix names a place inside the region, not the region.
pub fn by_okato(code: &str) -> Option<&'static Region> {
    regions()
        .iter()
        .filter(|r| !r.okato.is_empty() && code.starts_with(&r.okato))
        .max_by_key(|r| r.okato.len())
        .filter(|r| code[r.okato.len()..].bytes().all(|b| b == b'0'))
}

/// The codes of the regions in a federal district.
pub fn district(name: &str) -> Vec<String> {
    regions()
        .iter()
        .filter(|r| r.district == name)
        .map(|r| r.code.clone())
        .collect()
}

/// One indicator of the shipped list.
#[derive(Debug, Clone)]
pub struct ListedIndicator {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub unit: String,
    pub direction: String,
    pub band_low: Option<f64>,
    pub band_high: Option<f64>,
    pub decimals: i64,
    pub methodology: String,
    pub owner: String,
    pub wording: String,
    pub source: String,
}

/// The list under Decree No. 1014; a row that does not read is a bug of
/// the shipped file, caught by the tests, and skipped.
pub fn decree_list() -> Vec<ListedIndicator> {
    parse_list(INDICATORS)
}

fn parse_list(text: &str) -> Vec<ListedIndicator> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let num = |s: &str| s.trim().parse::<f64>().ok();
            let direction = r.get(4)?.to_owned();
            if !matches!(direction.as_str(), "up" | "down" | "band") {
                return None;
            }
            Some(ListedIndicator {
                code: r.get(0)?.to_owned(),
                name_ru: r.get(1)?.to_owned(),
                name_en: r.get(2)?.to_owned(),
                unit: r.get(3)?.to_owned(),
                direction,
                band_low: num(r.get(5)?),
                band_high: num(r.get(6)?),
                decimals: r.get(7)?.parse().ok()?,
                methodology: r.get(8)?.to_owned(),
                owner: r.get(9)?.to_owned(),
                wording: r.get(10)?.to_owned(),
                source: r.get(11)?.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_read_whole() {
        assert_eq!(regions().len(), 89, "89 constituent entities");
        assert_eq!(region("RU-KDA").map(|r| r.okato.as_str()), Some("03"));
        let list = decree_list();
        let rows = INDICATORS.lines().filter(|l| !l.trim().is_empty()).count() - 1;
        assert_eq!(list.len(), rows, "every row of the list reads");
        assert!(list.iter().all(|i| matches!(
            i.wording.as_str(),
            "confirmed" | "secondary" | "unconfirmed"
        )));
        let south = district("south");
        assert!(south.contains(&"RU-KDA".to_owned()) && south.contains(&"RU-ROS".to_owned()));
    }

    #[test]
    fn regions_are_found_by_code_name_and_okato() {
        let code = |r: Option<&Region>| r.map(|r| r.code.clone());
        assert_eq!(code(find_region("ru-kda")), Some("RU-KDA".into()));
        assert_eq!(
            code(find_region(" Краснодарский  край ")),
            Some("RU-KDA".into())
        );
        assert_eq!(code(find_region("Rostov Oblast")), Some("RU-ROS".into()));
        assert_eq!(code(find_region("03000000000")), Some("RU-KDA".into()));
        assert_eq!(code(find_region("71100000")), Some("RU-KHM".into()));
        assert_eq!(code(find_region("71000000")), Some("RU-TYU".into()));
        assert_eq!(code(find_region("71140000")), Some("RU-YAN".into()));
        // A municipality of the krai is not the krai.
        assert_eq!(code(find_region("03701000")), None);
        assert_eq!(code(find_region("Атлантида")), None);
    }
}
