//! Priority ranks under load, on SQLite and on PostgreSQL (a throwaway
//! cluster, as in the tests), over real HTTP on loopback:
//!
//! 1. supports per second from 500 concurrent signed-in citizens, each
//!    supporting its K = 5 priorities of the current quarter and then trying
//!    a sixth (refused); the database then proves no support was lost,
//!    doubled or over the limit. The peer, in the same run: the same 500
//!    citizens supporting 5 problem reports each.
//! 2. closing a quarter of 44 municipalities × 2,000 priorities × 1,000,000
//!    supports into its snapshot (every scope computed and written in one
//!    transaction); the peer: the two `group by` scans the computation
//!    starts from, alone.
//! 3. the ranking page at that size, p50 / p99: the closed quarter (read
//!    from the snapshot) and the current one (1,000,000 live supports,
//!    preliminary ranks reused for 5 s), beside the home page.
//!
//! Run: `cargo bench --bench participation` (QUICK=1: 100,000 supports).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use support::{Visitor, exec, latency, quick, scalar};

use std::time::Instant;

use veche::app::AppState;
use veche::participation::priorities::domain::Quarter;
use veche::participation::priorities::service;

const CITIZENS: usize = 500;
const K: usize = 5;
const PRIORITIES: usize = 2_000;
const PASSWORD: &str = "bench password 1";

/// The municipalities' ids, in the geography's order.
fn municipalities() -> Vec<String> {
    veche::geo::geography()
        .all()
        .iter()
        .map(|m| m.id.clone())
        .collect()
}

/// 2,000 published priorities: 1,120 of the krai and 20 of each
/// municipality.
async fn priorities(state: &AppState) -> Vec<i64> {
    let ms = municipalities();
    let now = "2026-01-01T00:00:00Z";
    let mut values = Vec::new();
    for i in 0..PRIORITIES {
        let scope = if i < PRIORITIES - 20 * ms.len() {
            "null".to_owned()
        } else {
            format!("'{}'", ms[i % ms.len()])
        };
        values.push(format!(
            "('Приоритет {i}', 'Описание приоритета номер {i}.', {scope}, 'roads', 'min-transport', \
             'published', (select min(account_id) from account), '{now}', '{now}', '{now}')"
        ));
    }
    for chunk in values.chunks(500) {
        exec(
            state,
            format!(
                "insert into priority (title, description, municipality_id, topic, organisation_id, \
                 state, proposed_by, created_at, published_at, updated_at) values {}",
                chunk.join(",")
            ),
        )
        .await;
    }
    let ids = veche::on_db!(&state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select priority_id from priority where municipality_id is null order by priority_id"
    )
    .fetch_all(pool)
    .await
    .unwrap());
    ids
}

/// `n` confirmed accounts living in the municipalities (every third
/// declared), from `first`; returns nothing, ids are consecutive.
async fn accounts(state: &AppState, first: usize, n: usize, hash: Option<&str>) {
    let ms = municipalities();
    let hash = hash.map(|h| format!("'{h}'")).unwrap_or("null".into());
    let now = "2025-01-01T00:00:00Z";
    let rows: Vec<String> = (first..first + n)
        .map(|i| {
            let status = if i.is_multiple_of(3) { "declared" } else { "verified" };
            format!(
                "('c{i}@bench.test', 'c{i}@bench.test', 'Житель', {hash}, '{now}', '{}', '{status}', '{now}', '{now}')",
                ms[i % ms.len()]
            )
        })
        .collect();
    for chunk in rows.chunks(1000) {
        exec(
            state,
            format!(
                "insert into account (email, email_norm, display_name, password_hash, email_confirmed_at, \
                 municipality_id, municipality_status, created_at, updated_at) values {}",
                chunk.join(",")
            ),
        )
        .await;
    }
}

async fn sign_in(base: &str, first: usize, n: usize) -> Vec<Visitor> {
    let emails: Vec<String> = (first..first + n)
        .map(|i| format!("c{i}@bench.test"))
        .collect();
    support::sign_in_all(base, &emails, PASSWORD).await
}

/// Posts `paths` for every visitor at once; returns the statuses and the
/// seconds it took.
async fn all_at_once(
    visitors: Vec<(Visitor, String)>,
    paths: impl Fn(usize) -> Vec<(String, Vec<(&'static str, String)>)>,
) -> (Vec<(Visitor, String)>, Vec<u16>, f64) {
    let t = Instant::now();
    let mut handles = Vec::new();
    for (n, (mut v, token)) in visitors.into_iter().enumerate() {
        let posts = paths(n);
        handles.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for (path, fields) in posts {
                let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
                form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                statuses.push(v.post(&path, &form).await);
            }
            (v, token, statuses)
        }));
    }
    let mut back = Vec::new();
    let mut statuses = Vec::new();
    for h in handles {
        let (v, token, s) = h.await.unwrap();
        back.push((v, token));
        statuses.extend(s);
    }
    (back, statuses, t.elapsed().as_secs_f64())
}

