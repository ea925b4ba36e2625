//! The staffing structure as an open dataset (`2308371192-staffing`, the
//! seed's "publishing information about departments' staffing structure"):
//! per organisation, unit and category of posts, the authorised, filled and
//! vacant rates on the day it is published, refreshed through the outbox on
//! every change.
//!
//! Nobody may be singled out (152-ФЗ): the rows are sums, no name goes
//! into them; where the filled or vacant rates of a row are above zero and
//! below the threshold (`VECHE_STAFFING_SUPPRESS_BELOW`), both are left
//! empty and the row says
//! so (either one and the authorised rates give the other). Only rows are
//! published, no totals, so a suppressed cell cannot be got back by
//! subtraction. The monthly salary fund is published only when an
//! administrator turns it on (`VECHE_STAFFING_PUBLISH_SALARIES`), and then
//! also only for rows of at least the threshold's number of posts.

use std::collections::BTreeMap;

use super::domain::{Category, Rates, Totals};
use super::figures::Snapshot;
use super::flags::today;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};
use crate::web::i18n::{Locale, iso_date};

fn fields() -> Vec<crate::datasets::FieldDef> {
    let float = FieldFormat::Float;
    vec![
        field("as_of", "As of", "По состоянию на", FieldFormat::Date),
        field(
            "organisation_id",
            "Organisation id",
            "Идентификатор организации",
            TEXT,
        ),
        field("organisation", "Organisation", "Организация", TEXT),
        field("unit_code", "Unit code", "Код подразделения", TEXT),
        field("unit", "Unit", "Структурное подразделение", TEXT),
        field(
            "category",
            "Category of posts",
            "Категория должностей",
            TEXT,
        ),
        field("positions", "Posts", "Должностей", FieldFormat::Integer),
        field(
            "rates",
            "Authorised staff units",
            "Штатных единиц по расписанию",
            float,
        ),
        field(
            "filled",
            "Filled staff units",
            "Замещено штатных единиц",
            float,
        ),
        field(
            "vacant",
            "Vacant staff units",
            "Вакантно штатных единиц",
            float,
        ),
        field(
            "suppressed",
            "Filled and vacant withheld (small numbers)",
            "Замещённые и вакантные скрыты (малые числа)",
            FieldFormat::Boolean,
        ),
        field(
            "salary_fund",
            "Monthly salary fund with allowances, roubles (when published)",
            "Месячный фонд оплаты по окладам с надбавками, руб. (если публикуется)",
            float,
        ),
    ]
}

/// The published rows as of `at`.
pub async fn table_at(state: &AppState, at: time::Date) -> anyhow::Result<Table> {
    let mut t = Table::with_fields(fields());
    let k = state.config.staffing.suppress_below;
    let salaries = state.config.staffing.publish_salaries;
    let snap = Snapshot::load(&state.db, "", at).await?;
    let orgs: BTreeMap<String, String> = crate::directory::queries::list(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id, o.name_ru))
        .collect();
    // (organisation, unit, category) → totals and the salary fund.
    let mut rows: BTreeMap<(String, i64, Category), (Totals, i64)> = BTreeMap::new();
    for (l, p) in snap.lines.iter().zip(&snap.positions) {
        let e = rows
            .entry((l.organisation_id.clone(), l.unit_id, p.line.category))
            .or_default();
        e.0.add(p);
        // Pay of a line is per staff unit.
        // Capped at import; saturating all the same (a row written by
        // hand in the database must not wrap the published sum).
        let pay = l.salary.saturating_add(l.allowances);
        e.1 = e.1.saturating_add(pay.saturating_mul(l.rates) / 100);
    }
    let units: BTreeMap<i64, (&str, &str)> = snap
        .units
        .iter()
        .map(|u| (u.unit_id, (u.code.as_str(), u.name.as_str())))
        .collect();
    let small = |r: Rates| r.0 > 0 && r.0 < k * 100;
    for ((org, unit, cat), (tot, fund)) in rows {
        let (code, name) = units.get(&unit).copied().unwrap_or(("", ""));
        let hide = small(tot.filled) || small(tot.vacant);
        let show = |r: Rates| {
            if hide {
                String::new()
            } else {
                format!("{:.2}", r.as_f64())
            }
        };
        let fund = if salaries && tot.positions >= k {
            format!("{:.2}", fund as f64 / 100.0)
        } else {
            String::new()
        };
        t.rows.push(vec![
            iso_date(at),
            org.clone(),
            orgs.get(&org).cloned().unwrap_or_default(),
            code.to_owned(),
            name.to_owned(),
            cat.label(Locale::Ru).to_owned(),
            tot.positions.to_string(),
            format!("{:.2}", tot.rates.as_f64()),
            show(tot.filled),
            show(tot.vacant),
            hide.to_string(),
            fund,
        ]);
    }
    Ok(t)
}

/// The staffing structure as a live open dataset (`datasets`).
pub struct Structure;

#[async_trait::async_trait]
impl LiveDataset for Structure {
    fn source(&self) -> &'static str {
        super::SOURCE
    }
    fn structure_stamp(&self) -> &'static str {
        "20261130"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table_at(state, today()).await
    }
}
