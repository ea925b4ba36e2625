//! Import of a staffing schedule from the spreadsheet 1C:ZUP exports as the
//! unified form Т-3 (or the same columns in a CSV): the header row is found
//! below the form's title block and its columns matched by their words;
//! every row is checked and every bad one reported; a file with any bad row
//! writes nothing, a good one becomes a new version in one transaction.
//!
//! The file is read by `media::sheet::read_table`, the bounded reader every
//! spreadsheet import shares.

use std::collections::{BTreeMap, BTreeSet};

use super::domain::{Category, Grade, Rates};
use crate::error::Msg;

/// Rows one schedule may have (the largest department has a few thousand).
pub const MAX_ROWS: usize = 50_000;
/// Rejected rows listed in a report (all are counted).
pub const MAX_LISTED: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    UnitName,
    UnitCode,
    ParentCode,
    PositionCode,
    Title,
    Category,
    Grade,
    Key,
    Rates,
    Salary,
    Allowances,
}

/// Column headers of the export (`export::t3`) and the words matched in an
/// imported header, first match wins: «Код вышестоящего подразделения»
/// before «Код подразделения» before «Структурное подразделение», and
/// «Ключевая должность» before «Должность».
pub const HEADERS: [(Field, &str, &[&str]); 11] = [
    (
        Field::ParentCode,
        "Код вышестоящего подразделения",
        &["вышестоящ"],
    ),
    (
        Field::UnitCode,
        "Код подразделения",
        &["код подразделения", "код структурного"],
    ),
    (
        Field::UnitName,
        "Структурное подразделение",
        &["подразделени"],
    ),
    (
        Field::PositionCode,
        "Код позиции",
        &["код позиции", "код должности", "позиция штатного"],
    ),
    (Field::Key, "Ключевая должность", &["ключев"]),
    (Field::Title, "Должность", &["должность", "профессия"]),
    (Field::Category, "Категория", &["категори"]),
    (Field::Grade, "Группа должностей", &["групп"]),
    (
        Field::Rates,
        "Количество штатных единиц",
        &["штатных единиц", "кол-во ставок", "ставок"],
    ),
    (
        Field::Salary,
        "Тарифная ставка (оклад), руб.",
        &["оклад", "тарифная ставка"],
    ),
    (Field::Allowances, "Надбавка, руб.", &["надбавк"]),
];

const REQUIRED: [Field; 5] = [
    Field::UnitName,
    Field::UnitCode,
    Field::Title,
    Field::Category,
    Field::Rates,
];

fn header_of(f: Field) -> &'static str {
    HEADERS
        .iter()
        .find(|(x, _, _)| *x == f)
        .map_or("", |(_, h, _)| h)
}

/// One checked row.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its number in the file.
    pub row: u64,
    pub unit_code: String,
    pub unit_name: String,
    pub parent_code: Option<String>,
    pub position_code: String,
    pub title: String,
    pub category: Category,
    pub grade: Grade,
    pub key: bool,
    pub rates: Rates,
    pub salary: i64,
    pub allowances: i64,
}

pub use crate::media::sheet::Problem;

#[derive(Debug, Default)]
pub struct Checked {
    pub rows: Vec<Row>,
    pub rejected_rows: u64,
    pub problems: Vec<Problem>,
}

/// Money as a spreadsheet writes it (`12 345,67`, `12345.5`) in kopecks.
pub fn kopecks(s: &str) -> Option<i64> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect::<String>()
        .replace(',', ".");
    if t.is_empty() {
        return Some(0);
    }
    let (w, f) = t.split_once('.').unwrap_or((&t, ""));
    if w.is_empty()
        || w.len() > 12
        || f.len() > 2
        || !w.chars().all(|c| c.is_ascii_digit())
        || !f.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = w.parse().ok()?;
    let frac: i64 = match f.len() {
        0 => 0,
        1 => f.parse::<i64>().ok()? * 10,
        _ => f.parse().ok()?,
    };
    Some(whole * 100 + frac)
}

