//! Staff completeness at the size of a region, on SQLite and on PostgreSQL
//! (a throwaway cluster, as in the tests), over real HTTP on loopback:
//! 100 organisations, 3,000 units, 40,000 positions, five yearly versions
//! of every schedule (200,000 schedule lines) and five years of placement
//! (about 100,000 assignments, leaves and vacancies). p50 / p99 of the
//! region's fill-rate dashboard and of one organisation's page (eight
//! quarters of trend), beside the home page in the same run; and a Т-3 of
//! 10,000 rows imported over HTTP, beside reading and checking the same
//! file alone.
//!
//! Run: `cargo bench --bench staffing` (QUICK=1: fewer rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use support::{Visitor, exec, insert, quick, scalar};
use veche::app::AppState;

const ORGS: i64 = 100;
const UNITS_PER_ORG: i64 = 30;
const POSITIONS_PER_ORG: i64 = 400;
const YEARS: i64 = 5;
const PASSWORD: &str = "bench password 1";
const IMPORT_ROWS: usize = 10_000;

fn day(y: i64, m: u8, d: u8) -> String {
    format!("'{:04}-{m:02}-{d:02}'", 2021 + y)
}

/// The region's staff, written in bulk.
async fn region(state: &AppState) {
    let now = "'2026-01-01T00:00:00Z'";
    support::organisations(state, ORGS).await;
    let mut units = Vec::new();
    for o in 0..ORGS {
        for u in 0..UNITS_PER_ORG {
            units.push(format!("('bench-{o}', '{u:02}', 'Отдел {u}')"));
        }
    }
    insert(
        state,
        "insert into staff_unit (organisation_id, code, name)",
        &units,
    )
    .await;
    // Every fifth unit sits under the first one of its organisation.
    exec(
        state,
        "update staff_unit set parent_id = (select min(u2.unit_id) from staff_unit u2
             where u2.organisation_id = staff_unit.organisation_id)
         where cast(code as integer) % 5 = 4"
            .into(),
    )
    .await;
    let first_unit = scalar(state, "select min(unit_id) from staff_unit").await;
    let positions: Vec<String> = (0..ORGS)
        .flat_map(|o| {
            (0..POSITIONS_PER_ORG).map(move |p| {
                let since = if p % 10 == 9 {
                    day(2, 1, 1)
                } else {
                    day(0, 1, 1)
                };
                format!("('bench-{o}', 'P{p}', {since})")
            })
        })
        .collect();
    insert(
        state,
        "insert into staff_position (organisation_id, code, since)",
        &positions,
    )
    .await;
    let first_position = scalar(state, "select min(position_id) from staff_position").await;
    let mut schedules = Vec::new();
    for o in 0..ORGS {
        for y in 0..YEARS {
            let to = if y + 1 < YEARS {
                day(y, 12, 31)
            } else {
                "null".into()
            };
            schedules.push(format!(
                "('bench-{o}', '{y}-ш', {}, {}, {to}, {now})",
                day(y, 1, 1),
                day(y, 1, 1)
            ));
        }
    }
    insert(
        state,
        "insert into staff_schedule (organisation_id, order_number, order_date, valid_from, valid_to, created_at)",
        &schedules,
    )
    .await;
    let first_schedule = scalar(state, "select min(schedule_id) from staff_schedule").await;
    let categories = ["heads", "assistants", "specialists", "support"];
    let mut lines = Vec::new();
    let mut assignments = Vec::new();
    let mut vacancies = Vec::new();
    for o in 0..ORGS {
        for p in 0..POSITIONS_PER_ORG {
            let position = first_position + o * POSITIONS_PER_ORG + p;
            let unit = first_unit + o * UNITS_PER_ORG + p % UNITS_PER_ORG;
            let rates = if p % 7 == 0 { 50 } else { 100 };
            for y in 0..YEARS {
                // A tenth of the posts appear only in later versions.
                if p % 10 == 9 && y < 2 {
                    continue;
                }
                lines.push(format!(
                    "({}, {position}, {unit}, 'Должность {p}', '{}', '', {}, {rates}, 6000000, 1000000)",
                    first_schedule + o * YEARS + y,
                    categories[p as usize % 4],
                    p % 25 == 0
                ));
            }
            // Two holders over the years: the first leaves in year 2, the
            // second comes in year 3 (most posts), some posts stay vacant.
            assignments.push(format!(
                "({position}, 'Сотрудник {o}-{p}', {rates}, {}, {}, {}, {now})",
                p % 13 == 0,
                day(0, 1, 10),
                day(2, 6, 30)
            ));
            if p % 11 != 0 {
                assignments.push(format!(
                    "({position}, 'Сотрудник {o}-{p}-2', {rates}, false, {}, null, {now})",
                    day(3, 2, 1)
                ));
            } else {
                vacancies.push(format!("({position}, {}, null, null)", day(2, 7, 1)));
            }
        }
    }
    insert(
        state,
        "insert into staff_line (schedule_id, position_id, unit_id, title, category, grade, key_position, rates, salary, allowances)",
        &lines,
    )
    .await;
    insert(
        state,
        "insert into staff_assignment (position_id, person_name, rate, acting, starts_on, ends_on, created_at)",
        &assignments,
    )
    .await;
    insert(
        state,
        "insert into staff_vacancy (position_id, opened_on, published_on, closed_on)",
        &vacancies,
    )
    .await;
    exec(
        state,
        format!(
            "insert into staff_absence (assignment_id, kind, starts_on, ends_on)
             select assignment_id, 'maternity', {}, null from staff_assignment where assignment_id % 40 = 0",
            day(4, 3, 1)
        ),
    )
    .await;
}

