//! Staff completeness as of a date, computed from plain rows (no I/O), so
//! the rules are tested as a table: what counts as filled, vacant and
//! temporarily vacant, the roll-up through units, days vacant and the risk
//! flags.
//!
//! The rules follow Rosstat's 1-Т(ГМС) and the «Укомплектованность штата»
//! report: the fill rate counts **rates, not heads**; a person on long leave
//! (maternity, childcare) still holds the post, which is *temporarily*
//! vacant; rates held beyond a post's rates do not fill another post.

use std::collections::BTreeMap;

use time::Date;

use crate::error::Msg;
use crate::texts;
use crate::web::i18n::Locale;

/// Staff units in hundredths: Т-3 allows fractions (0.5, 0.25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Rates(pub i64);

/// The most rates one line or one assignment may carry.
const MAX_RATES: i64 = 10_000;

impl Rates {
    /// Parses `1`, `0,5`, `0.25`, `1.5`: positive, at most two decimals.
    pub fn parse(s: &str) -> Result<Rates, Msg> {
        let bad = || {
            Msg::new(
                format!("«{s}» — не число ставок (например, 1 или 0,5)."),
                format!("“{s}” is not a number of rates (such as 1 or 0.5)."),
            )
        };
        let t = s.trim().replace(',', ".");
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if whole.is_empty() && frac.is_empty()
            || whole.len() > 4
            || frac.len() > 2
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let w: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let f: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let r = w * 100 + f;
        if r <= 0 || r > MAX_RATES {
            return Err(Msg::new(
                format!("Число ставок должно быть больше нуля и не больше 100, а не {s}."),
                format!("The number of rates must be above zero and at most 100, not {s}."),
            ));
        }
        Ok(Rates(r))
    }

    /// `1`, `0,5` (Russian) or `0.5` (English).
    pub fn show(self, l: Locale) -> String {
        let (w, f) = (self.0 / 100, self.0 % 100);
        let sep = if l == Locale::Ru { "," } else { "." };
        match f {
            0 => w.to_string(),
            f if f % 10 == 0 => format!("{w}{sep}{}", f / 10),
            f => format!("{w}{sep}{f:02}"),
        }
    }

    /// As a number, for exports and datasets.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// The four categories of civil-service posts (ФЗ-79, art. 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Heads,
    Assistants,
    Specialists,
    Support,
}

pub const CATEGORIES: [Category; 4] = [
    Category::Heads,
    Category::Assistants,
    Category::Specialists,
    Category::Support,
];

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Heads => "heads",
            Category::Assistants => "assistants",
            Category::Specialists => "specialists",
            Category::Support => "support",
        }
    }

    /// The stored code, or the Russian words a Т-3 from 1C:ZUP writes.
    pub fn parse(s: &str) -> Option<Category> {
        let t = s.trim().to_lowercase();
        if let Some(c) = CATEGORIES.into_iter().find(|c| c.as_str() == t) {
            return Some(c);
        }
        // «Обеспечивающие специалисты» holds «специалист» too: it goes first.
        if t.starts_with("обеспечива") {
            Some(Category::Support)
        } else if t.starts_with("руковод") {
            Some(Category::Heads)
        } else if t.starts_with("помощ") || t.starts_with("советник") {
            Some(Category::Assistants)
        } else if t.starts_with("специалист") {
            Some(Category::Specialists)
        } else {
            None
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = CategoryTexts::get(l);
        match self {
            Category::Heads => t.heads,
            Category::Assistants => t.assistants,
            Category::Specialists => t.specialists,
            Category::Support => t.support,
        }
    }
}

/// The group of posts (ФЗ-79, art. 9): высшая … младшая; empty outside the
/// civil service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    Highest,
    Main,
    Leading,
    Senior,
    Junior,
    None,
}

