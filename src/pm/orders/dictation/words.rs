//! Words of dates and numbers as they are spoken: numbers in any case
//! («пяти», «двадцать пятого»), months, weekdays and units of time.

use super::Token;

/// Cardinal forms of the numbers a deadline uses.
const CARDINALS: &[(u32, &[&str])] = &[
    (
        1,
        &[
            "один",
            "одного",
            "одному",
            "одним",
            "одна",
            "одну",
            "одной",
            "одно",
            "одни",
            "одних",
        ],
    ),
    (
        2,
        &[
            "два",
            "две",
            "двух",
            "двум",
            "двумя",
            "пару",
            "пара",
            "пары",
        ],
    ),
    (3, &["три", "трех", "трем", "тремя"]),
    (4, &["четыре", "четырех", "четырем", "четырьмя"]),
    (5, &["пять", "пяти", "пятью"]),
    (6, &["шесть", "шести", "шестью"]),
    (7, &["семь", "семи", "семью"]),
    (8, &["восемь", "восьми", "восемью"]),
    (9, &["девять", "девяти", "девятью"]),
    (10, &["десять", "десяти", "десятью"]),
    (11, &["одиннадцать", "одиннадцати"]),
    (12, &["двенадцать", "двенадцати"]),
    (13, &["тринадцать", "тринадцати"]),
    (14, &["четырнадцать", "четырнадцати"]),
    (15, &["пятнадцать", "пятнадцати"]),
    (16, &["шестнадцать", "шестнадцати"]),
    (17, &["семнадцать", "семнадцати"]),
    (18, &["восемнадцать", "восемнадцати"]),
    (19, &["девятнадцать", "девятнадцати"]),
    (20, &["двадцать", "двадцати"]),
    (30, &["тридцать", "тридцати"]),
    (40, &["сорок", "сорока"]),
    (50, &["пятьдесят", "пятидесяти"]),
    (60, &["шестьдесят", "шестидесяти"]),
    (90, &["девяносто", "девяноста"]),
];

/// Stems of ordinals («первого», «двадцать пятое»).
const ORDINALS: &[(u32, &str)] = &[
    (1, "перв"),
    (2, "втор"),
    (3, "трет"),
    (4, "четверт"),
    (5, "пят"),
    (6, "шест"),
    (7, "седьм"),
    (8, "восьм"),
    (9, "девят"),
    (10, "десят"),
    (11, "одиннадцат"),
    (12, "двенадцат"),
    (13, "тринадцат"),
    (14, "четырнадцат"),
    (15, "пятнадцат"),
    (16, "шестнадцат"),
    (17, "семнадцат"),
    (18, "восемнадцат"),
    (19, "девятнадцат"),
    (20, "двадцат"),
    (30, "тридцат"),
];

const ORDINAL_ENDINGS: &[&str] = &[
    "ый", "ий", "ой", "ого", "его", "ому", "ему", "ое", "ее", "ье", "ая", "яя", "ья", "ую", "юю",
    "ью", "ом", "ем", "ым", "им", "ьего", "ьему", "ьем", "ьей", "ей",
];

fn cardinal(w: &str) -> Option<u32> {
    CARDINALS
        .iter()
        .find(|(_, forms)| forms.contains(&w))
        .map(|(n, _)| *n)
}

fn ordinal(w: &str) -> Option<u32> {
    // The longest stem first: «пятнадцатого» is not «пят» + «надцатого».
    let mut best: Option<(usize, u32)> = None;
    for (n, stem) in ORDINALS {
        if let Some(end) = w.strip_prefix(stem)
            && ORDINAL_ENDINGS.contains(&end)
            && best.is_none_or(|(l, _)| stem.len() > l)
        {
            best = Some((stem.len(), *n));
        }
    }
    best.map(|(_, n)| n)
}

/// A number at `tokens[i]`: digits, or words (a ten and a unit:
/// «двадцать пятого»). Returns the value and how many tokens it took.
pub fn number(tokens: &[Token], i: usize) -> Option<(u32, usize)> {
    let w = tokens.get(i)?.norm.as_str();
    if let Ok(n) = w.parse::<u32>() {
        return Some((n, 1));
    }
    let first = cardinal(w).or_else(|| ordinal(w))?;
    if first >= 20
        && first % 10 == 0
        && let Some(next) = tokens.get(i + 1)
        && let Some(unit) = cardinal(&next.norm).or_else(|| ordinal(&next.norm))
        && unit < 10
    {
        return Some((first + unit, 2));
    }
    Some((first, 1))
}

