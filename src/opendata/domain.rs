//! The vocabulary of the open data portal, parsed once: dataset identifiers,
//! version stamps, structures and their field formats, values, passports,
//! topics and licences.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::Msg;
use crate::web::i18n::Locale;

pub use crate::datasets::fields::{FieldDef, FieldFormat, Value, format_float, parse_date};

/// The conformance URI of Methodical Recommendations 3.0.
pub const STANDARD_VERSION: &str = "http://opendata.gosmonitor.ru/standard/3.0";

/// `{owner INN}-{code}`: a 10-digit INN with a valid check digit, a hyphen and
/// a Latin code (letters, digits, `_`, `-`), as in `2312823003-municipalities`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub value: String,
    pub inn: String,
}

impl Identifier {
    pub fn parse(input: &str) -> Result<Identifier, Msg> {
        let s = input.trim();
        let bad = || {
            Msg::new(
                format!(
                    "Идентификатор набора «{s}» должен иметь вид «ИНН-код»: 10 цифр ИНН владельца, дефис и латинский код (например, 2312823003-municipalities)."
                ),
                format!(
                    "The dataset identifier “{s}” must look like “INN-code”: the owner's 10-digit INN, a hyphen and a Latin code (e.g. 2312823003-municipalities)."
                ),
            )
        };
        let (inn, code) = s.split_once('-').ok_or_else(bad)?;
        let code_ok = !code.is_empty()
            && code.len() <= 100
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !code_ok
            || crate::directory::domain::parse_inn(inn)
                .ok()
                .flatten()
                .is_none()
        {
            return Err(bad());
        }
        Ok(Identifier {
            value: s.to_owned(),
            inn: inn.to_owned(),
        })
    }

    pub fn norm(&self) -> String {
        self.value.to_lowercase()
    }
}

/// The date part of a file name: `data-{stamp}-structure-{stamp}.csv`.
/// Veche writes `YYYYMMDD` (or `YYYYMMDDTHHMM` for a second version on one
/// day) and accepts what publishers use: `YYYY-MM-DD`, `YYYYMMDDTHHMM[SS]`,
/// with a lower-case `t` too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub text: String,
    pub date: Date,
}

impl Stamp {
    pub fn parse(input: &str) -> Option<Stamp> {
        let s = input.trim();
        let (date_part, time_part) = match s.find(['T', 't']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let digits: String = date_part.chars().filter(|c| *c != '-').collect();
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if date_part.contains('-') && date_part.len() != 10 {
            return None;
        }
        if let Some(t) = time_part {
            let t: String = t.chars().filter(|c| *c != '-' && *c != ':').collect();
            if !(t.len() == 4 || t.len() == 6) || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        let year: i32 = digits[..4].parse().ok()?;
        let month: u8 = digits[4..6].parse().ok()?;
        let day: u8 = digits[6..8].parse().ok()?;
        let date = Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
        Some(Stamp {
            text: s.to_owned(),
            date,
        })
    }

    /// A new stamp for today's date (Moscow time), `YYYYMMDD`.
    pub fn today() -> Stamp {
        let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+3));
        let date = now.date();
        Stamp {
            text: format!(
                "{:04}{:02}{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            ),
            date,
        }
    }

    /// The same date with the current hours and minutes, for a second
    /// version of data valid on one day.
    pub fn with_time_now(&self) -> Stamp {
        let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+3));
        let date = self.date;
        Stamp {
            text: format!(
                "{:04}{:02}{:02}T{:02}{:02}",
                date.year(),
                u8::from(date.month()),
                date.day(),
                now.hour(),
                now.minute()
            ),
            date,
        }
    }
}

/// `YYYYMMDD`, as dates appear in machine-readable passports.
pub fn compact_date(iso: &str) -> String {
    iso.replace('-', "")
}

/// The names of the files of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileName {
    /// `meta.{ext}`
    Meta(Ext),
    /// `data-{data}-structure-{structure}.{ext}`
    Data {
        data: String,
        structure: String,
        ext: Ext,
    },
    /// `structure-{stamp}.{ext}`
    Structure { stamp: String, ext: Ext },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ext {
    Csv,
    Json,
    Xml,
}

