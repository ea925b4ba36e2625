//! The query language of CKAN's `package_search` (`q` and `fq`, a subset of
//! Solr's): `field:value`, quoted values, `-field:value` / `NOT`, `+`,
//! `AND` / `OR` / space (AND), parentheses, ranges `[a TO b]` / `{a TO b}`
//! with `*`, `*:*`, and bare words, which are full-text matches (stemmed, in
//! Russian and English, through the search index). Evaluated over the
//! catalogue snapshot.

use std::collections::HashSet;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::opendata::catalogue::{Entry, field_values};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A bare word or phrase: full-text match.
    Text(String),
    Term {
        field: String,
        value: String,
    },
    Range {
        field: String,
        from: Option<String>,
        to: Option<String>,
        inclusive: (bool, bool),
    },
}

/// Fields a query may name (CKAN's Solr fields that mean something here).
const FIELDS: &[&str] = &[
    "organization",
    "owner_org",
    "groups",
    "topic",
    "tags",
    "res_format",
    "license_id",
    "municipality",
    "name",
    "id",
    "identifier",
    "title",
    "title_string",
    "state",
    "type",
    "dataset_type",
    "entity_type",
    "metadata_modified",
    "metadata_created",
    "author",
    "maintainer",
    "maintainer_email",
    "author_email",
    "capacity",
    "site_id",
    "text",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Plus,
    Minus,
    /// `field:` followed by what comes next.
    Field(String),
    Word(String),
    Phrase(String),
    Range {
        from: String,
        to: String,
        inclusive: (bool, bool),
    },
}

