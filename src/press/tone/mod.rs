//! Transparent lexicon-based tone scorer for Russian news: every score is
//! explained term by term on the page («авария −2», «авария ликвидирована +2»)
//! by a reviewable lexicon (`datasets/press/tone-lexicon-ru.tsv`) of `word`
//! (weight −3..3), `flip` (a phrase that overrides its words: «авария
//! ликвидирована» +2, «рост цен» −2; weight 0 shields names and idioms such as
//! «скорая помощь», «не только») and `negator` lines (не, нет, ни, без).
//!
//! Rules, in order:
//! 1. Phrases, greedily left to right: stems in order, at most [`PHRASE_GAP`]
//!    other words between neighbours, within a sentence (commas do not stop
//!    them). At one start the phrase with more stems wins, then the tighter.
//!    Matched words are consumed, their word weights not counted again; so
//!    are the words between them, unless a comma sets those apart.
//! 2. Every word not consumed scores its `word` weight.
//! 3. A negator not consumed flips the first hit with a word among the next
//!    [`NEGATION_WINDOW`] words of its clause («не было ни аварий»). One of
//!    weight 1 («нет») that finds nothing ahead flips instead the hits among
//!    the previous [`NEGATION_WINDOW`] words of its clause: Russian puts
//!    predicative negation last («Пострадавших нет»).
//!    A hit is flipped at most once, however many negators reach it, and not
//!    at all if it holds its own negator (negative concord: «ни … не»).
//!    Flipping shifts rather than mirrors: −3 → 2, −2 → 1, ±1 → ∓1.
//! 4. Tone: score >= [`POSITIVE_AT`] positive, <= [`NEGATIVE_AT`] negative,
//!    else neutral. The lowest thresholds: a mixed text already sums to about
//!    0, while one «авария» or one «открытие» is usually the news' point.
//!
//! [`words`] emits [`BOUNDARY`] at sentence ends and [`CLAUSE`] at commas,
//! colons, brackets and dashes; [`score`] takes any other token without a
//! letter for a sentence end, so the caller may stem these tokens or not.

mod lexicon;
#[cfg(test)]
mod tests;

pub use lexicon::Lexicon;
use lexicon::Phrase;

/// Most words allowed between two neighbouring stems of a phrase.
pub const PHRASE_GAP: usize = 5;
/// How many words a negator reaches.
pub const NEGATION_WINDOW: usize = 3;
/// Score at or above which a text is positive.
pub const POSITIVE_AT: i32 = 1;
/// Score at or below which a text is negative.
pub const NEGATIVE_AT: i32 = -1;
/// The token [`words`] emits between sentences.
pub const BOUNDARY: &str = ".";
/// The token [`words`] emits between clauses.
pub const CLAUSE: &str = ",";

/// Abbreviations whose dot does not end a sentence («г. Сочи», «ул. Мира»,
/// «5 млн. руб.»); one-letter ones (initials, «т.е.») are handled by length.
const ABBREVIATIONS: &str =
    "гг ул пр просп пер ст им пос мкр руб коп тыс млн млрд кв км др чел обл ок св стр тел ед";

/// Whether a text reads as good news, bad news or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Positive,
    Negative,
    Neutral,
}

/// One lexicon term found in the text: the "why" behind a score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The term as written in the lexicon («авария ликвидирована»).
    pub term: String,
    /// Its weight after negation.
    pub weight: i32,
    /// Whether a negator flipped it.
    pub negated: bool,
    /// Indexes into the scored tokens of the words it matched.
    pub positions: Vec<usize>,
}

/// A scored text: the sum of its hits' weights, the tone, the hits in text
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub score: i32,
    pub tone: Tone,
    pub hits: Vec<Hit>,
}

