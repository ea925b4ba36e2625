//! Monthly ratings of government services: months, channels, the three
//! scales, and the statistics of a month's results (mean, n, the 95%
//! confidence interval from Student's t, the change on the previous month,
//! the position among comparable services). Pure, and tested on figures
//! computed by hand.

use std::fmt;

use time::{Date, OffsetDateTime};

use crate::web::i18n::Locale;

/// A calendar month in the krai's time (Moscow), `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u8,
}

impl Month {
    /// The month `at` falls in, in the krai.
    pub fn at(at: OffsetDateTime) -> Month {
        let d = at.to_offset(crate::workflow::sla::MSK).date();
        Month {
            year: d.year(),
            month: u8::from(d.month()),
        }
    }

    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn first_day(self) -> Date {
        time::Month::try_from(self.month)
            .ok()
            .and_then(|m| Date::from_calendar_date(self.year, m, 1).ok())
            .unwrap_or(Date::MIN)
    }

    /// The month's name for people: «ноябрь 2026», "November 2026".
    pub fn label(self, l: Locale) -> String {
        const RU: [&str; 12] = [
            "январь",
            "февраль",
            "март",
            "апрель",
            "май",
            "июнь",
            "июль",
            "август",
            "сентябрь",
            "октябрь",
            "ноябрь",
            "декабрь",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let i = usize::from(self.month.clamp(1, 12) - 1);
        match l {
            Locale::Ru => format!("{} {}", RU[i], self.year),
            Locale::En => format!("{} {}", EN[i], self.year),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// How a service is received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Mfc,
    Office,
    Online,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Mfc, Channel::Office, Channel::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mfc => "mfc",
            Channel::Office => "office",
            Channel::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = ChannelLabels::get(l);
        match self {
            Channel::Mfc => t.mfc,
            Channel::Office => t.office,
            Channel::Online => t.online,
        }
    }
}

crate::texts!(ChannelLabels {
    mfc: "МФЦ", "MFC (one-stop centre)";
    office: "приём в ведомстве", "at the office";
    online: "онлайн", "online";
});

/// A citizen's scores on the three scales, each 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    pub quality: u8,
    pub convenience: u8,
    pub speed: u8,
}

impl Scores {
    pub fn new(quality: u8, convenience: u8, speed: u8) -> Option<Scores> {
        let ok = |x: u8| (1..=5).contains(&x);
        (ok(quality) && ok(convenience) && ok(speed)).then_some(Scores {
            quality,
            convenience,
            speed,
        })
    }

    /// A score below 3 on any scale: with a comment, the provider owes an
    /// answer.
    pub fn is_low(self) -> bool {
        self.quality < 3 || self.convenience < 3 || self.speed < 3
    }
}

/// The scales in the order results list them; `Overall` is each rating's
/// mean of the three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Quality,
    Convenience,
    Speed,
    Overall,
}

impl Scale {
    pub const ALL: [Scale; 4] = [
        Scale::Quality,
        Scale::Convenience,
        Scale::Speed,
        Scale::Overall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Quality => "quality",
            Scale::Convenience => "convenience",
            Scale::Speed => "speed",
            Scale::Overall => "overall",
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = ScaleLabels::get(l);
        match self {
            Scale::Quality => t.quality,
            Scale::Convenience => t.convenience,
            Scale::Speed => t.speed,
            Scale::Overall => t.overall,
        }
    }
}

crate::texts!(ScaleLabels {
    quality: "Качество", "Quality";
    convenience: "Удобство", "Convenience";
    speed: "Скорость", "Speed";
    overall: "Итог", "Overall";
});

/// The sums a month's ratings of one subject add up to, per scale: the
/// count, the sum and the sum of squares. The overall scale is summed as
/// `q + c + s` per rating (its mean is divided by 3 afterwards), so that
/// everything stays an integer until the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub n: i64,
    pub quality: (i64, i64),
    pub convenience: (i64, i64),
    pub speed: (i64, i64),
    pub triple: (i64, i64),
}

/// A scale's mean with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// A subject's month: n always; the estimates only with enough ratings.
#[derive(Debug, Clone, PartialEq)]
pub struct Result {
    pub n: i64,
    /// Quality, convenience, speed, overall (`Scale::ALL`); `None` below
    /// the minimum n.
    pub estimates: Option<[Estimate; 4]>,
}