const GRADES: [Grade; 6] = [
    Grade::Highest,
    Grade::Main,
    Grade::Leading,
    Grade::Senior,
    Grade::Junior,
    Grade::None,
];

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Highest => "highest",
            Grade::Main => "main",
            Grade::Leading => "leading",
            Grade::Senior => "senior",
            Grade::Junior => "junior",
            Grade::None => "",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        let t = s.trim().to_lowercase();
        if let Some(g) = GRADES.into_iter().find(|g| g.as_str() == t) {
            return Some(g);
        }
        let stem = |p: &str| t.starts_with(p);
        Some(if stem("высш") {
            Grade::Highest
        } else if stem("главн") {
            Grade::Main
        } else if stem("ведущ") {
            Grade::Leading
        } else if stem("старш") {
            Grade::Senior
        } else if stem("младш") {
            Grade::Junior
        } else if t == "-" || t == "—" {
            Grade::None
        } else {
            return None;
        })
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = CategoryTexts::get(l);
        match self {
            Grade::Highest => t.highest,
            Grade::Main => t.main,
            Grade::Leading => t.leading,
            Grade::Senior => t.senior,
            Grade::Junior => t.junior,
            Grade::None => "",
        }
    }
}

/// Why a holder is away while keeping the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceKind {
    /// Maternity and childcare leave (декрет).
    Maternity,
    /// Other long leave (study, long illness) that keeps the post.
    LongLeave,
}

impl AbsenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceKind::Maternity => "maternity",
            AbsenceKind::LongLeave => "long_leave",
        }
    }

    pub fn parse(s: &str) -> Option<AbsenceKind> {
        match s {
            "maternity" => Some(AbsenceKind::Maternity),
            "long_leave" => Some(AbsenceKind::LongLeave),
            _ => None,
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = CategoryTexts::get(l);
        match self {
            AbsenceKind::Maternity => t.maternity,
            AbsenceKind::LongLeave => t.long_leave,
        }
    }
}

/// Whether the period `[from, to]` (an open end: still going) covers `at`.
pub fn covers(from: Date, to: Option<Date>, at: Date) -> bool {
    from <= at && to.is_none_or(|t| t >= at)
}

// ---- Inputs ---------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Unit {
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

/// A position as the schedule in force describes it.
#[derive(Debug, Clone)]
pub struct Line {
    pub position_id: i64,
    pub unit_id: i64,
    pub title: String,
    pub category: Category,
    pub key: bool,
    pub rates: Rates,
}

#[derive(Debug, Clone)]
pub struct Holding {
    pub position_id: i64,
    pub rate: Rates,
    pub acting: bool,
    pub starts: Date,
    pub ends: Option<Date>,
    /// Away on a leave that keeps the post, on the date asked.
    pub away: bool,
}

// ---- The computation ------------------------------------------------------

/// One position as of a date.
#[derive(Debug, Clone)]
pub struct PositionState {
    pub line: Line,
    /// Rates held (at most the position's rates), whether the holders are
    /// there or away.
    pub filled: Rates,
    /// Of `filled`, the rates whose holders are away: temporarily vacant.
    pub away: Rates,
    /// Of the rates present, those held by acting staff.
    pub acting: Rates,
    pub vacant: Rates,
    /// Since when some of it has been vacant, if it is.
    pub vacant_since: Option<Date>,
}

impl PositionState {
    pub fn days_vacant(&self, at: Date) -> Option<i64> {
        self.vacant_since.map(|d| (at - d).whole_days())
    }
}

/// Sums over a set of positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub rates: Rates,
    pub filled: Rates,
    pub away: Rates,
    pub acting: Rates,
    pub vacant: Rates,
    pub positions: i64,
}

impl Totals {
    pub fn add(&mut self, p: &PositionState) {
        self.rates.0 += p.line.rates.0;
        self.filled.0 += p.filled.0;
        self.away.0 += p.away.0;
        self.acting.0 += p.acting.0;
        self.vacant.0 += p.vacant.0;
        self.positions += 1;
    }

    pub fn sum(&mut self, o: &Totals) {
        self.rates.0 += o.rates.0;
        self.filled.0 += o.filled.0;
        self.away.0 += o.away.0;
        self.acting.0 += o.acting.0;
        self.vacant.0 += o.vacant.0;
        self.positions += o.positions;
    }

    /// Filled rates over authorised rates (0 when nothing is authorised).
    pub fn fill(&self) -> f64 {
        share(self.filled, self.rates)
    }