/// Splits text into lower-cased words with ё folded into е, as the search
/// index does, plus [`BOUNDARY`] and [`CLAUSE`] tokens. The caller stems
/// each token before [`score`].
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphabetic() {
            current.extend(c.to_lowercase().map(|l| if l == 'ё' { 'е' } else { l }));
            continue;
        }
        let previous = std::mem::take(&mut current);
        let brk = match c {
            '!' | '?' | ';' | '…' | '\n' => Some(BOUNDARY),
            // A dot ends a sentence only before a space or the end, and not
            // after an initial or a known abbreviation («1.5», «г. Сочи»).
            '.' if chars.peek().is_none_or(|n| n.is_whitespace())
                && (previous.is_empty()
                    || (previous.chars().count() > 1
                        && !ABBREVIATIONS.split(' ').any(|a| a == previous))) =>
            {
                Some(BOUNDARY)
            }
            ',' | ':' | '(' | ')' | '—' | '–' => Some(CLAUSE),
            _ => None,
        };
        if !previous.is_empty() {
            out.push(previous);
        }
        if let Some(brk) = brk {
            // Keep one break between words, the stronger one.
            if brk == BOUNDARY && out.last().is_some_and(|l| l == CLAUSE) {
                out.pop();
            }
            if out.last().is_some_and(|l| !is_break(l)) {
                out.push(brk.into());
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_break(token: &str) -> bool {
    !token.chars().any(char::is_alphabetic)
}

/// Positions of `stems` in `words` from `start`: each next stem within
/// [`PHRASE_GAP`] words of the previous, not consumed, in the same sentence.
fn match_phrase(
    stems: &[String],
    words: &[String],
    start: usize,
    used: &[bool],
) -> Option<Vec<usize>> {
    let mut positions = vec![start];
    for stem in &stems[1..] {
        let from = positions[positions.len() - 1] + 1;
        // Clause tokens do not count as words, but bound the scan anyway so
        // that a run of them costs nothing.
        let mut skipped = 0;
        let found = (from..words.len().min(from + 2 * PHRASE_GAP + 2)).find(|&j| {
            let w = &words[j];
            skipped += usize::from(!is_break(w));
            (!used[j] && w == stem) || skipped > PHRASE_GAP || (is_break(w) && w != CLAUSE)
        })?;
        if words[found] != *stem || used[found] {
            return None;
        }
        positions.push(found);
    }
    Some(positions)
}

/// Tone for a score, by [`POSITIVE_AT`] and [`NEGATIVE_AT`].
pub fn tone(score: i32) -> Tone {
    match score {
        s if s >= POSITIVE_AT => Tone::Positive,
        s if s <= NEGATIVE_AT => Tone::Negative,
        _ => Tone::Neutral,
    }
}

/// Scores a text given as its stemmed tokens in order (see [`words`]).
pub fn score(lexicon: &Lexicon, words: &[String]) -> Scored {
    let n = words.len();
    let mut used = vec![false; n];
    let mut hits: Vec<Hit> = Vec::new();
    // 1. Phrases, greedily left to right.
    for i in 0..n {
        let Some(candidates) = lexicon.by_first.get(&words[i]).filter(|_| !used[i]) else {
            continue;
        };
        let mut best: Option<(&Phrase, Vec<usize>)> = None;
        for phrase in candidates.iter().map(|&p| &lexicon.phrases[p]) {
            let Some(pos) = match_phrase(&phrase.stems, words, i, &used) else {
                continue;
            };
            let better = best.as_ref().is_none_or(|(b, bp)| {
                (phrase.stems.len(), std::cmp::Reverse(pos.last()))
                    > (b.stems.len(), std::cmp::Reverse(bp.last()))
            });
            if better {
                best = Some((phrase, pos));
            }
        }
        if let Some((phrase, positions)) = best {
            // Words between the stems belong to the phrase too («последствия
            // непогоды ликвидированы»), unless a comma sets them apart; a
            // negator among them still acts («задолженность не погашена»).
            let (first, last) = (positions[0], positions[positions.len() - 1]);
            let apart = words[first..last].iter().any(|w| is_break(w));
            for p in first..=last {
                let negator = lexicon.negators.contains_key(&words[p]);
                used[p] |= positions.contains(&p) || !(apart || negator);
            }
            if phrase.weight != 0 {
                hits.push(Hit {
                    term: phrase.term.clone(),
                    weight: phrase.weight,
                    negated: false,
                    positions,
                });
            }
        }
    }
    // 2. Single words not inside a phrase.
    for (i, w) in words.iter().enumerate() {
        if let (false, Some((weight, term))) = (used[i], lexicon.words.get(w)) {
            hits.push(Hit {
                term: term.clone(),
                weight: *weight,
                negated: false,
                positions: vec![i],
            });
        }
    }
    hits.sort_by_key(|h| h.positions[0]);
    // 3. Negation: which hit owns each token, then each free negator looks
    // ahead, or back if it may and nothing is ahead.
    let mut owner: Vec<Option<usize>> = vec![None; n];
    for (h, hit) in hits.iter().enumerate() {
        hit.positions.iter().for_each(|&p| owner[p] = Some(h));
    }
    // A phrase with its own negator («нарушений не выявлено») is negative
    // already: Russian negations agree («ни … не»), they do not cancel.
    let own_negator = |h: &Hit| {
        h.positions
            .iter()
            .any(|&p| lexicon.negators.contains_key(&words[p]))
    };
    for i in (0..n).filter(|&i| !used[i]) {
        let Some(&reaches_back) = lexicon.negators.get(&words[i]) else {
            continue;
        };
        let ahead = (i + 1..n)
            .take_while(|&j| !is_break(&words[j]))
            .take(NEGATION_WINDOW);
        let behind = (0..i)
            .rev()
            .take_while(|&j| !is_break(&words[j]))
            .take(NEGATION_WINDOW);
        let targets: Vec<usize> = match ahead.filter_map(|j| owner[j]).next() {
            Some(h) => vec![h],
            None if reaches_back => behind.filter_map(|j| owner[j]).collect(),
            None => Vec::new(),
        };
        for h in targets {
            hits[h].negated |= !own_negator(&hits[h]);
        }
    }
    let mut total = 0i32;
    for hit in &mut hits {
        if hit.negated {
            // Negation shifts rather than mirrors: «никто не погиб» is less
            // good news than «погибли» is bad: −3 → 2, −2 → 1, 1 → −1 and so on.
            let shifted = hit.weight - hit.weight.signum();
            hit.weight = if shifted == 0 { -hit.weight } else { -shifted };
        }
        total = total.saturating_add(hit.weight);
    }
    Scored {
        score: total,
        tone: tone(total),
        hits,
    }
}
