use time::macros::date;

use super::*;

#[test]
fn roubles_are_read_as_people_write_them() {
    assert_eq!(parse_roubles("1 234 567,89").unwrap(), 123_456_789);
    assert_eq!(parse_roubles("1234567.8").unwrap(), 123_456_780);
    assert_eq!(parse_roubles("500 руб.").unwrap(), 50_000);
    assert_eq!(parse_roubles("\u{a0}12\u{a0}000 ").unwrap(), 1_200_000);
    for bad in [
        "",
        "12,345",
        "-5",
        "1e9",
        "abc",
        "1.2.3",
        "99999999999999999999",
    ] {
        assert!(parse_roubles(bad).is_err(), "{bad}");
    }
    assert!(parse_roubles("1000000000001").is_err());
    assert_eq!(show_roubles(123_456_789, Locale::En), "1,234,567.89");
    assert_eq!(show_roubles(5, Locale::Ru), "0,05");
}

#[test]
fn inn_and_ogrn_check_digits() {
    assert!(parse_inn("7707083893").is_ok());
    assert!(parse_inn("7707083894").is_err());
    assert!(parse_inn("500100732259").is_ok());
    assert!(parse_inn("500100732250").is_err());
    assert!(parse_inn("77070838９3").is_err());
    assert!(parse_ogrn("1027700132195").is_ok());
    assert!(parse_ogrn("1027700132196").is_err());
    assert!(parse_ogrn("304500116000157").is_ok());
    assert!(parse_ogrn("12345").is_err());
}

#[test]
fn one_case_number_whatever_the_spelling() {
    assert_eq!(
        dedup_key(
            "dep",
            "Арбитражный  суд Краснодарского края",
            " а32-1234/2026 "
        ),
        dedup_key(
            "dep",
            "арбитражный суд краснодарского края",
            "А32-1234/2026"
        )
    );
    // The Latin look-alike is the same number.
    assert_eq!(
        dedup_key("dep", "Суд", "A32-1234/2026"),
        dedup_key("dep", "Суд", "А32-1234/2026")
    );
    assert_ne!(
        dedup_key("dep", "Суд А", "1"),
        dedup_key("dep", "Суд Б", "1")
    );
    // Two of our bodies in one case: two cards.
    assert_ne!(dedup_key("dep", "Суд", "1"), dedup_key("min", "Суд", "1"));
}

fn rule(months: u8, in_force: bool) -> Rule {
    Rule {
        rule_code: "apk-259".into(),
        next_level: Level::Appeal,
        in_force,
        months,
        warn_days: 14,
        article: "АПК РФ, ст. 259".into(),
    }
}

#[test]
fn a_month_ends_on_the_same_day_or_the_months_last() {
    assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
    assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
    assert_eq!(add_months(date!(2026 - 11 - 15), 3), date!(2027 - 02 - 15));
    assert_eq!(add_months(date!(2026 - 12 - 10), 12), date!(2027 - 12 - 10));
}

#[test]
fn the_appeal_period_counts_from_the_full_text_and_skips_the_weekend() {
    let d = Decided {
        decided_on: Some(date!(2026 - 09 - 01)),
        full_text_on: Some(date!(2026 - 09 - 08)),
        in_force_on: None,
    };
    // 8 November 2026 is a Sunday: the period ends on Monday the 9th.
    assert_eq!(due(&rule(1, false), &d), Some(date!(2026 - 10 - 08)));
    let d2 = Decided {
        full_text_on: Some(date!(2026 - 10 - 08)),
        ..d
    };
    assert_eq!(due(&rule(1, false), &d2), Some(date!(2026 - 11 - 09)));
    let no_text = Decided {
        decided_on: Some(date!(2026 - 09 - 01)),
        full_text_on: None,
        in_force_on: None,
    };
    assert_eq!(due(&rule(1, false), &no_text), Some(date!(2026 - 10 - 01)));
    // An appeal's ruling is in force the day it is made when no day is given.
    assert_eq!(due(&rule(2, true), &no_text), Some(date!(2026 - 11 - 02)));
    let nothing = Decided {
        decided_on: None,
        full_text_on: None,
        in_force_on: None,
    };
    assert_eq!(due(&rule(1, false), &nothing), None);
    assert_eq!(working_day(date!(2026 - 11 - 28)), date!(2026 - 11 - 30));
}

#[test]
fn an_order_only_for_a_decision_against_us_not_yet_taken_higher() {
    let due = date!(2026 - 12 - 20);
    let early = date!(2026 - 12 - 01);
    let warned = date!(2026 - 12 - 06);
    assert!(!needs_order(Some(Outcome::Lost), false, due, 14, early));
    assert!(needs_order(Some(Outcome::Lost), false, due, 14, warned));
    assert!(needs_order(
        Some(Outcome::Partly),
        false,
        due,
        14,
        date!(2027 - 01 - 10)
    ));
    assert!(!needs_order(Some(Outcome::Won), false, due, 14, warned));
    assert!(!needs_order(None, false, due, 14, warned));
    assert!(!needs_order(Some(Outcome::Lost), true, due, 14, warned));
    // Long gone: no order.
    assert!(!needs_order(
        Some(Outcome::Lost),
        false,
        due,
        14,
        date!(2027 - 01 - 20)
    ));
    assert!(needs_order(
        Some(Outcome::Lost),
        false,
        due,
        14,
        date!(2027 - 01 - 19)
    ));
}

#[test]
fn words_of_a_spreadsheet_are_understood() {
    assert_eq!(Role::parse("Ответчик"), Some(Role::Defendant));
    assert_eq!(Role::parse("defendant"), Some(Role::Defendant));
    assert_eq!(Procedure::parse("АПК РФ"), Some(Procedure::Apk));
    assert_eq!(Outcome::parse("Не в нашу пользу"), Some(Outcome::Lost));
    assert_eq!(Outcome::parse("в нашу пользу"), Some(Outcome::Won));
    assert_eq!(PartyKind::parse("физическое лицо"), Some(PartyKind::Person));
    assert_eq!(Level::parse("Апелляционная"), Some(Level::Appeal));
    assert_eq!(Category::parse("something"), None);
    assert_eq!(Level::First.next(), Some(Level::Appeal));
}
