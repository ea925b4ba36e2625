//! МЭДО at the size of a busy registry: a folder of 1,000 packages (QUICK=1:
//! 100), each a protocol of 10 clauses for the region's ministries (named
//! as «Дело» names them, so each clause is matched against the directory
//! with the stemmer) with a PDF, registered by the real gateway (read with
//! limits, acknowledged, registered, 10 orders opened with the PDF
//! attached, the receipt and the registration queued), on SQLite and on
//! PostgreSQL. Peer in the same run: reading and parsing the same packages
//! alone.
//!
//! Then the time from a report of execution in veche (a comment on an
//! order, as its executor writes it) to its Исполнение package in the
//! outbound folder, through the outbox and the delivery worker, p50 and
//! p99 of 50; peer: writing the same notification package alone.
//!
//! Run: `cargo bench --bench medo` (QUICK=1: 100 packages).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser;
use support::{quick, scalar};
use veche::app::AppState;
use veche::cli::Cli;
use veche::integration::medo as md;

const CLAUSES: u64 = 10;
const MINISTRIES: &[&str] = &[
    "Министерство транспорта и дорожного хозяйства Краснодарского края",
    "Министерство здравоохранения Краснодарского края",
    "Министерство культуры Краснодарского края",
    "Министерство финансов Краснодарского края",
    "Министерство труда и социального развития Краснодарского края",
];
const DELO: &str = "a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607";

fn addressee(name: &str) -> md::Addressee {
    md::Addressee {
        uid: None,
        contact: md::Contact {
            organization: Some(md::Qualified::new(name)),
            ..md::Contact::default()
        },
        comment: None,
    }
}

/// Package `k`: a protocol of 10 clauses with its PDF.
fn write_package(dir: &Path, k: u64) {
    let today = time::OffsetDateTime::now_utc().date();
    let clauses = (1..=CLAUSES)
        .map(|n| md::Clause {
            local_id: Some(n),
            id: Some(format!("{k}-{n}")),
            designation: Some(format!("{n}.")),
            text: Some(format!(
                "Обеспечить исполнение мероприятия {n} протокола {k} и доложить."
            )),
            deadline: Some(today + time::Duration::days(10 + n as i64)),
            principal: Some(md::Executors::One(addressee(
                MINISTRIES[(k + n) as usize % MINISTRIES.len()],
            ))),
            participants: Vec::new(),
            comment: None,
        })
        .collect();
    let document = md::Document {
        uid: md::Guid::new(),
        id: Some(k.to_string()),
        kind: Some(md::Qualified::new("Протокол")),
        num: md::DocNumber {
            number: format!("{k}-пр"),
            date: Some(today),
        },
        classification: None,
        urgency: None,
        signatories: vec![md::Signatory {
            contact: md::Contact {
                organization: Some(md::Qualified::new("Администрация Краснодарского края")),
                ..md::Contact::default()
            },
            signed: today,
            comment: None,
        }],
        addressees: MINISTRIES.iter().map(|m| addressee(m)).collect(),
        pages: 2,
        enclosures_pages: None,
        annotation: Some(format!("Протокол совещания № {k}-пр")),
        enclosures: Vec::new(),
        correspondents: Vec::new(),
        clauses,
        executor: None,
        comment: None,
        files: vec![md::AttachedFile {
            local_name: "text.pdf".into(),
            local_id: Some(0),
            file_type: Some(md::FileType::Pdf),
            group: md::FileGroup::DocumentText,
            description: None,
            pages: Some(2),
        }],
    };
    let c = md::Communication {
        header: md::Header {
            uid: Some(md::Guid::new()),
            created: Some(md::Timestamp::from(time::OffsetDateTime::now_utc())),
            source: md::Party {
                uid: md::Guid::parse(DELO).unwrap(),
                name: "Администрация Краснодарского края".into(),
                comment: None,
            },
            operator: None,
            comment: None,
        },
        body: md::Body::Document(Box::new(document)),
        delivery: Vec::new(),
    };
    let xml = md::to_xml(&c, md::Charset::Windows1251).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let envelope = md::Envelope::new(
        format!("ЭСД МЭДО ({k}-пр)"),
        vec!["KRD-MEDO~VECHE".into()],
        time::PrimitiveDateTime::new(now.date(), now.time()),
    );
    let pdf = format!("%PDF-1.4\n% protocol {k}\n{}\n%%EOF\n", "x".repeat(20_000));
    md::write_package(
        &dir.join(format!("{k:06}")),
        &envelope,
        "document.xml",
        &xml,
        &[("text.pdf", pdf.as_bytes())],
    )
    .unwrap();
}

async fn state(database_url: Option<String>, dir: &Path) -> AppState {
    let mut cli = Cli::try_parse_from([
        "veche",
        "--data-dir",
        dir.to_str().unwrap(),
        "--log",
        "warn",
    ])
    .unwrap();
    cli.config.database_url = database_url.map(Into::into);
    cli.config.mail.smtp_url = None;
    cli.config.server.demo_region = false;
    cli.config.press.poll = false;
    cli.config.integration.medo_poll = false;
    AppState::build(cli.config).await.unwrap()
}

