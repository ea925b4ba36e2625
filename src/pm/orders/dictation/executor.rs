//! The executor a dictation names: an organisation of the directory or a
//! person of the staff list, matched by stems (`search::stems`), so
//! «департаменту строительства» finds «Департамент строительства
//! Краснодарского края» and «Иванову» finds «Иванов Пётр Сергеевич».

use std::collections::HashSet;
use std::sync::LazyLock;

use super::{Org, Person, Token};

/// Words of names that say nothing about which organisation: the region,
/// the municipal form, prepositions.
static NOISE: LazyLock<HashSet<String>> = LazyLock::new(|| {
    crate::search::stems(
        "Краснодарского края КК муниципального образования городской округ город курорт \
         и по в во на за с со для от о об при к ко",
    )
    .into_iter()
    .collect()
});

/// Heads that alone name no organisation («министерству» of what?).
static GENERIC: LazyLock<HashSet<String>> = LazyLock::new(|| {
    crate::search::stems(
        "министерство департамент управление администрация государственная инспекция \
         комиссия заместитель губернатор первый правовой региональная",
    )
    .into_iter()
    .collect()
});

/// Words of staff names that are not names (the demo's labels, titles).
const NOT_NAMES: &[&str] = &["исполнитель", "специалист", "ведомства", "демо", "модератор"];

/// Common first names: a name matched by one of them alone is not enough.
const FIRST_NAMES: &[&str] = &[
    "александр", "алексей", "анатолий", "андрей", "антон", "артем", "борис", "вадим",
    "валентин", "валерий", "василий", "виктор", "виталий", "владимир", "владислав",
    "геннадий", "георгий", "григорий", "денис", "дмитрий", "евгений", "егор", "иван", "игорь",
    "илья", "кирилл", "константин", "леонид", "максим", "михаил", "никита", "николай", "олег",
    "павел", "петр", "роман", "руслан", "сергей", "станислав", "степан", "юрий", "ярослав",
    "александра", "алина", "алла", "анастасия", "анна", "валентина", "вера", "виктория",
    "галина", "дарья", "екатерина", "елена", "ирина", "юлия", "людмила", "любовь", "марина",
    "мария", "надежда", "наталья", "нина", "оксана", "ольга", "светлана", "софья", "татьяна",
];

/// The stems of the significant words of a text, with the token each
/// came from.
fn significant(tokens: &[Token], used: &[bool]) -> Vec<(String, usize)> {
    tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| !used[*i] && !t.stem.is_empty() && !NOISE.contains(&t.stem))
        .map(|(i, t)| (t.stem.clone(), i))
        .collect()
}

/// An organisation found and the tokens that named it.
pub struct OrgMatch {
    pub id: String,
    pub tokens: Vec<usize>,
}

/// The organisation whose name (full or short) the text says the most of,
/// from its first word on: at least two words, or one that is not a
/// generic head («Минстрою»).
pub fn organisation(tokens: &[Token], used: &[bool], orgs: &[Org]) -> Option<OrgMatch> {
    let text = significant(tokens, used);
    // (words matched, whole name said, -name length) ranks candidates.
    let mut best: Option<((usize, bool, i64), OrgMatch)> = None;
    for org in orgs {
        for name in &org.names {
            let stems: Vec<String> = crate::search::stems(name)
                .into_iter()
                .filter(|s| !NOISE.contains(s))
                .collect();
            if stems.is_empty() {
                continue;
            }
            for start in 0..text.len() {
                let k = stems
                    .iter()
                    .zip(&text[start..])
                    .take_while(|(a, (b, _))| *a == b)
                    .count();
                let whole = k == stems.len();
                let enough = k >= 2 || (k == 1 && whole && !GENERIC.contains(&stems[0]));
                if !enough {
                    continue;
                }
                let rank = (k, whole, -(stems.len() as i64));
                if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                    best = Some((
                        rank,
                        OrgMatch {
                            id: org.id.clone(),
                            tokens: text[start..start + k].iter().map(|(_, i)| *i).collect(),
                        },
                    ));
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

/// Whether two stems are forms of one name («иванов» of «Иванову» and
/// «иван» of «Иванов»: Snowball cuts surnames unevenly).
fn same_name(a: &str, b: &str) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() >= 4 && long.starts_with(short) && long.chars().count() - short.chars().count() <= 2
}

/// A person found and the tokens that named them.
pub struct PersonMatch {
    pub account_id: i64,
    pub tokens: Vec<usize>,
}

/// The staff member the text names: two words of their name, or their
/// surname alone (a word that is neither a common first name nor a
/// patronymic). Two people named alike name nobody.
pub fn person(tokens: &[Token], used: &[bool], people: &[Person]) -> Option<PersonMatch> {
    let mut best: Option<(usize, PersonMatch)> = None;
    let mut tie = false;
    for p in people {
        let name_words: Vec<String> = p
            .name
            .split(|c: char| !c.is_alphabetic())
            .map(|w| w.to_lowercase().replace('ё', "е"))
            .filter(|w| w.chars().count() >= 3 && !NOT_NAMES.contains(&w.as_str()))
            .collect();
        let mut hits = Vec::new();
        let mut surname = false;
        for word in &name_words {
            let stem = crate::search::stem(word);
            if let Some(i) = tokens.iter().enumerate().position(|(i, t)| {
                !used[i] && t.upper && same_name(&t.stem, &stem)
            }) {
                hits.push(i);
                if !FIRST_NAMES.contains(&word.as_str())
                    && !word.ends_with("вич")
                    && !word.ends_with("вна")
                    && !word.ends_with("чна")
                {
                    surname = true;
                }
            }
        }
        let score = hits.len();
        if !(score >= 2 || (score == 1 && surname)) {
            continue;
        }
        match &best {
            Some((s, _)) if *s > score => {}
            Some((s, _)) if *s == score => tie = true,
            _ => {
                tie = false;
                best = Some((
                    score,
                    PersonMatch {
                        account_id: p.account_id,
                        tokens: hits,
                    },
                ));
            }
        }
    }
    if tie { None } else { best.map(|(_, m)| m) }
}
