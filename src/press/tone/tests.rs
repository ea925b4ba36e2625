//! Unit tests for the tone scorer, with a toy lexicon and stemmer.
use super::lexicon::MAX_LINES;
use super::*;

/// A toy stemmer: drops a few endings, enough for the inline lexicon.
fn stem(w: &str) -> String {
    for end in [
        "ована",
        "аться",
        "алось",
        "ией",
        "ии",
        "ия",
        "ию",
        "ен",
        "ы",
        "а",
        "и",
    ] {
        if let Some(s) = w.strip_suffix(end).filter(|s| s.chars().count() >= 2) {
            return s.to_string();
        }
    }
    w.to_string()
}

const LEX: &str = "# test lexicon\nkind\tterm\tweight\n\
    word\tавария\t-2\nword\tудаться\t1\nword\tцена\t0\nword\tпострадавших\t-2\n\
    flip\tавария ликвидирована\t2\nflip\tрост цен\t-2\nflip\tне только\t0\n\
    flip\tжалоб не было\t1\nnegator\tни\t0\nnegator\tне\t1\nnegator\tнет\t1\nnegator\tбез\t0\n";

fn run(text: &str) -> Scored {
    let lex = Lexicon::parse(LEX, &stem).expect("test lexicon parses");
    let stems: Vec<String> = words(text).iter().map(|w| stem(w)).collect();
    score(&lex, &stems)
}

#[test]
fn plain_negative_word() {
    let s = run("На трассе авария");
    assert_eq!((s.score, s.tone), (-2, Tone::Negative));
    assert_eq!(s.hits[0].term, "авария");
}

#[test]
fn negated_word() {
    let s = run("Открыть мост не удалось");
    assert_eq!((s.score, s.tone), (-1, Tone::Negative));
    assert!(s.hits[0].negated);
    assert_eq!(s.hits[0].term, "удаться");
}

#[test]
fn flip_phrase_is_positive_and_not_double_counted() {
    let s = run("Авария на водоводе ликвидирована");
    assert_eq!((s.score, s.tone), (2, Tone::Positive));
    assert_eq!(
        s.hits.len(),
        1,
        "авария must not also count −2: {:?}",
        s.hits
    );
    assert_eq!(s.hits[0].positions, vec![0, 3]);
    // Commas do not stop a phrase.
    assert_eq!(run("Авария, к утру, ликвидирована").score, 2);
}

#[test]
fn growth_of_prices_is_negative() {
    let s = run("Рост цен на хлеб");
    assert_eq!((s.score, s.tone), (-2, Tone::Negative));
}

#[test]
fn negation_ahead_back_and_shielded() {
    assert_eq!(run("Авария не ликвидирована").score, -1);
    assert_eq!(run("Обошлось без пострадавших").score, 1);
    assert_eq!(run("Пострадавших нет").score, 1);
    // «без» may not reach back; a clause break stops «нет».
    assert_eq!(run("Пострадавших, без сомнения").score, -2);
    assert_eq!(run("Пострадавших нет, авария").score, -1);
    // «не только» is a neutral phrase: its «не» negates nothing.
    assert_eq!(run("Не только авария").score, -2);
    // Negative concord: «ни» does not undo the «не» inside the phrase.
    assert_eq!(run("Ни жалоб не было").score, 1);
    // A negator flips a hit once, however many reach it.
    assert_eq!(run("Не было ни аварии").score, 1);
}

#[test]
fn boundaries_stop_windows() {
    assert_eq!(
        words("В г. Сочи авария, вот. Ура!"),
        ["в", "г", "сочи", "авария", ",", "вот", ".", "ура", "."]
    );
    assert_eq!(words("Ёлка 1.5"), ["елка"]);
    assert_eq!(run("Жертв нет. Авария").score, -2);
    assert_eq!(run("Авария. Ликвидирована").score, -2);
}

