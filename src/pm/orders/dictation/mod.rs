//! A dictated order read into a draft (docs/VOICE.md): who is to do it
//! (an organisation of the directory or a person of the staff list), by
//! when (relative to the day it was said, working days by the production
//! calendar when said), how urgent, its title and description. Pure: the
//! directory, the staff and today are given, so the table of dictations in
//! `tests.rs` checks it. The result only fills the order form; the speaker
//! confirms or corrects it.

mod deadline;
mod executor;
#[cfg(test)]
mod tests;
mod words;

use time::Date;

use crate::pm::domain::Priority;
use crate::workflow::sla::Calendar;

/// An organisation as the parser sees it: its id and the names it may be
/// called by (full and short).
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub names: Vec<String>,
}

/// A staff member: their account, name and organisations.
#[derive(Debug, Clone)]
pub struct Person {
    pub account_id: i64,
    pub name: String,
    pub organisations: Vec<String>,
}

/// What the parser knows besides the text.
pub struct Context<'a> {
    pub today: Date,
    pub calendar: &'a Calendar,
    pub orgs: &'a [Org],
    pub people: &'a [Person],
}

/// The draft a dictation became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub organisation_id: Option<String>,
    pub executor_id: Option<i64>,
    pub deadline: Option<Date>,
    pub priority: Priority,
    pub title: String,
    pub description: String,
}

/// A word of the text, with where it is and its stem.
#[derive(Debug, Clone)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Lower case, «ё» as «е».
    pub norm: String,
    pub stem: String,
    /// Written with a capital letter (names are).
    pub upper: bool,
}

/// Splits a text into words: letters and digits, with a hyphen after
/// digits («10-дневный») and dots between digits («15.12.2026») kept. A
/// hyphen between letters splits («топливно-энергетического»), as the
/// index's tokenizer does, so names compare word by word.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            let joins = |ok: fn(char) -> bool| {
                chars.get(j + 1).is_some_and(|(_, n)| ok(*n)) && ok(chars[j - 1].1)
            };
            if c.is_alphanumeric()
                || (c == '-' && chars[j - 1].1.is_ascii_digit() && joins(char::is_alphanumeric))
                || (c == '.' && joins(|c| c.is_ascii_digit()))
            {
                j += 1;
            } else {
                break;
            }
        }
        let s = chars[start].0;
        let e = chars.get(j).map_or(text.len(), |(b, _)| *b);
        let word = &text[s..e];
        let norm = word.to_lowercase().replace('ё', "е");
        out.push(Token {
            start: s,
            end: e,
            stem: crate::search::stem(&norm),
            upper: word.chars().next().is_some_and(char::is_uppercase),
            norm,
        });
        i = j;
    }
    out
}

/// Phrases of urgency, longest first, and the priority they give.
const PRIORITIES: &[(&[&str], Priority)] = &[
    (&["в", "приоритетном", "порядке"], Priority::High),
    (&["в", "первоочередном", "порядке"], Priority::High),
    (&["в", "срочном", "порядке"], Priority::High),
    (&["в", "экстренном", "порядке"], Priority::Critical),
    (&["в", "рабочем", "порядке"], Priority::Low),
    (&["особой", "важности"], Priority::Critical),
    (&["чрезвычайно", "срочно"], Priority::Critical),
    (&["очень", "срочно"], Priority::Critical),
    (&["не", "срочно"], Priority::Low),
    (&["несрочно"], Priority::Low),
    (&["низкий", "приоритет"], Priority::Low),
    (&["без", "спешки"], Priority::Low),
    (&["высокий", "приоритет"], Priority::High),
    (&["приоритетно"], Priority::High),
    (&["срочно"], Priority::High),
    (&["срочное"], Priority::High),
    (&["срочная"], Priority::High),
    (&["срочный"], Priority::High),
    (&["безотлагательно"], Priority::High),
    (&["немедленно"], Priority::Critical),
    (&["незамедлительно"], Priority::Critical),
    (&["критически", "важно"], Priority::Critical),
];

fn priority(tokens: &[Token], used: &mut [bool]) -> Priority {
    for (i, _) in tokens.iter().enumerate() {
        for (phrase, p) in PRIORITIES {
            let n = phrase.len();
            if i + n <= tokens.len()
                && tokens[i..i + n]
                    .iter()
                    .zip(*phrase)
                    .all(|(t, w)| t.norm == *w)
            {
                used[i..i + n].iter_mut().for_each(|u| *u = true);
                return *p;
            }
        }
    }
    Priority::Normal
}