impl Result {
    pub fn overall(&self) -> Option<Estimate> {
        self.estimates.map(|e| e[3])
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom, from
/// the usual table; between tabulated values the smaller df's (larger)
/// value is taken, which keeps the interval on the safe side.
pub fn t975(df: i64) -> f64 {
    const SMALL: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    const LARGE: [(i64, f64); 6] = [
        (40, 2.021),
        (50, 2.009),
        (60, 2.000),
        (80, 1.990),
        (100, 1.984),
        (120, 1.980),
    ];
    match df {
        i64::MIN..=0 => f64::INFINITY,
        1..=30 => SMALL[(df - 1) as usize],
        _ => {
            let mut t = 2.042;
            for (d, v) in LARGE {
                if df >= d {
                    t = v;
                }
            }
            if df > 1000 { 1.962 } else { t }
        }
    }
}

/// The mean and 95% interval of `n` values that sum to `sum` with squares
/// summing to `sumsq`, divided by `scale` (3 for the overall scale), the
/// interval kept within 1..5.
pub fn estimate(n: i64, (sum, sumsq): (i64, i64), scale: f64) -> Estimate {
    let nf = n as f64;
    let mean = sum as f64 / nf;
    let var = if n > 1 {
        ((sumsq as f64 - (sum as f64) * (sum as f64) / nf) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let half = t975(n - 1) * var.sqrt() / nf.sqrt();
    let (mean, half) = (mean / scale, half / scale);
    Estimate {
        mean,
        low: (mean - half).max(1.0),
        high: (mean + half).min(5.0),
    }
}

/// A subject's month from its sums.
pub fn result(s: &Sums, min_n: i64) -> Result {
    let estimates = (s.n >= min_n.max(2)).then(|| {
        [
            estimate(s.n, s.quality, 1.0),
            estimate(s.n, s.convenience, 1.0),
            estimate(s.n, s.speed, 1.0),
            estimate(s.n, s.triple, 3.0),
        ]
    });
    Result { n: s.n, estimates }
}

/// Positions among comparable subjects (one group): those with enough
/// ratings, by overall mean, then by the interval's lower bound (the
/// better-established of two equal means first), then by id. Returns
/// `(id, position)` and how many were compared.
pub fn positions<'a>(subjects: &[(&'a str, &Result)]) -> (Vec<(&'a str, i64)>, i64) {
    let mut ranked: Vec<(&str, Estimate)> = subjects
        .iter()
        .filter_map(|(id, r)| r.overall().map(|o| (*id, o)))
        .collect();
    ranked.sort_by(|a, b| {
        b.1.mean
            .total_cmp(&a.1.mean)
            .then(b.1.low.total_cmp(&a.1.low))
            .then(a.0.cmp(b.0))
    });
    let n = ranked.len() as i64;
    (
        ranked
            .into_iter()
            .enumerate()
            .map(|(i, (id, _))| (id, i as i64 + 1))
            .collect(),
        n,
    )
}

/// The overall mean's change on the previous month, when both months had
/// enough ratings.
pub fn change(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    Some(now? - before?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(values: &[(i64, i64, i64)]) -> Sums {
        let mut s = Sums::default();
        for &(q, c, sp) in values {
            s.n += 1;
            s.quality.0 += q;
            s.quality.1 += q * q;
            s.convenience.0 += c;
            s.convenience.1 += c * c;
            s.speed.0 += sp;
            s.speed.1 += sp * sp;
            let t = q + c + sp;
            s.triple.0 += t;
            s.triple.1 += t * t;
        }
        s
    }

    #[test]
    fn months_parse_and_step() {
        let m = Month::parse("2026-01").unwrap();
        assert_eq!(m.previous().to_string(), "2025-12");
        assert_eq!(m.previous().next(), m);
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-1"), None);
        assert_eq!(Month::parse("x"), None);
        // 30 November 23:30 UTC is 1 December in Moscow.
        let at = time::macros::datetime!(2026-11-30 23:30 UTC);
        assert_eq!(Month::at(at).to_string(), "2026-12");
    }

    /// Quality scores 4, 5, 3, 4, 4: mean 4, sample variance 0.5,
    /// sd 0.7071, t(4) = 2.776, half-width 2.776 × 0.7071 / √5 = 0.8779.
    #[test]
    fn the_interval_is_students() {
        let s = sums(&[(4, 4, 4), (5, 4, 4), (3, 4, 4), (4, 4, 4), (4, 4, 4)]);
        let r = result(&s, 5);
        let q = r.estimates.unwrap()[0];
        assert!((q.mean - 4.0).abs() < 1e-9);
        assert!((q.low - 3.1221).abs() < 1e-3, "{q:?}");
        assert!((q.high - 4.8779).abs() < 1e-3, "{q:?}");
        // Convenience all 4: no spread, the interval is the point.
        let c = r.estimates.unwrap()[1];
        assert_eq!((c.low, c.high), (4.0, 4.0));
        // Overall: per-rating means 4, 4.333, 3.667, 4, 4 → mean 4.
        let o = r.overall().unwrap();
        assert!((o.mean - 4.0).abs() < 1e-9);
        // Below the minimum: n only.
        let few = result(&s, 6);
        assert_eq!(few.n, 5);
        assert!(few.estimates.is_none());
    }

    #[test]
    fn an_interval_stays_within_the_scale() {
        let s = sums(&[(5, 5, 5), (5, 5, 5), (1, 1, 1)]);
        let q = result(&s, 2).estimates.unwrap()[0];
        assert_eq!(q.high, 5.0);
        assert!(q.low >= 1.0);
    }

    #[test]
    fn students_t_by_degrees_of_freedom() {
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(30), 2.042);
        assert_eq!(t975(45), 2.021);
        assert_eq!(t975(5000), 1.962);
    }

    #[test]
    fn positions_need_enough_ratings_and_break_ties_by_the_lower_bound() {
        let e = |mean: f64, low: f64| Estimate {
            mean,
            low,
            high: mean,
        };
        let r = |mean: f64, low: f64| Result {
            n: 10,
            estimates: Some([e(mean, low); 4]),
        };
        let few = Result {
            n: 3,
            estimates: None,
        };
        let (a, b, c) = (r(4.0, 3.5), r(4.0, 3.8), r(4.5, 4.0));
        let (pos, n) = positions(&[("a", &a), ("b", &b), ("c", &c), ("d", &few)]);
        assert_eq!(n, 3);
        assert_eq!(pos, vec![("c", 1), ("b", 2), ("a", 3)]);
    }

    #[test]
    fn change_needs_both_months() {
        assert_eq!(change(Some(4.5), Some(4.0)), Some(0.5));
        assert_eq!(change(Some(4.5), None), None);
    }

    #[test]
    fn low_scores_and_ranges() {
        assert!(Scores::new(0, 3, 3).is_none());
        assert!(Scores::new(5, 5, 6).is_none());
        assert!(Scores::new(2, 5, 5).unwrap().is_low());
        assert!(!Scores::new(3, 3, 3).unwrap().is_low());
    }
}
