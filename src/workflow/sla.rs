//! The deadline of an official reaction: 10 days after publication, in
//! calendar days (the default) or in working days of the Russian production
//! calendar (holidays and moved working days), loaded from a data file.

use std::collections::HashMap;
use std::sync::LazyLock;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// Moscow time, the krai's.
pub const MSK: UtcOffset = time::macros::offset!(+3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Calendar,
    Working,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Calendar => "calendar",
            Mode::Working => "working",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "calendar" => Some(Mode::Calendar),
            "working" => Some(Mode::Working),
            _ => None,
        }
    }
}

/// Exceptions to "Saturday and Sunday are days off".
pub struct Calendar {
    /// true: a working day (a moved working Saturday); false: a day off.
    exceptions: HashMap<Date, bool>,
    pub first: Option<Date>,
    pub last: Option<Date>,
}

const RUSSIA: &str = include_str!("../../datasets/calendar/production-calendar-ru.csv");

static CALENDAR: LazyLock<Calendar> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "the embedded calendar is validated by tests"
    )]
    Calendar::parse(RUSSIA).expect("the embedded production calendar is valid")
});

/// How close the calendar's end may come before administrators are warned.
pub const WARN_DAYS: i64 = 32;

/// The production calendar compiled in (datasets/calendar/).
pub fn russia() -> &'static Calendar {
    &CALENDAR
}

impl Calendar {
    /// Parses `date,kind,note` lines, kind `holiday` or `workday`.
    pub fn parse(csv_text: &str) -> anyhow::Result<Calendar> {
        let mut exceptions = HashMap::new();
        let format = time::macros::format_description!("[year]-[month]-[day]");
        for (i, r) in csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .enumerate()
        {
            let r = r?;
            let date = Date::parse(r.get(0).unwrap_or(""), &format)
                .map_err(|e| anyhow::anyhow!("line {}: {e}", i + 2))?;
            let working = match r.get(1) {
                Some("holiday") => false,
                Some("workday") => true,
                other => anyhow::bail!("line {}: kind {other:?} is not holiday or workday", i + 2),
            };
            exceptions.insert(date, working);
        }
        let first = exceptions.keys().min().copied();
        let last = exceptions.keys().max().copied();
        Ok(Calendar {
            exceptions,
            first,
            last,
        })
    }

    /// The calendar's last known day when it is at most `WARN_DAYS` away
    /// from `today` (or already past): after it, holidays are not known
    /// and would count as working days, so someone must add the next year.
    pub fn ends_soon(&self, today: Date) -> Option<Date> {
        self.last
            .filter(|last| (*last - today).whole_days() <= WARN_DAYS)
    }

    pub fn is_working(&self, d: Date) -> bool {
        match self.exceptions.get(&d) {
            Some(w) => *w,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The `n`-th working day after `d`.
    pub fn add_working_days(&self, d: Date, n: i64) -> Date {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day = day.next_day().unwrap_or(day);
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }
}

/// When the reaction to a request published at `published` is due.
pub fn due(
    published: OffsetDateTime,
    mode: Mode,
    days: i64,
    calendar: &Calendar,
) -> OffsetDateTime {
    match mode {
        Mode::Calendar => published + Duration::days(days),
        Mode::Working => {
            // The end of the n-th working day after the day of publication.
            let local = published.to_offset(MSK).date();
            let last = calendar.add_working_days(local, days);
            PrimitiveDateTime::new(last, Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT))
                .assume_offset(MSK)
                .to_offset(UtcOffset::UTC)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn calendar_days() {
        let p = datetime!(2026-11-23 10:00 UTC);
        assert_eq!(
            due(p, Mode::Calendar, 10, russia()),
            datetime!(2026-12-03 10:00 UTC)
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let c = russia();
        // Monday 23 Nov 2026 + 10 working days = Monday 7 Dec (two weekends).
        let p = datetime!(2026-11-23 07:00 UTC);
        assert_eq!(
            due(p, Mode::Working, 10, c),
            datetime!(2026-12-07 20:59:59 UTC)
        );
        // Across the New Year holidays (1–11 January 2026 are days off).
        assert_eq!(
            c.add_working_days(date!(2025 - 12 - 30), 1),
            date!(2026 - 01 - 12)
        );
        // A moved working Saturday counts (1 Nov 2025) and the Monday after is off.
        assert!(c.is_working(date!(2025 - 11 - 01)));
        assert!(!c.is_working(date!(2025 - 11 - 03)));
        assert_eq!(
            c.add_working_days(date!(2025 - 10 - 31), 1),
            date!(2025 - 11 - 01)
        );
        assert_eq!(
            c.add_working_days(date!(2025 - 11 - 01), 1),
            date!(2025 - 11 - 05)
        );
    }

    #[test]
    fn the_calendar_file_is_read_strictly() {
        assert!(Calendar::parse("date,kind,note\n2026-01-01,party,x\n").is_err());
        assert!(Calendar::parse("date,kind,note\n2026-13-01,holiday,x\n").is_err());
        assert_eq!(russia().first, Some(date!(2025 - 01 - 01)));
    }

    #[test]
    fn the_end_of_the_calendar_is_announced_a_month_ahead() {
        let cal =
            Calendar::parse("date,kind,note\n2026-01-01,holiday,\n2026-12-31,holiday,\n").unwrap();
        let d = |y, m: u8, day| {
            Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), day).unwrap()
        };
        assert_eq!(cal.ends_soon(d(2026, 11, 28)), None, "33 days ahead: quiet");
        assert_eq!(
            cal.ends_soon(d(2026, 11, 29)),
            Some(d(2026, 12, 31)),
            "32 days ahead"
        );
        assert_eq!(
            cal.ends_soon(d(2027, 2, 1)),
            Some(d(2026, 12, 31)),
            "past its end"
        );
    }
}
