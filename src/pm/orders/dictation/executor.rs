//! The executor a dictation names: an organisation of the directory or a
//! person of the staff list, matched by stems (`search::stems`), so
//! «департаменту строительства» finds «Департамент строительства
//! Краснодарского края» and «Иванову» finds «Иванов Пётр Сергеевич».

use std::collections::HashSet;
use std::sync::LazyLock;

use super::{Org, Person, Token};

/// Words that say nothing about which organisation: the region,
/// prepositions, «город».
static NOISE: LazyLock<HashSet<String>> = LazyLock::new(|| {
    crate::search::stems("Краснодарского края КК и по в во на за с со для от о об при к ко город")
        .into_iter()
        .collect()
});

/// Parts of official names nobody says: the municipal form.
const UNSAID: &[&str] = &[
    "муниципального образования",
    "городской округ",
    "город-курорт",
];

/// Whether two stems are one word: equal, or one a letter longer than
/// the other (Snowball cuts «Минздрав» to «минздра» but «Минздраву» to
/// «минздрав»).
fn same_stem(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    a == b
        || (short.chars().count() >= 5
            && long.starts_with(short)
            && long.chars().count() == short.chars().count() + 1)
}

/// The significant stems of an organisation's name.
fn name_stems(name: &str) -> Vec<String> {
    let mut n = name.to_lowercase();
    for u in UNSAID {
        n = n.replace(u, " ");
    }
    crate::search::stems(&n)
        .into_iter()
        .filter(|s| !NOISE.contains(s))
        .collect()
}

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
const NOT_NAMES: &[&str] = &[
    "исполнитель",
    "специалист",
    "ведомства",
    "демо",
    "модератор",
];

/// Common first names: a name matched by one of them alone is not enough.
const FIRST_NAMES: &[&str] = &[
    "александр",
    "алексей",
    "анатолий",
    "андрей",
    "антон",
    "артем",
    "борис",
    "вадим",
    "валентин",
    "валерий",
    "василий",
    "виктор",
    "виталий",
    "владимир",
    "владислав",
    "геннадий",
    "георгий",
    "григорий",
    "денис",
    "дмитрий",
    "евгений",
    "егор",
    "иван",
    "игорь",
    "илья",
    "кирилл",
    "константин",
    "леонид",
    "максим",
    "михаил",
    "никита",
    "николай",
    "олег",
    "павел",
    "петр",
    "роман",
    "руслан",
    "сергей",
    "станислав",
    "степан",
    "юрий",
    "ярослав",
    "александра",
    "алина",
    "алла",
    "анастасия",
    "анна",
    "валентина",
    "вера",
    "виктория",
    "галина",
    "дарья",
    "екатерина",
    "елена",
    "ирина",
    "юлия",
    "людмила",
    "любовь",
    "марина",
    "мария",
    "надежда",
    "наталья",
    "нина",
    "оксана",
    "ольга",
    "светлана",
    "софья",
    "татьяна",
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

/// The organisation whose name (full or short) the text says the most of:
/// from its first word, or from a head inside it («департаменту цен и
/// тарифов» of «Региональная энергетическая комиссия – департамент цен и
/// тарифов»), in order but perhaps skipping words of the name
/// («министерству спорта» of «Министерство физической культуры и
/// спорта»). At least two words, or one that is a whole name and not a
/// generic head («Минстрою»). Ties go to the whole name, then the shorter,
/// then the one said first.
pub fn organisation(tokens: &[Token], used: &[bool], orgs: &[Org]) -> Option<OrgMatch> {
    let text = significant(tokens, used);
    let mut best: Option<((usize, bool, i64, i64), OrgMatch)> = None;
    for org in orgs {
        for name in &org.names {
            let stems = name_stems(name);
            for (s, head) in stems.iter().enumerate() {
                if s > 0 && !GENERIC.contains(head) {
                    continue;
                }
                for t in (0..text.len()).filter(|t| same_stem(&text[*t].0, head)) {
                    let (mut k, mut next, mut contiguous) = (1, s + 1, true);
                    while let Some((word, _)) = text.get(t + k) {
                        let Some(p) = stems[next..].iter().position(|x| same_stem(x, word)) else {
                            break;
                        };
                        contiguous &= p == 0;
                        next += p + 1;
                        k += 1;
                    }
                    let whole = s == 0 && contiguous && k == stems.len();
                    let enough = k >= 2 || (whole && !GENERIC.contains(head));
                    if !enough {
                        continue;
                    }
                    let rank = (k, whole, -(stems.len() as i64), -(t as i64));
                    if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                        best = Some((
                            rank,
                            OrgMatch {
                                id: org.id.clone(),
                                tokens: text[t..t + k].iter().map(|(_, i)| *i).collect(),
                            },
                        ));
                    }
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

/// Whether a word of the text is a form of a word of a name («Иванову»
/// of «Иванов», «Анне» of «Анна»): a common beginning of at least three
/// letters that leaves at most two letters of the name.
fn same_name(said: &str, name: &str) -> bool {
    let common = said
        .chars()
        .zip(name.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let n = name.chars().count();
    common >= 3 && common + 2 >= n && said.chars().count() <= n + 3
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
            if let Some(i) = tokens
                .iter()
                .enumerate()
                .position(|(i, t)| !used[i] && t.upper && same_name(&t.norm, word))
            {
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
