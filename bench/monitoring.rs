//! The control's monitoring at the size of a region, on SQLite and on
//! PostgreSQL (a throwaway cluster, as in the tests), over real HTTP on
//! loopback:
//!
//! - the indicators dashboard for 300 indicators × 10 years × the region
//!   and its 44 municipalities (135,000 values, targets for each): p50 /
//!   p99 of the region's view (statuses by the Open SDG method for all
//!   300) and of a municipality's;
//! - a report form's completeness and timeliness over 150 organisations ×
//!   24 monthly periods (3,600 reports): p50 / p99 of the grid;
//!
//! beside the home page in the same run (the ratios at p50).
//!
//! Run: `cargo bench --bench monitoring` (QUICK=1: fewer rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use support::{insert, quick, scalar};
use veche::app::AppState;

const INDICATORS: i64 = 300;
const YEARS: i64 = 10;
const ORGS: i64 = 150;
const PERIODS: i64 = 24;
const PASSWORD: &str = "bench password 1";
const NOW: &str = "'2026-01-01T00:00:00Z'";

async fn indicators(state: &AppState) {
    let rows: Vec<String> = (0..INDICATORS)
        .map(|i| {
            format!(
                "('B-{i:03}', 'Показатель {i}', 'Indicator {i}', '%', '{}', 1, 'bench-{}', 'unconfirmed', 2016, {NOW})",
                if i % 3 == 0 { "down" } else { "up" },
                i % ORGS
            )
        })
        .collect();
    insert(
        state,
        "insert into indicator (code, name_ru, name_en, unit, direction, decimals, organisation_id, wording, base_year, created_at)",
        &rows,
    )
    .await;
    // Ids by code, not the first id plus a count: on PostgreSQL the
    // server's own start-up work can take ids between the rows of one
    // statement (a missing id 32 failed the benchmark on a foreign key).
    let ids: Vec<i64> = veche::on_db!(&state.db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "select indicator_id from indicator where code like 'B-%' order by code",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    });
    assert_eq!(ids.len(), INDICATORS as usize, "the benchmark's indicators");
    let mut territories: Vec<String> = vec![String::new()];
    territories.extend(
        veche::geo::municipalities::geography()
            .all()
            .iter()
            .map(|m| m.id.clone()),
    );
    let mut values = Vec::new();
    for i in 0..INDICATORS {
        for (t, territory) in territories.iter().enumerate() {
            for y in 0..YEARS {
                let v = 50.0
                    + (i % 17) as f64
                    + t as f64 * 0.1
                    + y as f64 * (((i % 7) as f64) - 3.0) * 0.2;
                values.push(format!(
                    "({}, '{territory}', {}, {v:.2}, 'final', 1, true, 'bench', {NOW})",
                    ids[i as usize],
                    2016 + y
                ));
            }
        }
    }
    insert(
        state,
        "insert into indicator_value (indicator_id, territory, year, value, status, revision, current, origin, recorded_at)",
        &values,
    )
    .await;
    let targets: Vec<String> = (0..INDICATORS)
        .map(|i| {
            format!(
                "({}, 2030, {}, 'Бенчмарк', {NOW})",
                ids[i as usize],
                60 + i % 11
            )
        })
        .collect();
    insert(
        state,
        "insert into indicator_target (indicator_id, year, value, basis, set_at)",
        &targets,
    )
    .await;
}

