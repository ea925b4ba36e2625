//! A registry object's fields, parsed once from a form, the API or a
//! spreadsheet row, with one message per problem.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::Msg;
use crate::geo::GeoPoint;
use crate::texts;
use crate::web::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    UnderConstruction,
    Suspended,
    Completed,
    Illegal,
    Demolished,
}

pub const ALL_STATUSES: [Status; 6] = [
    Status::Planned,
    Status::UnderConstruction,
    Status::Suspended,
    Status::Completed,
    Status::Illegal,
    Status::Demolished,
];

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::UnderConstruction => "under_construction",
            Status::Suspended => "suspended",
            Status::Completed => "completed",
            Status::Illegal => "illegal",
            Status::Demolished => "demolished",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        ALL_STATUSES.into_iter().find(|x| x.as_str() == s)
    }

    /// From a spreadsheet cell: the code or the Russian word, any case.
    pub fn parse_loose(s: &str) -> Option<Status> {
        let t = s.trim().to_lowercase();
        Status::parse(&t).or(match t.as_str() {
            "планируется" | "запланировано" => Some(Status::Planned),
            "строится" | "строительство" | "ведётся строительство" | "ведется строительство" => {
                Some(Status::UnderConstruction)
            }
            "приостановлено" | "заморожено" => Some(Status::Suspended),
            "завершено" | "введено" | "введён в эксплуатацию" | "введен в эксплуатацию" => {
                Some(Status::Completed)
            }
            "самовольная" | "самовольное" | "самострой" | "выявлено" | "нарушение подтверждено" => {
                Some(Status::Illegal)
            }
            "снесено" | "снесён" | "снесен" | "демонтировано" => {
                Some(Status::Demolished)
            }
            _ => None,
        })
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = StatusLabels::get(l);
            match self {
                Status::Planned => t.planned,
                Status::UnderConstruction => t.under_construction,
                Status::Suspended => t.suspended,
                Status::Completed => t.completed,
                Status::Illegal => t.illegal,
                Status::Demolished => t.demolished,
            }
        }
    }

    /// Marker colour on the map and in the legend (contrast checked on
    /// white).
    pub fn color(self) -> &'static str {
        match self {
            Status::Planned => "#5c6bc0",
            Status::UnderConstruction => "#1565c0",
            Status::Suspended => "#8d6e00",
            Status::Completed => "#2e7d32",
            Status::Illegal => "#c62828",
            Status::Demolished => "#4a5361",
        }
    }
}

/// The fields of an object, as given (text), before parsing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: String,
    #[serde(default)]
    pub lon: String,
    #[serde(default)]
    pub footprint: String,
    #[serde(default)]
    pub cadastral_number: String,
    #[serde(default)]
    pub permit_number: String,
    #[serde(default)]
    pub permit_date: String,
    #[serde(default)]
    pub developer: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub floors: String,
    #[serde(default)]
    pub planned_start: String,
    #[serde(default)]
    pub planned_end: String,
    #[serde(default)]
    pub actual_start: String,
    #[serde(default)]
    pub actual_end: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub detected_on: String,
}

/// A checked object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectInput {
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub municipality_id: String,
    pub footprint: Option<String>,
    pub cadastral_number: Option<String>,
    pub permit_number: Option<String>,
    pub permit_date: Option<String>,
    pub developer: String,
    pub purpose: String,
    pub floors: Option<i64>,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub status: Status,
    pub detected_on: Option<String>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub msg: Msg,
}

fn problem(field: &'static str, ru: impl Into<String>, en: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        msg: Msg::new(ru.into(), en.into()),
    }
}