fn tokenize(input: &str) -> Result<Vec<Tok>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '+' => {
                out.push(Tok::Plus);
                i += 1;
            }
            '-' if i + 1 < chars.len()
                && !chars[i + 1].is_whitespace()
                && out.last().is_none_or(|t| !matches!(t, Tok::Field(_))) =>
            {
                out.push(Tok::Minus);
                i += 1;
            }
            '"' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        j += 1;
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(QueryError("unterminated quoted value".into()));
                }
                let phrase: String = chars[start..j]
                    .iter()
                    .collect::<String>()
                    .replace("\\\"", "\"");
                out.push(Tok::Phrase(phrase));
                i = j + 1;
            }
            '[' | '{' => {
                let close = if c == '[' { ']' } else { '}' };
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != ']' && chars[j] != '}' {
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(QueryError(
                        "unterminated range: expected [from TO to]".into(),
                    ));
                }
                let inner: String = chars[start..j].iter().collect();
                let parts: Vec<&str> = inner.split(" TO ").collect();
                if parts.len() != 2 {
                    return Err(QueryError(format!(
                        "bad range [{inner}]: expected [from TO to]"
                    )));
                }
                let unquote = |s: &str| s.trim().trim_matches('"').to_owned();
                out.push(Tok::Range {
                    from: unquote(parts[0]),
                    to: unquote(parts[1]),
                    inclusive: (c == '[', chars[j] == ']'),
                });
                let _ = close;
                i = j + 1;
            }
            _ => {
                let start = i;
                let mut j = i;
                while j < chars.len()
                    && !chars[j].is_whitespace()
                    && !matches!(chars[j], '(' | ')' | '"' | '[' | '{')
                {
                    if chars[j] == '\\' && j + 1 < chars.len() {
                        j += 1;
                    }
                    j += 1;
                    if chars[j - 1] == ':' {
                        break;
                    }
                }
                let word: String = chars[start..j].iter().collect();
                i = j;
                if word == "*:*"
                    || (word.ends_with(':') && i < chars.len() && chars[i] == '*' && word == "*:")
                {
                    if word == "*:" {
                        i += 1;
                    }
                    out.push(Tok::Word("*:*".into()));
                } else if let Some(field) = word.strip_suffix(':') {
                    out.push(Tok::Field(field.to_owned()));
                } else if let Some((field, value)) =
                    word.split_once(':').filter(|(f, _)| !f.is_empty())
                {
                    out.push(Tok::Field(field.to_owned()));
                    out.push(Tok::Word(value.replace('\\', "")));
                } else {
                    match word.as_str() {
                        "AND" | "&&" => out.push(Tok::And),
                        "OR" | "||" => out.push(Tok::Or),
                        "NOT" | "!" => out.push(Tok::Not),
                        _ => out.push(Tok::Word(word.replace('\\', ""))),
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Limits of a query: the parser recurses once per parenthesis and per
/// negation, so without a depth limit a crafted query (30,000 `(`) overflows
/// the stack and aborts the whole process. Real harvester queries are a few
/// hundred characters and nest two or three levels.
pub const MAX_QUERY_CHARS: usize = 4_000;
pub const MAX_QUERY_TOKENS: usize = 400;
pub const MAX_QUERY_DEPTH: usize = 24;

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// Counts one level of nesting (a parenthesis or a negation).
    fn deeper(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_QUERY_DEPTH {
            return Err(QueryError(format!(
                "the query nests deeper than {MAX_QUERY_DEPTH} levels of parentheses or negations"
            )));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(Tok::Or) | Some(Tok::RParen) => break,
                Some(Tok::And) => {
                    self.pos += 1;
                }
                _ => {}
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        match self.peek() {
            Some(Tok::Minus) | Some(Tok::Not) => {
                self.pos += 1;
                self.deeper()?;
                let e = Expr::Not(Box::new(self.unary()?));
                self.depth -= 1;
                Ok(e)
            }
            Some(Tok::Plus) => {
                self.pos += 1;
                self.deeper()?;
                let e = self.unary();
                self.depth -= 1;
                e
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        match self.next() {
            Some(Tok::LParen) => {
                self.deeper()?;
                let e = self.or()?;
                if self.next() != Some(Tok::RParen) {
                    return Err(QueryError("missing closing parenthesis".into()));
                }
                self.depth -= 1;
                Ok(e)
            }
            Some(Tok::Field(field)) => {
                if !FIELDS.contains(&field.as_str()) && !field.starts_with("extras_") {
                    return Err(QueryError(format!(
                        "unknown field \"{field}\"; fields that can be searched: {}",
                        FIELDS.join(", ")
                    )));
                }
                match self.next() {
                    Some(Tok::Word(v)) | Some(Tok::Phrase(v)) => Ok(Expr::Term { field, value: v }),
                    Some(Tok::Range {
                        from,
                        to,
                        inclusive,
                    }) => Ok(Expr::Range {
                        field,
                        from: (from != "*").then_some(from),
                        to: (to != "*").then_some(to),
                        inclusive,
                    }),
                    Some(Tok::LParen) => {
                        // field:(a OR b)
                        self.deeper()?;
                        let inner = self.or()?;
                        if self.next() != Some(Tok::RParen) {
                            return Err(QueryError("missing closing parenthesis".into()));
                        }
                        self.depth -= 1;
                        Ok(apply_field(&field, inner))
                    }
                    _ => Err(QueryError(format!("no value after \"{field}:\""))),
                }
            }
            Some(Tok::Word(w)) if w == "*:*" || w == "*" => Ok(Expr::All),
            Some(Tok::Word(w)) | Some(Tok::Phrase(w)) => Ok(Expr::Text(w)),
            Some(t) => Err(QueryError(format!("unexpected {t:?}"))),
            None => Err(QueryError("the query ends too early".into())),
        }
    }
}

/// `field:(a OR b)` means `field:a OR field:b`.
fn apply_field(field: &str, e: Expr) -> Expr {
    match e {
        Expr::Text(v) => Expr::Term {
            field: field.to_owned(),
            value: v,
        },
        Expr::And(v) => Expr::And(v.into_iter().map(|e| apply_field(field, e)).collect()),
        Expr::Or(v) => Expr::Or(v.into_iter().map(|e| apply_field(field, e)).collect()),
        Expr::Not(e) => Expr::Not(Box::new(apply_field(field, *e))),
        other => other,
    }
}

/// Parses `q` or `fq`. Empty means everything.
pub fn parse(input: &str) -> Result<Expr, QueryError> {
    if input.trim().is_empty() {
        return Ok(Expr::All);
    }
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError(format!(
            "the query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let toks = tokenize(input)?;
    if toks.len() > MAX_QUERY_TOKENS {
        return Err(QueryError(format!(
            "the query has more than {MAX_QUERY_TOKENS} terms and operators"
        )));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(QueryError("unbalanced parenthesis".into()));
    }
    // A query of only negations means "everything except".
    Ok(match e {
        Expr::Not(_) => Expr::And(vec![Expr::All, e]),
        other => other,
    })
}

/// The bare words of a query, for the full-text index.
pub fn text_terms(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Text(t) if !out.contains(t) => out.push(t.clone()),
        // `text:word` is the same as the bare word (`text:*` is any passport).
        Expr::Term { field, value } if field == "text" && value != "*" && !out.contains(value) => {
            out.push(value.clone())
        }
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| text_terms(e, out)),
        Expr::Not(e) => text_terms(e, out),
        _ => {}
    }
}

fn parse_time(s: &str) -> Result<OffsetDateTime, QueryError> {
    if s.eq_ignore_ascii_case("NOW") {
        return Ok(OffsetDateTime::now_utc());
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    // Solr also takes a date without zone (UTC) and a bare date.
    let with_zone = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        format!("{}Z", s.trim_end_matches('Z'))
    };
    OffsetDateTime::parse(&with_zone, &Rfc3339)
        .map_err(|_| QueryError(format!("\"{s}\" is not a date: use 2024-05-01T10:00:00Z")))
}

/// Checks a query's ranges before it is evaluated, so a bad date is an error
/// the client sees rather than "nothing found".
pub fn validate(e: &Expr) -> Result<(), QueryError> {
    match e {
        Expr::Range {
            field, from, to, ..
        } if field.starts_with("metadata_") => {
            for v in [from, to].into_iter().flatten() {
                parse_time(v)?;
            }
            Ok(())
        }
        Expr::And(v) | Expr::Or(v) => v.iter().try_for_each(validate),
        Expr::Not(e) => validate(e),
        _ => Ok(()),
    }
}

/// Whether `entry` matches; `text` answers full-text terms.
pub fn matches(e: &Expr, entry: &Entry, text: &dyn Fn(&str, &Entry) -> bool) -> bool {
    match e {
        Expr::All => true,
        Expr::And(v) => v.iter().all(|e| matches(e, entry, text)),
        Expr::Or(v) => v.iter().any(|e| matches(e, entry, text)),
        Expr::Not(e) => !matches(e, entry, text),
        Expr::Text(t) => text(t, entry),
        Expr::Term { field, value } => {
            if matches!(field.as_str(), "site_id" | "capacity") {
                return value == "*" || value != "private";
            }
            if field == "text" {
                return value == "*" || text(value, entry);
            }
            let values = field_values(entry, field);
            if value == "*" {
                return values.iter().any(|v| !v.is_empty());
            }
            let want = value.to_lowercase();
            match field.as_str() {
                "title" => values.iter().any(|v| v.to_lowercase().contains(&want)),
                _ => values.iter().any(|v| v.to_lowercase() == want),
            }
        }
        Expr::Range {
            field,
            from,
            to,
            inclusive,
        } => {
            let values = field_values(entry, field);
            values.iter().any(|v| {
                if field.starts_with("metadata_") {
                    let Ok(t) = parse_time(v) else { return false };
                    let lo = from.as_deref().map(parse_time).transpose().ok().flatten();
                    let hi = to.as_deref().map(parse_time).transpose().ok().flatten();
                    lo.is_none_or(|lo| if inclusive.0 { t >= lo } else { t > lo })
                        && hi.is_none_or(|hi| if inclusive.1 { t <= hi } else { t < hi })
                } else {
                    from.as_deref().is_none_or(|lo| {
                        if inclusive.0 {
                            v.as_str() >= lo
                        } else {
                            v.as_str() > lo
                        }
                    }) && to.as_deref().is_none_or(|hi| {
                        if inclusive.1 {
                            v.as_str() <= hi
                        } else {
                            v.as_str() < hi
                        }
                    })
                }
            })
        }
    }
}

/// A sort key of `package_search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: String,
    pub desc: bool,
}

pub fn parse_sort(input: &str) -> Result<Vec<SortKey>, QueryError> {
    let mut keys = Vec::new();
    for part in input.split(',') {
        let mut words = part.split_whitespace();
        let Some(field) = words.next() else { continue };
        let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(QueryError(format!(
                    "sort direction \"{other}\" must be asc or desc"
                )));
            }
        };
        let allowed = [
            "score",
            "metadata_modified",
            "metadata_created",
            "title_string",
            "title",
            "name",
            "id",
            "views_recent",
            "views_total",
        ];
        if !allowed.contains(&field) {
            return Err(QueryError(format!(
                "can not sort on \"{field}\"; sort on one of: {}",
                allowed.join(", ")
            )));
        }
        keys.push(SortKey {
            field: field.to_owned(),
            desc,
        });
    }
    if keys.is_empty() {
        keys.push(SortKey {
            field: "score".into(),
            desc: true,
        });
        keys.push(SortKey {
            field: "metadata_modified".into(),
            desc: true,
        });
    }
    Ok(keys)
}

pub use crate::opendata::ranking::{Found, sort_top};

/// Datasets whose search document matches each term: filled by the caller
/// from the search index.
pub type TextHits = std::collections::HashMap<String, HashSet<String>>;

/// The full-text terms an entry must match for `e` to hold: the index's
/// hits for any one of them are the only candidates.
fn required_terms<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match e {
        Expr::Text(t) => out.push(t),
        Expr::Term { field, value } if field == "text" && value != "*" => out.push(value),
        Expr::And(v) => v.iter().for_each(|e| required_terms(e, out)),
        _ => {}
    }
}

/// Whether `e` asks for words only (and perhaps for every passport): then a
/// passport matches exactly when every word found it, and no filter need be
/// evaluated on it.
fn only_words(e: &Expr) -> bool {
    match e {
        Expr::All | Expr::Text(_) => true,
        Expr::Term { field, .. } => field == "text",
        Expr::And(v) => v.iter().all(only_words),
        _ => false,
    }
}

/// The passports one term found: each place in the snapshot once, with its
/// score, and the same places as a bit set (membership without a sort or a
/// vector as long as the catalogue for each term).
struct TermHits {
    places: Vec<Found>,
    bits: Vec<u64>,
}

impl TermHits {
    fn has(&self, i: usize) -> bool {
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }

    /// Adds a place; false when it was there already.
    fn insert(&mut self, i: usize) -> bool {
        let (word, bit) = (&mut self.bits[i / 64], 1u64 << (i % 64));
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

/// Runs `q` and `fq` over the catalogue: full-text terms go to the search
/// index (one lookup per distinct term), everything else is evaluated here.
/// When a term is required, only the datasets it found are examined (the
/// index narrows before the filters run); otherwise every passport is.
/// Returns the matching entries' places in the snapshot with their
/// full-text scores, in no order.
pub async fn run(
    search: &crate::search::SearchIndex,
    snapshot: &crate::opendata::catalogue::Snapshot,
    q: &Expr,
    fq: &Expr,
) -> anyhow::Result<Vec<Found>> {
    let mut terms = Vec::new();
    text_terms(q, &mut terms);
    text_terms(fq, &mut terms);
    terms.truncate(16);
    let n = snapshot.entries.len();
    let mut found: Vec<TermHits> = Vec::with_capacity(terms.len());
    for t in &terms {
        let hits = search.search_nums(t, crate::opendata::search::KIND).await?;
        let mut f = TermHits {
            places: Vec::with_capacity(hits.iter().map(Vec::len).sum()),
            bits: vec![0; n.div_ceil(64)],
        };
        for (num, score) in hits.into_iter().flatten() {
            // A dataset found twice (a document not yet replaced) is one
            // candidate.
            if let Some(i) = snapshot.place(num as i64)
                && f.insert(i)
            {
                f.places.push((score, i as u32));
            }
        }
        found.push(f);
    }
    let term_at = |t: &str| terms.iter().position(|x| x == t);
    let mut required = Vec::new();
    required_terms(q, &mut required);
    required_terms(fq, &mut required);
    let narrowest = required
        .iter()
        .filter_map(|t| term_at(t))
        .min_by_key(|&i| found[i].places.len());
    // A passport's score is the sum of its terms' scores. With one term and
    // its places as the candidates, each candidate carries its own.
    let summed: Vec<f32> = if terms.len() > 1 || (narrowest.is_none() && !terms.is_empty()) {
        let mut s = vec![0.0; n];
        for f in &found {
            for &(score, i) in &f.places {
                s[i as usize] += score;
            }
        }
        s
    } else {
        Vec::new()
    };
    let score = |i: usize, own: f32| if summed.is_empty() { own } else { summed[i] };
    let text = |t: &str, i: usize| term_at(t).is_some_and(|k| found[k].has(i));
    let words_only =
        only_words(q) && only_words(fq) && required.iter().all(|t| term_at(t).is_some());
    // One word and nothing else (the commonest search): its places are the
    // result as they are.
    if words_only && found.len() == 1 && narrowest == Some(0) {
        return Ok(found.pop().map(|f| f.places).unwrap_or_default());
    }
    let mut out = Vec::new();
    match narrowest {
        Some(k) => {
            out.reserve(found[k].places.len());
            for &(own, i) in &found[k].places {
                let place = i;
                let i = i as usize;
                let hit = if words_only {
                    found.iter().all(|f| f.has(i))
                } else {
                    let e = &snapshot.entries[i];
                    let text = |t: &str, _: &Entry| text(t, i);
                    matches(q, e, &text) && matches(fq, e, &text)
                };
                if hit {
                    out.push((score(i, own), place));
                }
            }
        }
        None => {
            for (i, e) in snapshot.entries.iter().enumerate() {
                let text = |t: &str, _: &Entry| text(t, i);
                if matches(q, e, &text) && matches(fq, e, &text) {
                    out.push((score(i, 0.0), i as u32));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(f: &str, v: &str) -> Expr {
        Expr::Term {
            field: f.into(),
            value: v.into(),
        }
    }

    #[test]
    fn harvester_queries_parse() {
        assert_eq!(parse("").unwrap(), Expr::All);
        assert_eq!(parse("*:*").unwrap(), Expr::All);
        assert_eq!(
            parse("organization:min-digital").unwrap(),
            term("organization", "min-digital")
        );
        assert_eq!(
            parse("metadata_modified:[2024-05-01T10:00:00Z TO *] organization:my-org").unwrap(),
            Expr::And(vec![
                Expr::Range {
                    field: "metadata_modified".into(),
                    from: Some("2024-05-01T10:00:00Z".into()),
                    to: None,
                    inclusive: (true, true)
                },
                term("organization", "my-org"),
            ])
        );
        assert_eq!(
            parse("-organization:a").unwrap(),
            Expr::And(vec![
                Expr::All,
                Expr::Not(Box::new(term("organization", "a")))
            ])
        );
        assert_eq!(
            parse("tags:a OR tags:b").unwrap(),
            Expr::Or(vec![term("tags", "a"), term("tags", "b")])
        );
        assert_eq!(
            parse("res_format:\"CSV\"").unwrap(),
            term("res_format", "CSV")
        );
        assert_eq!(
            parse("+organization:x +res_format:GeoJSON").unwrap(),
            Expr::And(vec![
                term("organization", "x"),
                term("res_format", "GeoJSON")
            ])
        );
        assert_eq!(
            parse("groups:(transport OR housing)").unwrap(),
            Expr::Or(vec![term("groups", "transport"), term("groups", "housing")])
        );
        assert_eq!(
            parse("бюджет края").unwrap(),
            Expr::And(vec![Expr::Text("бюджет".into()), Expr::Text("края".into())])
        );
    }

    #[test]
    fn bad_queries_are_explained() {
        assert!(parse("colour:red").unwrap_err().0.contains("unknown field"));
        assert!(parse("(organization:a").is_err());
        assert!(parse("organization:a)").is_err());
        assert!(parse("name:\"open").is_err());
        assert!(parse("metadata_modified:[2024 TO]").is_err());
        assert!(validate(&parse("metadata_modified:[yesterday TO *]").unwrap()).is_err());
        assert!(parse_sort("title_string asc, name desc").is_ok());
        assert!(parse_sort("colour asc").is_err());
        assert!(parse_sort("name sideways").is_err());
    }
}
