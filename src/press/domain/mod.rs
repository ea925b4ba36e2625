//! The rules of mass-media tracking, pure and tested as tables: what
//! makes two links or two titles the same story, how a feed's text
//! becomes a title and a snippet, what a tracked entity is, when a day's
//! mentions are a spike, the moving average, and how long a failing feed
//! waits.

use sha2::{Digest, Sha256};
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use url::Url;

#[cfg(test)]
mod tests;

pub const MSK: UtcOffset = time::macros::offset!(+3);

/// The longest link kept; a longer one is not a story's address.
pub const MAX_URL: usize = 2000;
/// Titles are cut to this many characters.
pub const MAX_TITLE: usize = 300;
/// Snippets are cut to this many characters (a teaser, not the text:
/// the text stays with its publisher).
pub const MAX_SNIPPET: usize = 300;

/// Query parameters that say where a reader came from, not what they
/// read: dropped, so one article is one link.
fn tracking(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "yclid"
                | "ysclid"
                | "_openstat"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "ref_src"
                | "rss"
        )
}

/// A story's link, cleaned: http(s) only, host lower-cased (the parser
/// does it), no fragment, no tracking parameters, the remaining query
/// sorted; and its key for deduplication: the same without the scheme,
/// a leading `www.` and a trailing slash. `None` for anything else.
pub fn normalise_url(raw: &str) -> Option<(String, String)> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL {
        return None;
    }
    let mut url = Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(&pairs);
    }
    let host = url.host_str()?.trim_start_matches("www.");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path();
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        ""
    };
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    let key = format!("{host}{port}{path}{query}");
    Some((url.to_string(), key))
}

/// A title as compared: lower-cased, «ё» as «е», everything that is not
/// a letter or a digit one space.
pub fn normalise_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut space = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// The hash two copies of a story share; empty for a title too short to
/// tell stories apart («Новости», «Погода на завтра»): fewer than four
/// words or 24 characters.
pub fn title_hash(title: &str) -> String {
    let n = normalise_title(title);
    if n.split(' ').count() < 4 || n.chars().count() < 24 {
        return String::new();
    }
    let digest = Sha256::digest(n.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "laquo" => '«',
        "raquo" => '»',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "bdquo" => '„',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "copy" => '©',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
        }
    })
}

