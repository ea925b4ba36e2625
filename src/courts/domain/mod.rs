//! The court-case model's words and pure rules: roles, categories,
//! procedure codes, instances and outcomes as closed vocabularies; amounts
//! in kopecks; ИНН and ОГРН with their check digits; the deadline of a
//! rule; the amount at risk.

use time::{Date, Month, Weekday};

use crate::error::Msg;
use crate::web::i18n::Locale;

/// A closed list of codes with their Russian and English names and the
/// Russian words a spreadsheet may write for them (matched as the start of
/// the lower-cased cell). The English names are checked while compiling,
/// as `texts!` checks its tables.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($v:ident = $code:literal, $ru:literal, $en:literal, [$($word:literal),*];)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($v,)* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $code,)* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim().to_lowercase();
                $(
                    if t == $code || t == $ru.to_lowercase() $(|| t.starts_with($word))* {
                        return Some($name::$v);
                    }
                )*
                None
            }
            pub fn label(self, l: Locale) -> &'static str {
                match (self, l) {
                    $(($name::$v, Locale::Ru) => $ru, ($name::$v, Locale::En) => $en,)*
                }
            }
        }
        const _: () = {
            $(assert!(crate::web::i18n::is_english($en), concat!(stringify!($name), ".", $code, ": the English name is empty or in Cyrillic"));)*
        };
    };
}

vocabulary!(
    /// Our organisation's (or a counterparty's) place in the case.
    Role {
        Plaintiff = "plaintiff", "Истец", "Plaintiff", ["истец", "заявител"];
        Defendant = "defendant", "Ответчик", "Defendant", ["ответчик", "заинтересованн"];
        ThirdParty = "third_party", "Третье лицо", "Third party", ["треть"];
    }
);

vocabulary!(
    /// What the dispute is about.
    Category {
        Contract = "contract", "Договорные споры", "Contracts", ["договор", "контракт", "госзакуп"];
        Property = "property", "Имущественные споры", "Property", ["имуществ"];
        Land = "land", "Земельные споры", "Land", ["земел"];
        Labour = "labour", "Трудовые споры", "Employment", ["трудов"];
        Tax = "tax", "Налоговые и бюджетные споры", "Tax and budget", ["налог", "бюджет"];
        Acts = "acts", "Оспаривание актов и действий", "Challenges to acts", ["оспарив", "обжалов"];
        Damages = "damages", "Возмещение вреда", "Damages", ["возмещ", "вред", "убытк"];
        Other = "other", "Прочие", "Other", ["проч", "ино"];
    }
);

vocabulary!(
    /// The procedure code the case is heard under.
    Procedure {
        Apk = "apk", "АПК", "Arbitration (APK)", ["апк", "арбитраж"];
        Gpk = "gpk", "ГПК", "Civil (GPK)", ["гпк", "гражданск"];
        Kas = "kas", "КАС", "Administrative (KAS)", ["кас", "административ"];
    }
);

vocabulary!(
    /// The lawyer's assessment of losing (ПБУ 8/01's three grades).
    Risk {
        Probable = "probable", "Высокая", "Probable", ["высок", "вероятн"];
        Possible = "possible", "Средняя", "Possible", ["средн", "возможн"];
        Remote = "remote", "Низкая", "Remote", ["низк", "маловероятн"];
    }
);

vocabulary!(
    /// The instance a court hears the case at, in order.
    Level {
        First = "first", "Первая инстанция", "First instance", ["перв"];
        Appeal = "appeal", "Апелляция", "Appeal", ["апелляц"];
        Cassation = "cassation", "Кассация", "Cassation", ["кассац"];
        Supervisory = "supervisory", "Надзор", "Supervisory review", ["надзор"];
    }
);

vocabulary!(
    /// How an instance ended for our organisation.
    Outcome {
        Won = "won", "В нашу пользу", "Won", ["выигр", "в пользу", "удовлетворено в пользу"];
        Lost = "lost", "Не в нашу пользу", "Lost", ["проигр", "не в пользу"];
        Partly = "partly", "Частично", "Partly", ["частичн"];
        Settled = "settled", "Мировое соглашение", "Settled", ["миров", "прекращ"];
    }
);

vocabulary!(
    /// Whether a party is an organisation (public) or a private person
    /// (internal).
    PartyKind {
        Organisation = "organisation", "Организация", "Organisation", ["юр", "организац"];
        Person = "person", "Физическое лицо", "Private person", ["физ", "гражданин"];
    }
);

