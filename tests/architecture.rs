//! The shape of the code (docs/ARCHITECTURE.md, "Layers"), read from `src/`:
//!
//! - the shared services (`web`, `db`, `search`, `media`, `workflow`,
//!   `integration`, `auth`, `datasets`, `error.rs`) and the reference data (`geo`,
//!   `directory`) name no feature module: features plug into their
//!   registries, wired in `features.rs`;
//! - no feature folder imports another;
//! - no file in `src/` is longer than 800 lines.
//!
//! What the code still breaks is listed below, each with the issue that
//! removes it. The lists only shrink: a pair that no longer occurs fails the
//! test until it is taken off, so a fix cannot be undone unnoticed.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Feature modules. A feature added later is added here.
const FEATURES: &[&str] = &[
    "opendata",
    "issues",
    "construction",
    "pm",
    "participation",
    "staffing",
    "courts",
    "rankings",
    "reports",
    "press",
    "planner",
];

/// Modules that must not name a feature.
const SHARED: &[&str] = &[
    "activity",
    "web",
    "db",
    "demo",
    "search",
    "speech",
    "bi",
    "media",
    "workflow",
    "integration",
    "auth",
    "datasets",
    "error",
    "geo",
    "directory",
    "federation",
    "config",
    "telemetry",
];

/// Where features are wired in: these may name every module.
const WIRING: &[&str] = &["app", "features", "cli", "main", "lib"];

/// `(file, module it names)` that break the rules, each with its reason
/// and the issue that removes it. Empty: keep it so.
const KNOWN: &[(&str, &str)] = &[];

/// Files over 800 lines, with the most they may have until they are split.
/// Empty: keep it so.
const LONG: &[(&str, usize)] = &[];

const MAX_LINES: usize = 800;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code without comments and string literals (a doc comment or a URL
/// may say "opendata"; only paths count).
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                // A raw string `r#"…"#` is rare here and holds no paths
                // either way; a plain string ends at an unescaped quote.
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                // A char literal such as '"' (lifetimes have no closing quote).
                let end = text[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e + 1);
                i = end.max(i + 1);
            }
            _ => {
                let ch = text[i..].chars().next().unwrap();
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// Top-level modules a file's code names: `crate::m`, and `m` as the first
/// segment inside `use crate::{…}`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        found.insert(ident(&group[k..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.remove("");
    found
}

fn top_module(rel: &str) -> &str {
    let rest = rel.strip_prefix("src/").unwrap();
    match rest.split_once('/') {
        Some((dir, _)) => dir,
        None => rest.trim_end_matches(".rs"),
    }
}

#[test]
fn dependencies_point_one_way_and_files_stay_short() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut broken = BTreeSet::new();
    let mut long = BTreeSet::new();
    let mut problems = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap();
        let top = top_module(&rel);
        let lines = text.lines().count();
        if lines > MAX_LINES {
            if LONG.iter().any(|(f, _)| *f == rel) {
                long.insert(rel.clone());
            }
            match LONG.iter().find(|(f, _)| *f == rel) {
                Some((_, most)) if lines <= *most => {}
                Some((_, most)) => problems.push(format!(
                    "{rel} grew to {lines} lines (it may not pass {most} until it is split to {MAX_LINES})"
                )),
                None => problems.push(format!("{rel} has {lines} lines (at most {MAX_LINES})")),
            }
        }
        if WIRING.contains(&top) {
            continue;
        }
        for named in named_modules(&code_of(&text)) {
            let feature = FEATURES.contains(&named.as_str());
            let rule = if SHARED.contains(&top) && feature {
                "a shared module names a feature"
            } else if FEATURES.contains(&top) && feature && named != top {
                "a feature imports another feature"
            } else {
                continue;
            };
            if KNOWN.contains(&(rel.as_str(), named.as_str())) {
                broken.insert((rel.clone(), named));
            } else {
                problems.push(format!(
                    "{rel} names `crate::{named}`: {rule} (register with the shared service instead, wired in features.rs)"
                ));
            }
        }
        assert!(
            SHARED.contains(&top) || FEATURES.contains(&top),
            "{rel}: the module `{top}` is neither shared nor a feature; add it to tests/architecture.rs"
        );
    }
    for (file, named) in KNOWN {
        if !broken.contains(&((*file).to_owned(), (*named).to_owned())) {
            problems.push(format!(
                "{file} no longer names `crate::{named}`: take it off KNOWN in tests/architecture.rs"
            ));
        }
    }
    for (file, _) in LONG {
        if !long.contains(*file) {
            problems.push(format!(
                "{file} is at most {MAX_LINES} lines now: take it off LONG in tests/architecture.rs"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_finds_paths_and_skips_comments_and_strings() {
    let code = code_of(
        "use crate::{db::Db, opendata::{self, domain}, web};\n\
         // crate::pm in a comment\n\
         let url = \"crate::issues\"; let c = '\"'; let x = crate::construction::REGISTRY;",
    );
    let named = named_modules(&code);
    assert_eq!(
        named.into_iter().collect::<Vec<_>>(),
        ["construction", "db", "opendata", "web"]
    );
}

/// Whether a string literal's content holds a Cyrillic letter.
fn cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Page texts live in `texts!` tables, where the compiler checks both
/// languages (web/i18n.rs). Three older ways are gone and must stay gone:
/// `locale.pick("…", "…")` with literals, `(X, Locale::Ru) => "…"` match
/// arms, and a message whose English half is blank or Russian. Picking
/// between two data fields (`l.pick(&o.name_ru, &o.name_en)`) is fine.
#[test]
fn texts_are_written_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let lit = r#""(?:[^"\\]|\\.)*""#;
    let pick = regex::Regex::new(r#"\.pick\(\s*""#).unwrap();
    let arm = regex::Regex::new(r#"Locale::(?:Ru|En)\)\s*=>\s*\{?\s*""#).unwrap();
    let message = regex::Regex::new(&format!(
        r#"(?:AppError::invalid|Msg::new)\(\s*({lit})\s*,\s*({lit})\s*,?\s*\)"#
    ))
    .unwrap();
    let mut problems = Vec::new();
    let mut messages = 0;
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap();
        let line = |at: usize| text[..at].lines().count().max(1);
        for m in pick.find_iter(&text) {
            problems.push(format!(
                "{rel}:{}: `.pick` of two literals: move them to a texts! table",
                line(m.start())
            ));
        }
        for m in arm.find_iter(&text) {
            problems.push(format!(
                "{rel}:{}: a text in a `Locale::…` match arm: move it to a texts! table",
                line(m.start())
            ));
        }
        for c in message.captures_iter(&text) {
            messages += 1;
            let (ru, en) = (&c[1], &c[2]);
            if en.len() <= 2 || cyrillic(en) || ru.len() <= 2 {
                problems.push(format!(
                    "{rel}:{}: a message without both languages: {ru} / {en}",
                    line(c.get(0).unwrap().start())
                ));
            }
        }
    }
    assert!(
        messages > 50,
        "the message pattern found only {messages} messages: is it still right?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
