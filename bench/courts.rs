//! Court cases at the size of a region, on SQLite and on PostgreSQL (a
//! throwaway cluster, as in the tests), over real HTTP on loopback: 20,000
//! cases of 100 organisations with their parties and first instances, and
//! 60,000 hearings over two years before and after today. p50 / p99 of the
//! hearing calendar (the default fortnight, and one day), of the overview
//! (amount at risk by portfolio and organisation, outcomes, the list) and
//! of the counterparties, beside the home page in the same run.
//!
//! Run: `cargo bench --bench courts` (QUICK=1: fewer rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use support::{insert, quick, scalar};
use time::Duration;
use veche::app::AppState;

const ORGS: i64 = 100;
const CASES: i64 = 20_000;
const HEARINGS_PER_CASE: i64 = 3;
const PASSWORD: &str = "bench password 1";

/// The region's cases, written in bulk; hearings through the feature's
/// own insert (its times as the store keeps them).
async fn region(state: &AppState) {
    support::organisations(state, ORGS).await;
    let now = "'2026-01-01T00:00:00Z'";
    let roles = ["defendant", "defendant", "plaintiff", "third_party"];
    let categories = [
        "contract", "property", "land", "labour", "tax", "acts", "damages", "other",
    ];
    let outcomes = ["pending", "pending", "won", "lost", "partly", "settled"];
    let risks = ["probable", "possible", "remote"];
    let cases: Vec<String> = (0..CASES)
        .map(|c| {
            format!(
                "('bench-{}', '{}', 'Предмет спора {c}', '{}', '{}', {}, '{}', '{}', {now}, {now})",
                c % ORGS,
                roles[c as usize % roles.len()],
                categories[c as usize % categories.len()],
                if c % 3 == 0 { "gpk" } else { "apk" },
                (c % 997) * 1_000_000,
                risks[c as usize % risks.len()],
                outcomes[c as usize % outcomes.len()],
            )
        })
        .collect();
    insert(
        state,
        "insert into court_case (organisation_id, role, subject, category, procedure, claimed, risk, outcome, created_at, updated_at)",
        &cases,
    )
    .await;
    let first = scalar(state, "select min(case_id) from court_case").await;
    let parties: Vec<String> = (0..CASES)
        .map(|c| {
            if c % 5 == 0 {
                format!(
                    "({}, 'person', 'plaintiff', 'Гражданин {c}', null)",
                    first + c
                )
            } else {
                format!(
                    "({}, 'organisation', 'plaintiff', 'ООО «Контрагент {}»', '{}')",
                    first + c,
                    c % 1500,
                    veche::courts::domain::complete_inn10(100_000_000 + (c % 1500) as u32)
                )
            }
        })
        .collect();
    insert(
        state,
        "insert into court_party (case_id, kind, role, name, inn)",
        &parties,
    )
    .await;
    let instances: Vec<String> = (0..CASES)
        .map(|c| {
            let number = format!("А32-{c}/2026");
            format!(
                "({}, 'first', 'Арбитражный суд Краснодарского края', '{number}', '{}', '2026-01-15')",
                first + c,
                veche::courts::domain::dedup_key(
                    &format!("bench-{}", c % ORGS),
                    "Арбитражный суд Краснодарского края",
                    &number
                )
            )
        })
        .collect();
    insert(
        state,
        "insert into court_instance (case_id, level, court, number, dedup_key, received_on)",
        &instances,
    )
    .await;
    let first_instance = scalar(state, "select min(instance_id) from court_instance").await;
    // Hearings from two years back to two years on, in working hours.
    let today = veche::courts::alerts::today();
    let start = (today - Duration::days(730))
        .midnight()
        .assume_offset(time::macros::offset!(+3));
    let span = 1460 * 24;
    for chunk in (0..CASES * HEARINGS_PER_CASE)
        .collect::<Vec<_>>()
        .chunks(5000)
    {
        let mut tx = state.db.begin().await.unwrap();
        for h in chunk {
            let hours = (h * 7919) % span;
            let at = start + Duration::hours(hours - hours % 24 + 9 + hours % 8);
            veche::courts::queries::insert_hearing(&mut tx, first_instance + h % CASES, at, "301")
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
}

fn main() {
    support::runtime().block_on(async {
        let rounds = if quick() { 20 } else { 100 };
        support::on_each_backend(async |_, state, base| {
            let t = Instant::now();
            region(state).await;
            println!(
                "  {} cases, {} hearings written in {:.0} s",
                scalar(state, "select count(*) from court_case").await,
                scalar(state, "select count(*) from court_hearing").await,
                t.elapsed().as_secs_f64()
            );
            let mut v = support::admin(state, base, PASSWORD).await;
            // Warm up, and check the calendar holds the fortnight's hearings.
            let (_, body) = v.get("/pm/courts/calendar").await;
            let shown = body.matches("class=\"hearing\"").count();
            assert!(shown > 300, "the fortnight's hearings: {shown}");
            let (h50, h99, _) = support::visitor_latency(&mut v, "/", rounds).await;
            let (c50, c99, cs) = support::visitor_latency(&mut v, "/pm/courts/calendar", rounds).await;
            let (d50, d99, _) = support::visitor_latency(&mut v, "/pm/courts/calendar?days=1", rounds).await;
            let (o50, o99, os) = support::visitor_latency(&mut v, "/pm/courts", rounds).await;
            let (p50, p99, _) = support::visitor_latency(&mut v, "/pm/courts/counterparties", rounds).await;
            println!(
                "  hearing calendar, a fortnight ({shown} hearings, {} KB): p50 {c50:.1} ms, p99 {c99:.1} ms; one day {d50:.1} / {d99:.1} ms; \
                 overview ({} KB) {o50:.1} / {o99:.1} ms; counterparties {p50:.1} / {p99:.1} ms; home page {h50:.1} / {h99:.1} ms \
                 (ratios at p50: {:.1}, {:.1}, {:.1}, {:.1})",
                cs / 1024,
                os / 1024,
                c50 / h50,
                d50 / h50,
                o50 / h50,
                p50 / h50
            );
            let b = state.db.backend();
            for (what, value) in [
                ("hearing calendar, a fortnight", c50),
                ("hearing calendar, one day", d50),
                ("overview", o50),
                ("counterparties", p50),
            ] {
                support::figure(
                    &format!("courts {b}: {what} p50"),
                    value,
                    "ms",
                    "home page p50",
                    h50,
                    support::Better::Lower,
                );
            }
        })
        .await;
    });
}
