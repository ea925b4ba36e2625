//! Reading what arrives as files: an edition's table (CSV/XLSX), indicator
//! values (CSV/XLSX), and values from the federal statistics system
//! (ЕМИСС) as SDMX-ML (`sdmx`). Every reader keeps the good rows and
//! reports each rejected one with its column and reason; the service
//! stores the good ones in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use super::data::{self, Region};
use super::queries::ResultRow;
use crate::error::Msg;
use crate::media::sheet::{HeaderWords, Problem, find_header};

pub use crate::web::components::parse_decimal as parse_number;

/// A period of a ranking's periodicity: `2025` (year), `2025-H1`
/// (half), `2025-Q3` (quarter), `2025-07` (month). The forms sort as
/// time.
pub fn parse_period(periodicity: &str, s: &str) -> Option<String> {
    let s = s.trim().to_uppercase();
    let (year, rest) = s.split_at_checked(4)?;
    // Digits only: `parse` would take «+202» or «2025-+7» too, and a
    // period stored as written must sort as time.
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = year.parse().ok()?;
    if !(1990..=2100).contains(&y) {
        return None;
    }
    let ok = match periodicity {
        "year" => rest.is_empty(),
        "half" => matches!(rest, "-H1" | "-H2"),
        "quarter" => matches!(rest, "-Q1" | "-Q2" | "-Q3" | "-Q4"),
        "month" => rest
            .strip_prefix('-')
            .filter(|m| m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|m| (1..=12).contains(&m)),
        _ => false,
    };
    ok.then_some(s)
}

pub fn parse_year(s: &str) -> Option<i64> {
    let s = s.trim();
    // «2023», «2023.0» as a spreadsheet may store it, «2023-01-01».
    let y: i64 = s.get(..4)?.parse().ok()?;
    let rest = &s[4..];
    let fits = rest.is_empty() || rest == ".0" || rest.starts_with('-');
    (fits && (1990..=2100).contains(&y)).then_some(y)
}