/// A date as `YYYY-MM-DD` or `DD.MM.YYYY` (how Russian spreadsheets write
/// dates kept as text); anything else is a problem.
pub fn parse_date(field: &'static str, s: &str) -> Result<Option<String>, FieldProblem> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let ru = time::macros::format_description!("[day].[month].[year]");
    let d = Date::parse(t, iso)
        .or_else(|_| Date::parse(t, ru))
        // A date with a time of day (Excel dates that carry one).
        .or_else(|_| Date::parse(t.get(..10).unwrap_or(t), iso))
        .map_err(|_| {
            problem(
                field,
                format!("«{t}» — не дата; нужна дата вида 2026-03-15 или 15.03.2026"),
                format!("“{t}” is not a date; use 2026-03-15 or 15.03.2026"),
            )
        })?;
    if !(1900..=2100).contains(&d.year()) {
        return Err(problem(
            field,
            format!("дата {t} вне 1900–2100"),
            format!("the date {t} is outside 1900–2100"),
        ));
    }
    Ok(Some(format!(
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    )))
}

fn text(field: &'static str, s: &str, max: usize) -> Result<String, FieldProblem> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(problem(
            field,
            format!("длиннее {max} символов"),
            format!("longer than {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Cadastral numbers look like `23:43:0123456:789`.
fn cadastral(s: &str) -> Result<Option<String>, FieldProblem> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() < 3
        || parts.len() > 4
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(problem(
            "cadastral_number",
            format!("«{t}» — не кадастровый номер (вида 23:43:0123456:789)"),
            format!("“{t}” is not a cadastral number (like 23:43:0123456:789)"),
        ));
    }
    Ok(Some(t.to_owned()))
}

fn coordinate(field: &'static str, s: &str) -> Result<Option<f64>, FieldProblem> {
    let t = s.trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>().map(Some).map_err(|_| {
        problem(
            field,
            format!("«{}» — не число (градусы, например 45.0355)", s.trim()),
            format!("“{}” is not a number (degrees, e.g. 45.0355)", s.trim()),
        )
    })
}

/// A footprint must be a GeoJSON Polygon or MultiPolygon near the point.
fn footprint(s: &str) -> Result<Option<String>, FieldProblem> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let geo: geojson::Geometry = t.parse().map_err(|_| {
        problem(
            "footprint",
            "контур — не геометрия GeoJSON (нужен Polygon или MultiPolygon)",
            "the footprint is not a GeoJSON geometry (a Polygon or MultiPolygon is needed)",
        )
    })?;
    match geo.value {
        geojson::GeometryValue::Polygon { .. } | geojson::GeometryValue::MultiPolygon { .. } => {
            Ok(Some(geo.to_string()))
        }
        _ => Err(problem(
            "footprint",
            "контур должен быть Polygon или MultiPolygon",
            "the footprint must be a Polygon or MultiPolygon",
        )),
    }
}

