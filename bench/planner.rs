//! The personal planner under load, on SQLite and on PostgreSQL (a
//! throwaway cluster, as in the tests):
//!
//! 1. the agenda of a person with 2,000 items over a year (1,000 personal
//!    items, a tenth of them weekly series of ten, and 1,000 orders they
//!    execute or gave, on a site with 100,000 orders): the year's agenda
//!    as the planner merges it (`planner::pages::entries`), p50/p99, against
//!    a peer in the same run — plain SQL reading the same rows; and the
//!    month and list pages over HTTP;
//! 2. reminder throughput: 100,000 reminders due within one minute,
//!    delivered by the worker's `deliver_due` (each marked sent, written
//!    as a site notification and a mail in its batch's transaction).
//!
//! Run: `cargo bench --bench planner` (QUICK=1 for a smaller run).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use rand::{Rng, SeedableRng};
use support::{quick, scalar};
use time::Duration;
use veche::app::AppState;
use veche::on_tx;

const PASSWORD: &str = "bench password 1";

/// `n` orders over every organisation, deadlines over a year; `mine` of
/// them executed or given by `me`.
async fn orders(state: &AppState, n: usize, mine: usize, me: i64, people: &[i64]) {
    let orgs: Vec<String> = veche::directory::queries::list(&state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.organisation_id)
        .collect();
    let now = veche::db::now();
    let mut rng = rand::rngs::StdRng::seed_from_u64(19);
    let mut tx = state.db.begin().await.unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        on_tx!(&mut tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into pm_order (title, description, source, origin, organisation_id,
                     executor_id, creator_id, deadline, priority, required, state, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, i| {
                let (executor, creator) = if *i < mine {
                    if i % 2 == 0 {
                        (Some(me), None)
                    } else {
                        (None, Some(me))
                    }
                } else {
                    (
                        Some(people[rng.random_range(0..people.len())]),
                        Some(people[rng.random_range(0..people.len())]),
                    )
                };
                b.push_bind("Поручение")
                    .push_bind("")
                    .push_bind("manual")
                    .push_bind("local")
                    .push_bind(&orgs[rng.random_range(0..orgs.len())])
                    .push_bind(executor)
                    .push_bind(creator)
                    .push_bind(now + Duration::minutes(rng.random_range(0..365 * 24 * 60)))
                    .push_bind("normal")
                    .push_bind(true)
                    .push_bind(["new", "in_progress", "accepted"][rng.random_range(0..3)])
                    .push_bind(now)
                    .push_bind(now);
            });
            q.build().execute(conn).await.unwrap().rows_affected()
        });
    }
    tx.commit().await.unwrap();
}

/// `n` personal items of `account` over a year, a tenth weekly series.
async fn items(state: &AppState, account: i64, n: usize, within: Duration, remind: &str) {
    let now = veche::db::now();
    let mut rng = rand::rngs::StdRng::seed_from_u64(23);
    let mut tx = state.db.begin().await.unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        on_tx!(&mut tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into planner_item (account_id, kind, title, notes, at, all_day, tz, rrule,
                     series_end, remind, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, i| {
                let at =
                    now + Duration::seconds(rng.random_range(0..within.whole_seconds().max(1)));
                let weekly = i % 10 == 0;
                b.push_bind(account)
                    .push_bind(if i % 3 == 0 { "event" } else { "task" })
                    .push_bind(format!("Запись {i}"))
                    .push_bind("")
                    .push_bind(at)
                    .push_bind(false)
                    .push_bind("Europe/Moscow")
                    .push_bind(weekly.then_some("FREQ=WEEKLY;COUNT=10"))
                    .push_bind(weekly.then(|| at + Duration::weeks(9)))
                    .push_bind(remind)
                    .push_bind(now)
                    .push_bind(now);
            });
            q.build().execute(conn).await.unwrap().rows_affected()
        });
    }
    tx.commit().await.unwrap();
    if let veche::db::Db::Postgres(pool) = &state.db {
        sqlx::query("analyze").execute(pool).await.unwrap();
    }
}

/// The peer: the same rows read with plain SQL, nothing merged.
async fn peer(
    state: &AppState,
    me: i64,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
) -> usize {
    let mut tx = state.db.begin().await.unwrap();
    let n = on_tx!(&mut tx, |conn| {
        let a: Vec<(i64, String, time::OffsetDateTime)> = sqlx::query_as(
            "select item_id, title, at from planner_item where account_id = $1 and at < $3
               and (series_end is null or series_end >= $2 or at >= $2)",
        )
        .bind(me)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let b: Vec<(i64, String, time::OffsetDateTime)> = sqlx::query_as(
            "select order_id, title, deadline from pm_order where (executor_id = $1 or creator_id = $1)
               and state not in ('done', 'cancelled') and deadline >= $2 and deadline < $3",
        )
        .bind(me)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        a.len() + b.len()
    });
    tx.commit().await.unwrap();
    n
}