    /// Rates present in person (filled less those away) over authorised.
    pub fn present(&self) -> f64 {
        share(Rates(self.filled.0 - self.away.0), self.rates)
    }

    /// Rates held by acting staff over the rates present.
    pub fn acting_share(&self) -> f64 {
        share(self.acting, Rates(self.filled.0 - self.away.0))
    }
}

fn share(a: Rates, b: Rates) -> f64 {
    if b.0 <= 0 {
        0.0
    } else {
        a.0 as f64 / b.0 as f64
    }
}

/// The state of each position of `lines` on `at`, from its holdings (those
/// whose period covers `at`) and, for the vacant ones, since when: the
/// later of `opened` (the open vacancy's date) and `last_end` (the day
/// after the position was last held before `at`); without either,
/// `in_force` (the day the position first appears in a schedule).
pub fn positions_at(
    lines: &[Line],
    holdings: &[Holding],
    opened: &BTreeMap<i64, Date>,
    last_end: &BTreeMap<i64, Date>,
    in_force: &BTreeMap<i64, Date>,
    at: Date,
) -> Vec<PositionState> {
    let mut by_position: BTreeMap<i64, Vec<&Holding>> = BTreeMap::new();
    for h in holdings.iter().filter(|h| covers(h.starts, h.ends, at)) {
        by_position.entry(h.position_id).or_default().push(h);
    }
    lines
        .iter()
        .map(|line| {
            let hs = by_position
                .get(&line.position_id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let held: i64 = hs.iter().map(|h| h.rate.0).sum();
            let here: i64 = hs.iter().filter(|h| !h.away).map(|h| h.rate.0).sum();
            let acting: i64 = hs
                .iter()
                .filter(|h| h.acting && !h.away)
                .map(|h| h.rate.0)
                .sum();
            let filled = held.min(line.rates.0);
            let present = here.min(line.rates.0);
            let vacant = line.rates.0 - filled;
            // A vacancy opened during a notice period does not make the
            // post vacant before its holder leaves: the later of the two.
            let known = match (
                opened.get(&line.position_id),
                last_end.get(&line.position_id),
            ) {
                (Some(o), Some(e)) => Some(*o.max(e)),
                (o, e) => o.or(e).copied(),
            };
            let vacant_since = (vacant > 0).then(|| {
                known
                    .or_else(|| in_force.get(&line.position_id).copied())
                    .unwrap_or(at)
                    .min(at)
            });
            PositionState {
                line: line.clone(),
                filled: Rates(filled),
                away: Rates(filled - present),
                acting: Rates(acting.min(present)),
                vacant: Rates(vacant),
                vacant_since,
            }
        })
        .collect()
}

/// A unit's own figures and those with every unit below it.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitFigures {
    pub own: Totals,
    pub with_children: Totals,
}

/// Units deeper than this are counted at this depth: the tree comes from
/// spreadsheets, and a cycle must not loop.
const MAX_DEPTH: usize = 32;

/// The figures of every unit, rolled up through the tree.
pub fn by_unit(units: &[Unit], positions: &[PositionState]) -> BTreeMap<i64, UnitFigures> {
    let parent: BTreeMap<i64, Option<i64>> =
        units.iter().map(|u| (u.unit_id, u.parent_id)).collect();
    let mut out: BTreeMap<i64, UnitFigures> = units
        .iter()
        .map(|u| (u.unit_id, UnitFigures::default()))
        .collect();
    for p in positions {
        out.entry(p.line.unit_id).or_default().own.add(p);
    }
    let own: Vec<(i64, Totals)> = out.iter().map(|(k, v)| (*k, v.own)).collect();
    for (unit, totals) in own {
        let mut at = Some(unit);
        let mut seen = Vec::new();
        while let Some(u) = at {
            if seen.contains(&u) || seen.len() >= MAX_DEPTH {
                break;
            }
            seen.push(u);
            out.entry(u).or_default().with_children.sum(&totals);
            at = parent.get(&u).copied().flatten();
        }
    }
    out
}

