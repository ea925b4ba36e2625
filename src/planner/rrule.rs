//! The recurrence of a personal item: a subset of RFC 5545's RRULE
//! (FREQ=DAILY, WEEKLY with BYDAY, MONTHLY with BYMONTHDAY; INTERVAL;
//! UNTIL or COUNT), parsed once into [`Rule`] under limits and expanded
//! in the item's local time. Written by hand: the `rrule` crate would
//! bring chrono-tz's whole database for zones that, in Russia, have kept
//! one offset since 2014 (`domain::Zone`).
//!
//! As RFC 5545 says, a monthly rule on a day a month lacks (the 31st)
//! skips that month; COUNT counts occurrences from the first; UNTIL is
//! inclusive.

use time::{Date, Duration, Month, PrimitiveDateTime, UtcOffset, Weekday};

/// The most occurrences a COUNT may ask for.
pub const MAX_COUNT: u32 = 1000;
/// The largest INTERVAL.
pub const MAX_INTERVAL: u32 = 99;
/// How far after its start a series may end (UNTIL), in years.
pub const MAX_YEARS: i32 = 10;
/// Periods looked at while expanding, at most: a bound for any rule.
const MAX_STEPS: u32 = 200_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freq {
    Daily,
    /// On these weekdays (Monday first), or the start's when empty.
    Weekly(Vec<Weekday>),
    /// On these days of the month, or the start's when empty.
    Monthly(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Never,
    /// The last moment an occurrence may start, in local time.
    Until(PrimitiveDateTime),
    Count(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub end: End,
}

/// Why a rule was refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String, pub String);

fn refuse(ru: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal(ru.into(), en.into())
}

const DAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Monday),
    ("TU", Weekday::Tuesday),
    ("WE", Weekday::Wednesday),
    ("TH", Weekday::Thursday),
    ("FR", Weekday::Friday),
    ("SA", Weekday::Saturday),
    ("SU", Weekday::Sunday),
];

fn parse_until(v: &str, offset: UtcOffset) -> Option<PrimitiveDateTime> {
    let d = |s: &str| -> Option<Date> {
        let y: i32 = s.get(0..4)?.parse().ok()?;
        let m: u8 = s.get(4..6)?.parse().ok()?;
        let d: u8 = s.get(6..8)?.parse().ok()?;
        Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
    };
    match v.len() {
        // A date: the whole of that day.
        8 => Some(d(v)?.with_hms(23, 59, 59).ok()?),
        15 | 16 => {
            let day = d(v)?;
            if v.as_bytes().get(8) != Some(&b'T') {
                return None;
            }
            let h: u8 = v.get(9..11)?.parse().ok()?;
            let mi: u8 = v.get(11..13)?.parse().ok()?;
            let s: u8 = v.get(13..15)?.parse().ok()?;
            let t = day.with_hms(h, mi, s).ok()?;
            match v.get(15..) {
                // UTC, as RFC 5545 wants with a zoned start: read locally.
                Some("Z") => {
                    let z = t.assume_utc().to_offset(offset);
                    Some(PrimitiveDateTime::new(z.date(), z.time()))
                }
                Some("") => Some(t),
                _ => None,
            }
        }
        _ => None,
    }
}