impl ObjectForm {
    /// Parses every field; returns every problem at once.
    pub fn parse(&self) -> Result<ObjectInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        fn take<T>(problems: &mut Vec<FieldProblem>, r: Result<T, FieldProblem>) -> Option<T> {
            match r {
                Ok(v) => Some(v),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        }
        let name = take(&mut problems, text("name", &self.name, 300));
        let address = take(&mut problems, text("address", &self.address, 500));
        let lat = take(&mut problems, coordinate("lat", &self.lat));
        let lon = take(&mut problems, coordinate("lon", &self.lon));
        let footprint = take(&mut problems, footprint(&self.footprint));
        let cad = take(&mut problems, cadastral(&self.cadastral_number));
        let permit_number = take(
            &mut problems,
            text("permit_number", &self.permit_number, 100),
        );
        let permit_date = take(&mut problems, parse_date("permit_date", &self.permit_date));
        let developer = take(&mut problems, text("developer", &self.developer, 300));
        let purpose = take(&mut problems, text("purpose", &self.purpose, 300));
        let floors = take(
            &mut problems,
            match self.floors.trim() {
                "" => Ok(None),
                f => f
                    .trim_end_matches(".0")
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (0..=300).contains(n))
                    .map(Some)
                    .ok_or_else(|| {
                        problem(
                            "floors",
                            format!("«{f}» — не число этажей (0–300)"),
                            format!("“{f}” is not a number of floors (0–300)"),
                        )
                    }),
            },
        );
        let planned_start = take(
            &mut problems,
            parse_date("planned_start", &self.planned_start),
        );
        let planned_end = take(&mut problems, parse_date("planned_end", &self.planned_end));
        let actual_start = take(
            &mut problems,
            parse_date("actual_start", &self.actual_start),
        );
        let actual_end = take(&mut problems, parse_date("actual_end", &self.actual_end));
        let detected_on = take(&mut problems, parse_date("detected_on", &self.detected_on));
        let status = take(&mut problems, Status::parse_loose(&self.status).ok_or_else(|| {
            problem(
                "status",
                format!(
                    "«{}» — неизвестный статус (планируется, строится, приостановлено, завершено, самовольное, снесено)",
                    self.status.trim()
                ),
                format!(
                    "“{}” is not a known status (planned, under construction, suspended, completed, illegal, demolished)",
                    self.status.trim()
                ),
            )
        }));
        if let Some(n) = &name
            && n.is_empty()
        {
            problems.push(problem(
                "name",
                "укажите наименование объекта",
                "give the object's name",
            ));
        }
        let mut point = None;
        match (lat.flatten(), lon.flatten()) {
            (Some(la), Some(lo)) => match GeoPoint::parse(la, lo) {
                Ok(p) => match crate::geo::geography().locate(p) {
                    Ok(m) => point = Some((p, m.id.clone())),
                    Err(e) => problems.push(FieldProblem {
                        field: "lat",
                        msg: e.message(),
                    }),
                },
                Err(m) => problems.push(FieldProblem {
                    field: "lat",
                    msg: m,
                }),
            },
            (None, None) if lat.is_some() && lon.is_some() => problems.push(problem(
                "lat",
                "укажите координаты объекта (широту и долготу)",
                "give the object's coordinates (latitude and longitude)",
            )),
            (Some(_), None) | (None, Some(_)) => problems.push(problem(
                "lon",
                "нужны обе координаты: широта и долгота",
                "both coordinates are needed: latitude and longitude",
            )),
            _ => {}
        }
        for (a, b, field) in [
            (&planned_start, &planned_end, "planned_end"),
            (&actual_start, &actual_end, "actual_end"),
        ] {
            if let (Some(Some(a)), Some(Some(b))) = (a, b)
                && b < a
            {
                problems.push(problem(
                    field,
                    "окончание раньше начала",
                    "the end is before the start",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let (p, municipality_id) = point.expect("checked above");
        Ok(ObjectInput {
            name: name.unwrap_or_default(),
            address: address.unwrap_or_default(),
            lat: p.lat,
            lon: p.lon,
            municipality_id,
            footprint: footprint.flatten(),
            cadastral_number: cad.flatten(),
            permit_number: permit_number.and_then(opt),
            permit_date: permit_date.flatten(),
            developer: developer.unwrap_or_default(),
            purpose: purpose.unwrap_or_default(),
            floors: floors.flatten(),
            planned_start: planned_start.flatten(),
            planned_end: planned_end.flatten(),
            actual_start: actual_start.flatten(),
            actual_end: actual_end.flatten(),
            status: status.unwrap_or(Status::Planned),
            detected_on: detected_on.flatten(),
        })
    }
}

/// The key addresses are compared by: lower case, `ё` as `е`, punctuation
/// as spaces, spaces collapsed.
pub fn normalize_address(s: &str) -> String {
    // Lower case, ё as е, every run of other characters than letters and
    // digits as one space, none at the ends; in one pass, since an import
    // computes it for every row (ASCII and the Russian alphabet answered
    // without `char::is_alphanumeric`'s table lookup).
    let lower = s.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut gap = false;
    for c in lower.chars() {
        let c = if c == 'ё' { 'е' } else { c };
        let keep = c.is_ascii_alphanumeric()
            || ('а'..='я').contains(&c)
            || (!c.is_ascii() && c.is_alphanumeric());
        if keep {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// Field labels, for forms, tables and import reports.
pub fn field_label(field: &str, l: Locale) -> &'static str {
    {
        let t = FieldLabels::get(l);
        match field {
            "name" => t.name,
            "address" => t.address,
            "lat" => t.lat,
            "lon" => t.lon,
            "footprint" => t.footprint,
            "cadastral_number" => t.cadastral_number,
            "permit_number" => t.permit_number,
            "permit_date" => t.permit_date,
            "developer" => t.developer,
            "purpose" => t.purpose,
            "floors" => t.floors,
            "planned_start" => t.planned_start,
            "planned_end" => t.planned_end,
            "actual_start" => t.actual_start,
            "actual_end" => t.actual_end,
            "status" => t.status,
            "detected_on" => t.detected_on,
            _ => t.other,
        }
    }
}

pub const FIELDS: [&str; 17] = [
    "name",
    "address",
    "lat",
    "lon",
    "footprint",
    "cadastral_number",
    "permit_number",
    "permit_date",
    "developer",
    "purpose",
    "floors",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "detected_on",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ObjectForm {
        ObjectForm {
            name: "Жилой дом".into(),
            address: "Краснодар, ул. Северная, 1".into(),
            lat: "45.0355".into(),
            lon: "38.9753".into(),
            status: "строится".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_object_parses_and_finds_its_municipality() {
        let o = form().parse().unwrap();
        assert_eq!(o.municipality_id, "krasnodar");
        assert_eq!(o.status, Status::UnderConstruction);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut f = form();
        f.lat = "55.75".into();
        f.lon = "37.61".into();
        f.permit_date = "вчера".into();
        f.floors = "много".into();
        f.cadastral_number = "23-43".into();
        f.status = "непонятно".into();
        let fields: Vec<&str> = f.parse().unwrap_err().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["cadastral_number", "permit_date", "floors", "status", "lat"]
        );
    }

    #[test]
    fn dates_as_text_in_russian_order_are_read() {
        assert_eq!(
            parse_date("d", "15.03.2026").unwrap().as_deref(),
            Some("2026-03-15")
        );
        assert_eq!(
            parse_date("d", "2026-03-15 00:00:00").unwrap().as_deref(),
            Some("2026-03-15")
        );
        assert!(parse_date("d", "March 2026").is_err());
    }

    #[test]
    fn addresses_compare_without_case_and_punctuation() {
        assert_eq!(
            normalize_address("Краснодар,  ул. Северная, д.1"),
            normalize_address("краснодар ул северная д 1")
        );
    }

    /// The one-pass normalisation gives what the stored `address_norm`
    /// values were computed with (the first version, kept here).
    #[test]
    fn address_normalisation_is_unchanged() {
        let before = |s: &str| {
            s.to_lowercase()
                .replace('ё', "е")
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        for s in [
            "",
            "  ",
            "Краснодар,  ул. Северная, д.1",
            "  ЁЛКИНО, ул. Ёлочная — 5/2 ",
            "Сочи,\tКурортный пр-т\u{a0}№ 7а",
            "ΟΔΟΣ ΣΟΦΙΑΣ 3",
            "İstanbul cad. 12",
            "Майкоп ул. Ӂ҂҃ 1",
            "...",
            "23:43:0100001:11",
        ] {
            assert_eq!(normalize_address(s), before(s), "{s:?}");
        }
    }
}

texts!(pub StatusLabels {
    planned: "планируется", "planned";
    under_construction: "строится", "under construction";
    suspended: "приостановлено", "suspended";
    completed: "завершено", "completed";
    illegal: "самовольное (подтверждено)", "illegal (confirmed)";
    demolished: "снесено", "demolished";
});

texts!(pub FieldLabels {
    name: "Наименование", "Name";
    address: "Адрес", "Address";
    lat: "Широта", "Latitude";
    lon: "Долгота", "Longitude";
    footprint: "Контур (GeoJSON)", "Footprint (GeoJSON)";
    cadastral_number: "Кадастровый номер", "Cadastral number";
    permit_number: "Номер разрешения на строительство", "Building permit number";
    permit_date: "Дата разрешения", "Permit date";
    developer: "Застройщик", "Developer";
    purpose: "Назначение", "Purpose";
    floors: "Этажность", "Floors";
    planned_start: "Начало (план)", "Planned start";
    planned_end: "Окончание (план)", "Planned end";
    actual_start: "Начало (факт)", "Actual start";
    actual_end: "Окончание (факт)", "Actual end";
    status: "Статус", "Status";
    detected_on: "Дата выявления", "Detected on";
    other: "Поле", "Field";
});