async fn agenda(state: &AppState, base: &str, orders_n: usize) {
    let t = Instant::now();
    let mut v = support::admin(state, base, PASSWORD).await;
    let me = scalar(
        state,
        "select account_id from account where email_norm = 'admin@bench.test'",
    )
    .await;
    let mut tx = state.db.begin().await.unwrap();
    let mut people = Vec::new();
    for i in 0..300 {
        people.push(
            support::account(
                &mut tx,
                &format!("p{i}@bench.test"),
                &format!("Сотрудник {i}"),
                None,
            )
            .await,
        );
    }
    tx.commit().await.unwrap();
    orders(state, orders_n, 1_000, me, &people).await;
    items(state, me, 1_000, Duration::days(365), "").await;
    println!(
        "  {} orders, {} personal items written in {:.0} s",
        scalar(state, "select count(*) from pm_order").await,
        scalar(state, "select count(*) from planner_item").await,
        t.elapsed().as_secs_f64()
    );
    let user = veche::auth::CurrentUser {
        account_id: me,
        display_name: "Администратор".into(),
        email: None,
        locale: veche::web::i18n::Locale::Ru,
        roles: vec![veche::auth::domain::GlobalRole::Administrator],
        memberships: Vec::new(),
    };
    let now = veche::db::now();
    let (from, to) = (now, now + Duration::days(366));
    let rounds = if quick() { 10 } else { 50 };
    let (a50, a99, shown) = support::p50_p99(rounds, async || {
        veche::planner::pages::entries(state, &user, veche::web::i18n::Locale::Ru, from, to)
            .await
            .unwrap()
            .len()
    })
    .await;
    let (s50, s99, rows) = support::p50_p99(rounds, async || peer(state, me, from, to).await).await;
    let (m50, m99, _) = support::visitor_latency(&mut v, "/pm/planner?view=month", rounds).await;
    let (l50, l99, _) = support::visitor_latency(&mut v, "/pm/planner?view=list", rounds).await;
    let (h50, _, _) = support::visitor_latency(&mut v, "/", rounds).await;
    println!(
        "  a year's agenda ({shown} entries from {rows} rows): p50 {a50:.1} ms, p99 {a99:.1} ms; \
         plain SQL reading the same rows {s50:.1} / {s99:.1} ms (ratio at p50 {:.1}); \
         month page {m50:.1} / {m99:.1} ms, phone list {l50:.1} / {l99:.1} ms (home page {h50:.1} ms)",
        a50 / s50
    );
    let b = state.db.backend();
    support::figure(
        &format!("planner {b}: a year's agenda, 2,000 items p50"),
        a50,
        "ms",
        "plain SQL reading the same rows p50",
        s50,
        support::Better::Lower,
    );
    for (what, value) in [("month page", m50), ("phone list", l50)] {
        support::figure(
            &format!("planner {b}: {what} p50"),
            value,
            "ms",
            "home page p50",
            h50,
            support::Better::Lower,
        );
    }
}

async fn throughput(state: &AppState, n: usize) {
    // 1,000 people, 100 items each, one reminder per item, due over one
    // minute from now.
    let mut tx = state.db.begin().await.unwrap();
    let mut people = Vec::new();
    for i in 0..1000 {
        people.push(
            support::account(
                &mut tx,
                &format!("r{i}@bench.test"),
                &format!("Получатель {i}"),
                None,
            )
            .await,
        );
    }
    tx.commit().await.unwrap();
    let per = n / people.len();
    let first = scalar(state, "select coalesce(max(item_id), 0) from planner_item").await + 1;
    for p in &people {
        items(state, *p, per, Duration::hours(2), "0").await;
    }
    let now = veche::db::now();
    let t = Instant::now();
    let rows: Vec<(i64, i64, time::OffsetDateTime)> = {
        let mut tx = state.db.begin().await.unwrap();
        let sql = format!(
            "select item_id, account_id, at from planner_item where item_id >= {first} order by item_id"
        );
        let rows = on_tx!(&mut tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .fetch_all(conn)
        .await
        .unwrap());
        tx.commit().await.unwrap();
        rows
    };
    let total = rows.len().max(1) as i64;
    let mut tx = state.db.begin().await.unwrap();
    for (c, chunk) in rows.chunks(500).enumerate() {
        on_tx!(&mut tx, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "insert into planner_reminder (item_id, account_id, occurrence_at, minutes, due_at) ",
            );
            q.push_values(
                chunk.iter().enumerate(),
                |mut b, (k, (item, account, at))| {
                    // Every one due within the next minute, evenly.
                    let k = (c * 500 + k) as i64;
                    b.push_bind(*item)
                        .push_bind(*account)
                        .push_bind(*at)
                        .push_bind(0_i64)
                        .push_bind(now + Duration::milliseconds(k * 60_000 / total));
                },
            );
            q.build().execute(conn).await.unwrap().rows_affected()
        });
    }
    tx.commit().await.unwrap();
    let ids = rows;
    let due = ids.len();
    println!(
        "  {due} reminders due within a minute, written in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    // The worker's rounds, every five seconds of the minute.
    let t = Instant::now();
    let mut sent = 0;
    for step in 1..=12 {
        sent += veche::planner::reminders::deliver_due(state, now + Duration::seconds(5 * step))
            .await
            .unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    let notes = scalar(state, "select count(*) from notification").await;
    // What the store says, beside what the rounds counted: a reminder is
    // delivered when it is marked sent with its notification.
    let marked = scalar(
        state,
        "select count(*) from planner_reminder where sent_at is not null",
    )
    .await;
    println!(
        "  reminders: {sent} of {due} counted by the rounds, {marked} marked sent, in {secs:.1} s = {:.0}/s ({notes} site notifications, mails queued) — {}",
        marked as f64 / secs,
        if secs <= 60.0 {
            "within the minute"
        } else {
            "NOT within the minute"
        }
    );
    // No peer measured in this run: the minute they fall due is a budget.
    support::figure(
        &format!(
            "planner {}: reminders due within a minute, sent",
            state.db.backend()
        ),
        marked as f64 / secs,
        "reminders/s",
        "-",
        f64::NAN,
        support::Better::Higher,
    );
}

fn main() {
    support::runtime().block_on(async {
        let orders_n = if quick() { 20_000 } else { 100_000 };
        let reminders = if quick() { 10_000 } else { 100_000 };
        support::on_each_backend(async |_, state, base| {
            agenda(state, base, orders_n).await;
            throughput(state, reminders).await;
        })
        .await;
    });
}
