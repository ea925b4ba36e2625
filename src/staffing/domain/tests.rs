//! The rules of `domain` as a table of cases.
use super::*;
use time::macros::date;

fn line(position_id: i64, unit_id: i64, rates: i64, key: bool) -> Line {
    Line {
        position_id,
        unit_id,
        title: format!("p{position_id}"),
        category: Category::Specialists,
        key,
        rates: Rates(rates),
    }
}

fn holding(position_id: i64, rate: i64, starts: Date, ends: Option<Date>) -> Holding {
    Holding {
        position_id,
        rate: Rates(rate),
        acting: false,
        starts,
        ends,
        away: false,
    }
}

#[test]
fn rates_parse_as_written_in_russian_and_english() {
    assert_eq!(Rates::parse("1"), Ok(Rates(100)));
    assert_eq!(Rates::parse("0,5"), Ok(Rates(50)));
    assert_eq!(Rates::parse("0.25"), Ok(Rates(25)));
    assert_eq!(Rates::parse(" 1.5 "), Ok(Rates(150)));
    for bad in [
        "", "0", "-1", "1.255", "abc", "1e3", "100000", "101", ".", "1,2,3",
    ] {
        assert!(Rates::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Rates(50).show(Locale::Ru), "0,5");
    assert_eq!(Rates(125).show(Locale::En), "1.25");
    assert_eq!(Rates(300).show(Locale::En), "3");
}

#[test]
fn categories_and_grades_read_the_words_of_a_t3() {
    assert_eq!(
        Category::parse("Обеспечивающие специалисты"),
        Some(Category::Support)
    );
    assert_eq!(Category::parse("специалисты"), Some(Category::Specialists));
    assert_eq!(Category::parse("Руководители"), Some(Category::Heads));
    assert_eq!(Category::parse("советники"), Some(Category::Assistants));
    assert_eq!(Category::parse("рабочие"), None);
    assert_eq!(Grade::parse("Ведущая"), Some(Grade::Leading));
    assert_eq!(Grade::parse(""), Some(Grade::None));
    assert_eq!(Grade::parse("средняя"), None);
}

#[test]
fn part_time_rates_leave_and_overstaffing_count_by_rates() {
    let at = date!(2026 - 06 - 30);
    let lines = vec![
        line(1, 10, 100, true),
        line(2, 10, 150, false),
        line(3, 10, 50, false),
    ];
    let mut away = holding(1, 100, date!(2020 - 01 - 01), None);
    away.away = true;
    let mut acting = holding(1, 100, date!(2026 - 05 - 01), None);
    acting.acting = true;
    let holdings = vec![
        away,
        acting,
        holding(2, 100, date!(2025 - 01 - 01), None),
        holding(2, 25, date!(2026 - 01 - 01), None),
        // Ended before the date: does not count.
        holding(3, 50, date!(2024 - 01 - 01), Some(date!(2026 - 03 - 31))),
    ];
    let ps = positions_at(
        &lines,
        &holdings,
        &BTreeMap::new(),
        &BTreeMap::from([(3, date!(2026 - 03 - 31))]),
        &BTreeMap::new(),
        at,
    );
    // Position 1: 2 rates held on 1 → filled 1, nobody away counts (the
    // acting holder is there), acting 1.
    assert_eq!(
        (ps[0].filled, ps[0].away, ps[0].acting),
        (Rates(100), Rates(0), Rates(100))
    );
    // Position 2: 1.25 of 1.5, 0.25 vacant since the schedule (unknown: the date).
    assert_eq!((ps[1].filled, ps[1].vacant), (Rates(125), Rates(25)));
    // Position 3: vacant since its holder left.
    assert_eq!(ps[2].vacant, Rates(50));
    assert_eq!(ps[2].days_vacant(at), Some(91));
    let units = by_unit(
        &[Unit {
            unit_id: 10,
            parent_id: None,
            code: "1".into(),
            name: "u".into(),
        }],
        &ps,
    );
    let t = units[&10].own;
    assert_eq!(
        (t.rates, t.filled, t.vacant),
        (Rates(300), Rates(225), Rates(75))
    );
    assert_eq!(percent(t.fill()), 75);
}

#[test]
fn a_holder_on_leave_keeps_the_post_temporarily_vacant() {
    let at = date!(2026 - 06 - 30);
    let mut h = holding(1, 100, date!(2020 - 01 - 01), None);
    h.away = true;
    let ps = positions_at(
        &[line(1, 10, 100, false)],
        &[h],
        &BTreeMap::new(),
        &BTreeMap::new(),
        &BTreeMap::new(),
        at,
    );
    assert_eq!(
        (ps[0].filled, ps[0].away, ps[0].vacant),
        (Rates(100), Rates(100), Rates(0))
    );
}

#[test]
fn units_roll_up_through_the_tree_and_survive_a_cycle() {
    let units = vec![
        Unit {
            unit_id: 1,
            parent_id: None,
            code: "1".into(),
            name: "a".into(),
        },
        Unit {
            unit_id: 2,
            parent_id: Some(1),
            code: "2".into(),
            name: "b".into(),
        },
        Unit {
            unit_id: 3,
            parent_id: Some(2),
            code: "3".into(),
            name: "c".into(),
        },
        // A cycle from a bad file: 4 → 5 → 4.
        Unit {
            unit_id: 4,
            parent_id: Some(5),
            code: "4".into(),
            name: "d".into(),
        },
        Unit {
            unit_id: 5,
            parent_id: Some(4),
            code: "5".into(),
            name: "e".into(),
        },
    ];
    let at = date!(2026 - 01 - 10);
    let lines = vec![
        line(1, 1, 100, false),
        line(2, 3, 200, false),
        line(3, 4, 100, false),
    ];
    let ps = positions_at(
        &lines,
        &[holding(2, 100, at, None)],
        &BTreeMap::new(),
        &BTreeMap::new(),
        &BTreeMap::new(),
        at,
    );
    let f = by_unit(&units, &ps);
    assert_eq!(f[&1].own.rates, Rates(100));
    assert_eq!(f[&1].with_children.rates, Rates(300));
    assert_eq!(f[&1].with_children.filled, Rates(100));
    assert_eq!(f[&2].own.rates, Rates(0));
    assert_eq!(f[&2].with_children.rates, Rates(200));
    assert_eq!(f[&5].with_children.rates, Rates(100));
}

#[test]
fn flags_follow_the_thresholds() {
    let at = date!(2026 - 06 - 30);
    let lines = vec![line(1, 10, 100, true), line(2, 10, 100, false)];
    let mut acting = holding(2, 100, date!(2026 - 01 - 01), None);
    acting.acting = true;
    let opened = BTreeMap::from([(1, date!(2026 - 04 - 01))]);
    let ps = positions_at(
        &lines,
        &[acting],
        &opened,
        &BTreeMap::new(),
        &BTreeMap::new(),
        at,
    );
    let units = by_unit(&[], &ps);
    let t = Thresholds {
        key_vacant_days: 60,
        unit_min_fill: 80,
        acting_max: 30,
    };
    let f = flags(&ps, &units, &t, at);
    assert_eq!(
        f.iter().map(|f| (f.kind, f.value)).collect::<Vec<_>>(),
        vec![
            (FlagKind::KeyVacant, 90),
            (FlagKind::UnitFill, 50),
            (FlagKind::UnitActing, 100)
        ]
    );
    let lenient = Thresholds {
        key_vacant_days: 90,
        unit_min_fill: 50,
        acting_max: 100,
    };
    assert!(flags(&ps, &units, &lenient, at).is_empty());
}

#[test]
fn quarter_ends_step_back_from_the_date() {
    assert_eq!(
        quarter_ends(date!(2026 - 11 - 29), 4),
        vec![
            date!(2026 - 03 - 31),
            date!(2026 - 06 - 30),
            date!(2026 - 09 - 30),
            date!(2026 - 11 - 29)
        ]
    );
    assert_eq!(
        quarter_ends(date!(2026 - 02 - 01), 3),
        vec![
            date!(2025 - 09 - 30),
            date!(2025 - 12 - 31),
            date!(2026 - 02 - 01)
        ]
    );
}

#[test]
fn a_vacancy_opened_during_notice_counts_from_the_day_the_holder_left() {
    let at = date!(2026 - 06 - 30);
    let ps = positions_at(
        &[line(1, 10, 100, true)],
        &[],
        &BTreeMap::from([(1, date!(2026 - 05 - 01))]),
        &BTreeMap::from([(1, date!(2026 - 06 - 01))]),
        &BTreeMap::new(),
        at,
    );
    assert_eq!(ps[0].days_vacant(at), Some(29));
}
