//! The schema's simple types that are more than text: GUIDs, moments and
//! dates, read strictly and written the one way the schema reads them.

use std::fmt;
use std::hash::{Hash, Hasher};

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Whitespace collapsed the way XML Schema's `token` does.
pub(super) fn collapse(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `globalUniqueIdentifier`: a GUID as the sender wrote it. Kept as text
/// because a receipt must name a message exactly as it came (some systems
/// compare the text), but compared and hashed without regard to case.
#[derive(Debug, Clone, Eq)]
pub struct Guid(String);

impl Guid {
    /// A new random id (UUID v4), lower case.
    pub fn new() -> Self {
        Guid::from_uuid(uuid::Uuid::new_v4())
    }

    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        Guid(uuid.hyphenated().to_string())
    }

    /// A GUID in the schema's pattern (8-4-4-4-12 hexadecimal digits);
    /// surrounding whitespace is dropped, as for any `normalizedString`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let groups: Vec<&str> = text.split('-').collect();
        let lengths = [8, 4, 4, 4, 12];
        let fits = groups.len() == lengths.len()
            && groups.iter().zip(lengths).all(|(group, length)| {
                group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit())
            });
        fits.then(|| Guid(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn to_uuid(&self) -> uuid::Uuid {
        // The pattern was checked when the value was made, so this parses;
        // the nil id is only a fallback that cannot be reached.
        uuid::Uuid::parse_str(&self.0).unwrap_or_default()
    }
}

impl Default for Guid {
    fn default() -> Self {
        Guid::new()
    }
}

impl PartialEq for Guid {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Hash for Guid {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state);
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `xsd:dateTime`: a moment, with its time zone when the sender gave one.
/// МЭДО senders often write local (Moscow) time without a zone, which
/// `OffsetDateTime` cannot hold; `at_offset` gives one with a zone assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub local: PrimitiveDateTime,
    pub offset: Option<UtcOffset>,
}

impl Timestamp {
    /// The moment, with the zone it was written in or else `assumed`.
    pub fn at_offset(self, assumed: UtcOffset) -> OffsetDateTime {
        self.local.assume_offset(self.offset.unwrap_or(assumed))
    }

    /// Reads `YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (date, rest) = text.split_once('T')?;
        let date = parse_date_only(date)?;
        let (clock, offset) = split_zone(rest)?;
        let (hms, fraction) = match clock.split_once('.') {
            Some((hms, fraction)) => (hms, Some(fraction)),
            None => (clock, None),
        };
        let mut parts = hms.split(':');
        let hour = two_digits(parts.next()?)?;
        let minute = two_digits(parts.next()?)?;
        let second = two_digits(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        let nanos = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                // Nanoseconds from the first nine digits; further ones
                // are below what `time` keeps.
                let digits: String = f.chars().chain("000000000".chars()).take(9).collect();
                digits.parse().ok()?
            }
            Some(_) => return None,
        };
        // 24:00:00 is the end of a day in XML Schema; `time` has no such
        // hour, and no real message writes it.
        let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
        Some(Timestamp {
            local: PrimitiveDateTime::new(date, time),
            offset,
        })
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(moment: OffsetDateTime) -> Self {
        Timestamp {
            local: PrimitiveDateTime::new(moment.date(), moment.time()),
            offset: Some(moment.offset()),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, t) = (self.local.date(), self.local.time());
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            format_date(d),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        if t.nanosecond() != 0 {
            let fraction = format!("{:09}", t.nanosecond());
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        match self.offset {
            None => Ok(()),
            Some(offset) if offset.is_utc() => f.write_str("Z"),
            Some(offset) => {
                let (h, m, _) = offset.as_hms();
                let sign = if offset.is_negative() { '-' } else { '+' };
                write!(f, "{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
            }
        }
    }
}

/// Reads an `xsd:date`: `YYYY-MM-DD`, with a time zone that is dropped
/// (a document's date is a calendar day wherever it is read).
pub fn parse_date(text: &str) -> Option<Date> {
    let (date, _zone) = split_zone(text.trim())?;
    parse_date_only(date)
}

/// An `xsd:date` as written: `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn parse_date_only(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let year = parts.next()?;
    let month = two_digits(parts.next()?)?;
    let day = two_digits(parts.next()?)?;
    if parts.next().is_some() || year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Splits a trailing time zone (`Z`, `+03:00`, `-05:00`) off a date or time.
fn split_zone(text: &str) -> Option<(&str, Option<UtcOffset>)> {
    if let Some(rest) = text.strip_suffix('Z') {
        return Some((rest, Some(UtcOffset::UTC)));
    }
    let Some(at) = text.len().checked_sub(6) else {
        return Some((text, None));
    };
    let (head, zone) = (text.get(..at)?, text.get(at..)?);
    let sign = match zone.as_bytes().first() {
        Some(b'+') => 1,
        // A date's own dashes stand where a zone's sign would only when
        // the text is a bare date ("2024-03-01" ends "-03-01"): a zone has
        // a colon in its fourth place.
        Some(b'-') if zone.as_bytes().get(3) == Some(&b':') => -1,
        _ => return Some((text, None)),
    };
    let hours = two_digits(zone.get(1..3)?)?;
    let minutes = two_digits(zone.get(4..6)?)?;
    if zone.as_bytes().get(3) != Some(&b':') || hours > 14 || minutes > 59 {
        return None;
    }
    let offset = UtcOffset::from_hms(sign * hours as i8, sign * minutes as i8, 0).ok()?;
    Some((head, Some(offset)))
}

fn two_digits(text: &str) -> Option<u8> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}
