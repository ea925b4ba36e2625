//! Import of a list of cases from a spreadsheet (`.xlsx` or `.csv`): the
//! header row is found among the first rows and its columns matched by
//! their words; every row is checked and every bad one reported; a file
//! with any bad row writes nothing. Our organisation is matched by its ИНН
//! in the directory (a renamed body keeps its ИНН), or given by its
//! directory code. A case whose court and number are known is left as it
//! is (`service::import_cases`).

use std::collections::BTreeMap;

use time::Date;

use super::domain::{
    Category, Level, PartyKind, Procedure, Risk, Role, parse_inn, parse_ogrn, parse_roubles,
};
use super::service::{NewCaseInput, Party};
use crate::error::Msg;
use crate::web::i18n::parse_iso_date;

/// Rows one file may have.
pub const MAX_ROWS: usize = 20_000;
/// Rejected rows listed in a report (all are counted).
pub const MAX_LISTED: usize = 500;
/// The longest text of a cell kept.
const MAX_TEXT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Received,
    OrgInn,
    OrgCode,
    PartyInn,
    PartyOgrn,
    PartyKind,
    Party,
    Court,
    Number,
    Level,
    Role,
    Subject,
    Category,
    Procedure,
    Claimed,
    Risk,
    Link,
}

/// Column headers (the template's) and the words matched in an imported
/// header, first match wins: «Дата поступления в суд» and «Вид судопроизводства»
/// before «Суд»,
/// «ИНН контрагента» before «Контрагент».
pub const HEADERS: [(Field, &str, &[&str]); 17] = [
    (
        Field::Received,
        "Дата поступления",
        &["поступ", "дата регистрации"],
    ),
    (
        Field::OrgInn,
        "ИНН организации",
        &["инн организации", "инн органа"],
    ),
    (Field::OrgCode, "Код организации", &["код организации"]),
    (
        Field::PartyInn,
        "ИНН контрагента",
        &["инн контрагента", "инн другой"],
    ),
    (
        Field::PartyOgrn,
        "ОГРН контрагента",
        &["огрн контрагента", "огрн другой"],
    ),
    (
        Field::PartyKind,
        "Вид контрагента",
        &["вид контрагента", "вид стороны"],
    ),
    (
        Field::Party,
        "Контрагент",
        &["контрагент", "другая сторона"],
    ),
    (
        Field::Procedure,
        "Кодекс",
        &["кодекс", "судопроизводств", "процедур"],
    ),
    (Field::Court, "Суд", &["суд"]),
    (Field::Number, "Номер дела", &["номер"]),
    (Field::Level, "Инстанция", &["инстанц"]),
    (
        Field::Role,
        "Роль организации",
        &["роль", "процессуальный статус"],
    ),
    (Field::Subject, "Предмет спора", &["предмет"]),
    (Field::Category, "Категория", &["категори"]),
    (Field::Claimed, "Сумма иска, руб.", &["сумма", "цена иска"]),
    (Field::Risk, "Оценка риска", &["риск"]),
    (Field::Link, "Ссылка на карточку дела", &["ссылк"]),
];

const REQUIRED: [Field; 7] = [
    Field::Court,
    Field::Number,
    Field::Received,
    Field::Role,
    Field::Subject,
    Field::Procedure,
    Field::Party,
];

pub use crate::media::sheet::Problem;

#[derive(Debug, Default)]
pub struct Checked {
    pub rows: Vec<NewCaseInput>,
    pub problems: Vec<Problem>,
    pub rejected_rows: usize,
}