impl Rule {
    /// Parses `FREQ=…;…` (an `RRULE:` prefix is allowed) for a series
    /// starting at `start` (local time at `offset`).
    pub fn parse(text: &str, start: PrimitiveDateTime, offset: UtcOffset) -> Result<Rule, Refusal> {
        let text = text.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        if text.len() > 200 {
            return Err(refuse(
                "Правило повторения длиннее 200 знаков.",
                "The recurrence rule is longer than 200 characters.",
            ));
        }
        let mut freq = None;
        let mut interval = None;
        let mut until = None;
        let mut count = None;
        let mut byday: Option<Vec<Weekday>> = None;
        let mut bymonthday: Option<Vec<u8>> = None;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| {
                refuse(
                    format!("Непонятная часть правила: «{part}»."),
                    format!("Unreadable part of the rule: “{part}”."),
                )
            })?;
            let k = k.trim().to_ascii_uppercase();
            let v = v.trim().to_ascii_uppercase();
            let twice = || {
                refuse(
                    format!("{k} указан дважды."),
                    format!("{k} is given twice."),
                )
            };
            match k.as_str() {
                "FREQ" if freq.is_none() => freq = Some(v),
                "INTERVAL" if interval.is_none() => {
                    interval = Some(
                        v.parse::<u32>()
                            .ok()
                            .filter(|n| (1..=MAX_INTERVAL).contains(n))
                            .ok_or_else(|| {
                                refuse(
                                    format!("INTERVAL — от 1 до {MAX_INTERVAL}."),
                                    format!("INTERVAL is 1 to {MAX_INTERVAL}."),
                                )
                            })?,
                    )
                }
                "COUNT" if count.is_none() => {
                    count = Some(
                        v.parse::<u32>()
                            .ok()
                            .filter(|n| (1..=MAX_COUNT).contains(n))
                            .ok_or_else(|| {
                                refuse(
                                    format!("COUNT — от 1 до {MAX_COUNT}."),
                                    format!("COUNT is 1 to {MAX_COUNT}."),
                                )
                            })?,
                    )
                }
                "UNTIL" if until.is_none() => {
                    until = Some(parse_until(&v, offset).ok_or_else(|| {
                        refuse(
                            "UNTIL — дата ГГГГММДД или время ГГГГММДДTЧЧММССZ.",
                            "UNTIL is a date YYYYMMDD or a time YYYYMMDDTHHMMSSZ.",
                        )
                    })?)
                }
                "BYDAY" if byday.is_none() => {
                    let mut days = Vec::new();
                    for d in v.split(',') {
                        let day = DAYS.iter().find(|x| x.0 == d).map(|x| x.1).ok_or_else(|| {
                            refuse(
                                format!("BYDAY: «{d}» — не день недели (MO…SU)."),
                                format!("BYDAY: “{d}” is not a weekday (MO…SU)."),
                            )
                        })?;
                        if !days.contains(&day) {
                            days.push(day);
                        }
                    }
                    days.sort_by_key(|d| d.number_days_from_monday());
                    byday = Some(days);
                }
                "BYMONTHDAY" if bymonthday.is_none() => {
                    let mut days = Vec::new();
                    for d in v.split(',') {
                        let n = d
                            .parse::<u8>()
                            .ok()
                            .filter(|n| (1..=31).contains(n))
                            .ok_or_else(|| {
                                refuse(
                                    format!("BYMONTHDAY: «{d}» — не число от 1 до 31."),
                                    format!("BYMONTHDAY: “{d}” is not a day 1 to 31."),
                                )
                            })?;
                        if !days.contains(&n) {
                            days.push(n);
                        }
                    }
                    days.sort_unstable();
                    bymonthday = Some(days);
                }
                "FREQ" | "INTERVAL" | "COUNT" | "UNTIL" | "BYDAY" | "BYMONTHDAY" => {
                    return Err(twice());
                }
                _ => {
                    return Err(refuse(
                        format!(
                            "{k} не поддерживается: FREQ, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT."
                        ),
                        format!(
                            "{k} is not supported: FREQ, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT."
                        ),
                    ));
                }
            }
        }
        let freq = match (freq.as_deref(), byday, bymonthday) {
            (Some("DAILY"), None, None) => Freq::Daily,
            (Some("WEEKLY"), days, None) => Freq::Weekly(days.unwrap_or_default()),
            (Some("MONTHLY"), None, days) => Freq::Monthly(days.unwrap_or_default()),
            (Some("DAILY" | "WEEKLY" | "MONTHLY"), _, _) => {
                return Err(refuse(
                    "BYDAY — только с WEEKLY, BYMONTHDAY — только с MONTHLY.",
                    "BYDAY goes with WEEKLY only, BYMONTHDAY with MONTHLY only.",
                ));
            }
            _ => {
                return Err(refuse(
                    "FREQ — DAILY, WEEKLY или MONTHLY.",
                    "FREQ is DAILY, WEEKLY or MONTHLY.",
                ));
            }
        };
        let end = match (until, count) {
            (Some(_), Some(_)) => {
                return Err(refuse(
                    "UNTIL и COUNT вместе нельзя.",
                    "UNTIL and COUNT cannot go together.",
                ));
            }
            (Some(u), None) => {
                if u < start {
                    return Err(refuse("UNTIL раньше начала.", "UNTIL is before the start."));
                }
                if u.year() > start.year() + MAX_YEARS {
                    return Err(refuse(
                        format!("Повторение — не дольше {MAX_YEARS} лет."),
                        format!("A series may last at most {MAX_YEARS} years."),
                    ));
                }
                End::Until(u)
            }
            (None, Some(c)) => End::Count(c),
            (None, None) => End::Never,
        };
        Ok(Rule {
            freq,
            interval: interval.unwrap_or(1),
            end,
        })
    }

    /// The canonical text, as stored and as the calendar feed sends it
    /// (UNTIL in UTC).
    pub fn to_text(&self, offset: UtcOffset) -> String {
        let mut s = match &self.freq {
            Freq::Daily => "FREQ=DAILY".to_owned(),
            Freq::Weekly(days) if days.is_empty() => "FREQ=WEEKLY".to_owned(),
            Freq::Weekly(days) => format!(
                "FREQ=WEEKLY;BYDAY={}",
                days.iter()
                    .filter_map(|d| DAYS.iter().find(|x| x.1 == *d).map(|x| x.0))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Freq::Monthly(days) if days.is_empty() => "FREQ=MONTHLY".to_owned(),
            Freq::Monthly(days) => format!(
                "FREQ=MONTHLY;BYMONTHDAY={}",
                days.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
            ),
        };
        if self.interval != 1 {
            s.push_str(&format!(";INTERVAL={}", self.interval));
        }
        match self.end {
            End::Never => {}
            End::Count(c) => s.push_str(&format!(";COUNT={c}")),
            End::Until(u) => {
                let z = u.assume_offset(offset).to_offset(UtcOffset::UTC);
                s.push_str(&format!(
                    ";UNTIL={:04}{:02}{:02}T{:02}{:02}{:02}Z",
                    z.year(),
                    u8::from(z.month()),
                    z.day(),
                    z.hour(),
                    z.minute(),
                    z.second()
                ));
            }
        }
        s
    }

    /// Every occurrence of a series starting at `start`, in order, until
    /// its end (or forever: take what you need).
    pub fn occurrences(&self, start: PrimitiveDateTime) -> Occurrences<'_> {
        Occurrences {
            rule: self,
            start,
            period: 0,
            buffer: Vec::new(),
            emitted: 0,
            steps: 0,
            done: false,
        }
    }

    /// The occurrences in `[from, to)`.
    pub fn between(
        &self,
        start: PrimitiveDateTime,
        from: PrimitiveDateTime,
        to: PrimitiveDateTime,
    ) -> Vec<PrimitiveDateTime> {
        self.occurrences(start)
            .skip_while(|t| *t < from)
            .take_while(|t| *t < to)
            .take(MAX_COUNT as usize * 10)
            .collect()
    }

    /// The last occurrence of a series that ends; `None` for one that
    /// does not.
    pub fn last(&self, start: PrimitiveDateTime) -> Option<PrimitiveDateTime> {
        match self.end {
            End::Never => None,
            _ => self.occurrences(start).last(),
        }
    }
}