impl Level {
    pub fn next(self) -> Option<Level> {
        match self {
            Level::First => Some(Level::Appeal),
            Level::Appeal => Some(Level::Cassation),
            Level::Cassation => Some(Level::Supervisory),
            Level::Supervisory => None,
        }
    }
}

impl Outcome {
    /// An outcome our organisation may want to take higher.
    pub fn against_us(self) -> bool {
        matches!(self, Outcome::Lost | Outcome::Partly)
    }
}

/// The largest amount a form or file may give: a trillion roubles.
pub const MAX_KOPECKS: i64 = 100_000_000_000_000;

/// Roubles as a person writes them («1 234 567,89», «1234567.8», «500»)
/// into kopecks.
pub fn parse_roubles(s: &str) -> Result<i64, Msg> {
    let bad = || {
        Msg::new(
            format!(
                "«{}» — не сумма в рублях (например, 1 234 567,89).",
                short(s)
            ),
            format!(
                "“{}” is not an amount in roubles (for example 1 234 567.89).",
                short(s)
            ),
        )
    };
    let t: String = s
        .trim()
        .trim_end_matches("руб.")
        .trim_end_matches('₽')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let t = t.replace(',', ".");
    if t.is_empty() || t.len() > 24 {
        return Err(bad());
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let rub: i64 = whole.parse().map_err(|_| bad())?;
    let kop: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let total = rub
        .checked_mul(100)
        .and_then(|r| r.checked_add(kop))
        .ok_or_else(bad)?;
    if total > MAX_KOPECKS {
        return Err(Msg::new(
            "Сумма больше триллиона рублей.",
            "The amount is above a trillion roubles.",
        ));
    }
    Ok(total)
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Kopecks as roubles with a decimal comma and thin groups, as Russian
/// documents write them.
pub fn show_roubles(kopecks: i64, l: Locale) -> String {
    let rub = kopecks.unsigned_abs() / 100;
    let kop = kopecks.unsigned_abs() % 100;
    let digits = rub.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(match l {
                Locale::Ru => '\u{a0}',
                Locale::En => ',',
            });
        }
        out.push(c);
    }
    let sign = if kopecks < 0 { "−" } else { "" };
    match l {
        Locale::Ru => format!("{sign}{out},{kop:02}"),
        Locale::En => format!("{sign}{out}.{kop:02}"),
    }
}

/// Kopecks as roubles for files: «1234567.89».
pub fn plain_roubles(kopecks: i64) -> f64 {
    kopecks as f64 / 100.0
}

/// An ИНН of an organisation (10 digits) or of a person (12), with its
/// check digits (`directory::domain::inn_checks`).
pub fn parse_inn(s: &str) -> Result<String, Msg> {
    let t = s.trim();
    if crate::directory::domain::inn_checks(t) {
        Ok(t.to_owned())
    } else {
        Err(Msg::new(
            format!(
                "ИНН «{}» неверен: 10 или 12 цифр с верными контрольными.",
                short(t)
            ),
            format!(
                "The INN “{}” is wrong: 10 or 12 digits with valid check digits.",
                short(t)
            ),
        ))
    }
}

/// Nine digits completed with the check digit of an organisation's ИНН
/// (the demo's and the benchmark's counterparties have well-formed
/// numbers).
pub fn complete_inn10(nine: u32) -> String {
    let s = format!("{:09}", nine % 1_000_000_000);
    (0..10)
        .map(|c| format!("{s}{c}"))
        .find(|inn| crate::directory::domain::inn_checks(inn))
        .unwrap_or_default()
}

/// An ОГРН (13 digits) or ОГРНИП (15), with its check digit.
pub fn parse_ogrn(s: &str) -> Result<String, Msg> {
    let t = s.trim();
    let ok = t.bytes().all(|b| b.is_ascii_digit())
        && match t.len() {
            13 => t[..12]
                .parse::<u64>()
                .is_ok_and(|n| n % 11 % 10 == u64::from(t.as_bytes()[12] - b'0')),
            15 => t[..14]
                .parse::<u64>()
                .is_ok_and(|n| n % 13 % 10 == u64::from(t.as_bytes()[14] - b'0')),
            _ => false,
        };
    if ok {
        Ok(t.to_owned())
    } else {
        Err(Msg::new(
            format!(
                "ОГРН «{}» неверен: 13 или 15 цифр с верной контрольной.",
                short(t)
            ),
            format!(
                "The OGRN “{}” is wrong: 13 or 15 digits with a valid check digit.",
                short(t)
            ),
        ))
    }
}

