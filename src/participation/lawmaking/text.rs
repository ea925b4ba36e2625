//! A draft act's text: numbered articles of numbered paragraphs, parsed once
//! from what the organisation types, stored in one normal form, anchored
//! annotations found again in later versions, and the readable difference
//! of two versions (`similar`, line by line with the changed words marked).

use crate::error::Msg;

/// The most a text may hold: a regional act of a hundred articles is long.
pub const TEXT_MAX: usize = 100_000;
pub const ARTICLES_MAX: usize = 200;
pub const PARAGRAPHS_MAX: usize = 100;
pub const PARAGRAPH_MAX: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// A version's text. Articles and paragraphs are numbered by their place,
/// from 1; a paragraph's key is `"article.paragraph"` (`"2.1"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub articles: Vec<Article>,
}

fn invalid(ru: &str, en: &str) -> Msg {
    Msg::new(ru.to_owned(), en.to_owned())
}

/// An article's heading: «Статья 3. Заголовок» or "Article 3. Title"
/// (the number is the author's; the text is renumbered by place).
fn heading(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("Статья")
        .or_else(|| line.strip_prefix("Article"))?;
    let rest = rest.trim_start();
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    Some(rest[digits..].trim_start_matches(['.', ')']).trim())
}

/// A paragraph's own number typed by the author («1.», «2)»), dropped:
/// the text numbers its paragraphs itself.
fn strip_number(line: &str) -> &str {
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < 4 {
        let rest = &line[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return r.trim_start();
        }
    }
    line
}

impl Document {
    /// Reads a text: each «Статья N. …» line begins an article, each other
    /// non-empty line is a paragraph of the article above it.
    pub fn parse(input: &str) -> Result<Document, Msg> {
        if input.chars().count() > TEXT_MAX {
            return Err(invalid(
                "Текст длиннее 100 000 знаков.",
                "The text is longer than 100,000 characters.",
            ));
        }
        let mut articles: Vec<Article> = Vec::new();
        for raw in input.lines() {
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if line.chars().any(|c| c.is_control() && c != '\t') {
                return Err(invalid(
                    "В тексте есть управляющие символы.",
                    "The text contains control characters.",
                ));
            }
            if let Some(title) = heading(line) {
                if articles.len() == ARTICLES_MAX {
                    return Err(invalid(
                        "В тексте больше 200 статей.",
                        "The text has more than 200 articles.",
                    ));
                }
                articles.push(Article {
                    title: title.to_owned(),
                    paragraphs: Vec::new(),
                });
                continue;
            }
            let Some(article) = articles.last_mut() else {
                return Err(invalid(
                    "Текст начинается со строки «Статья 1. Название».",
                    "The text begins with a line \"Article 1. Title\".",
                ));
            };
            let p = strip_number(line);
            if p.chars().count() > PARAGRAPH_MAX {
                return Err(invalid(
                    "Абзац длиннее 5000 знаков.",
                    "A paragraph is longer than 5,000 characters.",
                ));
            }
            if article.paragraphs.len() == PARAGRAPHS_MAX {
                return Err(invalid(
                    "В статье больше 100 абзацев.",
                    "An article has more than 100 paragraphs.",
                ));
            }
            article.paragraphs.push(p.to_owned());
        }
        if articles.iter().all(|a| a.paragraphs.is_empty()) {
            return Err(invalid(
                "В тексте нет ни одного абзаца.",
                "The text has no paragraph.",
            ));
        }
        Ok(Document { articles })
    }

    /// The normal form that is stored and parsed back unchanged.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, a) in self.articles.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!("Статья {}. {}\n", i + 1, a.title));
            for (j, p) in a.paragraphs.iter().enumerate() {
                out.push_str(&format!("{}. {p}\n", j + 1));
            }
        }
        out
    }

    /// Every paragraph with its key, in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = (String, &str)> {
        self.articles.iter().enumerate().flat_map(|(i, a)| {
            a.paragraphs
                .iter()
                .enumerate()
                .map(move |(j, p)| (format!("{}.{}", i + 1, j + 1), p.as_str()))
        })
    }

    fn position(key: &str) -> Option<(usize, usize)> {
        let (a, p) = key.split_once('.')?;
        let (a, p) = (a.parse::<usize>().ok()?, p.parse::<usize>().ok()?);
        Some((a.checked_sub(1)?, p.checked_sub(1)?))
    }

    pub fn paragraph(&self, key: &str) -> Option<&str> {
        let (a, p) = Self::position(key)?;
        self.articles.get(a)?.paragraphs.get(p).map(String::as_str)
    }

    /// The text with one paragraph reworded (an accepted amendment).
    pub fn with_paragraph(&self, key: &str, text: &str) -> Option<Document> {
        let (a, p) = Self::position(key)?;
        let mut next = self.clone();
        *next.articles.get_mut(a)?.paragraphs.get_mut(p)? = text.to_owned();
        Some(next)
    }

    /// Where a passage quoted from `paragraph` of an earlier version
    /// stands in this one: in the paragraph of the same number if it is
    /// still there, else in the one paragraph that holds it (the text
    /// around it was renumbered). `None` when it was changed or stands in
    /// several places: the annotation then belongs to its version only.
    pub fn anchor(&self, paragraph: &str, quote: &str) -> Option<String> {
        if quote.is_empty() {
            return None;
        }
        if self.paragraph(paragraph).is_some_and(|p| p.contains(quote)) {
            return Some(paragraph.to_owned());
        }
        let mut found = self.paragraphs().filter(|(_, p)| p.contains(quote));
        match (found.next(), found.next()) {
            (Some((key, _)), None) => Some(key),
            _ => None,
        }
    }
}