fn days_in_month(year: i32, month: Month) -> u8 {
    time::util::days_in_month(month, year)
}

/// The iterator of [`Rule::occurrences`].
pub struct Occurrences<'a> {
    rule: &'a Rule,
    start: PrimitiveDateTime,
    /// The next period (day, week or month) to expand, counted from the
    /// start's in steps of INTERVAL.
    period: u32,
    /// The current period's occurrences, latest first.
    buffer: Vec<PrimitiveDateTime>,
    emitted: u32,
    steps: u32,
    done: bool,
}

impl Occurrences<'_> {
    /// The candidates of period `k` (not yet filtered by the start).
    fn expand(&self, k: u32) -> Option<Vec<PrimitiveDateTime>> {
        let step = i64::from(k) * i64::from(self.rule.interval);
        let time = self.start.time();
        let day = self.start.date();
        Some(match &self.rule.freq {
            Freq::Daily => vec![day.checked_add(Duration::days(step))?.with_time(time)],
            Freq::Weekly(days) => {
                let monday =
                    day - Duration::days(i64::from(day.weekday().number_days_from_monday()));
                let week = monday.checked_add(Duration::weeks(step))?;
                let days: &[Weekday] = if days.is_empty() {
                    &[day.weekday()]
                } else {
                    days
                };
                days.iter()
                    .map(|d| {
                        (week + Duration::days(i64::from(d.number_days_from_monday())))
                            .with_time(time)
                    })
                    .collect()
            }
            Freq::Monthly(days) => {
                let months = i64::from(u8::from(day.month()) - 1) + step;
                let year = day.year() + i32::try_from(months / 12).ok()?;
                let month = Month::try_from(u8::try_from(months % 12 + 1).ok()?).ok()?;
                let dim = days_in_month(year, month);
                let wanted: &[u8] = if days.is_empty() {
                    std::slice::from_ref(&0)
                } else {
                    days
                };
                wanted
                    .iter()
                    .map(|&d| if d == 0 { day.day() } else { d })
                    // RFC 5545: a day the month lacks is skipped.
                    .filter(|&d| d <= dim)
                    .filter_map(|d| Date::from_calendar_date(year, month, d).ok())
                    .map(|d| d.with_time(time))
                    .collect()
            }
        })
    }
}