fn main() {
    support::runtime().block_on(async {
        let n = if quick() { 100 } else { 1000 };
        let source = tempfile::tempdir().unwrap();
        for k in 0..n {
            write_package(source.path(), k);
        }
        // Peer: reading and parsing the packages alone.
        let t = Instant::now();
        for k in 0..n {
            md::read_package(&source.path().join(format!("{k:06}")), &md::Limits::default()).unwrap();
        }
        let parse_s = t.elapsed().as_secs_f64();
        println!("{n} packages of {CLAUSES} clauses; reading and parsing alone: {parse_s:.2} s = {:.0} packages/s", n as f64 / parse_s);
        for backend in support::BACKENDS {
            let dir = tempfile::tempdir().unwrap();
            let Some(url) = support::database(backend).await else { continue };
            println!("{backend}:");
            let state = state(url, dir.path()).await;
            let inbound = dir.path().join("in");
            let outbound = dir.path().join("out");
            std::fs::create_dir_all(&inbound).unwrap();
            for k in 0..n {
                let from = source.path().join(format!("{k:06}"));
                let to = inbound.join(format!("{k:06}"));
                std::fs::create_dir_all(&to).unwrap();
                for f in std::fs::read_dir(&from).unwrap() {
                    let f = f.unwrap();
                    std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
                }
            }
            let transport = md::partner::check(DELO, inbound.to_str().unwrap(), outbound.to_str().unwrap(), "windows-1251").unwrap();
            veche::integration::partners::upsert(
                &state.db,
                &veche::integration::partners::NewPartner {
                    partner_id: "delo",
                    name: "Дело",
                    kind: "medo",
                    url: None,
                    secret: &"s".repeat(40),
                    all_organisations: false,
                    organisations: &["governor".to_owned()],
                    medo: Some(&transport),
                },
            )
            .await
            .unwrap();
            let t = Instant::now();
            let mut registered = 0;
            loop {
                let round = md::gateway::poll_settled(&state, Duration::ZERO).await.unwrap();
                registered += round.registered;
                if round == md::gateway::Round::default() {
                    break;
                }
            }
            let took = t.elapsed().as_secs_f64();
            assert_eq!(registered as u64, n);
            let orders = scalar(&state, "select count(*) from pm_order where source = 'document'").await;
            assert_eq!(orders as u64, n * CLAUSES);
            println!(
                "  registered {registered} documents ({orders} orders) in {took:.2} s = {:.1} documents/s, {:.0} clauses/s; {:.1}× the time of parsing alone",
                n as f64 / took,
                (n * CLAUSES) as f64 / took,
                took / parse_s
            );
            support::figure(
                &format!("medo {}: protocols registered by the gateway", state.db.backend()),
                n as f64 / took,
                "documents/s",
                "reading and parsing the packages alone",
                n as f64 / parse_s,
                support::Better::Higher,
            );
            // The receipts and registrations.
            let t = Instant::now();
            while state.exchange.deliver_pending(&state).await.unwrap() > 0 {}
            println!("  {} receipts and registrations written in {:.2} s", 2 * n, t.elapsed().as_secs_f64());
            // From a report of execution to its Исполнение package.
            tokio::spawn(state.exchange.clone().run(state.clone()));
            let first = scalar(&state, "select min(order_id) from pm_order where source = 'document' and parent_id is null").await;
            veche::pm::orders::act(&state, first, veche::pm::orders::Actor::System, veche::pm::domain::OrderAction::Accept, &[]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut times = Vec::new();
            for i in 0..50 {
                let before = std::fs::read_dir(&outbound).unwrap().count();
                let t = Instant::now();
                veche::pm::orders::act(
                    &state,
                    first,
                    veche::pm::orders::Actor::System,
                    veche::pm::domain::OrderAction::Comment { text: format!("Выполнено {i} из 50") },
                    &[],
                )
                .await
                .unwrap();
                while std::fs::read_dir(&outbound).unwrap().count() == before {
                    tokio::time::sleep(Duration::from_micros(200)).await;
                }
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            // Peer: the same package written alone.
            let peer_dir = dir.path().join("peer");
            std::fs::create_dir_all(&peer_dir).unwrap();
            let mut peer = Vec::new();
            for i in 0..50 {
                let xml = vec![b' '; 2000];
                let now = time::OffsetDateTime::now_utc();
                let env = md::Envelope::new("Исполнение", vec![DELO.into()], time::PrimitiveDateTime::new(now.date(), now.time()));
                let t = Instant::now();
                md::write_package(&peer_dir.join(i.to_string()), &env, "document.xml", &xml, &[]).unwrap();
                peer.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            peer.sort_by(f64::total_cmp);
            let (p50, p99) = (support::percentile(&times, 0.5), support::percentile(&times, 0.99));
            let (q50, q99) = (support::percentile(&peer, 0.5), support::percentile(&peer, 0.99));
            println!(
                "  report of execution → Исполнение in the outbound folder: p50 {p50:.1} ms, p99 {p99:.1} ms; \
                 writing the package alone: p50 {q50:.1} ms, p99 {q99:.1} ms ({:.1}× at p50)",
                p50 / q50
            );
            support::figure(
                &format!("medo {}: report of execution to its Исполнение package p50", state.db.backend()),
                p50,
                "ms",
                "writing the package alone p50",
                q50,
                support::Better::Lower,
            );
            state.db.close().await;
        }
    });
}