impl Ext {
    pub fn parse(s: &str) -> Option<Ext> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Ext::Csv),
            "json" => Some(Ext::Json),
            "xml" => Some(Ext::Xml),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ext::Csv => "csv",
            Ext::Json => "json",
            Ext::Xml => "xml",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Ext::Csv => "text/csv; charset=utf-8",
            Ext::Json => "application/json",
            Ext::Xml => "application/xml; charset=utf-8",
        }
    }
}

impl FileName {
    pub fn parse(name: &str) -> Option<FileName> {
        let (stem, ext) = name.rsplit_once('.')?;
        let ext = Ext::parse(ext)?;
        if stem == "meta" {
            return Some(FileName::Meta(ext));
        }
        if let Some(rest) = stem.strip_prefix("data-") {
            let (data, structure) = rest.split_once("-structure-")?;
            Stamp::parse(data)?;
            Stamp::parse(structure)?;
            return Some(FileName::Data {
                data: data.to_owned(),
                structure: structure.to_owned(),
                ext,
            });
        }
        if let Some(stamp) = stem.strip_prefix("structure-") {
            Stamp::parse(stamp)?;
            return Some(FileName::Structure {
                stamp: stamp.to_owned(),
                ext,
            });
        }
        None
    }
}

pub fn data_file_name(data: &str, structure: &str, ext: Ext) -> String {
    format!("data-{data}-structure-{structure}.{}", ext.as_str())
}

pub fn structure_file_name(stamp: &str, ext: Ext) -> String {
    format!("structure-{stamp}.{}", ext.as_str())
}

