//! Fields and values of published tables: the formats the MR 3.0 structure
//! file names, and one value of a row. Shared by the open-data portal, which
//! stores and serves them, and by the features whose registries it publishes.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::Msg;
use crate::web::i18n::Locale;

/// The format of a field, as the structure file names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type")]
pub enum FieldFormat {
    String { max: Option<usize> },
    Integer,
    Float,
    Date,
    Boolean,
}

impl FieldFormat {
    pub fn parse(input: &str) -> Option<FieldFormat> {
        let s = input.trim().to_ascii_lowercase();
        if let Some(n) = s.strip_prefix("varchar(").and_then(|r| r.strip_suffix(')')) {
            return n
                .trim()
                .parse()
                .ok()
                .map(|max| FieldFormat::String { max: Some(max) });
        }
        Some(match s.as_str() {
            "string" | "text" | "str" | "varchar" => FieldFormat::String { max: None },
            "integer" | "int" | "bigint" => FieldFormat::Integer,
            "float" | "number" | "numeric" | "decimal" | "double" | "real" => FieldFormat::Float,
            "date" => FieldFormat::Date,
            "boolean" | "bool" => FieldFormat::Boolean,
            _ => return None,
        })
    }

    /// The name written in structure files.
    pub fn name(self) -> String {
        match self {
            FieldFormat::String { max: Some(n) } => format!("varchar({n})"),
            FieldFormat::String { max: None } => "string".into(),
            FieldFormat::Integer => "integer".into(),
            FieldFormat::Float => "float".into(),
            FieldFormat::Date => "date".into(),
            FieldFormat::Boolean => "boolean".into(),
        }
    }

    /// Parses one cell. Empty cells are `Null` (for strings: the empty string).
    pub fn parse_value(self, raw: &str) -> Result<Value, Msg> {
        let v = raw.trim();
        if v.is_empty() {
            return Ok(match self {
                FieldFormat::String { .. } => Value::Text(String::new()),
                _ => Value::Null,
            });
        }
        match self {
            FieldFormat::String { max } => {
                if let Some(max) = max
                    && raw.chars().count() > max
                {
                    return Err(Msg::new(
                        format!("строка длиннее {max} символов"),
                        format!("longer than {max} characters"),
                    ));
                }
                Ok(Value::Text(raw.to_owned()))
            }
            FieldFormat::Integer => {
                let cleaned: String = v
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
                    .collect();
                cleaned.parse::<i64>().map(Value::Int).map_err(|_| {
                    Msg::new(
                        format!("«{v}» не целое число"),
                        format!("“{v}” is not an integer"),
                    )
                })
            }
            FieldFormat::Float => {
                // Russian spreadsheets write 12 345,6; both separators are accepted.
                let cleaned: String = v
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
                    .map(|c| if c == ',' { '.' } else { c })
                    .collect();
                match cleaned.parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(Value::Float(f)),
                    _ => Err(Msg::new(
                        format!("«{v}» не число"),
                        format!("“{v}” is not a number"),
                    )),
                }
            }
            FieldFormat::Date => parse_date(v).map(Value::Date).ok_or_else(|| {
                Msg::new(
                    format!("«{v}» не дата (ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)"),
                    format!("“{v}” is not a date (expected YYYY-MM-DD or DD.MM.YYYY)"),
                )
            }),
            FieldFormat::Boolean => match v.to_lowercase().as_str() {
                "true" | "1" | "да" | "yes" | "истина" => Ok(Value::Bool(true)),
                "false" | "0" | "нет" | "no" | "ложь" => Ok(Value::Bool(false)),
                _ => Err(Msg::new(
                    format!("«{v}» не логическое значение (да/нет, true/false)"),
                    format!("“{v}” is not a boolean (true/false, да/нет)"),
                )),
            },
        }
    }
}

/// Accepts `YYYY-MM-DD`, `DD.MM.YYYY` and `YYYYMMDD`; returns `YYYY-MM-DD`.
pub fn parse_date(v: &str) -> Option<String> {
    let (y, m, d) = if v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
        (&v[..4], &v[5..7], &v[8..])
    } else if v.len() == 10 && v.as_bytes()[2] == b'.' && v.as_bytes()[5] == b'.' {
        (&v[6..], &v[3..5], &v[..2])
    } else if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        (&v[..4], &v[4..6], &v[6..])
    } else {
        return None;
    };
    let date = Date::from_calendar_date(
        y.parse().ok()?,
        time::Month::try_from(m.parse::<u8>().ok()?).ok()?,
        d.parse().ok()?,
    )
    .ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    /// `YYYY-MM-DD`
    Date(String),
    Bool(bool),
}

impl Value {
    /// The text written in CSV and XML.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) | Value::Date(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Bool(b) => b.to_string(),
        }
    }

    /// Appends the value as JSON.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Text(s) | Value::Date(s) => {
                let _ = serde_json::to_writer(&mut *out, s);
            }
            Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) if f.is_finite() => {
                let _ = serde_json::to_writer(&mut *out, f);
            }
            Value::Float(_) => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Text(s) | Value::Date(s) => serde_json::Value::String(s.clone()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Bool(b) => serde_json::Value::Bool(*b),
        }
    }
}

/// Shortest text that reads back as the same number (no `1e5` surprises for
/// spreadsheet users: integers print without a fraction).
pub fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        let s = format!("{f}");
        s
    }
}

/// One field of a structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Latin name, the CSV header.
    pub name: String,
    /// English description.
    pub en: String,
    /// Russian description.
    pub ru: String,
    pub format: FieldFormat,
}

impl FieldDef {
    pub fn label(&self, locale: Locale) -> &str {
        let l = locale.pick(&self.ru, &self.en);
        if l.is_empty() { &self.name } else { l }
    }
}
