//! The personal feed at scale, on SQLite and on PostgreSQL (a throwaway
//! cluster, as in the tests), over real HTTP on loopback: a site with
//! 1,000,000 activities (2,000,000 topic rows) by 2,000 people, half of
//! whom made their activity public, and a reader who follows 500 topics
//! (250 people and 250 initiatives). p50 / p99 of the feed's first page
//! and of an older page, beside the home page measured in the same run.
//!
//! Run: `cargo bench --bench social` (QUICK=1: fewer rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::time::Instant;

use support::{exec, quick, scalar};
use veche::app::AppState;

const ACTIVITIES: usize = 1_000_000;
const PEOPLE: i64 = 2_000;
const SUBJECTS: i64 = 20_000;
const FOLLOWS: i64 = 500;
const PASSWORD: &str = "bench password 1";

/// The people, the stream and the reader's follows, written in bulk.
async fn site(state: &AppState, postgres: bool) -> i64 {
    let now = "2026-01-01T00:00:00Z";
    let hash = veche::auth::password::hash(PASSWORD.to_owned())
        .await
        .unwrap();
    let rows: Vec<String> = (0..PEOPLE)
        .map(|i| {
            let h = if i == 0 { format!("'{hash}'") } else { "null".into() };
            format!("('f{i}@bench.test', 'f{i}@bench.test', 'Житель {i}', {h}, '{now}', '{now}', '{now}')")
        })
        .collect();
    exec(
        state,
        format!(
            "insert into account (email, email_norm, display_name, password_hash, email_confirmed_at, created_at, updated_at) values {}",
            rows.join(",")
        ),
    )
    .await;
    let first = scalar(state, "select min(account_id) from account").await;
    exec(
        state,
        format!(
            "insert into profile (account_id, public_activity, updated_at)
             select account_id, case when account_id % 2 = 0 then 31 else 0 end, '{now}' from account"
        ),
    )
    .await;
    // One activity in five is an organisation's (no actor); the others
    // are a person's, in one of the five categories.
    let columns = format!(
        "case when i % 5 = 0 then null else {first} + (i % {PEOPLE}) end,
         case i % 5 when 0 then 0 when 1 then 1 when 2 then 2 when 3 then 8 else 16 end,
         'initiative:' || cast(i % {SUBJECTS} as text), 'Активность ' || cast(i as text),
         'Activity ' || cast(i as text), '/feed', '{now}'"
    );
    let insert =
        "insert into activity (actor_id, category, subject, text_ru, text_en, link, created_at)";
    exec(
        state,
        if postgres {
            format!("{insert} select {columns} from generate_series(1, {ACTIVITIES}) as n(i)")
        } else {
            format!(
                "{insert} with recursive n(i) as (select 1 union all select i + 1 from n where i < {ACTIVITIES}) select {columns} from n"
            )
        },
    )
    .await;
    exec(
        state,
        "insert into activity_topic (topic, activity_id) select subject, activity_id from activity"
            .into(),
    )
    .await;
    exec(
        state,
        "insert into activity_topic (topic, activity_id)
         select 'person:' || cast(actor_id as text), activity_id from activity where actor_id is not null"
            .into(),
    )
    .await;
    let follows: Vec<String> = (0..FOLLOWS)
        .map(|k| {
            let topic = if k % 2 == 0 {
                format!("person:{}", first + 1 + (k * 7) % (PEOPLE - 1))
            } else {
                format!("initiative:{}", (k * 40) % SUBJECTS)
            };
            format!("({first}, '{topic}', '{now}')")
        })
        .collect();
    exec(
        state,
        format!(
            "insert into follow (account_id, topic, created_at) values {}",
            follows.join(",")
        ),
    )
    .await;
    exec(state, "analyze".into()).await;
    first
}

fn main() {
    support::runtime().block_on(async {
        let rounds = if quick() { 50 } else { 300 };
        support::on_each_backend(async |backend, state, base| {
            let t = Instant::now();
            site(state, backend == "PostgreSQL").await;
            println!("  written in {:.0} s", t.elapsed().as_secs_f64());
            let mut v = support::sign_in_all(base, &["f0@bench.test".to_owned()], PASSWORD)
                .await
                .pop()
                .unwrap();
            // Warm up, and check the feed shows what it should: 30 rows,
            // none by a person who keeps their activity private.
            let (_, body) = v.get("/feed").await;
            assert_eq!(body.matches(">Активность ").count(), 30, "a full first page");
            let older: i64 = body
                .split("/feed?before=")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .expect("a link to older activity");
            let deep = older / 2;
            let (h50, h99, hs) = support::visitor_latency(&mut v, "/", rounds).await;
            let (p50, p99, ps) = support::visitor_latency(&mut v, "/feed", rounds).await;
            let (o50, o99, _) = support::visitor_latency(&mut v, &format!("/feed?before={deep}"), rounds).await;
            println!(
                "  feed of a reader following {FOLLOWS} topics among {ACTIVITIES} activities ({} KB): p50 {p50:.1} ms, p99 {p99:.1} ms; \
                 an older page: {o50:.1} / {o99:.1} ms; home page ({} KB) {h50:.1} / {h99:.1} ms (ratio at p50 {:.1})",
                ps / 1024,
                hs / 1024,
                p50 / h50
            );
            let b = state.db.backend();
            for (what, value) in [("personal feed", p50), ("an older page of the feed", o50)] {
                support::figure(
                    &format!("social {b}: {what} p50"),
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