/// A Т-3 of `n` rows as CSV.
fn t3(n: usize) -> Vec<u8> {
    let mut s = String::from(
        "Структурное подразделение;Код подразделения;Код позиции;Должность;Категория;Группа должностей;Ключевая должность;Количество штатных единиц;Тарифная ставка (оклад), руб.;Надбавка, руб.\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "Отдел {};{};Q{i};Консультант {i};Специалисты;Ведущая;нет;1;60000;5000\n",
            i / 50,
            i / 50
        ));
    }
    s.into_bytes()
}

/// Posts the Т-3 as the signed-in administrator; the status.
async fn import(v: &Visitor, base: &str, org: &str, token: &str, file: Vec<u8>) -> u16 {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.to_owned())
        .text("order_number", "1-ш")
        .text("order_date", "2026-01-01")
        .text("valid_from", "2026-02-01")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("t3.csv"),
        );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/pm/staff/organisations/{org}/import"))
        .header(reqwest::header::COOKIE, v.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn main() {
    support::runtime().block_on(async {
        let rounds = if quick() { 20 } else { 100 };
        support::on_each_backend(async |_, state, base| {
            let t = Instant::now();
            region(state).await;
            println!(
                "  {} lines, {} assignments written in {:.0} s",
                scalar(state, "select count(*) from staff_line").await,
                scalar(state, "select count(*) from staff_assignment").await,
                t.elapsed().as_secs_f64()
            );
            let mut v = support::admin(state, base, PASSWORD).await;
            // Warm up, and check the dashboard holds the region: every
            // portfolio with its figures.
            let (_, body) = v.get("/pm/staff").await;
            assert!(body.contains("/pm/staff/portfolios/vg-internal-policy"), "the region's portfolios");
            let (h50, h99, _) = support::visitor_latency(&mut v, "/", rounds).await;
            let (r50, r99, rs) = support::visitor_latency(&mut v, "/pm/staff", rounds).await;
            let (o50, o99, os) = support::visitor_latency(&mut v, "/pm/staff/organisations/bench-7", rounds).await;
            println!(
                "  region dashboard ({} KB): p50 {r50:.1} ms, p99 {r99:.1} ms; an organisation with 8 quarters ({} KB): {o50:.1} / {o99:.1} ms; \
                 home page {h50:.1} / {h99:.1} ms (ratios at p50 {:.1} and {:.1})",
                rs / 1024,
                os / 1024,
                r50 / h50,
                o50 / h50
            );
            let b = state.db.backend();
            for (what, value) in [
                ("region dashboard", r50),
                ("an organisation with 8 quarters", o50),
            ] {
                support::figure(
                    &format!("staffing {b}: {what} p50"),
                    value,
                    "ms",
                    "home page p50",
                    h50,
                    support::Better::Lower,
                );
            }

            let file = t3(IMPORT_ROWS);
            let (_, page) = v.get("/pm/staff/organisations/bench-99").await;
            let token = Visitor::token(&page);
            let t = Instant::now();
            let status = import(&v, base, "bench-99", &token, file.clone()).await;
            let took = t.elapsed().as_secs_f64();
            assert_eq!(status, 303, "the import went through");
            let written = scalar(
                state,
                "select count(*) from staff_line l join staff_schedule s on s.schedule_id = l.schedule_id
                 where s.organisation_id = 'bench-99' and s.valid_from = '2026-02-01'",
            )
            .await;
            assert_eq!(written, IMPORT_ROWS as i64);
            // The peer: reading and checking the same file, without HTTP or writing.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t3.csv");
            std::fs::write(&path, &file).unwrap();
            let t = Instant::now();
            let rows = veche::media::sheet::read_rows(&path).unwrap();
            let checked = veche::staffing::import::check(&rows).unwrap();
            let parse = t.elapsed().as_secs_f64();
            assert_eq!(checked.rows.len(), IMPORT_ROWS);
            println!(
                "  Т-3 import of {IMPORT_ROWS} rows ({} KB) over HTTP: {:.2} s = {:.0} rows/s; reading and checking it alone {:.3} s (ratio {:.1})",
                file.len() / 1024,
                took,
                IMPORT_ROWS as f64 / took,
                parse,
                took / parse
            );
            support::figure(
                &format!("staffing {b}: Т-3 import of {IMPORT_ROWS} rows over HTTP"),
                IMPORT_ROWS as f64 / took,
                "rows/s",
                "reading and checking the file alone",
                IMPORT_ROWS as f64 / parse,
                support::Better::Higher,
            );
        })
        .await;
    });
}