fn yes(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "да" | "yes" | "1" | "true" | "ключевая" | "+" => Some(true),
        "нет" | "no" | "0" | "false" | "" | "-" => Some(false),
        _ => None,
    }
}

const MAX_TEXT: usize = 500;
/// A month's salary or allowances of one post: a billion roubles is a typo,
/// and the sums of the dataset stay far from overflowing.
const MAX_KOPECKS: i64 = 100_000_000_000;

/// Checks a table read from the file: the header, then every row below it.
pub fn check(table: &[(u64, Vec<String>)]) -> Result<Checked, Msg> {
    if table.len() > MAX_ROWS + 40 {
        return Err(Msg::new(
            format!("В файле больше {MAX_ROWS} строк."),
            format!("The file has more than {MAX_ROWS} rows."),
        ));
    }
    let Some((at, map)) =
        crate::media::sheet::find_header(table, &HEADERS, &REQUIRED, &[Field::Allowances])
    else {
        let names: Vec<&str> = REQUIRED.iter().map(|f| header_of(*f)).collect();
        return Err(Msg::new(
            format!(
                "Не найдена строка заголовков формы Т-3. Нужны столбцы: {}.",
                names.join(", ")
            ),
            format!(
                "The header row of a T-3 form is not found. Columns needed (in Russian): {}.",
                names.join(", ")
            ),
        ));
    };
    let mut out = Checked::default();
    let mut codes: BTreeSet<String> = BTreeSet::new();
    for (number, cells) in &table[at + 1..] {
        let cell = |f: Field| -> &str {
            map.get(&f)
                .and_then(|cs| cs.first())
                .and_then(|c| cells.get(*c))
                .map_or("", |s| s.trim())
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // The form's column numbers (1, 2, 3…) under the header, and its
        // «Итого» line, are not positions.
        let first = cells
            .iter()
            .find(|c| !c.trim().is_empty())
            .map_or("", |c| c.trim());
        if first.to_lowercase().starts_with("итого") || cell(Field::Title) == "3" {
            continue;
        }
        let mut problems: Vec<(Field, Msg)> = Vec::new();
        let mut text = |f: Field, required: bool| -> String {
            let v = cell(f);
            if required && v.is_empty() {
                problems.push((f, Msg::new("Пусто.", "Empty.")));
            } else if v.chars().count() > MAX_TEXT {
                problems.push((
                    f,
                    Msg::new(
                        format!("Длиннее {MAX_TEXT} знаков."),
                        format!("Longer than {MAX_TEXT} characters."),
                    ),
                ));
            }
            v.to_owned()
        };
        let unit_code = text(Field::UnitCode, true);
        let unit_name = text(Field::UnitName, true);
        let title = text(Field::Title, true);
        let parent = text(Field::ParentCode, false);
        let position = text(Field::PositionCode, false);
        let category = Category::parse(cell(Field::Category));
        if category.is_none() {
            problems.push((
                Field::Category,
                Msg::new(
                    "Категория: руководители, помощники (советники), специалисты или обеспечивающие специалисты.",
                    "Category: heads, assistants (advisers), specialists or support specialists, written in Russian as in the form.",
                ),
            ));
        }
        let grade = Grade::parse(cell(Field::Grade));
        if grade.is_none() {
            problems.push((
                Field::Grade,
                Msg::new(
                    "Группа: высшая, главная, ведущая, старшая, младшая или пусто.",
                    "Group: highest, main, leading, senior, junior (in Russian) or empty.",
                ),
            ));
        }
        let key = yes(cell(Field::Key));
        if key.is_none() {
            problems.push((
                Field::Key,
                Msg::new("«да» или «нет».", "Yes or no, in Russian."),
            ));
        }
        let rates = Rates::parse(cell(Field::Rates));
        if let Err(m) = &rates {
            problems.push((Field::Rates, m.clone()));
        }
        let money = |f: Field, problems: &mut Vec<(Field, Msg)>| -> i64 {
            let mut sum = 0i64;
            for c in map.get(&f).map(Vec::as_slice).unwrap_or(&[]) {
                match kopecks(cells.get(*c).map_or("", |s| s.as_str())) {
                    Some(k) => sum = sum.saturating_add(k),
                    None => problems.push((
                        f,
                        Msg::new("Не сумма в рублях.", "Not an amount in roubles."),
                    )),
                }
            }
            sum
        };
        let salary = money(Field::Salary, &mut problems);
        let allowances = money(Field::Allowances, &mut problems);
        for (f, v) in [(Field::Salary, salary), (Field::Allowances, allowances)] {
            if v > MAX_KOPECKS {
                problems.push((
                    f,
                    Msg::new(
                        "Больше миллиарда рублей в месяц.",
                        "More than a billion roubles a month.",
                    ),
                ));
            }
        }
        // Without a position code the unit and title name the position:
        // stable as long as neither is renamed.
        let position_code = if position.is_empty() {
            format!("{unit_code}/{title}")
        } else {
            position
        };
        if problems.is_empty() && !codes.insert(position_code.clone()) {
            problems.push((
                Field::PositionCode,
                Msg::new(
                    format!("Позиция «{position_code}» уже есть выше в файле."),
                    format!("Position “{position_code}” is already above in the file."),
                ),
            ));
        }
        if problems.is_empty() {
            if let (Some(category), Some(grade), Some(key), Ok(rates)) =
                (category, grade, key, rates)
            {
                out.rows.push(Row {
                    row: *number,
                    unit_code,
                    unit_name,
                    parent_code: (!parent.is_empty()).then_some(parent),
                    position_code,
                    title,
                    category,
                    grade,
                    key,
                    rates,
                    salary,
                    allowances,
                });
            }
        } else {
            out.rejected_rows += 1;
            for (f, reason) in problems {
                if out.problems.len() < MAX_LISTED {
                    out.problems.push(Problem {
                        row: *number,
                        column: header_of(f).to_owned(),
                        reason,
                    });
                }
            }
        }
    }
    check_units(&mut out);
    if out.rows.is_empty() && out.rejected_rows == 0 {
        return Err(Msg::new(
            "Под заголовком нет ни одной должности.",
            "There is no position under the header.",
        ));
    }
    Ok(out)
}

/// A unit's name and parent agree across rows, and a parent is a unit of
/// the file; the tree has no cycle.
fn check_units(out: &mut Checked) {
    let mut name: BTreeMap<&str, &str> = BTreeMap::new();
    let mut parent: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    let mut bad: Vec<(usize, Field, Msg)> = Vec::new();
    for (i, r) in out.rows.iter().enumerate() {
        if *name.entry(&r.unit_code).or_insert(&r.unit_name) != r.unit_name {
            bad.push((
                i,
                Field::UnitName,
                Msg::new(
                    format!(
                        "У подразделения с кодом «{}» выше другое наименование.",
                        r.unit_code
                    ),
                    format!(
                        "The unit with code “{}” has another name above.",
                        r.unit_code
                    ),
                ),
            ));
        }
        let p = r.parent_code.as_deref();
        if *parent.entry(&r.unit_code).or_insert(p) != p {
            bad.push((
                i,
                Field::ParentCode,
                Msg::new(
                    format!("У подразделения «{}» выше другое вышестоящее.", r.unit_code),
                    format!("The unit “{}” has another parent above.", r.unit_code),
                ),
            ));
        }
    }
    for (i, r) in out.rows.iter().enumerate() {
        let Some(p) = r.parent_code.as_deref() else {
            continue;
        };
        if !name.contains_key(p) {
            bad.push((
                i,
                Field::ParentCode,
                Msg::new(
                    format!("Вышестоящего подразделения «{p}» нет в файле."),
                    format!("The parent unit “{p}” is not in the file."),
                ),
            ));
            continue;
        }
        let mut at = Some(p);
        let mut steps = 0;
        while let Some(u) = at {
            if u == r.unit_code || steps > name.len() {
                bad.push((
                    i,
                    Field::ParentCode,
                    Msg::new(
                        "Подразделения подчинены друг другу по кругу.",
                        "The units are each other's parents in a circle.",
                    ),
                ));
                break;
            }
            steps += 1;
            at = parent.get(u).copied().flatten();
        }
    }
    if bad.is_empty() {
        return;
    }
    let mut dropped = BTreeSet::new();
    for (i, f, reason) in bad {
        if out.problems.len() < MAX_LISTED {
            out.problems.push(Problem {
                row: out.rows[i].row,
                column: header_of(f).to_owned(),
                reason,
            });
        }
        dropped.insert(i);
    }
    out.rejected_rows += dropped.len() as u64;
    let mut i = 0;
    out.rows.retain(|_| {
        i += 1;
        !dropped.contains(&(i - 1))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows written as a spreadsheet saves them in CSV, `;` between cells.
    fn table(rows: &[&str]) -> Vec<(u64, Vec<String>)> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.split(';').map(str::to_owned).collect()))
            .collect()
    }

    const HEAD: &str = "Структурное подразделение;Код подразделения;Должность (специальность, профессия);\
        Категория;Группа должностей;Количество штатных единиц;Тарифная ставка (оклад), руб.;\
        Надбавка за выслугу, руб.;Надбавка за секретность, руб.;Всего, руб.";

    #[test]
    fn a_t3_with_a_title_block_is_read_and_bad_rows_reported() {
        let t = table(&[
            "ШТАТНОЕ РАСПИСАНИЕ;;Форма Т-3",
            "Приказ № 12 от 01.01.2026",
            HEAD,
            "1;2;3;4;5;6;7;8;9;10",
            "Отдел кадров;01;Начальник отдела;Руководители;Главная;1;80 000,00;5000;1 000;86000",
            "Отдел кадров;01;Консультант;Специалисты;Ведущая;0,5;40000;;;",
            "Отдел кадров;01;Консультант;Специалисты;Ведущая;1;40000;;;",
            "Отдел кадров;01;;Рабочие;Средняя;-1;сорок;;;",
            "Итого;;;;;2,5",
        ]);
        let c = check(&t).unwrap();
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].salary, 8_000_000);
        assert_eq!(c.rows[0].allowances, 600_000);
        assert_eq!(c.rows[1].rates, Rates(50));
        assert_eq!(c.rejected_rows, 2);
        let rows: BTreeSet<u64> = c.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, BTreeSet::from([7, 8]));
        let eighth: Vec<&str> = c
            .problems
            .iter()
            .filter(|p| p.row == 8)
            .map(|p| p.column.as_str())
            .collect();
        assert_eq!(
            eighth,
            vec![
                "Должность",
                "Категория",
                "Группа должностей",
                "Количество штатных единиц",
                "Тарифная ставка (оклад), руб."
            ]
        );
    }

    #[test]
    fn a_file_without_the_header_or_with_a_circle_of_units_is_refused() {
        assert!(check(&table(&["a;b", "1;2"])).is_err());
        let head = format!("{HEAD};Код вышестоящего подразделения");
        let t = table(&[
            &head,
            "А;1;x;специалисты;;1;;;;;2",
            "Б;2;y;специалисты;;1;;;;;1",
            "В;3;z;специалисты;;1;;;;;9",
        ]);
        let c = check(&t).unwrap();
        assert!(c.rows.is_empty());
        assert_eq!(c.rejected_rows, 3);
    }

    #[test]
    fn money_is_read_in_kopecks() {
        assert_eq!(kopecks("12 345,67"), Some(1_234_567));
        assert_eq!(kopecks("100.5"), Some(10_050));
        assert_eq!(kopecks(""), Some(0));
        assert_eq!(kopecks("-5"), None);
        assert_eq!(kopecks("1.234"), None);
    }
}
