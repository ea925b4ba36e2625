//! A feed's body to its items, whatever the publisher sent. The body was
//! cut to the size limit while it was read (`fetch.rs`); here:
//!
//! - the XML is walked once for its shape before any parser sees it: too
//!   deep (the `rss` and `atom_syndication` readers descend into unknown
//!   elements by recursion, so a deep document would exhaust the stack)
//!   or too many elements is refused with the number;
//! - RSS (0.9x, 1.0, 2.0) is tried, then Atom; anything else is "not a
//!   feed";
//! - only the first `MAX_ITEMS` items are read; each keeps a cleaned
//!   title, a snippet (no markup, at most `MAX_SNIPPET` characters) and its
//!   link resolved against the feed's address.

use std::borrow::Cow;

use time::OffsetDateTime;
use url::Url;

use super::domain::{MAX_SNIPPET, MAX_TITLE, clean_text, parse_date};

/// Items read from one feed; the rest are ignored (a feed lists its
/// latest, and it is polled again).
pub const MAX_ITEMS: usize = 200;
/// Elements nested deeper than this are refused (feeds need about 6).
pub const MAX_DEPTH: usize = 32;
/// Elements in one body.
pub const MAX_ELEMENTS: usize = 100_000;

/// One item, as the store wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub url: String,
    pub title: String,
    pub snippet: String,
    pub published: Option<OffsetDateTime>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<Item>,
    /// Items left out: without a title or a usable link, or past the
    /// limit.
    pub skipped: usize,
}

/// Why a body is not read: a code the health view names in the reader's
/// language, and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedError {
    pub code: &'static str,
    pub detail: String,
}

impl FeedError {
    pub fn new(code: &'static str, detail: impl Into<String>) -> FeedError {
        FeedError {
            code,
            detail: detail.into(),
        }
    }

    /// As the feed's last error is stored: `code: detail`.
    pub fn stored(&self) -> String {
        let detail: String = self.detail.chars().take(300).collect();
        format!("{}: {detail}", self.code)
    }
}

/// The body as UTF-8: a byte-order mark or the XML declaration's
/// encoding decides (feeds of Russian media still come in windows-1251 or
/// KOI8-R); the declaration is rewritten to say what the bytes now are.
fn utf8(body: &[u8]) -> Cow<'_, [u8]> {
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]);
    let declared = head
        .strip_prefix('\u{feff}')
        .unwrap_or(&head)
        .trim_start()
        .strip_prefix("<?xml")
        .and_then(|d| d.split("?>").next())
        .and_then(|d| d.split_once("encoding=").map(|(_, v)| v.trim_start()))
        .and_then(|v| {
            let quote = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            v[1..].split(quote).next().map(str::to_owned)
        });
    let by_bom = encoding_rs::Encoding::for_bom(body).map(|(e, _)| e);
    let by_label = declared
        .as_deref()
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    match by_bom.or(by_label) {
        Some(e) if e != encoding_rs::UTF_8 => {
            let (text, _, _) = e.decode(body);
            let text = match &declared {
                Some(label) => text.replacen(label.as_str(), "utf-8", 1),
                None => text.into_owned(),
            };
            Cow::Owned(text.into_bytes())
        }
        _ => Cow::Borrowed(body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body)),
    }
}

/// Walks the document's elements: their depth and number.
fn check_shape(body: &[u8]) -> Result<(), FeedError> {
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let (mut depth, mut elements) = (0usize, 0usize);
    loop {
        use quick_xml::events::Event;
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(_)) => {
                depth += 1;
                elements += 1;
                if depth > MAX_DEPTH {
                    return Err(FeedError::new("too_deep", format!("> {MAX_DEPTH}")));
                }
            }
            Ok(Event::Empty(_)) => elements += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(FeedError::new(
                    "not_xml",
                    format!("{} (byte {})", e, reader.buffer_position()),
                ));
            }
        }
        if elements > MAX_ELEMENTS {
            return Err(FeedError::new("too_many", format!("> {MAX_ELEMENTS}")));
        }
        buf.clear();
    }
    if elements == 0 {
        return Err(FeedError::new("not_xml", "no elements"));
    }
    Ok(())
}