/// Words a dictation opens with that are not the order itself.
const OPENERS: &[&str] = &[
    "поручение",
    "поручить",
    "поручаю",
    "прошу",
    "просьба",
    "нужно",
    "надо",
    "необходимо",
    "пожалуйста",
    "так",
    "значит",
    "итак",
    "записывай",
    "записываем",
    "исполнитель",
    "ответственный",
    "ответственным",
    "ответственная",
    "задача",
    "для",
    "и",
    "а",
    "также",
    "срок",
    "сроком",
    "приоритет",
    "исполнения",
];

/// Words a title does not end with once the rest was taken out.
const CLOSERS: &[&str] = &[
    "и",
    "а",
    "в",
    "до",
    "к",
    "по",
    "с",
    "на",
    "срок",
    "сроком",
    "исполнения",
    "исполнитель",
    "ответственный",
    "приоритет",
];

/// Reads a dictation into a draft.
pub fn parse(text: &str, cx: &Context<'_>) -> Draft {
    let text = text.trim();
    let tokens = tokenize(text);
    let mut used = vec![false; tokens.len()];
    let priority = priority(&tokens, &mut used);
    let deadline = deadline::find(&tokens, cx.today, cx.calendar).map(|f| {
        used[f.from..f.to].iter_mut().for_each(|u| *u = true);
        f.date
    });
    let mut organisation_id = None;
    if let Some(m) = executor::organisation(&tokens, &used, cx.orgs) {
        span(&mut used, &m.tokens);
        organisation_id = Some(m.id);
    }
    let mut executor_id = None;
    if let Some(m) = executor::person(&tokens, &used, cx.people)
        && let Some(p) = cx.people.iter().find(|p| p.account_id == m.account_id)
    {
        let fits = organisation_id
            .as_ref()
            .is_none_or(|o| p.organisations.contains(o));
        if fits {
            span(&mut used, &m.tokens);
            executor_id = Some(p.account_id);
            if organisation_id.is_none() {
                organisation_id = p.organisations.first().cloned();
            }
        }
    }
    Draft {
        organisation_id,
        executor_id,
        deadline,
        priority,
        title: title(text, &tokens, &used),
        description: sentence_case(text),
    }
}

/// Marks the words from the first to the last of `tokens` as said (the
/// prepositions and words of a name between them too).
fn span(used: &mut [bool], tokens: &[usize]) {
    if let (Some(a), Some(b)) = (tokens.iter().min(), tokens.iter().max()) {
        used[*a..=*b].iter_mut().for_each(|u| *u = true);
    }
}

/// The order's title: the first sentence that says something once the
/// executor, the deadline, the priority and the opening words are taken
/// out, as a sentence («Подготовить отчёт о …»), at most 200 characters.
fn title(text: &str, tokens: &[Token], used: &[bool]) -> String {
    let mut sentence: Vec<usize> = Vec::new();
    let mut candidates: Vec<Vec<usize>> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1) {
            let between = &text[tokens[prev].end..t.start];
            if between.contains(['.', '!', '?', ';', '\n']) {
                candidates.push(std::mem::take(&mut sentence));
            }
        }
        sentence.push(i);
    }
    candidates.push(sentence);
    for c in candidates {
        let mut kept: Vec<usize> = c.into_iter().filter(|i| !used[*i]).collect();
        while let Some(first) = kept.first().map(|i| tokens[*i].norm.as_str()) {
            // «Дать поручение …»: but «дать заключение» is the order.
            let gives = first == "дать"
                && kept
                    .get(1)
                    .is_some_and(|i| tokens[*i].norm.starts_with("поручени"));
            if !(OPENERS.contains(&first) || gives) {
                break;
            }
            kept.remove(0);
        }
        while kept
            .last()
            .is_some_and(|i| CLOSERS.contains(&tokens[*i].norm.as_str()))
        {
            kept.pop();
        }
        if kept.is_empty() {
            continue;
        }
        // The words kept, with what stood between neighbours that were
        // neighbours in the text (a hyphen, a comma inside the phrase).
        let mut out = String::new();
        for (n, i) in kept.iter().enumerate() {
            if n > 0 {
                let prev = kept[n - 1];
                if prev + 1 == *i {
                    out.push_str(&text[tokens[prev].end..tokens[*i].start]);
                } else {
                    out.push(' ');
                }
            }
            out.push_str(&text[tokens[*i].start..tokens[*i].end]);
        }
        let out = out.trim_matches(|c: char| c == ',' || c == '-' || c == '—' || c.is_whitespace());
        return shorten(&sentence_case(out), 200);
    }
    String::new()
}

fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max - 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}