/// What a party is: a 12-digit ИНН or a 15-digit ОГРНИП is a person's
/// (a sole trader is a person too, 152-ФЗ), whatever the form or file
/// says; otherwise what it says.
pub fn party_kind(said: PartyKind, inn: Option<&str>, ogrn: Option<&str>) -> PartyKind {
    if inn.is_some_and(|i| i.len() == 12) || ogrn.is_some_and(|o| o.len() == 15) {
        PartyKind::Person
    } else {
        said
    }
}

/// The key an organisation knows a case's number at a court by: the
/// court's name lower-cased with single spaces, the number upper-cased
/// without spaces and with Cyrillic letters that look Latin written Latin
/// («А32-1234/2026», «a32-1234/2026 » and the Latin «A32-1234/2026» are one
/// case). Two of our bodies in one case each keep their card.
pub fn dedup_key(org: &str, court: &str, number: &str) -> String {
    let court = court
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let number: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'А' => 'A',
            'В' => 'B',
            'Е' => 'E',
            'К' => 'K',
            'М' => 'M',
            'Н' => 'H',
            'О' => 'O',
            'Р' => 'P',
            'С' => 'C',
            'Т' => 'T',
            'У' => 'Y',
            'Х' => 'X',
            other => other,
        })
        .collect();
    format!("{org}|{court}|{number}")
}

/// The day itself, or the Monday after when it falls on a weekend: a
/// period ending on a day off ends on the next working day (АПК art. 114,
/// ГПК art. 108). Public holidays are not known to veche.
pub fn working_day(mut day: Date) -> Date {
    while matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        match day.next_day() {
            Some(d) => day = d,
            None => break,
        }
    }
    day
}

/// Months the finance body has to pay a judgment against a budget from
/// the day the writ reaches it (Budget Code, arts. 242.1–242.5).
pub const PAYMENT_MONTHS: u8 = 3;

/// The last day to pay under a writ received on `received`.
pub fn payment_due(received: Date) -> Date {
    working_day(add_months(received, PAYMENT_MONTHS))
}

/// A deadline rule of a procedure code (table `court_deadline_rule`).
#[derive(Debug, Clone)]
pub struct Rule {
    pub rule_code: String,
    pub next_level: Level,
    pub in_force: bool,
    pub months: u8,
    pub warn_days: i64,
    pub article: String,
}

/// What a rule counts from: the decision in full or, when the court has
/// not given the full text's day, the decision's; or the day in force,
/// which for an appeal's or a cassation's ruling is the day it is made
/// (АПК art. 271, ГПК art. 329) when none is given.
pub struct Decided {
    pub decided_on: Option<Date>,
    pub full_text_on: Option<Date>,
    pub in_force_on: Option<Date>,
}

/// The last day to go to the next instance: the anchor day plus the
/// rule's months on the same day of the month (the month's last day when
/// it has no such day, АПК art. 114, ГПК art. 108), moved to Monday when
/// it falls on a weekend. Public holidays are not known to veche and do
/// not move it: the order opens `warn_days` early.
pub fn due(rule: &Rule, d: &Decided) -> Option<Date> {
    let anchor = if rule.in_force {
        d.in_force_on.or(d.decided_on)?
    } else {
        d.full_text_on.or(d.decided_on)?
    };
    Some(working_day(add_months(anchor, rule.months)))
}

pub fn add_months(d: Date, months: u8) -> Date {
    let total = d.month() as i32 - 1 + i32::from(months);
    let year = d.year() + total / 12;
    let month = Month::try_from((total % 12 + 1) as u8).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// Days after a period's end in which an order is still opened: a period
/// found late (a decision entered after the fact) still gets one; a
/// long-gone one does not.
pub const LATE_DAYS: i64 = 30;

/// Whether a deadline needs an order today: the decision went against us,
/// nobody has gone to the next instance yet, and the period ends within
/// the rule's warning days (or ended at most `LATE_DAYS` ago).
pub fn needs_order(
    outcome: Option<Outcome>,
    next_recorded: bool,
    due: Date,
    warn_days: i64,
    today: Date,
) -> bool {
    outcome.is_some_and(Outcome::against_us)
        && !next_recorded
        && today >= due - time::Duration::days(warn_days)
        && today <= due + time::Duration::days(LATE_DAYS)
}

#[cfg(test)]
mod tests;