/// A month by its name in any case.
pub fn month(w: &str) -> Option<time::Month> {
    use time::Month::*;
    const MONTHS: &[(&str, time::Month)] = &[
        ("январ", January),
        ("феврал", February),
        ("март", March),
        ("апрел", April),
        ("ма", May),
        ("июн", June),
        ("июл", July),
        ("август", August),
        ("сентябр", September),
        ("октябр", October),
        ("ноябр", November),
        ("декабр", December),
    ];
    let endings = ["", "я", "ю", "е", "ь", "а", "у", "й"];
    MONTHS
        .iter()
        .find(|(stem, _)| {
            w.strip_prefix(stem).is_some_and(|e| endings.contains(&e))
                && (*stem != "ма" || matches!(w, "мая" | "май" | "мае"))
        })
        .map(|(_, m)| *m)
}

/// A weekday by its name in any case («пятницы», «к понедельнику»).
pub fn weekday(w: &str) -> Option<time::Weekday> {
    use time::Weekday::*;
    const DAYS: &[(&[&str], time::Weekday)] = &[
        (&["понедельник", "понедельника", "понедельнику"], Monday),
        (&["вторник", "вторника", "вторнику"], Tuesday),
        (&["среда", "среды", "среду", "среде"], Wednesday),
        (&["четверг", "четверга", "четвергу"], Thursday),
        (&["пятница", "пятницы", "пятницу", "пятнице"], Friday),
        (&["суббота", "субботы", "субботу", "субботе"], Saturday),
        (&["воскресенье", "воскресенья", "воскресенью"], Sunday),
    ];
    DAYS.iter().find(|(f, _)| f.contains(&w)).map(|(_, d)| *d)
}

/// A unit of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
}

pub fn unit(w: &str) -> Option<Unit> {
    match w {
        "день" | "дня" | "дней" | "дню" | "сутки" | "суток" => {
            Some(Unit::Day)
        }
        "неделя" | "неделю" | "недели" | "недель" | "неделе" => {
            Some(Unit::Week)
        }
        "месяц" | "месяца" | "месяцев" | "месяце" => Some(Unit::Month),
        _ => None,
    }
}

/// «десятидневный срок», «двухнедельный»: the number and unit of a
/// compound adjective (also «10-дневный» written with digits).
pub fn compound(w: &str) -> Option<(u32, Unit)> {
    const PREFIXES: &[(&str, u32)] = &[
        ("одно", 1),
        ("двух", 2),
        ("трех", 3),
        ("четырех", 4),
        ("пяти", 5),
        ("шести", 6),
        ("семи", 7),
        ("восьми", 8),
        ("девяти", 9),
        ("десяти", 10),
        ("пятнадцати", 15),
        ("двадцати", 20),
        ("тридцати", 30),
    ];
    let (n, rest) = if let Some((digits, rest)) = w.split_once('-') {
        (digits.parse().ok()?, rest)
    } else {
        PREFIXES
            .iter()
            .filter_map(|(p, n)| w.strip_prefix(p).map(|r| (*n, r)))
            .next()?
    };
    if rest.starts_with("дневн") {
        Some((n, Unit::Day))
    } else if rest.starts_with("недельн") {
        Some((n, Unit::Week))
    } else if rest.starts_with("месячн") {
        Some((n, Unit::Month))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokenize;
    use super::*;

    fn num(s: &str) -> Option<(u32, usize)> {
        number(&tokenize(s), 0)
    }

    #[test]
    fn numbers_are_read_in_any_case() {
        assert_eq!(num("пяти"), Some((5, 1)));
        assert_eq!(num("двадцать пятого"), Some((25, 2)));
        assert_eq!(num("тридцать первое"), Some((31, 2)));
        assert_eq!(num("пятнадцатого"), Some((15, 1)));
        assert_eq!(num("третьего"), Some((3, 1)));
        assert_eq!(num("две"), Some((2, 1)));
        assert_eq!(num("12"), Some((12, 1)));
        assert_eq!(num("пятницы"), None);
        assert_eq!(month("декабря"), Some(time::Month::December));
        assert_eq!(month("мая"), Some(time::Month::May));
        assert_eq!(month("мало"), None);
        assert_eq!(compound("десятидневный"), Some((10, Unit::Day)));
        assert_eq!(compound("двухнедельный"), Some((2, Unit::Week)));
        assert_eq!(compound("10-дневный"), Some((10, Unit::Day)));
    }
}
