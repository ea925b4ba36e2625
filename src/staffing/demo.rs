//! The demo region's staffing: four departments (the first the one whose
//! officer is the demo officer, so the forms are theirs to try), each with
//! five units (a sector under one of them), two versions of the schedule
//! (two years ago, and since about seven months ago with two more posts),
//! people placed at full and part-time rates, a maternity leave, acting
//! holders, and gaps that raise the risks: a key post vacant for four
//! months, a sector left empty, a unit held mostly by acting staff. The
//! hourly job raises the flags (and the core's orders) right after start.

use time::{Date, Duration};

use super::domain::{Category, Grade, Rates};
use super::import::Row;
use super::queries::{self, NewAssignment, NewSchedule};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Staffing;

/// code, name, parent.
const UNITS: &[(&str, &str, Option<&str>)] = &[
    ("01", "Руководство", None),
    ("02", "Отдел правового обеспечения", None),
    ("03", "Отдел кадров и государственной службы", None),
    (
        "03.1",
        "Сектор профилактики коррупционных правонарушений",
        Some("03"),
    ),
    ("04", "Финансово-экономический отдел", None),
];

/// position code, unit, title, category, grade, key, rates (hundredths),
/// salary (roubles), in the first version.
type Post = (
    &'static str,
    &'static str,
    &'static str,
    Category,
    Grade,
    bool,
    i64,
    i64,
    bool,
);

#[rustfmt::skip]
const POSTS: &[Post] = &[
    ("P01", "01", "Руководитель департамента", Category::Heads, Grade::Highest, true, 100, 150_000, true),
    ("P02", "01", "Заместитель руководителя департамента", Category::Heads, Grade::Highest, true, 100, 120_000, true),
    ("P03", "01", "Помощник руководителя", Category::Assistants, Grade::Leading, false, 100, 60_000, true),
    ("P04", "02", "Начальник отдела", Category::Heads, Grade::Main, true, 100, 90_000, true),
    ("P05", "02", "Главный консультант", Category::Specialists, Grade::Main, false, 200, 70_000, true),
    ("P06", "02", "Ведущий консультант", Category::Specialists, Grade::Leading, false, 150, 60_000, false),
    ("P07", "03", "Начальник отдела", Category::Heads, Grade::Main, true, 100, 90_000, true),
    ("P08", "03", "Консультант", Category::Specialists, Grade::Leading, false, 100, 55_000, true),
    ("P09", "03.1", "Заведующий сектором", Category::Heads, Grade::Main, false, 100, 80_000, true),
    ("P10", "03.1", "Главный специалист-эксперт", Category::Specialists, Grade::Senior, false, 100, 50_000, true),
    ("P11", "04", "Начальник отдела — главный бухгалтер", Category::Heads, Grade::Main, true, 100, 95_000, true),
    ("P12", "04", "Ведущий специалист", Category::Support, Grade::Senior, false, 200, 45_000, true),
    ("P13", "04", "Специалист I разряда", Category::Support, Grade::Junior, false, 50, 35_000, false),
];

const SURNAMES: &[&str] = &[
    "Андреева",
    "Белов",
    "Васильева",
    "Григорьев",
    "Данилова",
    "Егоров",
    "Жукова",
    "Зайцев",
    "Ильина",
    "Ковалёв",
    "Лебедева",
    "Морозов",
    "Никитина",
    "Орлов",
    "Павлова",
    "Романов",
    "Соколова",
    "Тарасов",
    "Уварова",
    "Фёдоров",
];
const INITIALS: &[&str] = &[
    "А. В.", "Е. С.", "И. П.", "М. А.", "Н. Г.", "О. Д.", "С. Н.", "Т. Ю.",
];

fn rows(current: bool) -> Vec<Row> {
    let unit = |code: &str| {
        UNITS
            .iter()
            .find(|u| u.0 == code)
            .copied()
            .unwrap_or(UNITS[0])
    };
    POSTS
        .iter()
        .filter(|p| current || p.8)
        .map(
            |&(code, u, title, category, grade, key, rates, salary, _)| {
                let (unit_code, unit_name, parent) = unit(u);
                Row {
                    row: 0,
                    unit_code: unit_code.to_owned(),
                    unit_name: unit_name.to_owned(),
                    parent_code: parent.map(str::to_owned),
                    position_code: code.to_owned(),
                    title: title.to_owned(),
                    category,
                    grade,
                    key,
                    rates: Rates(rates),
                    salary: salary * 100,
                    allowances: salary * 30,
                }
            },
        )
        .collect()
}

