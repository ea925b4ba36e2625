//! The rules of ranking and indicator monitoring, as pure functions:
//!
//! - a region's change between two editions of a ranking, with the sign a
//!   reader expects (▲ better, ▼ worse) whether a lower place or a higher
//!   one is better;
//! - an indicator's progress status by the Open SDG method
//!   (`open-sdg/sdg-build`, `sdg/ProgressMeasure.py`): the compound annual
//!   growth since the base year, alone or against the growth the target
//!   needs, honouring the indicator's direction, with an explicit rule
//!   where growth rates are undefined (a zero base or target).

/// Whether a lower or a higher place in a ranking is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    LowerPlace,
    HigherPlace,
}

/// A place's change between two editions, as a reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Not in the previous edition.
    New,
    Same,
    /// Better by this many places (▲).
    Better(u32),
    /// Worse by this many places (▼).
    Worse(u32),
}

impl Change {
    pub fn between(previous: Option<u32>, now: u32, better: Better) -> Change {
        let Some(before) = previous else {
            return Change::New;
        };
        let moved = now.abs_diff(before);
        let improved = match better {
            Better::LowerPlace => now < before,
            Better::HigherPlace => now > before,
        };
        match (moved, improved) {
            (0, _) => Change::Same,
            (n, true) => Change::Better(n),
            (n, false) => Change::Worse(n),
        }
    }

    /// The arrow and the number: «▲ 3», «▼ 2», «=», «new» is the caller's.
    pub fn arrow(self) -> String {
        match self {
            Change::New => String::new(),
            Change::Same => "=".into(),
            Change::Better(n) => format!("▲ {n}"),
            Change::Worse(n) => format!("▼ {n}"),
        }
    }
}

/// Which way an indicator should move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Good when within `[low, high]`.
    Within {
        low: f64,
        high: f64,
    },
}

/// An indicator's progress status (Open SDG's five, in the words of the
/// issue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Achieved,
    OnTrack,
    NeedsAcceleration,
    LimitedProgress,
    Deterioration,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::NeedsAcceleration => "needs_acceleration",
            Status::LimitedProgress => "limited_progress",
            Status::Deterioration => "deterioration",
        }
    }

    /// Whether the indicator's owner gets an order for it.
    pub fn off_track(self) -> bool {
        matches!(self, Status::LimitedProgress | Status::Deterioration)
    }
}

/// A value in a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub year: i32,
    pub value: f64,
}

/// Open SDG's thresholds: against a target, the observed growth over the
/// required growth (0.95 on track, 0.6 needs acceleration, 0 limited);
/// without one, the observed growth itself (1 %, 0.5 %, 0).
const RATIO_ON_TRACK: f64 = 0.95;
const RATIO_ACCELERATE: f64 = 0.6;
const GROWTH_ON_TRACK: f64 = 0.01;
const GROWTH_ACCELERATE: f64 = 0.005;

/// The compound annual growth from `from` to `to`, or `None` where it is
/// undefined (no years between, a zero or negative value, or values of
/// opposite signs).
pub fn cagr(from: Point, to: Point) -> Option<f64> {
    let years = f64::from(to.year - from.year);
    if years <= 0.0 || from.value <= 0.0 || to.value <= 0.0 {
        return None;
    }
    Some((to.value / from.value).powf(1.0 / years) - 1.0)
}

/// The status of an indicator from its base, its latest value and,
/// when there is one, its target.
///
/// - Achieved: the latest value meets the target (or, within a band,
///   stands in it).
/// - With a target: the observed compound growth over the growth the
///   target requires, both signed by the direction.
/// - Without one: the observed growth, signed by the direction.
/// - Where a growth rate is undefined (a base or target of 0, a negative
///   value), the same comparison is made on the average yearly change
///   instead (linear): a target of 0 for something that should fall
///   compares the yearly fall so far with the yearly fall the target
///   needs; without a target the sign of the change decides (any
///   improvement is limited progress, none is deterioration).
/// - A band is a target on the distance to the band (lower is better,
///   the band itself is 0).
pub fn status(
    base: Point,
    latest: Point,
    target: Option<Point>,
    direction: Direction,
) -> Option<Status> {
    if latest.year <= base.year {
        return None;
    }
    if let Direction::Within { low, high } = direction {
        let distance = |v: f64| {
            if v < low {
                low - v
            } else if v > high {
                v - high
            } else {
                0.0
            }
        };
        if distance(latest.value) == 0.0 {
            return Some(Status::Achieved);
        }
        let to_band = |p: Point| Point {
            year: p.year,
            value: distance(p.value),
        };
        let goal = target.map(|t| Point {
            year: t.year,
            value: 0.0,
        });
        return status(
            to_band(base),
            to_band(latest),
            goal,
            Direction::LowerIsBetter,
        );
    }
    let sign = if direction == Direction::LowerIsBetter {
        -1.0
    } else {
        1.0
    };
    if let Some(t) = target {
        let met = (latest.value - t.value) * sign >= 0.0;
        if met {
            return Some(Status::Achieved);
        }
        if t.year <= base.year {
            return None;
        }
        // The base met the target and the latest value no longer does.
        if (base.value - t.value) * sign >= 0.0 {
            return Some(Status::Deterioration);
        }
        let ratio = match (cagr(base, latest), cagr(base, t)) {
            (Some(observed), Some(required)) if required != 0.0 => observed / required,
            _ => {
                let observed = (latest.value - base.value) / f64::from(latest.year - base.year);
                let required = (t.value - base.value) / f64::from(t.year - base.year);
                if required == 0.0 {
                    return None;
                }
                observed / required
            }
        };
        return Some(if ratio >= RATIO_ON_TRACK {
            Status::OnTrack
        } else if ratio >= RATIO_ACCELERATE {
            Status::NeedsAcceleration
        } else if ratio >= 0.0 {
            Status::LimitedProgress
        } else {
            Status::Deterioration
        });
    }
    match cagr(base, latest) {
        Some(g) => {
            let g = g * sign;
            Some(if g > GROWTH_ON_TRACK {
                Status::OnTrack
            } else if g > GROWTH_ACCELERATE {
                Status::NeedsAcceleration
            } else if g >= 0.0 {
                Status::LimitedProgress
            } else {
                Status::Deterioration
            })
        }
        // Any improvement without a growth rate is limited progress.
        None if (latest.value - base.value) * sign >= 0.0 => Some(Status::LimitedProgress),
        None => Some(Status::Deterioration),
    }
}

#[cfg(test)]
mod tests;