fn problem(row: u64, column: &str, ru: String, en: String) -> Problem {
    Problem {
        row,
        column: column.to_owned(),
        reason: Msg::new(ru, en),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EditionField {
    Region,
    Place,
    Score,
    Group,
}

const EDITION_HEADERS: &[HeaderWords<EditionField>] = &[
    (
        EditionField::Region,
        "Регион",
        &["регион", "субъект", "region"],
    ),
    (EditionField::Place, "Место", &["место", "place", "rank"]),
    (
        EditionField::Score,
        "Балл",
        &["балл", "оценка", "индекс", "значение", "score", "value"],
    ),
    (EditionField::Group, "Группа", &["групп", "group"]),
];

/// An edition's table, read.
#[derive(Debug, Default)]
pub struct CheckedEdition {
    pub rows: Vec<ResultRow>,
    pub problems: Vec<Problem>,
}

/// Reads an edition's table: a region (code, name or ОКАТО), a place
/// within the ranking's size, a score, a group among the ranking's.
pub fn edition(
    table: &[(u64, Vec<String>)],
    entities: i64,
    groups: &[String],
) -> Result<CheckedEdition, Msg> {
    let (header, cols) = find_header(
        table,
        EDITION_HEADERS,
        &[EditionField::Region, EditionField::Place],
        &[],
    )
    .ok_or_else(|| {
        Msg::new(
            "Нет строки заголовков со столбцами «Регион» и «Место».",
            "No header row with the columns “Region” and “Place”.",
        )
    })?;
    let cell = |cells: &[String], f: EditionField| -> String {
        cols.get(&f)
            .and_then(|c| c.first())
            .and_then(|&c| cells.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut out = CheckedEdition::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (n, cells) in &table[header + 1..] {
        let region_cell = cell(cells, EditionField::Region);
        let Some(region) = data::find_region(&region_cell) else {
            out.problems.push(problem(
                *n,
                "Регион",
                format!("Регион «{region_cell}» не найден в справочнике субъектов."),
                format!("The region “{region_cell}” is not in the list of regions."),
            ));
            continue;
        };
        if !seen.insert(region.code.clone()) {
            out.problems.push(problem(
                *n,
                "Регион",
                format!("{} уже есть в таблице выше.", region.name_ru),
                format!("{} is in the table above already.", region.name_en),
            ));
            continue;
        }
        let place_cell = cell(cells, EditionField::Place);
        let place = parse_number(&place_cell)
            .filter(|p| p.fract() == 0.0 && *p >= 1.0 && *p <= entities as f64)
            .map(|p| p as i64);
        let Some(place) = place else {
            out.problems.push(problem(
                *n,
                "Место",
                format!("Место «{place_cell}»: нужно целое число от 1 до {entities}."),
                format!("Place “{place_cell}”: a whole number from 1 to {entities} is needed."),
            ));
            continue;
        };
        let score_cell = cell(cells, EditionField::Score);
        let score = match score_cell.as_str() {
            "" | "-" | "—" => None,
            s => match parse_number(s) {
                Some(v) => Some(v),
                None => {
                    out.problems.push(problem(
                        *n,
                        "Балл",
                        format!("Балл «{score_cell}» не число."),
                        format!("The score “{score_cell}” is not a number."),
                    ));
                    continue;
                }
            },
        };
        let grp = cell(cells, EditionField::Group).to_uppercase();
        if !grp.is_empty() && !groups.is_empty() && !groups.contains(&grp) {
            out.problems.push(problem(
                *n,
                "Группа",
                format!("Группы «{grp}» нет у рейтинга ({}).", groups.join(", ")),
                format!("The ranking has no group “{grp}” ({}).", groups.join(", ")),
            ));
            continue;
        }
        out.rows.push(ResultRow {
            edition_id: 0,
            region: region.code.clone(),
            place,
            score,
            grp,
        });
    }
    Ok(out)
}

/// A value read from a file, for the service to record.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueIn {
    pub code: String,
    /// `''` for the region, a municipality's id otherwise.
    pub territory: String,
    pub year: i64,
    pub value: f64,
    pub status: &'static str,
}

#[derive(Debug, Default)]
pub struct CheckedValues {
    pub values: Vec<ValueIn>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ValueField {
    Code,
    Year,
    Value,
    Status,
    Territory,
}

const VALUE_HEADERS: &[HeaderWords<ValueField>] = &[
    (
        ValueField::Code,
        "Код показателя",
        &["код показателя", "показатель", "indicator", "code"],
    ),
    (ValueField::Year, "Год", &["год", "year", "period"]),
    (ValueField::Status, "Статус", &["статус", "status"]),
    (
        ValueField::Territory,
        "Территория",
        &["территория", "муниципальн", "territory", "municipality"],
    ),
    (ValueField::Value, "Значение", &["значение", "value"]),
];

/// A status word: preliminary or final (a revision is the store's call).
pub fn parse_status(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "" | "final" | "окончательное" | "окончательные" | "итоговое" => {
            Some("final")
        }
        "preliminary" | "предварительное" | "предварительные" | "оперативное" => {
            Some("preliminary")
        }
        _ => None,
    }
}

/// The territory a cell names: empty, the region itself, or one of its
/// municipalities (id, name or ОКТМО).
pub fn parse_territory(s: &str, region: &Region) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || data::find_region(s).is_some_and(|r| r.code == region.code) {
        return Some(String::new());
    }
    crate::geo::municipalities::geography()
        .find(s)
        .map(|m| m.id.clone())
}

/// Reads values: an indicator's code among `codes`, a year, a number, a
/// status and a territory (both optional).
pub fn values(
    table: &[(u64, Vec<String>)],
    codes: &BTreeSet<String>,
    region: &Region,
) -> Result<CheckedValues, Msg> {
    let (header, cols) = find_header(
        table,
        VALUE_HEADERS,
        &[ValueField::Code, ValueField::Year, ValueField::Value],
        &[],
    )
    .ok_or_else(|| {
        Msg::new(
            "Нет строки заголовков со столбцами «Код показателя», «Год» и «Значение».",
            "No header row with the columns “Indicator code”, “Year” and “Value”.",
        )
    })?;
    let cell = |cells: &[String], f: ValueField| -> String {
        cols.get(&f)
            .and_then(|c| c.first())
            .and_then(|&c| cells.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut out = CheckedValues::default();
    let mut seen: BTreeMap<(String, String, i64), u64> = BTreeMap::new();
    for (n, cells) in &table[header + 1..] {
        let code = cell(cells, ValueField::Code);
        if !codes.contains(&code) {
            out.problems.push(problem(
                *n,
                "Код показателя",
                format!("Показателя с кодом «{code}» нет."),
                format!("There is no indicator with the code “{code}”."),
            ));
            continue;
        }
        let year_cell = cell(cells, ValueField::Year);
        let Some(year) = parse_year(&year_cell) else {
            out.problems.push(problem(
                *n,
                "Год",
                format!("Год «{year_cell}»: нужен год от 1990 до 2100."),
                format!("Year “{year_cell}”: a year from 1990 to 2100 is needed."),
            ));
            continue;
        };
        let value_cell = cell(cells, ValueField::Value);
        let Some(value) = parse_number(&value_cell) else {
            out.problems.push(problem(
                *n,
                "Значение",
                format!("Значение «{value_cell}» не число."),
                format!("The value “{value_cell}” is not a number."),
            ));
            continue;
        };
        let status_cell = cell(cells, ValueField::Status);
        let Some(status) = parse_status(&status_cell) else {
            out.problems.push(problem(
                *n,
                "Статус",
                format!("Статус «{status_cell}»: «предварительное» или «окончательное»."),
                format!("Status “{status_cell}”: “preliminary” or “final”."),
            ));
            continue;
        };
        let territory_cell = cell(cells, ValueField::Territory);
        let Some(territory) = parse_territory(&territory_cell, region) else {
            out.problems.push(problem(
                *n,
                "Территория",
                format!(
                    "Территория «{territory_cell}» не найдена среди муниципальных образований."
                ),
                format!("The territory “{territory_cell}” is not one of the municipalities."),
            ));
            continue;
        };
        let key = (code.clone(), territory.clone(), year);
        if let Some(first) = seen.insert(key, *n) {
            out.problems.push(problem(
                *n,
                "Год",
                format!("Значение за {year} уже дано в строке {first}."),
                format!("The value for {year} is given in row {first} already."),
            ));
            continue;
        }
        out.values.push(ValueIn {
            code,
            territory,
            year,
            value,
            status,
        });
    }
    Ok(out)
}

/// The names of the series' attribute that says where: ЕМИСС uses ОКАТО
/// (`OKATO`, `S_OKATO`), SDMX's own is `REF_AREA`.
const AREA_KEYS: &[&str] = &["OKATO", "S_OKATO", "OKTMO", "REF_AREA", "TERRITORY"];

/// Values of one indicator from an SDMX-ML message: the observations of
/// our region (its ОКАТО with zeros after) and of its municipalities (an
/// ОКТМО); other regions' rows are reported, since the message was meant
/// for this region. Periods must be years.
pub fn sdmx_values(message: &super::sdmx::Message, code: &str, region: &Region) -> CheckedValues {
    let mut out = CheckedValues::default();
    let mut seen: BTreeSet<(String, i64)> = BTreeSet::new();
    for (i, o) in message.observations.iter().enumerate() {
        let n = i as u64 + 1;
        let area = o
            .series
            .iter()
            .chain(o.attributes.iter())
            .find(|(k, _)| AREA_KEYS.iter().any(|a| k.eq_ignore_ascii_case(a)))
            .map(|(_, v)| v.trim().to_owned());
        let Some(area) = area else {
            out.problems.push(problem(
                n,
                "OKATO",
                "У наблюдения нет кода территории (OKATO, OKTMO или REF_AREA).".into(),
                "The observation has no territory code (OKATO, OKTMO or REF_AREA).".into(),
            ));
            continue;
        };
        let territory = if data::by_okato(&area).is_some_and(|r| r.code == region.code)
            || area.eq_ignore_ascii_case(&region.code)
        {
            Some(String::new())
        } else if area.len() >= 8 && area.starts_with(&region.okato) && !region.okato.is_empty() {
            crate::geo::municipalities::geography()
                .find(&area)
                .map(|m| m.id.clone())
        } else {
            None
        };
        let Some(territory) = territory else {
            let whose = data::find_region(&area).map_or(area.clone(), |r| r.name_ru.clone());
            out.problems.push(problem(
                n,
                "OKATO",
                format!("Территория «{whose}» — не наш регион и не его муниципалитет."),
                format!(
                    "The territory “{area}” is neither our region nor one of its municipalities."
                ),
            ));
            continue;
        };
        let Some(year) = parse_year(&o.time_period).filter(|_| {
            o.time_period.len() == 4 || o.time_period.len() == 10 || o.time_period.ends_with("-A")
        }) else {
            out.problems.push(problem(
                n,
                "TIME_PERIOD",
                format!("Период «{}» — не год.", o.time_period),
                format!("The period “{}” is not a year.", o.time_period),
            ));
            continue;
        };
        let Some(value) = o.value.as_deref().and_then(parse_number) else {
            out.problems.push(problem(
                n,
                "OBS_VALUE",
                "Значения нет.".into(),
                "There is no value.".into(),
            ));
            continue;
        };
        if !seen.insert((territory.clone(), year)) {
            out.problems.push(problem(
                n,
                "TIME_PERIOD",
                format!("Значение за {year} уже было выше."),
                format!("The value for {year} came above already."),
            ));
            continue;
        }
        let preliminary = o.attributes.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("OBS_STATUS") && matches!(v.as_str(), "P" | "E" | "F")
        });
        out.values.push(ValueIn {
            code: code.to_owned(),
            territory,
            year,
            value,
            status: if preliminary { "preliminary" } else { "final" },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<(u64, Vec<String>)> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn numbers_periods_and_years_read_as_people_write_them() {
        assert_eq!(parse_number("1 234,5"), Some(1234.5));
        assert_eq!(parse_number("-0.25"), Some(-0.25));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_period("year", "2025"), Some("2025".into()));
        assert_eq!(parse_period("quarter", "2025-q3"), Some("2025-Q3".into()));
        assert_eq!(parse_period("quarter", "2025-Q5"), None);
        assert_eq!(parse_period("month", "2025-+7"), None, "digits only");
        assert_eq!(parse_period("year", "+202"), None);
        assert_eq!(parse_period("month", "2025-07"), Some("2025-07".into()));
        assert_eq!(parse_period("month", "2025-7"), None);
        assert_eq!(parse_period("year", "2025-Q1"), None);
        assert_eq!(parse_year("2023.0"), Some(2023));
        assert_eq!(parse_year("2023-01-01"), Some(2023));
        assert_eq!(parse_year("20233"), None);
    }

    #[test]
    fn an_edition_keeps_good_rows_and_says_why_of_the_rest() {
        let t = table(&[
            &["Рейтинг качества жизни", "", "", ""],
            &["Субъект РФ", "Место", "Балл", "Группа"],
            &["Краснодарский край", "7", "71,5", "a"],
            &["RU-ROS", "12", "65", "B"],
            &["Атлантида", "1", "99", "A"],
            &["RU-KDA", "3", "70", "A"],
            &["RU-STA", "0", "70", "A"],
            &["RU-AD", "40", "x", "A"],
            &["RU-KL", "41", "50", "Z"],
        ]);
        let groups = vec!["A".to_owned(), "B".to_owned()];
        let e = edition(&t, 89, &groups).unwrap();
        let got: Vec<(&str, i64)> = e
            .rows
            .iter()
            .map(|r| (r.region.as_str(), r.place))
            .collect();
        assert_eq!(got, vec![("RU-KDA", 7), ("RU-ROS", 12)]);
        assert_eq!(e.rows[0].grp, "A");
        let rows: Vec<u64> = e.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![5, 6, 7, 8, 9]);
        assert!(edition(&table(&[&["a", "b"]]), 89, &[]).is_err());
    }
}