/// Checks every row; `orgs` is the directory's organisations by ИНН and
/// the codes known, `lawyers` nobody (a file names no lawyer).
pub fn check(
    table: &[(u64, Vec<String>)],
    by_inn: &BTreeMap<String, String>,
    codes: &std::collections::BTreeSet<String>,
) -> Result<Checked, Msg> {
    let (at, cols) = crate::media::sheet::find_header(table, &HEADERS, &REQUIRED, &[]).ok_or_else(|| {
        let names: Vec<&str> = REQUIRED
            .iter()
            .filter_map(|f| HEADERS.iter().find(|h| h.0 == *f).map(|h| h.1))
            .collect();
        Msg::new(
            format!(
                "Не найдена строка заголовков: нужны столбцы {}.",
                names.join(", ")
            ),
            format!(
                "No header row found: {} columns are needed, named in Russian as in the template.",
                names.len()
            ),
        )
    })?;
    if !cols.contains_key(&Field::OrgInn) && !cols.contains_key(&Field::OrgCode) {
        return Err(Msg::new(
            "Нужен столбец «ИНН организации» или «Код организации».",
            "A column with the organisation's INN or directory code is needed.",
        ));
    }
    let body = &table[at + 1..];
    if body.len() > MAX_ROWS {
        return Err(Msg::new(
            format!(
                "В файле {} строк, а можно не больше {MAX_ROWS}.",
                body.len()
            ),
            format!(
                "The file has {} rows; at most {MAX_ROWS} are allowed.",
                body.len()
            ),
        ));
    }
    let mut out = Checked::default();
    for (row, cells) in body {
        let get = |f: Field| -> &str {
            cols.get(&f)
                .and_then(|c| cells.get(c[0]))
                .map_or("", |s| s.trim())
        };
        let mut bad: Vec<(Field, Msg)> = Vec::new();
        let need = |f: Field, bad: &mut Vec<(Field, Msg)>| -> Option<String> {
            let v = get(f);
            if v.is_empty() {
                bad.push((f, Msg::new("Не заполнено.", "Empty.")));
                None
            } else if v.chars().count() > MAX_TEXT {
                bad.push((
                    f,
                    Msg::new(
                        format!("Длиннее {MAX_TEXT} знаков."),
                        format!("Longer than {MAX_TEXT} characters."),
                    ),
                ));
                None
            } else {
                Some(v.to_owned())
            }
        };
        let court = need(Field::Court, &mut bad);
        let number = need(Field::Number, &mut bad);
        let subject = need(Field::Subject, &mut bad);
        let party_name = need(Field::Party, &mut bad);
        let received = match parse_date(get(Field::Received)) {
            Some(d) => Some(d),
            None => {
                bad.push((
                    Field::Received,
                    Msg::new(
                        "Нужна дата ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.",
                        "A date YYYY-MM-DD or DD.MM.YYYY is needed.",
                    ),
                ));
                None
            }
        };
        let mut word = |f: Field, parse: &dyn Fn(&str) -> bool| {
            if !parse(get(f)) {
                bad.push((
                    f,
                    Msg::new(
                        format!("Значение «{}» не из списка.", short(get(f))),
                        format!("The value “{}” is not one of the list.", short(get(f))),
                    ),
                ));
            }
        };
        word(Field::Role, &|s| Role::parse(s).is_some());
        word(Field::Procedure, &|s| Procedure::parse(s).is_some());
        word(Field::Level, &|s| s.is_empty() || Level::parse(s).is_some());
        word(Field::Category, &|s| {
            s.is_empty() || Category::parse(s).is_some()
        });
        word(Field::Risk, &|s| s.is_empty() || Risk::parse(s).is_some());
        word(Field::PartyKind, &|s| {
            s.is_empty() || PartyKind::parse(s).is_some()
        });
        let claimed = match get(Field::Claimed) {
            "" => Some(0),
            s => match parse_roubles(s) {
                Ok(k) => Some(k),
                Err(m) => {
                    bad.push((Field::Claimed, m));
                    None
                }
            },
        };
        let org = if !get(Field::OrgInn).is_empty() {
            match parse_inn(get(Field::OrgInn)) {
                Ok(inn) => match by_inn.get(&inn) {
                    Some(o) => Some(o.clone()),
                    None => {
                        bad.push((
                            Field::OrgInn,
                            Msg::new(
                                format!("Организации с ИНН {inn} нет в справочнике."),
                                format!("No organisation with the INN {inn} in the directory."),
                            ),
                        ));
                        None
                    }
                },
                Err(m) => {
                    bad.push((Field::OrgInn, m));
                    None
                }
            }
        } else if codes.contains(get(Field::OrgCode)) {
            Some(get(Field::OrgCode).to_owned())
        } else {
            bad.push((
                Field::OrgCode,
                Msg::new(
                    "Организация не найдена: укажите её ИНН или код из справочника.",
                    "Organisation not found: give its INN or directory code.",
                ),
            ));
            None
        };
        let party_inn = match get(Field::PartyInn) {
            "" => None,
            s => match parse_inn(s) {
                Ok(v) => Some(v),
                Err(m) => {
                    bad.push((Field::PartyInn, m));
                    None
                }
            },
        };
        let party_ogrn = match get(Field::PartyOgrn) {
            "" => None,
            s => match parse_ogrn(s) {
                Ok(v) => Some(v),
                Err(m) => {
                    bad.push((Field::PartyOgrn, m));
                    None
                }
            },
        };
        if bad.is_empty() {
            let role = Role::parse(get(Field::Role)).unwrap_or(Role::Defendant);
            // Privacy by default: a party not said to be an organisation
            // is a person unless it has a 13-digit ОГРН; a person's ИНН or
            // ОГРНИП makes it one whatever the file says.
            let said =
                PartyKind::parse(get(Field::PartyKind)).unwrap_or(match party_ogrn.as_deref() {
                    Some(o) if o.len() == 13 => PartyKind::Organisation,
                    _ => PartyKind::Person,
                });
            let kind = super::domain::party_kind(said, party_inn.as_deref(), party_ogrn.as_deref());
            let other = match role {
                Role::Plaintiff => Role::Defendant,
                _ => Role::Plaintiff,
            };
            out.rows.push(NewCaseInput {
                organisation_id: org.unwrap_or_default(),
                role,
                subject: subject.unwrap_or_default(),
                category: Category::parse(get(Field::Category)).unwrap_or(Category::Other),
                procedure: Procedure::parse(get(Field::Procedure)).unwrap_or(Procedure::Apk),
                claimed: claimed.unwrap_or(0),
                risk: Risk::parse(get(Field::Risk)).unwrap_or(Risk::Possible),
                lawyer_account_id: None,
                link: safe_link(get(Field::Link)),
                level: Level::parse(get(Field::Level)).unwrap_or(Level::First),
                court: court.unwrap_or_default(),
                number: number.unwrap_or_default(),
                received_on: received.unwrap_or(Date::MIN),
                parties: vec![Party {
                    kind,
                    role: other,
                    name: party_name.unwrap_or_default(),
                    inn: party_inn,
                    ogrn: party_ogrn,
                }],
            });
        } else {
            out.rejected_rows += 1;
            for (f, reason) in bad {
                if out.problems.len() < MAX_LISTED {
                    out.problems.push(Problem {
                        row: *row,
                        column: HEADERS
                            .iter()
                            .find(|h| h.0 == f)
                            .map_or("", |h| h.1)
                            .to_owned(),
                        reason,
                    });
                }
            }
        }
    }
    Ok(out)
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A date as ISO or as Russian documents write it.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let d = parse_iso_date(s).or_else(|| {
        let mut it = s.split('.');
        let (d, m, y) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
    })?;
    (1990..=2200).contains(&d.year()).then_some(d)
}

/// A link to a court's card kept only when it is a web address.
pub fn safe_link(s: &str) -> String {
    let s = s.trim();
    if (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() <= 500
        && !s.contains(char::is_whitespace)
    {
        s.to_owned()
    } else {
        String::new()
    }
}
