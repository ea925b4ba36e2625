use std::collections::BTreeMap;

use time::macros::date;

use super::*;

#[test]
fn periods_read_write_and_end_as_calendars_say() {
    let m = Period::parse(PeriodType::Month, "2026-02").unwrap();
    assert_eq!(m.to_string(), "2026-02");
    assert_eq!(m.last_day(), date!(2026 - 02 - 28));
    assert_eq!(m.first_day(), date!(2026 - 02 - 01));
    let q = Period::parse(PeriodType::Quarter, "2024-Q1").unwrap();
    assert_eq!(q.last_day(), date!(2024 - 03 - 31));
    assert_eq!(
        Period::parse(PeriodType::Year, "2025").unwrap().last_day(),
        date!(2025 - 12 - 31)
    );
    assert_eq!(Period::parse(PeriodType::Month, "2026-13"), None);
    assert_eq!(Period::parse(PeriodType::Month, "2026-2"), None);
    assert_eq!(Period::parse(PeriodType::Quarter, "2026-Q5"), None);
    assert_eq!(Period::parse(PeriodType::Year, "2026-01"), None);
    let dec = Period::parse(PeriodType::Month, "2025-12").unwrap();
    assert_eq!(dec.next().to_string(), "2026-01");
    assert_eq!(q.next().to_string(), "2024-Q2");
    let months = m.through(Period::parse(PeriodType::Month, "2026-05").unwrap());
    assert_eq!(months.len(), 4);
    assert_eq!(
        Period::containing(PeriodType::Quarter, date!(2026 - 11 - 30)).to_string(),
        "2026-Q4"
    );
}

#[test]
fn rules_add_items_and_skip_when_one_is_missing() {
    let known = |c: &str| ["A1", "A2", "A3"].contains(&c);
    let left = Expr::parse("A1 + A2 - 3", &known).unwrap();
    let right = Expr::parse("A3", &known).unwrap();
    let mut v = BTreeMap::new();
    v.insert("A1".to_owned(), 10.0);
    v.insert("A2".to_owned(), 5.0);
    assert_eq!(left.eval(&v), Some(12.0));
    assert_eq!(right.eval(&v), None, "a missing value skips the rule");
    v.insert("A3".to_owned(), 12.0);
    assert!(holds(left.eval(&v).unwrap(), "==", right.eval(&v).unwrap()));
    assert!(holds(0.1 + 0.2, "==", 0.3), "a rounding is equal");
    assert!(!holds(1.0, "<", 1.0) && holds(1.0, "<=", 1.0));
    assert_eq!(Expr::parse("-A1", &known).unwrap().eval(&v), Some(-10.0));
    assert!(Expr::parse("A1 +", &known).is_err());
    assert!(Expr::parse("A1 A2", &known).is_err());
    assert!(Expr::parse("B7", &known).is_err());
    assert!(Expr::parse("", &known).is_err());
}

#[test]
fn deviation_and_achievement_honour_the_direction() {
    let up = deviation(200.0, 180.0, true);
    assert_eq!(up.absolute, -20.0);
    assert_eq!(up.percent, Some(-10.0));
    assert_eq!(up.achievement, Some(90.0));
    // Decline is good: 50 planned, 40 happened, 125 % achieved.
    let down = deviation(50.0, 40.0, false);
    assert_eq!(down.achievement, Some(125.0));
    assert_eq!(deviation(0.0, 5.0, true).percent, None);
    assert_eq!(deviation(10.0, 0.0, false).achievement, None);
    assert_eq!(Band::of(96.0, 95.0, 80.0), Band::Good);
    assert_eq!(Band::of(80.0, 95.0, 80.0), Band::Fair);
    assert_eq!(Band::of(79.9, 95.0, 80.0), Band::Poor);
}

#[test]
fn aggregation_over_a_year_follows_the_item() {
    let months = [
        (Some(10.0), Some(12.0)),
        (Some(10.0), Some(8.0)),
        (Some(10.0), None),
        (Some(10.0), None),
    ];
    assert_eq!(
        aggregate(Aggregation::Sum, &months),
        (Some(40.0), Some(20.0))
    );
    assert_eq!(
        aggregate(Aggregation::YearToDate, &months),
        (Some(20.0), Some(20.0))
    );
    assert_eq!(
        aggregate(Aggregation::Last, &months),
        (Some(10.0), Some(8.0))
    );
    assert_eq!(
        aggregate(Aggregation::Average, &months),
        (Some(10.0), Some(10.0))
    );
    assert_eq!(aggregate(Aggregation::Sum, &[]), (None, None));
}