/// The fields of a structure version, checked: names are Latin identifiers,
/// unique regardless of case, at most 200 of them.
pub fn check_fields(fields: &[FieldDef]) -> Result<(), Msg> {
    if fields.is_empty() {
        return Err(Msg::new(
            "В структуре нет ни одного поля.",
            "The structure has no fields.",
        ));
    }
    if fields.len() > 200 {
        return Err(Msg::new(
            "В структуре больше 200 полей.",
            "The structure has more than 200 fields.",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for f in fields {
        let ok = !f.name.is_empty()
            && f.name.len() <= 64
            && f.name
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && f.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(Msg::new(
                format!(
                    "Имя поля «{}» недопустимо: латинские буквы, цифры и _, не длиннее 64 символов, начиная с буквы.",
                    f.name
                ),
                format!(
                    "The field name “{}” is not allowed: Latin letters, digits and _, at most 64 characters, starting with a letter.",
                    f.name
                ),
            ));
        }
        if !seen.insert(f.name.to_ascii_lowercase()) {
            return Err(Msg::new(
                format!("Поле «{}» повторяется.", f.name),
                format!("The field “{}” appears twice.", f.name),
            ));
        }
    }
    Ok(())
}

/// The columns that carry coordinates, when the structure has both.
pub fn coordinate_fields(fields: &[FieldDef]) -> Option<(usize, usize)> {
    let find = |names: &[&str]| {
        fields.iter().position(|f| {
            f.format == FieldFormat::Float && names.contains(&f.name.to_ascii_lowercase().as_str())
        })
    };
    Some((
        find(&["lat", "latitude", "geo_lat", "centroid_lat"])?,
        find(&["lon", "lng", "longitude", "geo_lon", "centroid_lon"])?,
    ))
}

/// A passport as kept in the repository's `passports/` folder: the fields of
/// MR 3.0 `meta.json`, plus what the portal needs to file the dataset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PassportFile {
    pub identifier: String,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    /// The owner organisation's id in the directory.
    pub owner: String,
    pub publisher: Publisher,
    #[serde(default = "default_format")]
    pub format: String,
    /// Keywords, comma-separated.
    pub subject: String,
    pub topic: String,
    #[serde(default)]
    pub municipality: Option<String>,
    pub license: String,
    #[serde(default)]
    pub frequency: String,
    /// `file` (data files in `datasets/<identifier>/`), or the registry that
    /// veche keeps and publishes itself (`organisations`, ...).
    #[serde(default = "default_source")]
    pub source: String,
    /// What the first version is, for the passport's provenance.
    #[serde(default)]
    pub provenance: String,
}

fn default_format() -> String {
    "CSV".into()
}

fn default_source() -> String {
    "file".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Publisher {
    pub name: String,
    pub phone: String,
    pub mbox: String,
}

/// Topics of the catalogue (the passport's `topic`).
pub const TOPICS: &[(&str, &str, &str)] = &[
    (
        "territory",
        "Территория и население",
        "Territory and population",
    ),
    ("government", "Государственное управление", "Government"),
    ("economy", "Экономика и финансы", "Economy and finance"),
    ("transport", "Транспорт и дороги", "Transport and roads"),
    (
        "housing",
        "ЖКХ и благоустройство",
        "Housing and public spaces",
    ),
    ("construction", "Строительство", "Construction"),
    ("environment", "Природа и экология", "Environment"),
    ("health", "Здравоохранение", "Health"),
    ("education", "Образование", "Education"),
    (
        "culture",
        "Культура, спорт и туризм",
        "Culture, sport and tourism",
    ),
    ("social", "Социальная сфера", "Social services"),
    ("safety", "Безопасность", "Safety"),
];

pub fn topic_label(id: &str, locale: Locale) -> &str {
    TOPICS
        .iter()
        .find(|t| t.0 == id)
        .map(|t| locale.pick(t.1, t.2))
        .unwrap_or(id)
}

/// Licences a dataset may carry: (id, title, URL).
pub const LICENSES: &[(&str, &str, &str)] = &[
    (
        "cc-by-4.0",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    (
        "cc-by-sa-4.0",
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    (
        "odbl-1.0",
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
];

pub fn license(id: &str) -> Option<(&'static str, &'static str, &'static str)> {
    LICENSES.iter().find(|l| l.0 == id).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        let id = Identifier::parse("2312823003-municipalities").unwrap();
        assert_eq!(id.inn, "2312823003");
        assert!(Identifier::parse("2312823003-ForestDeath").is_ok());
        assert!(
            Identifier::parse("1234567890-x").is_err(),
            "bad INN checksum"
        );
        assert!(Identifier::parse("municipalities").is_err());
        assert!(Identifier::parse("2312823003-код").is_err());
        assert!(Identifier::parse("2312823003-").is_err());
    }

    #[test]
    fn stamps_in_every_published_shape() {
        for s in [
            "20261123",
            "2026-11-23",
            "20261123T0000",
            "20261123t0000",
            "20261123T000000",
        ] {
            let st = Stamp::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(st.date, time::macros::date!(2026 - 11 - 23), "{s}");
        }
        for s in ["2026113", "20261323", "2026-1123", "20261123T00", "x"] {
            assert!(Stamp::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(
            FileName::parse("meta.json"),
            Some(FileName::Meta(Ext::Json))
        );
        assert_eq!(
            FileName::parse("data-20261123-structure-20200101.csv"),
            Some(FileName::Data {
                data: "20261123".into(),
                structure: "20200101".into(),
                ext: Ext::Csv
            })
        );
        assert_eq!(
            FileName::parse("structure-20200101.json"),
            Some(FileName::Structure {
                stamp: "20200101".into(),
                ext: Ext::Json
            })
        );
        assert_eq!(FileName::parse("data-x-structure-20200101.csv"), None);
        assert_eq!(FileName::parse("table"), None);
    }

    #[test]
    fn values_by_format() {
        assert_eq!(
            FieldFormat::Integer.parse_value(" 1 234 "),
            Ok(Value::Int(1234))
        );
        assert_eq!(
            FieldFormat::Float.parse_value("12,5"),
            Ok(Value::Float(12.5))
        );
        assert_eq!(
            FieldFormat::Date.parse_value("23.11.2026"),
            Ok(Value::Date("2026-11-23".into()))
        );
        assert_eq!(FieldFormat::Date.parse_value(""), Ok(Value::Null));
        assert!(FieldFormat::Date.parse_value("31.02.2026").is_err());
        assert!(FieldFormat::Integer.parse_value("1.5").is_err());
        assert!(FieldFormat::Float.parse_value("NaN").is_err());
        assert!(
            FieldFormat::String { max: Some(3) }
                .parse_value("четыре")
                .is_err()
        );
        assert_eq!(
            FieldFormat::Boolean.parse_value("Да"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            FieldFormat::parse("varchar(20)"),
            Some(FieldFormat::String { max: Some(20) })
        );
        assert_eq!(FieldFormat::parse("blob"), None);
    }

    #[test]
    fn floats_print_plainly() {
        assert_eq!(format_float(100000.0), "100000");
        assert_eq!(format_float(45.0355), "45.0355");
    }
}
