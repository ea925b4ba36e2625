//! The demo region's periodic reports: a monthly form on citizens'
//! appeals owed by ten departments (owner: the Department of Control,
//! public, approval needed, a validation rule, a comment over 20 %
//! deviation) and a quarterly form on investment projects owed by the
//! 44 municipal administrations. A year of history dated relative to
//! today: most reports accepted on time, some late, one returned for
//! rework (its order in the core), a few missing (the first hourly run
//! opens their orders), plans with one revision.

use time::Duration;

use super::domain::{Period, PeriodType};
use super::queries::{self, FormRow, ItemRow, RuleRow, ValueRow};
use super::service;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Reports;

type DemoItem = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    f64,
);

/// code, name, English name, unit, direction, aggregation, required,
/// typical monthly figure.
#[rustfmt::skip]
const APPEALS: &[DemoItem] = &[
    ("A1", "Поступило обращений граждан", "Citizens' appeals received", "шт.", "up", "sum", true, 240.0),
    ("A2", "Рассмотрено в установленный срок", "Answered in time", "шт.", "up", "sum", true, 220.0),
    ("A3", "Средний срок рассмотрения", "Mean time to answer", "дн.", "down", "avg", true, 18.0),
    ("A4", "Выездных приёмов граждан", "Receptions held on site", "шт.", "up", "sum", false, 4.0),
];

#[rustfmt::skip]
const INVESTMENT: &[DemoItem] = &[
    ("I1", "Инвестиционных проектов в работе", "Investment projects under way", "шт.", "up", "last", true, 12.0),
    ("I2", "Объём инвестиций за квартал", "Investment in the quarter", "млн руб.", "up", "ytd", true, 350.0),
    ("I3", "Создано рабочих мест", "Jobs created", "шт.", "up", "sum", true, 60.0),
];