/// Text from a feed's field, which may carry HTML (escaped or not): tags
/// and the content of scripts and styles removed, character references
/// decoded, whitespace collapsed, cut at a word to `max` characters with
/// an ellipsis.
pub fn clean_text(raw: &str, max: usize) -> String {
    // A field of megabytes is cut first: markup and references cost work
    // in proportion to what is read, and a snippet needs little of it.
    let raw = head(raw, 64 * max + 4096);
    let mut text = String::with_capacity(raw.len().min(4 * max + 64));
    let mut rest = raw;
    // Escaped markup (`&lt;p&gt;`) is markup once decoded: two passes at
    // most, so a text about `&lt;` keeps its sign.
    let decoded;
    if rest.contains("&lt;") && !rest.contains('<') {
        decoded = decode(rest);
        rest = &decoded;
    }
    let mut skip_until: Option<&str> = None;
    while !rest.is_empty() {
        if text.len() > 8 * max + 64 {
            break;
        }
        if let Some(end) = skip_until {
            match find_ci(rest, end) {
                Some(i) => {
                    let after = &rest[i + end.len()..];
                    rest = after.find('>').map_or("", |j| &after[j + 1..]);
                    skip_until = None;
                }
                None => break,
            }
            continue;
        }
        // A `<` opens a tag only before a letter, `/` or `!`: "a < b"
        // is text.
        let tag_at = rest.match_indices('<').map(|(i, _)| i).find(|i| {
            rest[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
        });
        match tag_at {
            Some(i) => {
                text.push_str(&rest[..i]);
                let tag = &rest[i..];
                let close = tag.find('>').unwrap_or(tag.len() - 1);
                let name = tag[1..close + 1]
                    .trim_start_matches('/')
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if (name == "script" || name == "style") && !tag.starts_with("</") {
                    skip_until = Some(if name == "script" {
                        "</script"
                    } else {
                        "</style"
                    });
                }
                // Block tags separate words.
                text.push(' ');
                rest = &tag[(close + 1).min(tag.len())..];
            }
            None => {
                text.push_str(rest);
                rest = "";
            }
        }
    }
    let text = decode(&text);
    let mut out = String::new();
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    cut(&out, max)
}

/// The first at most `bytes` bytes of `s`, cut at a character.
fn head(s: &str, bytes: usize) -> &str {
    if s.len() <= bytes {
        return s;
    }
    let mut end = bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Where `needle` (ASCII, lower case) starts in `hay`, ignoring ASCII case;
/// without copying the rest of the text for each search.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
}

/// Decodes character references (`&amp;`, `&#171;`, `&#xAB;`); an
/// unknown or broken one stays as written.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        // A reference is short: `;` is looked for in the next ten bytes
        // only, so a text of ampersands costs no more than its length.
        let end = tail.as_bytes()[1..]
            .iter()
            .take(10)
            .position(|b| *b == b';')
            .map(|e| e + 1);
        match end.and_then(|e| entity(&tail[1..e]).map(|c| (c, e))) {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` cut to `max` characters at a word, with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    let at = head.rfind(' ').filter(|i| *i > head.len() / 2);
    format!("{}…", head[..at.unwrap_or(head.len())].trim_end())
}

/// A feed's date: RFC 2822 (RSS), RFC 3339 (Atom, Dublin Core), and the
/// forms seen in the wild (`GMT`, `UT`, `UTC` zones, a missing weekday).
pub fn parse_date(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc2822) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let mut t = s.to_owned();
    for zone in [" GMT", " UTC", " UT", " Z"] {
        if let Some(head) = t.strip_suffix(zone) {
            t = format!("{head} +0000");
            break;
        }
    }
    if let Some((_, tail)) = t.split_once(", ")
        && t.len() - tail.len() <= 5
    {
        t = tail.to_owned();
    }
    let with_day = format!("Mon, {t}");
    // RFC 2822 checks the weekday: try each.
    for day in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] {
        let candidate = with_day.replacen("Mon", day, 1);
        if let Ok(v) = OffsetDateTime::parse(&candidate, &Rfc2822) {
            return Some(v);
        }
    }
    None
}

/// The publication time kept: the feed's, never in the future (a clock
/// ahead or a typo would keep a story on top for years), the fetch time
/// when the feed gives none.
pub fn published(given: Option<OffsetDateTime>, now: OffsetDateTime) -> OffsetDateTime {
    given.map_or(now, |t| t.min(now)).to_offset(UtcOffset::UTC)
}

/// The day a moment belongs to, in the krai.
pub fn day_of(t: OffsetDateTime) -> Date {
    t.to_offset(MSK).date()
}

/// What kind of media a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Federal,
    Regional,
    Municipal,
}

impl SourceKind {
    pub const ALL: [SourceKind; 3] = [
        SourceKind::Federal,
        SourceKind::Regional,
        SourceKind::Municipal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Federal => "federal",
            SourceKind::Regional => "regional",
            SourceKind::Municipal => "municipal",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The heuristic tone, or an officer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tone {
    Positive,
    Negative,
    Neutral,
}

impl Tone {
    pub const ALL: [Tone; 3] = [Tone::Positive, Tone::Neutral, Tone::Negative];

    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Positive => "pos",
            Tone::Negative => "neg",
            Tone::Neutral => "neu",
        }
    }

    pub fn parse(s: &str) -> Option<Tone> {
        Tone::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Something tracked in the media. Its key is what the store keeps.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    Region,
    Municipality(String),
    Organisation(String),
    Official(i64),
    Project(i64),
}

impl Entity {
    pub fn key(&self) -> String {
        match self {
            Entity::Region => "region".into(),
            Entity::Municipality(m) => format!("mun:{m}"),
            Entity::Organisation(o) => format!("org:{o}"),
            Entity::Official(i) => format!("official:{i}"),
            Entity::Project(i) => format!("project:{i}"),
        }
    }

    /// The entity of a key; `None` for anything else (an address typed by
    /// hand).
    pub fn parse(key: &str) -> Option<Entity> {
        if key.len() > 80 {
            return None;
        }
        let slug = |s: &str| {
            (!s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
            .then(|| s.to_owned())
        };
        let id = |s: &str| s.parse::<i64>().ok().filter(|i| *i > 0);
        match key.split_once(':') {
            None if key == "region" => Some(Entity::Region),
            Some(("mun", m)) => slug(m).map(Entity::Municipality),
            Some(("org", o)) => slug(o).map(Entity::Organisation),
            Some(("official", i)) => id(i).map(Entity::Official),
            Some(("project", i)) => id(i).map(Entity::Project),
            _ => None,
        }
    }

    /// The organisation whose officers own the entity (a department's
    /// own); the others belong to the keeper of media tracking.
    pub fn organisation(&self) -> Option<&str> {
        match self {
            Entity::Organisation(o) => Some(o),
            _ => None,
        }
    }
}

/// A day whose mentions stand out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub count: i64,
    pub mean: f64,
    pub sd: f64,
    pub threshold: f64,
}

/// Whether `today`'s mentions are a spike against the days before
/// (`history`, zeros included): above the mean plus `k` standard
/// deviations, and at least `min` (a quiet entity going from 0 to 1 is
/// no news).
pub fn spike(history: &[i64], today: i64, k: f64, min: i64) -> Option<Spike> {
    if today < min.max(1) {
        return None;
    }
    let n = history.len().max(1) as f64;
    let mean = history.iter().sum::<i64>() as f64 / n;
    let var = history
        .iter()
        .map(|v| (*v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let sd = var.sqrt();
    let threshold = mean + k * sd;
    (today as f64 > threshold).then_some(Spike {
        count: today,
        mean,
        sd,
        threshold,
    })
}

/// The trailing moving average over `window` values (fewer at the start).
pub fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let window = window.max(1);
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0;
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / (i + 1).min(window) as f64);
    }
    out
}

/// How long a feed waits before its next poll: the interval after a
/// success; after `errors` failures in a row, the interval doubled per
/// failure, up to `cap`.
pub fn next_delay(interval: Duration, errors: i64, cap: Duration) -> Duration {
    if errors <= 0 {
        return interval;
    }
    let factor = 1_i64 << errors.min(20);
    let delay = interval.checked_mul(factor as i32).unwrap_or(cap).min(cap);
    delay.max(interval.min(cap))
}
