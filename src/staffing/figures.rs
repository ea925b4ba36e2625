//! The state of the staff as of a date, read once and computed by the pure
//! rules of `domain.rs`: one organisation's page, the region's dashboard,
//! the flags, the dataset and the exports all read a `Snapshot`.

use std::collections::BTreeMap;

use time::Date;

use super::domain::{self, PositionState, Totals, UnitFigures};
use super::queries::{self, HoldingRow, LineRow, UnitRow};
use crate::db::Db;
use crate::error::AppResult;

pub struct Snapshot {
    pub at: Date,
    /// The lines in force, with the organisation and position code.
    pub lines: Vec<LineRow>,
    /// The state of each line, in the same order.
    pub positions: Vec<PositionState>,
    /// Who holds what on the date (names: staff pages only).
    pub holdings: Vec<HoldingRow>,
    pub units: Vec<UnitRow>,
}

impl Snapshot {
    /// The staff of `org` (or of every organisation: `""`) on `at`.
    pub async fn load(db: &Db, org: &str, at: Date) -> AppResult<Snapshot> {
        let lines = queries::lines_at(db, org, at).await?;
        let holdings = queries::holdings_at(db, org, at).await?;
        let opened = queries::vacancies_open(db, org, at).await?;
        let last_end = queries::last_held(db, org, at).await?;
        let in_force: std::collections::BTreeMap<i64, Date> = lines
            .iter()
            .filter_map(|l| l.since.map(|d| (l.position_id, d)))
            .collect();
        let units = queries::units(db, org).await?;
        let ls: Vec<domain::Line> = lines.iter().map(LineRow::line).collect();
        let hs: Vec<domain::Holding> = holdings.iter().map(HoldingRow::holding).collect();
        let positions = domain::positions_at(&ls, &hs, &opened, &last_end, &in_force, at);
        Ok(Snapshot {
            at,
            lines,
            positions,
            holdings,
            units,
        })
    }

    /// Every organisation's totals.
    pub fn by_organisation(&self) -> BTreeMap<String, Totals> {
        let mut out: BTreeMap<String, Totals> = BTreeMap::new();
        for (l, p) in self.lines.iter().zip(&self.positions) {
            out.entry(l.organisation_id.clone()).or_default().add(p);
        }
        out
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for p in &self.positions {
            t.add(p);
        }
        t
    }

    /// The figures of each unit (one organisation's snapshot).
    pub fn by_unit(&self) -> BTreeMap<i64, UnitFigures> {
        let units: Vec<domain::Unit> = self.units.iter().map(UnitRow::unit).collect();
        domain::by_unit(&units, &self.positions)
    }

    pub fn unit_name(&self, id: i64) -> &str {
        self.units
            .iter()
            .find(|u| u.unit_id == id)
            .map_or("", |u| u.name.as_str())
    }

    /// The positions under `unit` and every unit below it.
    pub fn under(&self, unit: i64) -> Vec<usize> {
        let mut inside = std::collections::BTreeSet::from([unit]);
        // The tree is small; grow the set until it stops (a cycle stops too).
        loop {
            let before = inside.len();
            for u in &self.units {
                if u.parent_id.is_some_and(|p| inside.contains(&p)) {
                    inside.insert(u.unit_id);
                }
            }
            if inside.len() == before {
                break;
            }
        }
        (0..self.positions.len())
            .filter(|i| inside.contains(&self.positions[*i].line.unit_id))
            .collect()
    }
}
