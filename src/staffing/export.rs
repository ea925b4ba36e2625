//! The downloads of an organisation's staff: the schedule in force as the
//! Т-3 (XLSX, the same columns the import reads back), and the
//! «Укомплектованность штата» report (position, units, filled, vacant,
//! note; as of a date, for a unit with those below it, vacancies only);
//! and the reading of an uploaded Т-3.

use axum::response::Response;
use time::Date;

use super::domain::{Category, Grade, Rates};
use super::figures::Snapshot;
use super::import::{Field, HEADERS};
use super::pages::T3_COLUMNS;
use super::service::Access;
use super::views::{StaffTexts, holders_note};
use crate::error::AppResult;
use crate::web::i18n::{Locale, iso_date};
use crate::web::tables::{Cell, Table};

fn header(f: Field) -> String {
    HEADERS
        .iter()
        .find(|(x, _, _)| *x == f)
        .map_or(String::new(), |(_, h, _)| (*h).to_owned())
}

fn roubles(kopecks: i64) -> String {
    format!("{}.{:02}", kopecks / 100, kopecks % 100)
}

/// `?format=t3`: the schedule in force on `at` as a Т-3 XLSX.
pub fn t3(snap: &Snapshot, org: &str, at: Date) -> AppResult<Response> {
    let units: std::collections::BTreeMap<i64, &super::queries::UnitRow> =
        snap.units.iter().map(|u| (u.unit_id, u)).collect();
    let code_of = |id: Option<i64>| {
        id.and_then(|i| units.get(&i))
            .map_or(String::new(), |u| u.code.clone())
    };
    let rows = snap
        .lines
        .iter()
        .map(|l| {
            let u = units.get(&l.unit_id);
            T3_COLUMNS
                .iter()
                .map(|f| {
                    Cell::Text(match f {
                        Field::UnitName => u.map_or(String::new(), |u| u.name.clone()),
                        Field::UnitCode => u.map_or(String::new(), |u| u.code.clone()),
                        Field::ParentCode => code_of(u.and_then(|u| u.parent_id)),
                        Field::PositionCode => l.code.clone(),
                        Field::Title => l.title.clone(),
                        Field::Category => Category::parse(&l.category)
                            .map_or(String::new(), |c| c.label(Locale::Ru).to_owned()),
                        Field::Grade => Grade::parse(&l.grade)
                            .map_or(String::new(), |g| g.label(Locale::Ru).to_owned()),
                        Field::Key => if l.key_position { "да" } else { "нет" }.to_owned(),
                        Field::Rates => Rates(l.rates).show(Locale::Ru),
                        Field::Salary => roubles(l.salary),
                        Field::Allowances => roubles(l.allowances),
                    })
                })
                .collect()
        })
        .collect();
    Table {
        name: format!("t3-{org}-{}", iso_date(at)),
        headers: T3_COLUMNS.iter().map(|f| header(*f)).collect(),
        rows,
    }
    .xlsx()
}

/// The «Укомплектованность штата» report as a table (screen, CSV, XLSX).
pub fn report(
    l: Locale,
    snap: &Snapshot,
    org: &str,
    allowed: Access,
    unit: Option<i64>,
    vacant_only: bool,
) -> Table {
    let t = StaffTexts::get(l);
    let indices: Vec<usize> = match unit {
        Some(u) => snap.under(u),
        None => (0..snap.positions.len()).collect(),
    };
    let rows = indices
        .into_iter()
        .filter(|i| !vacant_only || snap.positions[*i].vacant.0 > 0)
        .map(|i| {
            let p = &snap.positions[i];
            let holders: Vec<&super::queries::HoldingRow> = snap
                .holdings
                .iter()
                .filter(|h| h.position_id == p.line.position_id)
                .collect();
            vec![
                Cell::Text(snap.unit_name(p.line.unit_id).to_owned()),
                Cell::Text(p.line.title.clone()),
                Cell::Text(p.line.category.label(l).to_owned()),
                Cell::Text(if p.line.key { t.yes } else { "" }.to_owned()),
                Cell::Float(p.line.rates.as_f64()),
                Cell::Float(p.filled.as_f64()),
                Cell::Float(p.vacant.as_f64()),
                match p.days_vacant(snap.at) {
                    Some(d) => Cell::Int(d),
                    None => Cell::Text(String::new()),
                },
                Cell::Text(holders_note(l, &holders, allowed.see_internal)),
            ]
        })
        .collect();
    Table {
        name: format!("staff-{org}-{}", iso_date(snap.at)),
        headers: [
            t.unit,
            t.position,
            t.category,
            t.key,
            t.rates,
            t.filled,
            t.vacant,
            t.days_vacant,
            t.note,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows,
    }
}
