//! The planner's vocabulary and the rules of its input: time zones, kinds
//! of item, reminders, and a personal item's form parsed once into a
//! [`Draft`] (every refusal names its field).

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::rrule::Rule;
use crate::error::AppError;

/// The longest title and notes.
pub const MAX_TITLE: usize = 300;
pub const MAX_NOTES: usize = 4000;
/// Reminders per item, and how long before at most (four weeks).
pub const MAX_REMINDERS: usize = 3;
pub const MAX_REMIND_MINUTES: i64 = 40_320;
/// Invitees of one meeting, and decisions recorded at once.
pub const MAX_INVITEES: usize = 50;
pub const MAX_DECISIONS: usize = 10;

/// Russia's zones. None has changed its offset since October 2014, so a
/// zone is its offset; a person's local times are read in theirs.
pub const ZONES: [(&str, i8); 11] = [
    ("Europe/Kaliningrad", 2),
    ("Europe/Moscow", 3),
    ("Europe/Samara", 4),
    ("Asia/Yekaterinburg", 5),
    ("Asia/Omsk", 6),
    ("Asia/Krasnoyarsk", 7),
    ("Asia/Irkutsk", 8),
    ("Asia/Yakutsk", 9),
    ("Asia/Vladivostok", 10),
    ("Asia/Magadan", 11),
    ("Asia/Kamchatka", 12),
];

pub const DEFAULT_ZONE: Zone = Zone(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(usize);

impl Zone {
    pub fn parse(s: &str) -> Option<Zone> {
        ZONES.iter().position(|z| z.0 == s.trim()).map(Zone)
    }

    /// A stored name; the default for one no longer known.
    pub fn of(s: &str) -> Zone {
        Zone::parse(s).unwrap_or(DEFAULT_ZONE)
    }

    pub fn name(self) -> &'static str {
        ZONES[self.0].0
    }

    pub fn offset(self) -> UtcOffset {
        UtcOffset::from_hms(ZONES[self.0].1, 0, 0).unwrap_or(UtcOffset::UTC)
    }

    /// A moment as the local time of this zone.
    pub fn local(self, t: OffsetDateTime) -> PrimitiveDateTime {
        let l = t.to_offset(self.offset());
        PrimitiveDateTime::new(l.date(), l.time())
    }

    pub fn moment(self, t: PrimitiveDateTime) -> OffsetDateTime {
        t.assume_offset(self.offset()).to_offset(UtcOffset::UTC)
    }

    pub fn today(self, now: OffsetDateTime) -> Date {
        self.local(now).date()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Task,
    Event,
    /// An event with invitees, whose decisions become orders.
    Meeting,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "task" => Some(Kind::Task),
            "event" => Some(Kind::Event),
            "meeting" => Some(Kind::Meeting),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Event => "event",
            Kind::Meeting => "meeting",
        }
    }
}

fn invalid(field: &str, ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::invalid(
        format!("{field}: {}", ru.into()),
        format!("{field}: {}", en.into()),
    )
}

/// "15,60" → [15, 60]: minutes before, distinct, at most three.
pub fn parse_reminders(s: &str) -> Result<Vec<i64>, AppError> {
    let mut out = Vec::new();
    for part in s.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        let n = part
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=MAX_REMIND_MINUTES).contains(n))
            .ok_or_else(|| {
                invalid(
                    "remind",
                    format!("напоминание — число минут от 0 до {MAX_REMIND_MINUTES}."),
                    format!("a reminder is a number of minutes, 0 to {MAX_REMIND_MINUTES}."),
                )
            })?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    if out.len() > MAX_REMINDERS {
        return Err(invalid(
            "remind",
            format!("не больше {MAX_REMINDERS} напоминаний."),
            format!("at most {MAX_REMINDERS} reminders."),
        ));
    }
    out.sort_unstable();
    Ok(out)
}

pub fn reminders_text(r: &[i64]) -> String {
    r.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub fn parse_date(field: &str, s: &str) -> Result<Date, AppError> {
    crate::web::i18n::parse_iso_date(s.trim())
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(|| invalid(field, "дата в формате ГГГГ-ММ-ДД.", "a date as YYYY-MM-DD."))
}

/// "09:30" (seconds allowed); empty is `None`.
pub fn parse_time(field: &str, s: &str) -> Result<Option<Time>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let mut parts = s.split(':');
    let h = parts.next().and_then(|p| p.parse::<u8>().ok());
    let m = parts.next().and_then(|p| p.parse::<u8>().ok());
    let sec = parts.next().map_or(Some(0), |p| p.parse::<u8>().ok());
    match (h, m, sec, parts.next()) {
        (Some(h), Some(m), Some(sec), None) => Time::from_hms(h, m, sec)
            .map(Some)
            .map_err(|_| invalid(field, "время ЧЧ:ММ.", "a time as HH:MM.")),
        _ => Err(invalid(field, "время ЧЧ:ММ.", "a time as HH:MM.")),
    }
}

