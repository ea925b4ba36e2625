//! The deadline a dictation names, relative to the day it was spoken:
//! «до пятницы», «к 1 декабря», «до 15.12», «через две недели»,
//! «в течение 10 дней», «в течение пяти рабочих дней» (working days of the
//! production calendar), «в десятидневный срок», «до конца месяца»,
//! «завтра».

use time::{Date, Duration, Month, Weekday};

use super::Token;
use super::words::{self, Unit};
use crate::workflow::sla::Calendar;

/// A deadline found and the tokens that said it.
pub struct Found {
    pub date: Date,
    pub from: usize,
    pub to: usize,
}

/// The first deadline in the tokens.
pub fn find(tokens: &[Token], today: Date, calendar: &Calendar) -> Option<Found> {
    (0..tokens.len()).find_map(|i| at(tokens, i, today, calendar))
}

fn w(tokens: &[Token], i: usize) -> &str {
    tokens.get(i).map(|t| t.norm.as_str()).unwrap_or("")
}

fn at(t: &[Token], i: usize, today: Date, cal: &Calendar) -> Option<Found> {
    let found = |date: Date, to: usize| Some(Found { date, from: i, to });
    match w(t, i) {
        "через" => {
            let (n, unit, working, end) = amount(t, i + 1)?;
            found(add(today, n, unit, working, cal), end)
        }
        "в" | "во" if w(t, i + 1) == "течение" => {
            let (n, unit, working, end) = amount(t, i + 2)?;
            found(add(today, n, unit, working, cal), end)
        }
        "в" if w(t, i + 2) == "срок" => {
            let (n, unit) = words::compound(w(t, i + 1))?;
            found(add(today, n, unit, false, cal), i + 3)
        }
        "в" | "во" => {
            let d = words::weekday(w(t, i + 1))?;
            found(next_weekday(today, d), i + 2)
        }
        "сегодня" => found(today, i + 1),
        "завтра" => found(today + Duration::days(1), i + 1),
        "послезавтра" => found(today + Duration::days(2), i + 1),
        "до" | "к" | "ко" | "по" => {
            let (date, end) = point(t, i + 1, today)?;
            found(date, end)
        }
        "не" if matches!(w(t, i + 1), "позднее" | "позже") => {
            let (date, end) = point(t, i + 2, today)?;
            found(date, end)
        }
        "срок" => {
            // «срок — 1 декабря», «срок исполнения пятница»
            let skip = usize::from(w(t, i + 1) == "исполнения");
            let (date, end) = point(t, i + 1 + skip, today)?;
            found(date, end)
        }
        "на" if matches!(w(t, i + 1), "этой" | "следующей") && w(t, i + 2) == "неделе" =>
        {
            let friday = next_or_this(today, Weekday::Friday);
            let date = if w(t, i + 1) == "этой" {
                friday
            } else {
                friday + Duration::weeks(1)
            };
            found(date, i + 3)
        }
        _ => None,
    }
}

/// «пяти рабочих дней», «две недели», «неделю», «месяца»: the number (1
/// when unsaid), the unit, whether working days, and the end.
fn amount(t: &[Token], i: usize) -> Option<(u32, Unit, bool, usize)> {
    let (n, mut j) = match words::number(t, i) {
        Some((n, len)) => (n, i + len),
        None => (1, i),
    };
    let mut working = false;
    if matches!(
        w(t, j),
        "рабочих" | "рабочие" | "рабочий" | "рабочего" | "календарных"
    ) {
        working = w(t, j).starts_with("рабоч");
        j += 1;
    }
    let unit = words::unit(w(t, j))?;
    Some((n, unit, working, j + 1))
}

fn add(today: Date, n: u32, unit: Unit, working: bool, cal: &Calendar) -> Date {
    let n = i64::from(n);
    match (unit, working) {
        (Unit::Day, true) => cal.add_working_days(today, n),
        (Unit::Week, true) => cal.add_working_days(today, 5 * n),
        (Unit::Day, false) => today + Duration::days(n),
        (Unit::Week, false) => today + Duration::weeks(n),
        (Unit::Month, _) => add_months(today, n),
    }
}

fn add_months(d: Date, n: i64) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(d.month() as u8 - 1) + n;
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(d.year());
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

/// The next `day` after today (a week ahead when today is that day).
fn next_weekday(today: Date, day: Weekday) -> Date {
    let mut d = today + Duration::days(1);
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}