#[async_trait::async_trait]
impl DemoPart for Staffing {
    fn name(&self) -> &'static str {
        "staffing"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let orgs = crate::demo::departments(g, 4).await?;
        let today = g.today();
        let ago = |d: i64| today - Duration::days(d);
        let mut placed = 0;
        for (k, org) in orgs.iter().enumerate() {
            let t = g.days_ago(730);
            g.at(t);
            let officer = g.officer(tx, org).await?.account_id;
            for (valid_from, number, current) in
                [(ago(730), "12-ш", false), (ago(200), "47-ш", true)]
            {
                let Some(id) = queries::insert_schedule(
                    tx,
                    &NewSchedule {
                        organisation_id: org,
                        order_number: number,
                        order_date: valid_from - Duration::days(10),
                        valid_from,
                        imported_by: officer,
                    },
                )
                .await?
                else {
                    continue;
                };
                super::service::write_lines(tx, org, id, valid_from, &rows(current)).await?;
            }
            placed += place(tx, g, org, k, &ago).await?;
        }
        crate::datasets::request_refresh(tx, super::SOURCE).await?;
        Ok(placed)
    }
}

/// Who holds what in department `k`; the number of assignments.
async fn place(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    org: &str,
    k: usize,
    ago: &impl Fn(i64) -> Date,
) -> anyhow::Result<usize> {
    let mut n = 0;
    let person = |g: &mut Gen<'_>| format!("{} {}", g.pick(SURNAMES), g.pick(INITIALS));
    for &(code, _, _, _, _, _, rates, _, _) in POSTS {
        // Written above: a later date leaves its first day as it is.
        let position_id = queries::upsert_position(tx, org, code, ago(0)).await?;
        let assign = |rate: i64, acting: bool, from: i64, name: String| NewAssignmentOwned {
            position_id,
            name,
            rate,
            acting,
            from: ago(from),
            to: None,
        };
        let mut list: Vec<NewAssignmentOwned> = Vec::new();
        match (code, k) {
            // A key post vacant for four months, its vacancy published.
            ("P02", 0) => {
                let mut a = assign(100, false, 1400, person(g));
                a.to = Some(ago(121));
                list.push(a);
                queries::open_vacancy(tx, position_id, ago(120)).await?;
                queries::update_vacancy(tx, position_id, true, ago(110)).await?;
            }
            // A sector left empty two months ago.
            ("P09" | "P10", 0) => {
                let mut a = assign(rates, false, 800, person(g));
                a.to = Some(ago(61));
                list.push(a);
                queries::open_vacancy(tx, position_id, ago(60)).await?;
            }
            // A unit held mostly by acting staff.
            ("P04" | "P05", 1) => list.push(assign(rates, true, 90, person(g))),
            // Two people at one rate each, one of them on maternity leave.
            ("P05", _) => {
                list.push(assign(100, false, 900, person(g)));
                list.push(assign(100, false, 700, person(g)));
            }
            // One rate of one and a half held.
            ("P06", _) => list.push(assign(100, false, 180, person(g))),
            ("P12", _) => {
                list.push(assign(100, false, 1000, person(g)));
                list.push(assign(100, false, 400, person(g)));
            }
            // Part-time.
            ("P13", _) => list.push(assign(50, false, 150, person(g))),
            _ => list.push(assign(rates, false, g.between(200, 2000), person(g))),
        }
        for a in list {
            let id = queries::insert_assignment(
                tx,
                &NewAssignment {
                    position_id: a.position_id,
                    person_name: &a.name,
                    rate: a.rate,
                    acting: a.acting,
                    starts_on: a.from,
                },
            )
            .await?;
            if let Some(to) = a.to {
                queries::end_assignment(tx, id, to).await?;
            }
            if code == "P05" && a.from == ago(900) {
                queries::insert_absence(tx, id, "maternity", ago(300), None).await?;
            }
            n += 1;
        }
    }
    Ok(n)
}

struct NewAssignmentOwned {
    position_id: i64,
    name: String,
    rate: i64,
    acting: bool,
    from: Date,
    to: Option<Date>,
}