/// An organisation's risk thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A key position vacant longer than this many days.
    pub key_vacant_days: i64,
    /// A unit filled below this percentage.
    pub unit_min_fill: i64,
    /// A unit whose posts present are held by acting staff above this
    /// percentage.
    pub acting_max: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            key_vacant_days: 60,
            unit_min_fill: 80,
            acting_max: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlagKind {
    KeyVacant,
    UnitFill,
    UnitActing,
}

impl FlagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::KeyVacant => "key_vacant",
            FlagKind::UnitFill => "unit_fill",
            FlagKind::UnitActing => "unit_acting",
        }
    }

    pub fn parse(s: &str) -> Option<FlagKind> {
        [
            FlagKind::KeyVacant,
            FlagKind::UnitFill,
            FlagKind::UnitActing,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A risk as of a date: its kind, its subject (a position for a key
/// vacancy, a unit otherwise), the unit, and the figure (days or percent).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flag {
    pub kind: FlagKind,
    pub subject: i64,
    pub unit_id: i64,
    pub value: i64,
}

/// The risks of an organisation on `at`. A unit's fill and acting flags
/// look at its own posts (a parent unit is not flagged again for its
/// child's gap); units without posts raise nothing.
pub fn flags(
    positions: &[PositionState],
    units: &BTreeMap<i64, UnitFigures>,
    t: &Thresholds,
    at: Date,
) -> Vec<Flag> {
    let mut out = Vec::new();
    for p in positions.iter().filter(|p| p.line.key) {
        if let Some(days) = p.days_vacant(at).filter(|d| *d > t.key_vacant_days) {
            out.push(Flag {
                kind: FlagKind::KeyVacant,
                subject: p.line.position_id,
                unit_id: p.line.unit_id,
                value: days,
            });
        }
    }
    for (unit, f) in units {
        if f.own.rates.0 == 0 {
            continue;
        }
        let fill = percent(f.own.fill());
        if fill < t.unit_min_fill {
            out.push(Flag {
                kind: FlagKind::UnitFill,
                subject: *unit,
                unit_id: *unit,
                value: fill,
            });
        }
        let acting = percent(f.own.acting_share());
        if acting > t.acting_max {
            out.push(Flag {
                kind: FlagKind::UnitActing,
                subject: *unit,
                unit_id: *unit,
                value: acting,
            });
        }
    }
    out.sort();
    out
}

/// A share as a whole percentage, rounded down (79.9 % is below 80).
pub fn percent(share: f64) -> i64 {
    (share * 100.0 + 1e-9).floor() as i64
}

/// The last day of each of the `n` quarters up to `at` (the current
/// quarter's figure is `at` itself), oldest first.
pub fn quarter_ends(at: Date, n: usize) -> Vec<Date> {
    let mut out = vec![at];
    let mut y = at.year();
    let mut q = (u8::from(at.month()) - 1) / 3; // 0..=3, the current quarter
    while out.len() < n {
        if q == 0 {
            q = 4;
            y -= 1;
        }
        // The last day of quarter q (1-based): the day before the next
        // quarter's first day.
        let month = time::Month::try_from(q * 3 + 1).ok();
        let end = match month {
            Some(m) if q < 4 => Date::from_calendar_date(y, m, 1).ok(),
            _ => Date::from_calendar_date(y + 1, time::Month::January, 1).ok(),
        }
        .and_then(|d| d.previous_day());
        match end {
            Some(d) => out.push(d),
            None => break,
        }
        q -= 1;
    }
    out.reverse();
    out
}

texts!(pub CategoryTexts {
    heads: "руководители", "heads";
    assistants: "помощники (советники)", "assistants (advisers)";
    specialists: "специалисты", "specialists";
    support: "обеспечивающие специалисты", "support specialists";
    highest: "высшая", "highest";
    main: "главная", "main";
    leading: "ведущая", "leading";
    senior: "старшая", "senior";
    junior: "младшая", "junior";
    maternity: "отпуск по беременности и родам, по уходу за ребёнком", "maternity or childcare leave";
    long_leave: "длительное отсутствие с сохранением должности", "long leave keeping the post";
});

#[cfg(test)]
mod tests;