async fn supports(state: &AppState, base: &str, krai: &[i64]) {
    let visitors = sign_in(base, 0, CITIZENS).await;
    // One page read each for the form token.
    let mut with_tokens = Vec::new();
    for mut v in visitors {
        let (_, page) = v
            .get(&format!("/participation/priorities/{}", krai[0]))
            .await;
        let token = Visitor::token(&page);
        with_tokens.push((v, token));
    }
    // The peer: 5 problem reports each (the reports' own vote path).
    let author = scalar(state, "select min(account_id) from account").await;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = state.db.begin().await.unwrap();
    let mut reports = Vec::new();
    for i in 0..K {
        reports.push(
            veche::workflow::queries::insert_appeal(
                &mut tx,
                &veche::workflow::queries::NewAppeal {
                    kind: "problem",
                    state: "published",
                    category_id: "road-pothole",
                    municipality_id: "krasnodar",
                    organisation_id: Some("admin-krasnodar"),
                    author_id: author,
                    hide_name: false,
                    description: "Яма на проезжей части.",
                    address: "",
                    lat: 45.03 + i as f64 * 0.001,
                    lon: 38.97,
                    approximate: false,
                    published_at: Some(now),
                    due_at: Some(now + time::Duration::days(10)),
                    client_key: None,
                },
            )
            .await
            .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    let (visitors, s, report_secs) = all_at_once(with_tokens, |n| {
        reports
            .iter()
            .filter(|_| n > 0) // the author does not support their own
            .map(|id| (format!("/problems/{id}/support"), vec![]))
            .collect()
    })
    .await;
    let report_votes = s.iter().filter(|x| **x == 303).count();
    // Priorities: each citizen its own 5 of the krai's, spread over all.
    let krai = krai.to_vec();
    let pick = move |n: usize| -> Vec<i64> {
        (0..K)
            .map(|j| krai[(n * 7 + j * 131) % krai.len()])
            .collect()
    };
    let pick2 = pick.clone();
    let (visitors, s, secs) = all_at_once(visitors, move |n| {
        pick(n)
            .into_iter()
            .map(|id| {
                (
                    format!("/participation/priorities/{id}/act"),
                    vec![("action", "support".to_owned())],
                )
            })
            .collect()
    })
    .await;
    let ok = s.iter().filter(|x| **x == 303).count();
    assert_eq!(ok, CITIZENS * K, "every support within the limit is taken");
    let rate = ok as f64 / secs;
    let report_rate = report_votes as f64 / report_secs;
    println!(
        "  supports: {ok} in {secs:.2} s = {rate:.0} supports/s with {CITIZENS} concurrent citizens; \
         problem-report votes by the same citizens {report_rate:.0} votes/s (ratio {:.2})",
        rate / report_rate
    );
    support::figure(
        &format!(
            "participation {}: priority supports, {CITIZENS} citizens at once",
            state.db.backend()
        ),
        rate,
        "supports/s",
        "problem-report votes by the same citizens",
        report_rate,
        support::Better::Higher,
    );
    // A sixth each, all at once: refused.
    let (_, s, _) = all_at_once(visitors, move |n| {
        let mine = pick2(n);
        let other = mine[0] + 1;
        vec![(
            format!("/participation/priorities/{other}/act"),
            vec![("action", "support".to_owned())],
        )]
    })
    .await;
    let refused = s.iter().filter(|x| **x == 409).count();
    let rows = scalar(state, "select count(*) from priority_support").await;
    let distinct = scalar(
        state,
        "select count(*) from (select distinct priority_id, account_id from priority_support) d",
    )
    .await;
    let over = scalar(
        state,
        "select count(*) from (select account_id from priority_support where withdrawn_at is null \
         group by account_id having count(*) > 5) d",
    )
    .await;
    // The ranking the public reads: its counts equal the rows once the
    // preliminary ranks are computed anew (reused for 5 s, then refreshed
    // in the background).
    let http = reqwest::Client::new();
    let t = Instant::now();
    let counted = loop {
        let r: serde_json::Value = http
            .get(format!("{base}/api/v1/priority-ranks"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n: i64 = r["ranks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                l["supporters"]["verified"].as_i64().unwrap()
                    + l["supporters"]["declared"].as_i64().unwrap()
            })
            .sum();
        if n == rows || t.elapsed().as_secs() > 30 {
            break n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    println!(
        "  the public ranking showed all supports {:.1} s after the last one",
        t.elapsed().as_secs_f64()
    );
    println!(
        "  proof: {rows} support rows (expected {}), {distinct} distinct (citizen, priority) pairs, \
         {over} citizens over the limit, {refused}/{CITIZENS} sixth supports refused (a few may \
         have hit their own), the regional ranking counts {counted}",
        CITIZENS * K
    );
    assert_eq!(
        (rows, distinct, over),
        ((CITIZENS * K) as i64, (CITIZENS * K) as i64, 0)
    );
    assert_eq!(counted, rows, "the ranking's counts equal the rows");
}

/// Writes supports given as rows of values; those already there stay.
async fn insert_supports(state: &AppState, rows: &[String]) {
    exec(
        state,
        format!(
            "insert into priority_support (priority_id, account_id, quarter, municipality_id, \
             residence, created_at) values {} on conflict do nothing",
            rows.join(",")
        ),
    )
    .await;
}

/// 1,000,000 supports (200,000 citizens × 5) in `quarter`, written in bulk.
async fn bulk(
    state: &AppState,
    quarter: Quarter,
    supports: usize,
    first_account: i64,
    krai: &[i64],
) {
    let citizens = supports / K;
    let t = Instant::now();
    accounts(state, CITIZENS, citizens, None).await;
    let ms = municipalities();
    let mut rows = Vec::with_capacity(1000);
    let at = quarter.first_day();
    for c in 0..citizens {
        let i = CITIZENS + c;
        let account = first_account + c as i64;
        let status = if i.is_multiple_of(3) {
            "declared"
        } else {
            "verified"
        };
        for j in 0..K {
            // Popularity falls off with the priority's index.
            let k = ((c * 2654435761 + j * 40503) % 1_000_003) as f64 / 1_000_003.0;
            let idx = ((k * k * k) * krai.len() as f64) as usize % krai.len();
            let p = krai[(idx + j * 97) % krai.len()];
            rows.push(format!(
                "({p}, {account}, '{quarter}', '{}', '{status}', '{at}T12:00:00Z')",
                ms[i % ms.len()]
            ));
            if rows.len() == 1000 {
                insert_supports(state, &rows).await;
                rows.clear();
            }
        }
    }
    if !rows.is_empty() {
        insert_supports(state, &rows).await;
    }
    let n = scalar(
        state,
        &format!("select count(*) from priority_support where quarter = '{quarter}'"),
    )
    .await;
    println!(
        "  {n} supports of {quarter} from {citizens} citizens written in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

async fn snapshot(state: &AppState, quarter: Quarter) {
    // The peer: the scans the computation starts from.
    let t = Instant::now();
    veche::participation::priorities::queries::tallies(&state.db, quarter)
        .await
        .unwrap();
    let scan = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let closed = service::close_quarters(state).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(closed, vec![quarter]);
    let rows = scalar(
        state,
        &format!("select count(*) from priority_rank where quarter = '{quarter}'"),
    )
    .await;
    println!(
        "  closing {quarter}: {rows} positions over 45 scopes computed and written in {secs:.2} s; \
         the two group-by scans alone {scan:.2} s (ratio {:.1})",
        secs / scan
    );
    support::figure(
        &format!("participation {}: closing a quarter", state.db.backend()),
        secs,
        "s",
        "the two group-by scans alone",
        scan,
        support::Better::Lower,
    );
    // Again: nothing to do.
    let t = Instant::now();
    assert!(service::close_quarters(state).await.unwrap().is_empty());
    println!(
        "  closing again: nothing written, {:.3} s",
        t.elapsed().as_secs_f64()
    );
}

async fn pages(state: &AppState, base: &str, closed: Quarter) {
    let rounds = if quick() { 100 } else { 300 };
    let (h50, h99, _) = latency(base, "/", rounds).await;
    let (s50, s99, _) = latency(
        base,
        &format!("/participation/priorities?quarter={closed}"),
        rounds,
    )
    .await;
    let (m50, m99, _) = latency(
        base,
        &format!("/participation/priorities?quarter={closed}&scope=sochi"),
        rounds,
    )
    .await;
    // The same supports, now in the current quarter: live ranks.
    let current = service::current_quarter();
    exec(
        state,
        format!("update priority_support set quarter = '{current}' where quarter = '{closed}'"),
    )
    .await;
    let (l50, l99, _) = latency(base, "/participation/priorities", rounds).await;
    println!(
        "  ranking page, p50 / p99 ms: closed quarter, the krai {s50:.1} / {s99:.1}, Sochi {m50:.1} / {m99:.1}; \
         current quarter (live, {} supports) {l50:.1} / {l99:.1}; home page {h50:.1} / {h99:.1} \
         (ratios at p50: {:.1}, {:.1}, {:.1})",
        scalar(
            state,
            &format!("select count(*) from priority_support where quarter = '{current}'")
        )
        .await,
        s50 / h50,
        m50 / h50,
        l50 / h50
    );
    let b = state.db.backend();
    for (what, value) in [
        ("ranking page, closed quarter, the krai", s50),
        ("ranking page, closed quarter, Sochi", m50),
        ("ranking page, current quarter (live)", l50),
    ] {
        support::figure(
            &format!("participation {b}: {what} p50"),
            value,
            "ms",
            "home page p50",
            h50,
            support::Better::Lower,
        );
    }
}

fn main() {
    support::runtime().block_on(async {
        let total = if quick() { 100_000 } else { 1_000_000 };
        support::on_each_backend(async |_, state, base| {
            let hash = veche::auth::password::hash(PASSWORD.to_owned())
                .await
                .unwrap();
            accounts(state, 0, CITIZENS, Some(&hash)).await;
            let krai = priorities(state).await;
            supports(state, base, &krai).await;
            let previous = service::current_quarter().previous();
            let first = scalar(state, "select max(account_id) from account").await + 1;
            bulk(state, previous, total, first, &krai).await;
            snapshot(state, previous).await;
            pages(state, base, previous).await;
        })
        .await;
    });
}
