//! Reading a new form as its author writes it: items, one a line
//! (`code; name; name in English; unit; up|down; sum|ytd|last|avg;
//! required`), the organisations that owe it (ids, by lines or commas),
//! and validation rules, one a line (`left op right; high|medium|low;
//! message`). Every problem names its line.

use std::collections::BTreeSet;

use super::domain::Expr;
use super::queries::{ItemRow, RuleRow};
use crate::error::Msg;

const MAX_LINES: usize = 200;

fn line_problem(what: &str, what_en: &str, n: usize, ru: &str, en: &str) -> Msg {
    Msg::new(
        format!("{what}, строка {n}: {ru}"),
        format!("{what_en}, line {n}: {en}"),
    )
}

fn code_ok(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 20
        && c.chars()
            .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '.')
}

pub fn items(text: &str) -> Result<Vec<ItemRow>, Msg> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(Msg::new(
            "Нужно от 1 до 200 показателей.",
            "From 1 to 200 items are needed.",
        ));
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (n, line) in lines.iter().enumerate() {
        let n = n + 1;
        let p = |ru: &str, en: &str| line_problem("Показатели", "Items", n, ru, en);
        let f: Vec<&str> = line.split(';').map(str::trim).collect();
        if f.len() < 6 || f.len() > 7 {
            return Err(p(
                "нужно «код; название; название по-английски; ед.; up|down; sum|ytd|last|avg; обязательный».",
                "“code; name; English name; unit; up|down; sum|ytd|last|avg; required” is needed.",
            ));
        }
        if !code_ok(f[0]) || !seen.insert(f[0].to_owned()) {
            return Err(p(
                "код — до 20 букв, цифр, «_» и «.», без повторов.",
                "a code is up to 20 letters, digits, “_” and “.”, not repeated.",
            ));
        }
        if f[1].is_empty() || f[1].chars().count() > 300 || f[2].chars().count() > 300 {
            return Err(p(
                "нужно название до 300 знаков.",
                "a name up to 300 characters is needed.",
            ));
        }
        if !matches!(f[4], "up" | "down") || !matches!(f[5], "sum" | "ytd" | "last" | "avg") {
            return Err(p(
                "направление up или down, свёртка sum, ytd, last или avg.",
                "direction up or down, aggregation sum, ytd, last or avg.",
            ));
        }
        let required = match f.get(6).copied().unwrap_or("") {
            "" | "да" | "yes" | "1" | "required" | "обязательный" => true,
            "нет" | "no" | "0" => false,
            _ => return Err(p("обязательность: да или нет.", "required: yes or no.")),
        };
        out.push(ItemRow {
            item_id: 0,
            form_id: 0,
            code: f[0].to_owned(),
            name_ru: f[1].to_owned(),
            name_en: if f[2].is_empty() { f[1] } else { f[2] }.to_owned(),
            unit: f[3].chars().take(40).collect(),
            required,
            direction: f[4].to_owned(),
            aggregation: f[5].to_owned(),
            decimals: 1,
            sort: n as i64,
        });
    }
    Ok(out)
}

/// The organisations, each checked against the directory.
pub fn owed(text: &str, known: &dyn Fn(&str) -> bool) -> Result<Vec<String>, Msg> {
    let ids: BTreeSet<String> = text
        .split([',', '\n', ';', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() || ids.len() > 500 {
        return Err(Msg::new(
            "Укажите от 1 до 500 организаций.",
            "Give from 1 to 500 organisations.",
        ));
    }
    if let Some(bad) = ids.iter().find(|i| !known(i)) {
        return Err(Msg::new(
            format!("Организации «{bad}» нет в справочнике."),
            format!("The organisation “{bad}” is not in the directory."),
        ));
    }
    Ok(ids.into_iter().collect())
}

const OPERATORS: [&str; 6] = ["<=", ">=", "==", "!=", "<", ">"];

pub fn rules(text: &str, items: &[ItemRow]) -> Result<Vec<RuleRow>, Msg> {
    let known = |c: &str| items.iter().any(|i| i.code == c);
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > MAX_LINES {
        return Err(Msg::new("Не больше 200 правил.", "At most 200 rules."));
    }
    for (n, line) in lines.iter().enumerate() {
        let n = n + 1;
        let p = |ru: &str, en: &str| line_problem("Правила", "Rules", n, ru, en);
        let f: Vec<&str> = line.splitn(3, ';').map(str::trim).collect();
        let [condition, importance, message] = f[..] else {
            return Err(p(
                "нужно «левая часть оператор правая часть; high|medium|low; сообщение».",
                "“left operator right; high|medium|low; message” is needed.",
            ));
        };
        let Some((op, at)) = OPERATORS
            .iter()
            .find_map(|op| condition.find(op).map(|at| (*op, at)))
        else {
            return Err(p(
                "нет оператора (==, !=, <, <=, >, >=).",
                "no operator (==, !=, <, <=, >, >=).",
            ));
        };
        let (left, right) = (&condition[..at], &condition[at + op.len()..]);
        for side in [left, right] {
            if let Err(e) = Expr::parse(side, &known) {
                return Err(p(
                    &format!("«{}»: {e}", side.trim()),
                    &format!("“{}”: {e}", side.trim()),
                ));
            }
        }
        if !matches!(importance, "high" | "medium" | "low") {
            return Err(p(
                "важность high, medium или low.",
                "importance high, medium or low.",
            ));
        }
        if message.is_empty() || message.chars().count() > 300 {
            return Err(p(
                "нужно сообщение до 300 знаков.",
                "a message up to 300 characters is needed.",
            ));
        }
        out.push(RuleRow {
            rule_id: 0,
            form_id: 0,
            left_side: left.trim().to_owned(),
            operator: op.to_owned(),
            right_side: right.trim().to_owned(),
            importance: importance.to_owned(),
            message: message.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_line_by_line_with_each_problem_named() {
        let items = items(
            "A1; Принято обращений; Requests received; шт.; up; sum; да\n\
             A2; Рассмотрено в срок; Answered in time; шт.; up; sum\n\
             A3; Средний срок ответа; Mean answer time; дн.; down; avg; нет\n",
        )
        .unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[0].required && !items[2].required);
        let rules = rules(
            "A2 <= A1; high; Рассмотрено не больше, чем принято\n",
            &items,
        )
        .unwrap();
        assert_eq!(
            (rules[0].left_side.as_str(), rules[0].operator.as_str()),
            ("A2", "<=")
        );
        let e = super::rules("A9 < A1; high; x", &items).unwrap_err();
        assert!(e.ru.contains("строка 1") && e.ru.contains("A9"), "{}", e.ru);
        assert!(super::items("A1; x; y; шт.; sideways; sum").is_err());
        assert!(super::items("A1; x; y; шт.; up; sum\nA1; z; z; шт.; up; sum").is_err());
        let known = |o: &str| o == "min-health";
        assert_eq!(
            owed("min-health, min-health", &known).unwrap(),
            vec!["min-health"]
        );
        assert!(owed("nowhere", &known).is_err());
    }
}
