//! The rules of periodic reports, as pure functions: periods and their
//! due and lock dates, validation rules (DHIS2's left side, operator,
//! right side), deviation from plan, the degree of achievement with its
//! band, and aggregation over time.

use std::collections::BTreeMap;

use time::{Date, Month};

/// How often a form is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodType {
    Month,
    Quarter,
    Year,
}

impl PeriodType {
    pub fn parse(s: &str) -> Option<PeriodType> {
        match s {
            "month" => Some(PeriodType::Month),
            "quarter" => Some(PeriodType::Quarter),
            "year" => Some(PeriodType::Year),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodType::Month => "month",
            PeriodType::Quarter => "quarter",
            PeriodType::Year => "year",
        }
    }
}

/// One period: a month, a quarter or a year. Written `2026-07`,
/// `2026-Q3`, `2026`: the forms sort as time within a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    /// The month (1–12), the quarter (1–4), or 0 for a year.
    pub part: u8,
    pub kind: u8,
}

const MONTH: u8 = 0;
const QUARTER: u8 = 1;
const YEAR: u8 = 2;

impl Period {
    pub fn parse(t: PeriodType, s: &str) -> Option<Period> {
        let s = s.trim();
        let year: i32 = s.get(..4)?.parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        let rest = &s[4..];
        match t {
            PeriodType::Year if rest.is_empty() => Some(Period {
                year,
                part: 0,
                kind: YEAR,
            }),
            PeriodType::Quarter => {
                let q: u8 = rest.strip_prefix("-Q")?.parse().ok()?;
                ((1..=4).contains(&q) && rest.len() == 3).then_some(Period {
                    year,
                    part: q,
                    kind: QUARTER,
                })
            }
            PeriodType::Month => {
                let m = rest.strip_prefix('-')?;
                let n: u8 = m.parse().ok()?;
                (m.len() == 2 && (1..=12).contains(&n)).then_some(Period {
                    year,
                    part: n,
                    kind: MONTH,
                })
            }
            _ => None,
        }
    }

    pub fn kind(self) -> PeriodType {
        match self.kind {
            MONTH => PeriodType::Month,
            QUARTER => PeriodType::Quarter,
            _ => PeriodType::Year,
        }
    }

    /// The period that contains `d`.
    pub fn containing(t: PeriodType, d: Date) -> Period {
        let year = d.year();
        let m = u8::from(d.month());
        match t {
            PeriodType::Month => Period {
                year,
                part: m,
                kind: MONTH,
            },
            PeriodType::Quarter => Period {
                year,
                part: (m - 1) / 3 + 1,
                kind: QUARTER,
            },
            PeriodType::Year => Period {
                year,
                part: 0,
                kind: YEAR,
            },
        }
    }

    fn last_month(self) -> u8 {
        match self.kind() {
            PeriodType::Month => self.part,
            PeriodType::Quarter => self.part * 3,
            PeriodType::Year => 12,
        }
    }

    pub fn first_day(self) -> Date {
        let m = match self.kind() {
            PeriodType::Month => self.part,
            PeriodType::Quarter => self.part * 3 - 2,
            PeriodType::Year => 1,
        };
        Date::from_calendar_date(self.year, Month::try_from(m).unwrap_or(Month::January), 1)
            .unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        let m = Month::try_from(self.last_month()).unwrap_or(Month::December);
        let d = time::util::days_in_month(m, self.year);
        Date::from_calendar_date(self.year, m, d).unwrap_or(Date::MAX)
    }

    pub fn next(self) -> Period {
        let (max, kind) = match self.kind() {
            PeriodType::Month => (12, MONTH),
            PeriodType::Quarter => (4, QUARTER),
            PeriodType::Year => {
                return Period {
                    year: self.year + 1,
                    ..self
                };
            }
        };
        if self.part >= max {
            Period {
                year: self.year + 1,
                part: 1,
                kind,
            }
        } else {
            Period {
                part: self.part + 1,
                ..self
            }
        }
    }

    /// Every period from `self` to `last`, both included (at most 1,200).
    pub fn through(self, last: Period) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = self;
        while p <= last && out.len() < 1200 {
            out.push(p);
            p = p.next();
        }
        out
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind() {
            PeriodType::Month => write!(f, "{}-{:02}", self.year, self.part),
            PeriodType::Quarter => write!(f, "{}-Q{}", self.year, self.part),
            PeriodType::Year => write!(f, "{}", self.year),
        }
    }
}

/// A side of a validation rule: numbers and item codes added and
/// subtracted, «A1 + A2 - 3».
#[derive(Debug, Clone, PartialEq)]
pub struct Expr(Vec<(f64, Term)>);

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Number(f64),
    Item(String),
}

