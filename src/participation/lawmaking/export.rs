//! An initiative's final text and its history, as DOCX (`docx-rs`) and PDF
//! (`printpdf`, with `web::pdf`'s fonts): the facts, the text
//! of the latest version, the versions with their change notes, the
//! amendments and how they were decided, the expert conclusions, the
//! decision and the timeline. Both are built from one `Report`, so they say
//! the same.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::domain::{Expertise, Level, Outcome, Verdict};
use super::page::Data;
use super::text::Document;
use crate::web::i18n::Locale;

crate::texts!(T {
    facts: "Сведения", "Facts";
    level: "Уровень", "Level";
    organisation: "Ответственная организация", "Responsible organisation";
    stage: "Этап", "Stage";
    text: "Текст", "Text";
    no_text: "Текст ещё не опубликован.", "No text has been published yet.";
    history: "История", "History";
    versions: "Редакции", "Versions";
    version: "Редакция", "Version";
    amendments: "Поправки", "Amendments";
    paragraph: "абзац", "paragraph";
    conclusions: "Заключения экспертизы", "Expert conclusions";
    decision: "Решение", "Decision";
    timeline: "Хроника", "Timeline";
    source: "Источник: портал «Вече»", "Source: the Veche portal";
});

/// One block of the report: a heading or a paragraph.
#[derive(Debug, Clone)]
pub enum Block {
    Title(String),
    Heading(String),
    Para(String),
}

/// What both files say, in reading order.
pub fn report(l: Locale, d: &Data) -> Vec<Block> {
    let t = T::get(l);
    let i = &d.i;
    let mut b = vec![
        Block::Title(i.title.clone()),
        Block::Heading(t.facts.into()),
    ];
    b.push(Block::Para(format!(
        "{}: {}, {}",
        t.level,
        Level::parse(&i.level).map_or("", |v| v.label(l)),
        super::views::scope(l, i)
    )));
    b.push(Block::Para(format!(
        "{}: {}",
        t.organisation,
        l.pick(&i.organisation_ru, &i.organisation_en)
    )));
    let stage = match i.outcome() {
        Some(o) => o.label(l),
        None => i.stage().label(l),
    };
    b.push(Block::Para(format!("{}: {stage}", t.stage)));
    b.push(Block::Heading(t.text.into()));
    match d.versions.last() {
        Some(v) => text_blocks(&mut b, &v.document()),
        None => b.push(Block::Para(t.no_text.into())),
    }
    if let Some(o) = i.outcome().filter(|o| Outcome::DECISIONS.contains(o)) {
        b.push(Block::Heading(t.decision.into()));
        let mut line = o.label(l).to_owned();
        if !i.decision_number.is_empty() {
            line.push_str(&format!(", № {}", i.decision_number));
        }
        if let Some(date) = &i.decision_date {
            line.push_str(&format!(", {date}"));
        }
        b.push(Block::Para(line));
        for s in [&i.decision_link, &i.decision_reasons] {
            if !s.is_empty() {
                b.push(Block::Para(s.clone()));
            }
        }
    }
    b.push(Block::Heading(t.history.into()));
    b.push(Block::Heading(t.versions.into()));
    for v in &d.versions {
        b.push(Block::Para(format!(
            "{} {} · {} · {}",
            t.version,
            v.number,
            crate::web::components::datetime(l, v.created_at),
            v.changelog
        )));
    }
    if !d.amendments.is_empty() {
        b.push(Block::Heading(t.amendments.into()));
        for m in &d.amendments {
            b.push(Block::Para(format!(
                "{} {}, {} {} — {}: «{}» {}",
                t.version,
                m.version_number,
                t.paragraph,
                m.paragraph,
                m.state,
                m.proposed,
                m.reason
            )));
        }
    }
    if !d.conclusions.is_empty() {
        b.push(Block::Heading(t.conclusions.into()));
        for c in &d.conclusions {
            b.push(Block::Para(format!(
                "{}: {} ({}). {}",
                Expertise::parse(&c.kind).map_or("", |k| k.label(l)),
                Verdict::parse(&c.verdict).map_or("", |v| v.label(l)),
                c.expert_name,
                c.summary
            )));
        }
    }
    b.push(Block::Heading(t.timeline.into()));
    for e in &d.timeline {
        b.push(Block::Para(format!(
            "{} · {}",
            crate::web::components::datetime(l, e.at),
            super::page::event_label(l, e)
        )));
    }
    b.push(Block::Para(t.source.into()));
    b
}

fn text_blocks(b: &mut Vec<Block>, doc: &Document) {
    for (n, a) in doc.articles.iter().enumerate() {
        b.push(Block::Heading(format!("Статья {}. {}", n + 1, a.title)));
        for (p, text) in a.paragraphs.iter().enumerate() {
            b.push(Block::Para(format!("{}. {text}", p + 1)));
        }
    }
}

/// The report as a Word document.
pub fn docx(blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    use docx_rs::{Docx, Paragraph, Run};
    let mut doc = Docx::new();
    for block in blocks {
        let p = match block {
            Block::Title(s) => Paragraph::new().add_run(Run::new().add_text(s).bold().size(32)),
            Block::Heading(s) => Paragraph::new().add_run(Run::new().add_text(s).bold().size(26)),
            Block::Para(s) => Paragraph::new().add_run(Run::new().add_text(s).size(22)),
        };
        doc = doc.add_paragraph(p);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out)?;
    Ok(out.into_inner())
}

/// Breaks a paragraph into lines of at most `width` characters, at spaces
/// where it can.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            let rest: String = word.chars().skip(width).collect();
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(head);
            word = rest;
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The report as a PDF, A4 portrait.
pub fn pdf(title: &str, blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    use printpdf::{Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, Point, Pt, TextItem};
    const W: f32 = 210.0;
    const H: f32 = 297.0;
    const MARGIN: f32 = 18.0;
    let mut doc = PdfDocument::new(title);
    let (regular, bold) = crate::web::pdf::fonts(&mut doc)?;
    let mut pages = Vec::new();
    let mut ops: Vec<Op> = Vec::new();
    let mut y = H - MARGIN;
    for block in blocks {
        let (size, strong, text, before) = match block {
            Block::Title(s) => (16.0, true, s, 0.0),
            Block::Heading(s) => (12.0, true, s, 4.0),
            Block::Para(s) => (10.0, false, s, 1.5),
        };
        // DejaVu Sans is wide: about 0.6 em a character of Russian text.
        let per_char = size * 0.352_778 * 0.6;
        let width = ((W - 2.0 * MARGIN) / per_char) as usize;
        let step = size * 0.352_778 * 1.35;
        y -= before;
        for line in wrap(text, width.max(10)) {
            if y < MARGIN + step {
                pages.push(PdfPage::new(Mm(W), Mm(H), std::mem::take(&mut ops)));
                y = H - MARGIN;
            }
            y -= step;
            ops.extend([
                Op::StartTextSection,
                Op::SetFont {
                    font: if strong {
                        bold.clone()
                    } else {
                        regular.clone()
                    },
                    size: Pt(size),
                },
                Op::SetTextCursor {
                    pos: Point::new(Mm(MARGIN), Mm(y)),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(line)],
                },
                Op::EndTextSection,
            ]);
        }
    }
    pages.push(PdfPage::new(Mm(W), Mm(H), ops));
    Ok(doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new()))
}

/// Sends a file for download.
pub fn download(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let lines = super::wrap("раз два три четыре", 8);
        assert_eq!(lines, vec!["раз два", "три", "четыре"]);
        assert_eq!(super::wrap(&"а".repeat(20), 8).len(), 3);
    }
}