/// An item's link: absolute http(s), or resolved against the feed's
/// address.
fn link(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > super::domain::MAX_URL {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

fn item(
    title: Option<&str>,
    href: Option<String>,
    text: Option<&str>,
    published: Option<OffsetDateTime>,
) -> Option<Item> {
    let title = clean_text(title?, MAX_TITLE);
    let url = href?;
    if title.is_empty() {
        return None;
    }
    Some(Item {
        url,
        title,
        snippet: text.map(|t| clean_text(t, MAX_SNIPPET)).unwrap_or_default(),
        published,
    })
}

fn from_rss(channel: &rss::Channel, base: Option<&Url>) -> Parsed {
    let mut out = Parsed::default();
    for (i, it) in channel.items().iter().enumerate() {
        if i >= MAX_ITEMS {
            out.skipped += channel.items().len() - MAX_ITEMS;
            break;
        }
        let href = it.link().and_then(|l| link(l, base)).or_else(|| {
            it.guid()
                .filter(|g| g.is_permalink())
                .and_then(|g| link(g.value(), base))
        });
        let date = it.pub_date().and_then(parse_date).or_else(|| {
            it.dublin_core_ext()
                .and_then(|dc| dc.dates().first())
                .and_then(|d| parse_date(d))
        });
        let text = it.description().or(it.content());
        match item(it.title(), href, text, date) {
            Some(x) => out.items.push(x),
            None => out.skipped += 1,
        }
    }
    out
}

fn from_atom(feed: &atom_syndication::Feed, base: Option<&Url>) -> Parsed {
    let mut out = Parsed::default();
    let moment = |secs: i64| OffsetDateTime::from_unix_timestamp(secs).ok();
    for (i, e) in feed.entries().iter().enumerate() {
        if i >= MAX_ITEMS {
            out.skipped += feed.entries().len() - MAX_ITEMS;
            break;
        }
        let href = e
            .links()
            .iter()
            .find(|l| l.rel() == "alternate" || l.rel().is_empty())
            .or(e.links().first())
            .and_then(|l| link(l.href(), base));
        let date = e
            .published()
            .map(|d| d.timestamp())
            .or(Some(e.updated().timestamp()).filter(|s| *s > 0))
            .and_then(moment);
        let text = e
            .summary()
            .map(|s| s.as_str())
            .or(e.content().and_then(|c| c.value()));
        match item(Some(e.title().as_str()), href, text, date) {
            Some(x) => out.items.push(x),
            None => out.skipped += 1,
        }
    }
    out
}

/// The items of a feed's body (RSS, else Atom); `base` resolves relative
/// links.
pub fn feed(body: &[u8], base: Option<&Url>) -> Result<Parsed, FeedError> {
    let body = utf8(body);
    let body = &body[..];
    check_shape(body)?;
    match rss::Channel::read_from(body) {
        Ok(channel) => Ok(from_rss(&channel, base)),
        Err(rss_error) => match atom_syndication::Feed::read_from(body) {
            Ok(feed) => Ok(from_atom(&feed, base)),
            Err(_) => Err(FeedError::new("not_feed", rss_error.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Вести</title><link>https://vesti.example.ru/</link>
<item><title>Мост &amp; дорога</title><link>/news/1?utm_source=rss</link>
<description>&lt;p&gt;Открыли &lt;b&gt;мост&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Wed, 02 Dec 2026 10:00:00 +0300</pubDate></item>
<item><title></title><link>https://vesti.example.ru/news/2</link></item>
<item><title>Без ссылки</title></item>
</channel></rss>"#;

    #[test]
    fn rss_items_are_read_and_cleaned() {
        let base = Url::parse("https://vesti.example.ru/rss.xml").unwrap();
        let p = feed(RSS.as_bytes(), Some(&base)).unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.skipped, 2);
        let i = &p.items[0];
        assert_eq!(i.title, "Мост & дорога");
        assert_eq!(i.url, "https://vesti.example.ru/news/1?utm_source=rss");
        assert_eq!(i.snippet, "Открыли мост");
        assert_eq!(
            i.published,
            Some(time::macros::datetime!(2026-12-02 07:00:00 UTC))
        );
    }

    #[test]
    fn atom_entries_are_read() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Лента</title><id>urn:x</id>
<updated>2026-12-02T07:00:00Z</updated>
<entry><title>Новая школа</title><id>urn:1</id><link rel="alternate" href="https://e.example.ru/1"/>
<updated>2026-12-02T07:00:00Z</updated><summary type="html">&lt;p&gt;Школа на 1100 мест&lt;/p&gt;</summary></entry>
</feed>"#;
        let p = feed(atom.as_bytes(), None).unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].url, "https://e.example.ru/1");
        assert_eq!(p.items[0].snippet, "Школа на 1100 мест");
    }

    #[test]
    fn windows_1251_is_read() {
        let (head, _, _) = encoding_rs::WINDOWS_1251.encode(
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><title>К</title>\
             <item><title>Кубань</title><link>https://k.example.ru/1</link></item></channel></rss>",
        );
        let p = feed(&head, None).unwrap();
        assert_eq!(p.items[0].title, "Кубань");
        let bom = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>К</title>\
             <item><title>Сочи</title><link>https://k.example.ru/2</link></item></channel></rss>";
        assert_eq!(feed(bom.as_bytes(), None).unwrap().items[0].title, "Сочи");
    }

    #[test]
    fn hostile_bodies_are_refused_with_a_reason() {
        let deep = format!(
            "<rss><channel><item><title>x</title>{}{}</item></channel></rss>",
            "<a>".repeat(50_000),
            "</a>".repeat(50_000)
        );
        assert_eq!(feed(deep.as_bytes(), None).unwrap_err().code, "too_deep");
        let wide = format!("<rss><channel>{}</channel></rss>", "<x/>".repeat(200_000));
        assert_eq!(feed(wide.as_bytes(), None).unwrap_err().code, "too_many");
        assert_eq!(feed(b"\x00\xff garbage", None).unwrap_err().code, "not_xml");
        assert_eq!(feed(b"", None).unwrap_err().code, "not_xml");
        assert_eq!(
            feed(b"<html><body>hello</body></html>", None)
                .unwrap_err()
                .code,
            "not_feed"
        );
        let many = format!(
            "<rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>",
            (0..300)
                .map(|i| format!("<item><title>t{i}</title><link>https://e.ru/{i}</link></item>"))
                .collect::<String>()
        );
        let p = feed(many.as_bytes(), None).unwrap();
        assert_eq!(p.items.len(), MAX_ITEMS);
        assert_eq!(p.skipped, 100);
    }
}