impl Expr {
    /// Reads a side; `known` says which item codes exist.
    pub fn parse(s: &str, known: &dyn Fn(&str) -> bool) -> Result<Expr, String> {
        let s = s.trim();
        if s.is_empty() || s.len() > 500 {
            return Err("empty or longer than 500 characters".into());
        }
        let mut terms = Vec::new();
        let mut sign = 1.0;
        let mut expect_term = true;
        for token in tokens(s) {
            match token.as_str() {
                "+" | "-" if !expect_term => {
                    sign = if token == "-" { -1.0 } else { 1.0 };
                    expect_term = true;
                }
                "-" if expect_term => sign = -sign,
                t if expect_term => {
                    let term = match t.replace(',', ".").parse::<f64>() {
                        Ok(n) if n.is_finite() => Term::Number(n),
                        _ if known(t) => Term::Item(t.to_owned()),
                        _ => return Err(format!("«{t}» is neither a number nor an item code")),
                    };
                    terms.push((sign, term));
                    sign = 1.0;
                    expect_term = false;
                }
                t => return Err(format!("«{t}» where an operator was expected")),
            }
            if terms.len() > 100 {
                return Err("more than 100 terms".into());
            }
        }
        if expect_term {
            return Err("ends with an operator".into());
        }
        Ok(Expr(terms))
    }

    /// The value, or `None` when an item in it has no value (DHIS2's
    /// "skip if any value is missing").
    pub fn eval(&self, values: &BTreeMap<String, f64>) -> Option<f64> {
        self.0.iter().try_fold(0.0, |acc, (sign, t)| {
            let v = match t {
                Term::Number(n) => *n,
                Term::Item(code) => *values.get(code)?,
            };
            Some(acc + sign * v)
        })
    }
}

fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c == '+' || c == '-' || c.is_whitespace() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether `left op right` holds; an unknown operator never does.
pub fn holds(left: f64, op: &str, right: f64) -> bool {
    // Figures typed with decimals compare within a rounding's tolerance.
    let eps = 1e-9 * left.abs().max(right.abs()).max(1.0);
    match op {
        "==" => (left - right).abs() <= eps,
        "!=" => (left - right).abs() > eps,
        "<" => left < right - eps,
        "<=" => left <= right + eps,
        ">" => left > right + eps,
        ">=" => left >= right - eps,
        _ => false,
    }
}

/// Fact against plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deviation {
    /// fact − plan.
    pub absolute: f64,
    /// (fact − plan) / |plan| × 100; `None` for a plan of 0.
    pub percent: Option<f64>,
    /// The degree of achievement, %: fact/plan where growth is good,
    /// plan/fact where decline is good; `None` where it divides by 0.
    pub achievement: Option<f64>,
}

pub fn deviation(plan: f64, fact: f64, higher_is_better: bool) -> Deviation {
    let absolute = fact - plan;
    let percent = (plan != 0.0).then(|| absolute / plan.abs() * 100.0);
    let achievement = if higher_is_better {
        (plan != 0.0).then(|| fact / plan * 100.0)
    } else {
        (fact != 0.0).then(|| plan / fact * 100.0)
    };
    Deviation {
        absolute,
        percent,
        achievement,
    }
}

/// The band of a degree of achievement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    Good,
    Fair,
    Poor,
}

impl Band {
    pub fn of(achievement: f64, good: f64, fair: f64) -> Band {
        if achievement >= good {
            Band::Good
        } else if achievement >= fair {
            Band::Fair
        } else {
            Band::Poor
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Good => "good",
            Band::Fair => "fair",
            Band::Poor => "poor",
        }
    }
}

/// How an item's values add up over the periods of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// The sum of every period of the year.
    Sum,
    /// The sum of the periods with a fact so far, the plan over the same
    /// periods (so a year half gone compares half a plan).
    YearToDate,
    /// The latest period's value.
    Last,
    Average,
}

impl Aggregation {
    pub fn parse(s: &str) -> Option<Aggregation> {
        match s {
            "sum" => Some(Aggregation::Sum),
            "ytd" => Some(Aggregation::YearToDate),
            "last" => Some(Aggregation::Last),
            "avg" => Some(Aggregation::Average),
            _ => None,
        }
    }
}

/// Plan and fact over a year's periods, each `(plan, fact)` in period
/// order: the aggregated plan and fact, `None` where there is nothing to
/// aggregate.
pub fn aggregate(
    a: Aggregation,
    periods: &[(Option<f64>, Option<f64>)],
) -> (Option<f64>, Option<f64>) {
    let plans = || periods.iter().filter_map(|p| p.0);
    let facts = || periods.iter().filter_map(|p| p.1);
    let sum = |it: &mut dyn Iterator<Item = f64>| {
        let mut n = 0;
        let s = it.inspect(|_| n += 1).sum::<f64>();
        (n > 0).then_some(s)
    };
    match a {
        Aggregation::Sum => (sum(&mut plans()), sum(&mut facts())),
        Aggregation::YearToDate => {
            let with_fact = periods.iter().filter(|p| p.1.is_some());
            let plan = sum(&mut with_fact.clone().filter_map(|p| p.0));
            (plan, sum(&mut facts()))
        }
        Aggregation::Last => {
            let last = periods.iter().rposition(|p| p.1.is_some());
            match last {
                Some(i) => (periods[i].0, periods[i].1),
                None => (periods.iter().rev().find_map(|p| p.0), None),
            }
        }
        Aggregation::Average => {
            let avg = |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            (avg(plans().collect()), avg(facts().collect()))
        }
    }
}

#[cfg(test)]
mod tests;