#[test]
fn hostile_lexicons_are_errors_not_panics() {
    for bad in [
        "",
        "word\tавария\t-2\n",
        "kind\tterm\tweight\nword\tавария\n",
        "kind\tterm\tweight\nword\tавария\t9\n",
        "kind\tterm\tweight\nnegator\tне\t2\n",
        "kind\tterm\tweight\nword\tдве аварии\t-2\n",
        "kind\tterm\tweight\nflip\tавария\t2\n",
        "kind\tterm\tweight\nmood\tавария\t2\n",
        "kind\tterm\tweight\nword\tавария\t-2\nword\tаварии\t2\n",
        "kind\tterm\tweight\nword\tавария.\t1\n",
    ] {
        assert!(Lexicon::parse(bad, &stem).is_err(), "{bad:?}");
    }
    let long = format!("kind\tterm\tweight\nword\t{}\t1\n", "я".repeat(1500));
    assert!(Lexicon::parse(&long, &stem).is_err());
    let many = format!("kind\tterm\tweight\n{}", "# c\n".repeat(MAX_LINES + 1));
    assert!(Lexicon::parse(&many, &stem).is_err());
}

#[test]
fn alternatives_expand_into_forms_and_phrases() {
    let tsv = "kind\tterm\tweight\nword\tпогибнуть|погиб|погибли\t-3\n\
        flip\tрост|увеличение цен|тарифов\t-2\nnegator\tне|нет\t1\n";
    let lex = Lexicon::parse(tsv, &stem).expect("parses");
    assert_eq!(lex.counts(), (3, 4, 2));
    let stems: Vec<String> = words("Погибли двое").iter().map(|w| stem(w)).collect();
    let s = score(&lex, &stems);
    assert_eq!((s.score, s.hits[0].term.as_str()), (-3, "погибли"));
    let stems: Vec<String> = words("Увеличение тарифов")
        .iter()
        .map(|w| stem(w))
        .collect();
    assert_eq!(score(&lex, &stems).hits[0].term, "увеличение тарифов");
    let huge = format!(
        "kind\tterm\tweight\nflip\t{}\t1\n",
        ["а|б|в|г|д|е|ж|з"; 6].join(" ")
    );
    assert!(
        Lexicon::parse(&huge, &stem).is_err(),
        "8^6 combinations must be refused"
    );
}

#[test]
fn words_between_phrase_stems_belong_to_it_unless_a_comma_parts_them() {
    // «авария» inside «рост … цен» is part of the phrase, not a −2 of its own.
    assert_eq!(run("Рост после аварии цен").score, -2);
    // Set apart by commas it still counts.
    assert_eq!(run("Рост, после аварии, цен").score, -4);
    // Too far apart, or across a sentence end: no phrase.
    assert_eq!(run("Рост один два три четыре пять шесть цен").score, 0);
    assert_eq!(run("Рост. Цен").score, 0);
    // Degenerate inputs do not panic.
    assert_eq!(run("").hits, []);
    assert_eq!(run(". , ! не без").score, 0);
    let commas: Vec<String> = std::iter::once("рост".to_string())
        .chain(std::iter::repeat_n(",".to_string(), 100_000))
        .chain(std::iter::once("цен".to_string()))
        .collect();
    let lex = Lexicon::parse(LEX, &stem).expect("test lexicon parses");
    assert_eq!(score(&lex, &commas).score, 0);
}

/// The shipped lexicon must parse: right format, weights in range, no
/// form given two weights. An identity "stemmer" checks the file itself; the
/// crate's real stemmer is checked where the lexicon is loaded.
#[test]
fn shipped_lexicon_parses() {
    let tsv = include_str!("../../../datasets/press/tone-lexicon-ru.tsv");
    let lex = Lexicon::parse(tsv, &|w: &str| w.to_string()).expect("shipped lexicon parses");
    let (words, phrases, negators) = lex.counts();
    assert!(
        words > 500 && phrases > 1000 && negators == 4,
        "{:?}",
        lex.counts()
    );
}