fn items(list: &[DemoItem]) -> Vec<ItemRow> {
    list.iter()
        .enumerate()
        .map(|(n, (code, ru, en, unit, dir, agg, req, _))| ItemRow {
            item_id: 0,
            form_id: 0,
            code: (*code).into(),
            name_ru: (*ru).into(),
            name_en: (*en).into(),
            unit: (*unit).into(),
            required: *req,
            direction: (*dir).into(),
            aggregation: (*agg).into(),
            decimals: 1,
            sort: n as i64 + 1,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn form(
    code: &str,
    ru: &str,
    en: &str,
    t: PeriodType,
    owner: &str,
    starts: Period,
    approval: bool,
    public: bool,
) -> FormRow {
    FormRow {
        form_id: 0,
        code: code.into(),
        name_ru: ru.into(),
        name_en: en.into(),
        period_type: t.as_str().into(),
        organisation_id: owner.into(),
        due_days: 6,
        lock_days: 15,
        approval,
        comment_threshold: Some(20.0),
        band_good: 95.0,
        band_fair: 80.0,
        public,
        starts: starts.to_string(),
    }
}

#[async_trait::async_trait]
impl DemoPart for Reports {
    fn name(&self) -> &'static str {
        "reports"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let today = g.today();
        let orgs = crate::directory::tree::org_map(&g.state.db).await?;
        let departments: Vec<String> = crate::demo::departments(g, 10).await?;
        let municipal: Vec<String> = orgs
            .keys()
            .filter(|k| k.starts_with("admin-"))
            .cloned()
            .collect();
        let month = Period::containing(PeriodType::Month, today);
        let quarter = Period::containing(PeriodType::Quarter, today);
        let back = |p: Period, n: usize| {
            // n periods back, by walking forward from far enough behind.
            let mut first = Period::containing(
                p.kind(),
                p.first_day() - Duration::days(31 * 3 * n as i64 + 400),
            );
            while first.through(p).len() > n + 1 {
                first = first.next();
            }
            first
        };
        let forms = [
            (
                form(
                    "appeals-monthly",
                    "Работа с обращениями граждан (демо)",
                    "Work with citizens' appeals (demo)",
                    PeriodType::Month,
                    "dep-control",
                    back(month, 12),
                    true,
                    true,
                ),
                APPEALS,
                departments,
                vec![RuleRow {
                    rule_id: 0,
                    form_id: 0,
                    left_side: "A2".into(),
                    operator: "<=".into(),
                    right_side: "A1".into(),
                    importance: "high".into(),
                    message: "Рассмотрено в срок не больше, чем поступило".into(),
                }],
            ),
            (
                form(
                    "investment-quarterly",
                    "Инвестиционные проекты муниципалитетов (демо)",
                    "Municipal investment projects (demo)",
                    PeriodType::Quarter,
                    "min-economy",
                    back(quarter, 8),
                    false,
                    false,
                ),
                INVESTMENT,
                municipal,
                Vec::new(),
            ),
        ];
        let mut made = 0;
        for (f, list, owed, rules) in forms {
            let owner = g.officer(tx, &f.organisation_id).await?;
            let id = queries::insert_form(tx, &f, owner.account_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("demo form {} exists", f.code))?;
            let f = FormRow { form_id: id, ..f };
            let mut rows = Vec::new();
            for i in items(list) {
                queries::insert_item(
                    tx,
                    &ItemRow {
                        form_id: id,
                        ..i.clone()
                    },
                )
                .await?;
                rows.push(i);
            }
            for r in &rules {
                queries::insert_rule(
                    tx,
                    &RuleRow {
                        form_id: id,
                        ..r.clone()
                    },
                )
                .await?;
            }
            let items: Vec<(i64, String)> = crate::fetch_tx!(
                tx,
                fetch_all,
                (i64, String),
                "select item_id, code from report_item where form_id = $1 order by sort",
                id
            )?;
            let periods = service::owed_periods(&f, g.start);
            for (n, org) in owed.iter().enumerate() {
                queries::insert_owed(tx, id, org).await?;
                let officer = g.officer(tx, org).await?;
                let scale = 0.6 + (n % 7) as f64 * 0.15;
                // The latest period already due carries the examples (a
                // missing report, a returned one); a period ended but not
                // due yet has some reports in early.
                let latest_due = periods
                    .iter()
                    .rev()
                    .find(|p| service::due_at(&f, **p) < g.start)
                    .copied();
                for (k, p) in periods.iter().enumerate() {
                    let due = service::due_at(&f, *p);
                    let last = Some(*p) == latest_due;
                    // Plans for every period, set when the period began; the
                    // first organisation's newest plan revised once.
                    g.at(p
                        .first_day()
                        .midnight()
                        .assume_offset(time::macros::offset!(+3)));
                    for ((item_id, _), d) in items.iter().zip(list) {
                        queries::set_plan(
                            tx,
                            *item_id,
                            org,
                            &p.to_string(),
                            (d.7 * scale).round(),
                            "План работы на год (демо)",
                            owner.account_id,
                        )
                        .await?;
                        if n == 0 && k + 1 == periods.len() {
                            queries::set_plan(
                                tx,
                                *item_id,
                                org,
                                &p.to_string(),
                                (d.7 * scale * 1.1).round(),
                                "Корректировка плана (демо)",
                                owner.account_id,
                            )
                            .await?;
                        }
                    }
                    if last && (n == 2 || n == 5) {
                        continue;
                    }
                    let late = g.chance(0.15);
                    let mut at = if late {
                        due + Duration::days(g.between(1, 6))
                    } else {
                        due - Duration::days(g.between(1, 4))
                    };
                    let early = due > g.start;
                    if early {
                        if n % 3 != 0 {
                            continue;
                        }
                        at = g.start - Duration::hours(3);
                    }
                    if at > g.start {
                        continue;
                    }
                    g.at(at - Duration::hours(2));
                    let s = queries::submission_tx(tx, id, org, &p.to_string()).await?;
                    for ((item_id, code), d) in items.iter().zip(list) {
                        let spread = 0.85 + g.between(0, 30) as f64 / 100.0;
                        let mut value = (d.7 * scale * spread).round();
                        if code == "A2" {
                            value = value.min((APPEALS[0].7 * scale * 0.85).round());
                        }
                        let comment = if (spread - 1.0).abs() > 0.12 {
                            "Отклонение связано с сезонным спросом (демо)."
                        } else {
                            ""
                        };
                        queries::write_value(
                            tx,
                            &ValueRow {
                                submission_id: s.submission_id,
                                item_id: *item_id,
                                value: Some(value),
                                comment: comment.into(),
                                follow_up: false,
                            },
                            officer.account_id,
                        )
                        .await?;
                        made += 1;
                    }
                    g.at(at);
                    queries::set_state(tx, s.submission_id, "submitted", "").await?;
                    queries::event(
                        tx,
                        s.submission_id,
                        "submitted",
                        "",
                        Some(officer.account_id),
                    )
                    .await?;
                    if last && n == 1 && f.approval {
                        // Returned for rework: the core gets an order.
                        let note =
                            "Уточните число выездных приёмов: не совпадает с графиком (демо).";
                        g.at(at + Duration::hours(20));
                        queries::set_state(tx, s.submission_id, "returned", note).await?;
                        queries::event(
                            tx,
                            s.submission_id,
                            "returned",
                            note,
                            Some(owner.account_id),
                        )
                        .await?;
                        service::raise(
                            tx,
                            g.state,
                            &f,
                            org,
                            &p.to_string(),
                            "return:1",
                            format!("Доработать отчёт «{}» за {p}", f.name_ru),
                            format!("Отчёт возвращён на доработку: {note}"),
                            crate::db::now() + Duration::days(3),
                        )
                        .await?;
                    } else if !f.approval || (!last && !early) || (last && n % 2 == 0) {
                        g.at(at + Duration::hours(26));
                        queries::set_state(tx, s.submission_id, "accepted", "").await?;
                        queries::event(tx, s.submission_id, "accepted", "", Some(owner.account_id))
                            .await?;
                    }
                }
            }
            if f.public {
                crate::datasets::request_refresh(tx, super::SOURCE).await?;
            }
        }
        Ok(made)
    }
}