/// This week's `day` when it has not passed, else the next.
fn next_or_this(today: Date, day: Weekday) -> Date {
    if today.weekday() == day {
        today
    } else {
        next_weekday(today, day)
    }
}

/// A point in time after «до», «к», «по»: a date, a weekday, the end of a
/// week, month, quarter or year, tomorrow.
fn point(t: &[Token], i: usize, today: Date) -> Option<(Date, usize)> {
    let word = w(t, i);
    if let Some(d) = dotted(word, today) {
        return Some((d, i + 1));
    }
    match word {
        "завтра" | "завтрашнего" => {
            let end = if w(t, i + 1) == "дня" {
                i + 2
            } else {
                i + 1
            };
            return Some((today + Duration::days(1), end));
        }
        "послезавтра" => return Some((today + Duration::days(2), i + 1)),
        "следующей" | "следующего" | "следующему" | "следующую" | "следующий" => {
            if let Some(d) = words::weekday(w(t, i + 1)) {
                let this_week_monday =
                    today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
                let date = this_week_monday
                    + Duration::weeks(1)
                    + Duration::days(i64::from(d.number_days_from_monday()));
                return Some((date, i + 2));
            }
        }
        "конца" | "концу" | "окончания" => {
            let (next, k) = if matches!(w(t, i + 1), "следующей" | "следующего")
            {
                (true, i + 2)
            } else {
                (false, i + 1)
            };
            let date = match w(t, k) {
                "недели" => {
                    let f = next_or_this(today, Weekday::Friday);
                    if next { f + Duration::weeks(1) } else { f }
                }
                "дня" => today,
                "месяца" => {
                    let m = if next { add_months(today, 1) } else { today };
                    m.replace_day(m.month().length(m.year())).ok()?
                }
                "квартала" => {
                    let q_end = ((today.month() as u8 - 1) / 3 + 1) * 3;
                    let m = Month::try_from(q_end).ok()?;
                    let base = Date::from_calendar_date(today.year(), m, 1).ok()?;
                    let base = if next { add_months(base, 3) } else { base };
                    base.replace_day(base.month().length(base.year())).ok()?
                }
                "года" => {
                    let y = today.year() + i32::from(next);
                    Date::from_calendar_date(y, Month::December, 31).ok()?
                }
                _ => return None,
            };
            return Some((date, k + 1));
        }
        _ => {}
    }
    if let Some(d) = words::weekday(word) {
        return Some((next_weekday(today, d), i + 1));
    }
    let (day, len) = words::number(t, i)?;
    let j = i + len;
    if matches!(w(t, j), "числа" | "числу") {
        let this = today.replace_day(u8::try_from(day).ok()?).ok();
        let date = match this {
            Some(d) if d >= today => d,
            _ => add_months(today.replace_day(1).ok()?, 1)
                .replace_day(u8::try_from(day).ok()?)
                .ok()?,
        };
        return Some((date, j + 1));
    }
    let month = words::month(w(t, j))?;
    let day = u8::try_from(day).ok()?;
    let mut end = j + 1;
    let year = match w(t, end).parse::<i32>() {
        Ok(y) if (2000..2100).contains(&y) => {
            end += 1;
            if matches!(w(t, end), "года" | "г") {
                end += 1;
            }
            Some(y)
        }
        _ => None,
    };
    let date = match year {
        Some(y) => Date::from_calendar_date(y, month, day).ok()?,
        None => {
            let d = Date::from_calendar_date(today.year(), month, day).ok()?;
            if d < today {
                Date::from_calendar_date(today.year() + 1, month, day).ok()?
            } else {
                d
            }
        }
    };
    Some((date, end))
}

/// «15.12» or «15.12.2026».
fn dotted(word: &str, today: Date) -> Option<Date> {
    let mut parts = word.split('.');
    let day: u8 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let year: Option<i32> = match parts.next() {
        Some(y) => {
            let y: i32 = y.parse().ok()?;
            Some(if y < 100 { 2000 + y } else { y })
        }
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    let month = Month::try_from(month).ok()?;
    match year {
        Some(y) => Date::from_calendar_date(y, month, day).ok(),
        None => {
            let d = Date::from_calendar_date(today.year(), month, day).ok()?;
            if d < today {
                Date::from_calendar_date(today.year() + 1, month, day).ok()
            } else {
                Some(d)
            }
        }
    }
}
