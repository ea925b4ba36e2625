//! An initiative's page at the size of a popular one, on SQLite and on
//! PostgreSQL (a throwaway cluster, as in the tests), over real HTTP on
//! loopback: 5,000 comments (4,000 threads and 1,000 replies) and 300
//! annotations on a text of 40 articles, its second version open. p50 / p99
//! of the page (the discussion's first page and a late one), beside the
//! home page measured in the same run.
//!
//! Run: `cargo bench --bench lawmaking` (QUICK=1: fewer rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use support::{exec, latency, quick, scalar};
use veche::app::AppState;

const COMMENTS: usize = 5_000;
const REPLIES: usize = 1_000;
const ANNOTATIONS: usize = 300;
const ARTICLES: usize = 40;
const PARAGRAPHS: usize = 6;

fn text(version: usize) -> String {
    let mut s = String::new();
    for a in 1..=ARTICLES {
        s.push_str(&format!("Статья {a}. Положение {a}\n"));
        for p in 1..=PARAGRAPHS {
            let tail = if version == 2 && p == 1 {
                " в новой редакции"
            } else {
                ""
            };
            s.push_str(&format!(
                "Абзац {p} статьи {a} устанавливает порядок благоустройства дворов и участия жителей{tail}.\n"
            ));
        }
        s.push('\n');
    }
    veche::participation::lawmaking::text::Document::parse(&s)
        .unwrap()
        .to_text()
}

/// One initiative in the text stage with two versions, its discussion
/// and its annotations, written in bulk.
async fn initiative(state: &AppState) -> i64 {
    let now = "2026-01-01T00:00:00Z";
    let people: Vec<String> = (0..1000)
        .map(|i| {
            format!(
                "('l{i}@bench.test', 'l{i}@bench.test', 'Житель {i}', '{now}', '{now}', '{now}')"
            )
        })
        .collect();
    exec(
        state,
        format!(
            "insert into account (email, email_norm, display_name, email_confirmed_at, created_at, updated_at) values {}",
            people.join(",")
        ),
    )
    .await;
    let first = scalar(state, "select min(account_id) from account").await;
    exec(
        state,
        format!(
            "insert into initiative (title, problem, idea, level, initiator_kind, author_id, organisation_id, \
             stage, supports_needed, support_count, stage_started_at, created_at, updated_at) values \
             ('Закон о дворах', 'Проблема.', 'Идея.', 'region', 'citizen', {first}, 'min-energy-housing', \
             'text', 1000, 1000, '{now}', '{now}', '{now}')"
        ),
    )
    .await;
    let id = scalar(state, "select max(initiative_id) from initiative").await;
    for v in 1..=2 {
        exec(
            state,
            format!(
                "insert into initiative_version (initiative_id, number, body, changelog, author_id, created_at) \
                 values ({id}, {v}, '{}', 'Редакция {v}', {first}, '{now}')",
                text(v)
            ),
        )
        .await;
    }
    let v1 = scalar(state, "select min(version_id) from initiative_version").await;
    let rows: Vec<String> = (0..COMMENTS - REPLIES)
        .map(|i| {
            format!(
                "({id}, null, {}, 'Комментарий номер {i}: поддерживаю идею, но прошу уточнить сроки.', '{now}')",
                first + (i % 1000) as i64
            )
        })
        .collect();
    for chunk in rows.chunks(1000) {
        exec(
            state,
            format!(
                "insert into initiative_comment (initiative_id, parent_id, author_id, body, created_at) values {}",
                chunk.join(",")
            ),
        )
        .await;
    }
    exec(
        state,
        "update initiative_comment set thread_id = comment_id where parent_id is null".into(),
    )
    .await;
    let top = scalar(state, "select min(comment_id) from initiative_comment").await;
    let replies: Vec<String> = (0..REPLIES)
        .map(|i| {
            format!(
                "({id}, {0}, {0}, {1}, 'Ответ номер {i}.', '{now}')",
                top + (i * 4) as i64,
                first + ((i + 7) % 1000) as i64
            )
        })
        .collect();
    exec(
        state,
        format!(
            "insert into initiative_comment (initiative_id, parent_id, thread_id, author_id, body, created_at) values {}",
            replies.join(",")
        ),
    )
    .await;
    let notes: Vec<String> = (0..ANNOTATIONS)
        .map(|i| {
            let (a, p) = (i % ARTICLES + 1, i % PARAGRAPHS + 1);
            // The first paragraphs change in version 2; the quote of the
            // others still stands.
            format!(
                "({id}, {v1}, '{a}.{p}', 'порядок благоустройства', 'Замечание {i}.', {}, '{now}')",
                first + i as i64
            )
        })
        .collect();
    exec(
        state,
        format!(
            "insert into initiative_annotation (initiative_id, version_id, paragraph, quote, body, author_id, created_at) values {}",
            notes.join(",")
        ),
    )
    .await;
    id
}

fn main() {
    support::runtime().block_on(async {
        let rounds = if quick() { 100 } else { 400 };
        support::on_each_backend(async |_, state, base| {
            let id = initiative(state).await;
            let page = format!("/participation/lawmaking/{id}");
            // Warm up, and check the page shows what it should.
            let body = reqwest::get(format!("{base}{page}")).await.unwrap().text().await.unwrap();
            assert!(body.contains(&format!("({COMMENTS})")), "the discussion counts every comment");
            assert!(body.contains("<mark>порядок благоустройства</mark>"), "annotations are marked");
            let (h50, h99, hs) = latency(base, "/", rounds).await;
            let (p50, p99, ps) = latency(base, &page, rounds).await;
            let (l50, l99, _) = latency(base, &format!("{page}?page=70"), rounds).await;
            println!(
                "  initiative page ({COMMENTS} comments, {ANNOTATIONS} annotations, {} KB): p50 {p50:.1} ms, p99 {p99:.1} ms; \
                 discussion page 70: {l50:.1} / {l99:.1} ms; home page ({} KB) {h50:.1} / {h99:.1} ms (ratio at p50 {:.1})",
                ps / 1024,
                hs / 1024,
                p50 / h50
            );
            let b = state.db.backend();
            for (what, value) in [
                ("initiative page", p50),
                ("discussion page 70", l50),
            ] {
                support::figure(
                    &format!("lawmaking {b}: {what} p50"),
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