impl Iterator for Occurrences<'_> {
    type Item = PrimitiveDateTime;

    fn next(&mut self) -> Option<PrimitiveDateTime> {
        loop {
            if self.done {
                return None;
            }
            if let Some(t) = self.buffer.pop() {
                if let End::Until(u) = self.rule.end
                    && t > u
                {
                    self.done = true;
                    return None;
                }
                self.emitted += 1;
                if let End::Count(c) = self.rule.end
                    && self.emitted >= c
                {
                    self.done = true;
                }
                return Some(t);
            }
            self.steps += 1;
            if self.steps > MAX_STEPS {
                self.done = true;
                return None;
            }
            let Some(mut next) = self.expand(self.period) else {
                self.done = true;
                return None;
            };
            self.period += 1;
            next.retain(|t| *t >= self.start);
            next.reverse();
            self.buffer = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    const MSK: UtcOffset = offset!(+3);

    fn rule(s: &str, start: PrimitiveDateTime) -> Rule {
        Rule::parse(s, start, MSK).expect("a valid rule")
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months() {
        let start = datetime!(2027-01-31 09:00);
        let r = rule("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", start);
        let all: Vec<_> = r.occurrences(start).collect();
        assert_eq!(
            all,
            vec![
                datetime!(2027-01-31 09:00),
                datetime!(2027-03-31 09:00),
                datetime!(2027-05-31 09:00),
                datetime!(2027-07-31 09:00)
            ]
        );
        // Across a month end, in a window.
        let w = r.between(
            start,
            datetime!(2027-02-01 00:00),
            datetime!(2027-04-30 00:00),
        );
        assert_eq!(w, vec![datetime!(2027-03-31 09:00)]);
    }

    #[test]
    fn weekly_on_days_with_until() {
        let start = datetime!(2026-12-30 10:00); // a Wednesday
        let r = rule("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270111", start);
        let all: Vec<_> = r.occurrences(start).collect();
        assert_eq!(
            all,
            vec![
                datetime!(2026-12-30 10:00),
                datetime!(2027-01-04 10:00),
                datetime!(2027-01-06 10:00),
                datetime!(2027-01-11 10:00)
            ]
        );
        assert_eq!(r.last(start), Some(datetime!(2027-01-11 10:00)));
        assert_eq!(
            r.to_text(MSK),
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270111T205959Z"
        );
    }

    #[test]
    fn daily_with_interval_and_count_crosses_the_year() {
        let start = datetime!(2026-12-30 08:00);
        let r = rule("RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3", start);
        let all: Vec<_> = r.occurrences(start).collect();
        assert_eq!(
            all,
            vec![
                datetime!(2026-12-30 08:00),
                datetime!(2027-01-01 08:00),
                datetime!(2027-01-03 08:00)
            ]
        );
        assert_eq!(Rule::parse(&r.to_text(MSK), start, MSK), Ok(r));
    }

    #[test]
    fn an_open_series_expands_only_the_window() {
        let start = datetime!(2020-01-01 09:00);
        let r = rule("FREQ=DAILY", start);
        assert_eq!(r.last(start), None);
        let w = r.between(
            start,
            datetime!(2027-01-01 00:00),
            datetime!(2027-01-08 00:00),
        );
        assert_eq!(w.len(), 7);
    }

    #[test]
    fn hostile_rules_are_refused() {
        let start = datetime!(2026-12-01 09:00);
        for bad in [
            "FREQ=YEARLY",
            "FREQ=DAILY;COUNT=100000",
            "FREQ=DAILY;COUNT=0",
            "FREQ=DAILY;COUNT=5;UNTIL=20270101",
            "FREQ=DAILY;BYDAY=MO",
            "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=DAILY;INTERVAL=1000",
            "FREQ=DAILY;UNTIL=20500101",
            "FREQ=DAILY;UNTIL=20251231",
            "FREQ=DAILY;FREQ=WEEKLY",
            "FREQ=DAILY;BYSETPOS=1",
            "garbage",
            "",
        ] {
            assert!(Rule::parse(bad, start, MSK).is_err(), "{bad} was accepted");
        }
    }
}