/// One line of a difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub change: Change,
    /// The line's pieces; `true` marks the words that changed.
    pub parts: Vec<(bool, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// The difference from `old` to `new`, line by line (a line is an
/// article's heading or a paragraph), with the changed words of a changed
/// line marked.
pub fn diff(old: &Document, new: &Document) -> Vec<DiffLine> {
    use similar::{ChangeTag, TextDiff};
    let (a, b) = (old.to_text(), new.to_text());
    let d = TextDiff::configure()
        .timeout(std::time::Duration::from_secs(1))
        .diff_lines(&a, &b);
    let mut out = Vec::new();
    for op in d.ops() {
        for change in d.iter_inline_changes(op) {
            let kind = match change.tag() {
                ChangeTag::Equal => Change::Same,
                ChangeTag::Delete => Change::Removed,
                ChangeTag::Insert => Change::Added,
            };
            let parts: Vec<(bool, String)> = change
                .iter_strings_lossy()
                .map(|(emph, s)| (emph, s.trim_end_matches('\n').to_owned()))
                .filter(|(_, s)| !s.is_empty())
                .collect();
            if parts.is_empty() {
                continue;
            }
            out.push(DiffLine {
                change: kind,
                parts,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Статья 1. Предмет\n1. Закон регулирует благоустройство дворов.\n2) Он действует в крае.\n\nСтатья 2. Сроки\nДворы благоустраиваются за три года.\n";

    #[test]
    fn parses_numbers_and_round_trips() {
        let d = Document::parse(TEXT).unwrap();
        assert_eq!(d.articles.len(), 2);
        assert_eq!(d.paragraph("1.2"), Some("Он действует в крае."));
        assert_eq!(
            d.paragraph("2.1"),
            Some("Дворы благоустраиваются за три года.")
        );
        assert_eq!(d.paragraph("3.1"), None);
        assert_eq!(d.paragraph("0.1"), None);
        assert_eq!(Document::parse(&d.to_text()).unwrap(), d);
    }

    #[test]
    fn refuses_what_is_not_a_text() {
        assert!(Document::parse("просто строка").is_err());
        assert!(Document::parse("Статья 1. Пусто").is_err());
        assert!(Document::parse(&"а".repeat(TEXT_MAX + 1)).is_err());
        let many = (1..=201)
            .map(|i| format!("Статья {i}. т\nп\n"))
            .collect::<String>();
        assert!(Document::parse(&many).is_err());
    }

    #[test]
    fn an_annotation_follows_its_unchanged_passage() {
        let v1 = Document::parse(TEXT).unwrap();
        // A new article in front renumbers the rest; the quote moves with it.
        let v2 = Document::parse(&format!("Статья 0. Цели\nЦель — чистые дворы.\n{TEXT}")).unwrap();
        assert_eq!(v2.anchor("1.2", "действует в крае"), Some("2.2".into()));
        // Reworded: the annotation stays with its version.
        let v3 = v1
            .with_paragraph("1.2", "Он действует в Краснодарском крае.")
            .unwrap();
        assert_eq!(v3.anchor("1.2", "действует в крае"), None);
        assert_eq!(v3.anchor("2.1", "три года"), Some("2.1".into()));
    }

    #[test]
    fn a_diff_marks_the_changed_words() {
        let v1 = Document::parse(TEXT).unwrap();
        let v2 = v1
            .with_paragraph("2.1", "Дворы благоустраиваются за два года.")
            .unwrap();
        let d = diff(&v1, &v2);
        let removed: Vec<_> = d.iter().filter(|l| l.change == Change::Removed).collect();
        let added: Vec<_> = d.iter().filter(|l| l.change == Change::Added).collect();
        assert_eq!((removed.len(), added.len()), (1, 1));
        assert!(added[0].parts.iter().any(|(e, s)| *e && s.contains("два")));
        assert!(d.iter().any(|l| l.change == Change::Same));
    }
}
