//! The tone lexicon: parsing `datasets/press/tone-lexicon-ru.tsv` into stems.
//! The file is shipped with veche, but parsing still treats it as untrusted:
//! bounded sizes, errors with line numbers, no panics.

use std::collections::HashMap;

use super::{is_break, words};

// Limits that keep a hostile or broken lexicon cheap and its errors short.
pub(super) const MAX_LINES: usize = 10_000;
const MAX_TERM_BYTES: usize = 2_000;
const MAX_PHRASE_WORDS: usize = 6;
const MAX_COMBINATIONS: usize = 2_000;
const MAX_PHRASES: usize = 20_000;
const MAX_WEIGHT: i32 = 3;

pub(super) struct Phrase {
    pub(super) term: String,
    pub(super) stems: Vec<String>,
    pub(super) weight: i32,
}

/// A parsed lexicon, every term already stemmed.
#[derive(Default)]
pub struct Lexicon {
    /// stem → (weight, the word as written in the lexicon)
    pub(super) words: HashMap<String, (i32, String)>,
    pub(super) phrases: Vec<Phrase>,
    /// first stem → indexes into `phrases`, so matching stays cheap
    pub(super) by_first: HashMap<String, Vec<usize>>,
    /// all stems → index into `phrases`, to find repeats
    phrase_index: HashMap<Vec<String>, usize>,
    /// stem → whether it may reach back (weight 1)
    pub(super) negators: HashMap<String, bool>,
}

impl Lexicon {
    /// Parses the TSV; `stem` maps a lower-cased word to its stem (the crate
    /// passes the search index's Russian stemmer, so text and lexicon agree).
    ///
    /// `#` lines and blank lines are skipped; the first other line must be the
    /// header `kind\tterm\tweight`. A term's word may list inflected forms the
    /// stemmer keeps apart as `погибнуть|погиб|погибли`; a phrase is expanded
    /// into every combination. A stem or phrase given two different weights is
    /// an error, so a lexicon edit cannot silently contradict itself.
    pub fn parse(tsv: &str, stem: &dyn Fn(&str) -> String) -> Result<Lexicon, String> {
        let mut lex = Lexicon::default();
        let mut header_seen = false;
        for (index, raw) in tsv.lines().enumerate() {
            if index >= MAX_LINES {
                return Err(format!("more than {MAX_LINES} lines"));
            }
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
            let result = match fields[..] {
                ["kind", "term", "weight"] if !header_seen => {
                    header_seen = true;
                    Ok(())
                }
                _ if !header_seen => Err("expected the header kind\\tterm\\tweight".to_string()),
                [kind, term, weight] => lex.add_line(kind, term, weight, stem),
                _ => Err("expected 3 tab-separated fields".to_string()),
            };
            result.map_err(|e| format!("line {}: {e}", index + 1))?;
        }
        if !header_seen {
            return Err("no header line kind\\tterm\\tweight".to_string());
        }
        if let Some(n) = lex.negators.keys().find(|n| lex.words.contains_key(*n)) {
            return Err(format!("«{n}» is both a negator and a word"));
        }
        Ok(lex)
    }

    fn add_line(
        &mut self,
        kind: &str,
        term: &str,
        weight: &str,
        stem: &dyn Fn(&str) -> String,
    ) -> Result<(), String> {
        if term.len() > MAX_TERM_BYTES {
            return Err(format!("term longer than {MAX_TERM_BYTES} bytes"));
        }
        let weight: i32 = weight.parse().map_err(|_| "weight is not an integer")?;
        let range = if kind == "negator" {
            0..=1
        } else {
            -MAX_WEIGHT..=MAX_WEIGHT
        };
        if !range.contains(&weight) {
            return Err(format!("weight outside {range:?}"));
        }
        // For each word of the term, its alternatives as (form, stem).
        let mut slots: Vec<Vec<(String, String)>> = Vec::new();
        for slot in term.split_whitespace() {
            let mut alternatives = Vec::new();
            for alternative in slot.split('|') {
                let [word] = &words(alternative)[..] else {
                    return Err(format!("«{alternative}» is not one word"));
                };
                let s = stem(word);
                if is_break(word) || is_break(&s) {
                    return Err(format!("«{alternative}» has no stem"));
                }
                alternatives.push((word.clone(), s));
            }
            slots.push(alternatives);
        }
        match (kind, slots.pop()) {
            ("word" | "negator", Some(last)) if slots.is_empty() => {
                for (form, s) in last {
                    match kind {
                        "word" => self.add_word(&form, s, weight)?,
                        _ => drop(self.negators.insert(s, weight == 1)),
                    }
                }
                Ok(())
            }
            ("flip", Some(last)) if (1..MAX_PHRASE_WORDS).contains(&slots.len()) => {
                slots.push(last);
                self.add_phrases(&slots, weight)
            }
            ("word" | "negator", _) => Err("must be one word".to_string()),
            ("flip", _) => Err(format!("a phrase has 2..={MAX_PHRASE_WORDS} words")),
            _ => Err("unknown kind (word, flip, negator)".to_string()),
        }
    }

    fn add_word(&mut self, form: &str, stem: String, weight: i32) -> Result<(), String> {
        if weight == 0 {
            return Ok(()); // records a deliberate "neutral" decision, scores nothing
        }
        match self.words.get(&stem) {
            Some((w, other)) if *w != weight => Err(format!(
                "«{form}» and «{other}» share the stem «{stem}» with different weights"
            )),
            Some(_) => Ok(()),
            None => {
                self.words.insert(stem, (weight, form.to_string()));
                Ok(())
            }
        }
    }

    /// Adds every combination of the slots' alternatives.
    fn add_phrases(&mut self, slots: &[Vec<(String, String)>], weight: i32) -> Result<(), String> {
        let count = slots.iter().try_fold(1usize, |n, s| n.checked_mul(s.len()));
        let Some(count) =
            count.filter(|&c| c <= MAX_COMBINATIONS && self.phrases.len() + c <= MAX_PHRASES)
        else {
            return Err(format!(
                "over {MAX_COMBINATIONS} combinations or {MAX_PHRASES} phrases"
            ));
        };
        for n in 0..count {
            let (mut rest, mut forms, mut stems) = (n, Vec::new(), Vec::new());
            for slot in slots {
                let (form, stem) = &slot[rest % slot.len()];
                rest /= slot.len();
                forms.push(form.as_str());
                stems.push(stem.clone());
            }
            match self.phrase_index.get(&stems).map(|&i| &self.phrases[i]) {
                Some(p) if p.weight != weight => {
                    return Err(format!("«{}» has another weight", p.term));
                }
                Some(_) => {}
                None => {
                    let i = self.phrases.len();
                    self.by_first.entry(stems[0].clone()).or_default().push(i);
                    self.phrase_index.insert(stems.clone(), i);
                    self.phrases.push(Phrase {
                        term: forms.join(" "),
                        stems,
                        weight,
                    });
                }
            }
        }
        Ok(())
    }

    /// Distinct (word stems, phrases after expansion, negator stems).
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.words.len(), self.phrases.len(), self.negators.len())
    }
}