/// A personal item as its form gives it, checked.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: Kind,
    pub title: String,
    pub notes: String,
    /// Local start (or due) time; midnight for an all-day item.
    pub start: PrimitiveDateTime,
    pub end: Option<PrimitiveDateTime>,
    pub all_day: bool,
    pub rule: Option<Rule>,
    pub remind: Vec<i64>,
    /// The agenda key of what it links to.
    pub link: Option<String>,
}

/// The fields of the item form, by name.
pub struct Fields<'a>(pub &'a [(String, String)]);

impl Fields<'_> {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl Draft {
    pub fn parse(f: &Fields<'_>, zone: Zone) -> Result<Draft, AppError> {
        let kind = Kind::parse(f.get("kind")).ok_or_else(|| {
            invalid(
                "kind",
                "задача, событие или совещание.",
                "a task, an event or a meeting.",
            )
        })?;
        let title = f.get("title").trim().to_owned();
        if title.is_empty() {
            return Err(invalid("title", "укажите название.", "give a title."));
        }
        if title.chars().count() > MAX_TITLE {
            return Err(invalid(
                "title",
                format!("не длиннее {MAX_TITLE} знаков."),
                format!("at most {MAX_TITLE} characters."),
            ));
        }
        let notes = f.get("notes").trim().to_owned();
        if notes.chars().count() > MAX_NOTES {
            return Err(invalid(
                "notes",
                format!("не длиннее {MAX_NOTES} знаков."),
                format!("at most {MAX_NOTES} characters."),
            ));
        }
        let date = parse_date("date", f.get("date"))?;
        let time = parse_time("time", f.get("time"))?;
        let all_day = time.is_none();
        let start = date.with_time(time.unwrap_or(Time::MIDNIGHT));
        let end = match parse_time("end_time", f.get("end_time"))? {
            Some(_) if all_day => {
                return Err(invalid(
                    "end_time",
                    "окончание — только со временем начала.",
                    "an end needs a start time.",
                ));
            }
            Some(e) => {
                let end = date.with_time(e);
                if end <= start {
                    return Err(invalid(
                        "end_time",
                        "окончание позже начала.",
                        "the end comes after the start.",
                    ));
                }
                Some(end)
            }
            None => None,
        };
        let rule = match f.get("rrule").trim() {
            "" => None,
            text => Some(
                Rule::parse(text, start, zone.offset()).map_err(|r| invalid("rrule", r.0, r.1))?,
            ),
        };
        let link = match f.get("link").trim() {
            "" => None,
            k if k.len() > 200 => {
                return Err(invalid("link", "неизвестная ссылка.", "an unknown link."));
            }
            k => Some(k.to_owned()),
        };
        Ok(Draft {
            kind,
            title,
            notes,
            start,
            end,
            all_day,
            rule,
            remind: parse_reminders(f.get("remind"))?,
            link,
        })
    }
}

/// How a reschedule moves an item: to a date (and time), or by a step.
pub fn shifted(start: PrimitiveDateTime, step: &str) -> Option<PrimitiveDateTime> {
    match step {
        "day" => Some(start + Duration::days(1)),
        "week" => Some(start + Duration::weeks(1)),
        "back" => Some(start - Duration::days(1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_parse_and_refuse() {
        assert_eq!(parse_reminders("60, 15,15").ok(), Some(vec![15, 60]));
        assert!(parse_reminders("1,2,3,4").is_err());
        assert!(parse_reminders("-5").is_err());
        assert!(parse_reminders("100000").is_err());
        assert_eq!(parse_reminders("").ok(), Some(vec![]));
    }

    #[test]
    fn zones_are_fixed_offsets() {
        let z = Zone::of("Europe/Moscow");
        assert_eq!(z.offset().whole_hours(), 3);
        assert_eq!(Zone::of("Mars/Olympus"), DEFAULT_ZONE);
        let t = time::macros::datetime!(2026-12-31 22:30 UTC);
        assert_eq!(z.today(t), time::macros::date!(2027 - 01 - 01));
    }
}