async fn reports(state: &AppState) {
    let today = (veche::db::now() + time::Duration::hours(3)).date();
    let mut start = veche::reports::domain::Period::containing(
        veche::reports::domain::PeriodType::Month,
        today,
    );
    for _ in 0..PERIODS {
        start = veche::reports::domain::Period::containing(
            veche::reports::domain::PeriodType::Month,
            start.first_day() - time::Duration::days(1),
        );
    }
    insert(
        state,
        "insert into report_form (code, name_ru, name_en, period_type, organisation_id, due_days, lock_days, approval, band_good, band_fair, public, starts, created_at)",
        &[format!(
            "('bench', 'Отчёт', 'Report', 'month', 'bench-0', 6, 15, true, 95, 80, false, '{start}', {NOW})"
        )],
    )
    .await;
    let form = scalar(
        state,
        "select form_id from report_form where code = 'bench'",
    )
    .await;
    let owed: Vec<String> = (0..ORGS)
        .map(|o| format!("({form}, 'bench-{o}')"))
        .collect();
    insert(
        state,
        "insert into report_owed (form_id, organisation_id)",
        &owed,
    )
    .await;
    let periods = start.through(veche::reports::domain::Period::containing(
        veche::reports::domain::PeriodType::Month,
        today,
    ));
    let mut subs = Vec::new();
    for o in 0..ORGS {
        for (k, p) in periods.iter().enumerate().take(PERIODS as usize) {
            // One in ten missing, one in seven late.
            if (o + k as i64) % 10 == 0 {
                continue;
            }
            let day = p.last_day()
                + time::Duration::days(if (o * 7 + k as i64) % 7 == 0 { 20 } else { 5 });
            let at = format!("'{day}T09:00:00Z'");
            subs.push(format!(
                "({form}, 'bench-{o}', '{p}', 'accepted', {at}, {at}, {at}, {at})"
            ));
        }
    }
    insert(
        state,
        "insert into report_submission (form_id, organisation_id, period, state, submitted_at, first_submitted_at, accepted_at, updated_at)",
        &subs,
    )
    .await;
}

fn main() {
    support::runtime().block_on(async {
        let rounds = if quick() { 20 } else { 100 };
        support::on_each_backend(async |_, state, base| {
            let t = Instant::now();
            support::organisations(state, ORGS).await;
            veche::rankings::service::sync_list(state).await.unwrap();
            indicators(state).await;
            reports(state).await;
            println!(
                "  {} indicator values, {} reports written in {:.0} s",
                scalar(state, "select count(*) from indicator_value").await,
                scalar(state, "select count(*) from report_submission").await,
                t.elapsed().as_secs_f64()
            );
            let mut v = support::admin(state, base, PASSWORD).await;
            let (_, body) = v.get("/pm/indicators").await;
            let rows = body.matches("<tr data-code=").count();
            assert!(rows >= INDICATORS as usize, "the dashboard's rows: {rows}");
            let (_, grid) = v.get("/pm/reports/bench?periods=24").await;
            let orgs = grid.matches("data-org=").count();
            assert_eq!(orgs, ORGS as usize, "the grid's organisations");
            let (h50, h99, _) = support::visitor_latency(&mut v, "/", rounds).await;
            let (i50, i99, is) = support::visitor_latency(&mut v, "/pm/indicators", rounds).await;
            let (m50, m99, _) =
                support::visitor_latency(&mut v, "/pm/indicators?territory=sochi", rounds).await;
            let (c50, c99, cs) =
                support::visitor_latency(&mut v, "/pm/reports/bench?periods=24", rounds).await;
            println!(
                "  indicators dashboard ({rows} indicators, {} KB): p50 {i50:.1} ms, p99 {i99:.1} ms; a municipality's {m50:.1} / {m99:.1} ms; \
                 completeness ({orgs} organisations × 24 periods, {} KB) {c50:.1} / {c99:.1} ms; home page {h50:.1} / {h99:.1} ms \
                 (ratios at p50: {:.1}, {:.1}, {:.1})",
                is / 1024,
                cs / 1024,
                i50 / h50,
                m50 / h50,
                c50 / h50
            );
            let b = state.db.backend();
            for (what, value) in [
                ("indicators dashboard", i50),
                ("a municipality's indicators", m50),
                ("a report form's completeness, 24 months", c50),
            ] {
                support::figure(
                    &format!("monitoring {b}: {what} p50"),
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
