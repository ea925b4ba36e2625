//! Property tests of the query parsers anyone can reach: nesting, huge
//! tokens and random bytes never panic and always give a result or an
//! error within a time budget. (A stack overflow is an abort, which no test
//! harness survives: before the depth limit these tests killed the test
//! process itself.)

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use veche::opendata::domain::{FieldDef, FieldFormat};
use veche::opendata::{query, table::TableRequest};

/// Generous for an unoptimised build on a busy 2-core machine; a parser that
/// backtracks exponentially or walks a huge input repeatedly blows it.
const BUDGET: Duration = Duration::from_millis(500);

/// Pieces of the CKAN/Solr query language, mixed into hostile sequences.
fn solr_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("-".to_owned()),
        Just("+".to_owned()),
        Just(" NOT ".to_owned()),
        Just(" AND ".to_owned()),
        Just(" OR ".to_owned()),
        Just("title:".to_owned()),
        Just("organization:".to_owned()),
        Just("metadata_modified:[".to_owned()),
        Just(" TO ".to_owned()),
        Just("]".to_owned()),
        Just("{* TO NOW}".to_owned()),
        Just("\"".to_owned()),
        Just("*:*".to_owned()),
        "[a-zа-я]{1,12}",
        "\\PC{0,8}",
    ]
}

fn hostile_query() -> impl Strategy<Value = String> {
    prop_oneof![
        // Random text, any characters.
        "\\PC{0,5000}",
        // Query-language pieces in any order, up to thousands.
        proptest::collection::vec(solr_piece(), 0..3000).prop_map(|v| v.concat()),
        // Deep nesting of one kind, with something inside.
        (
            1usize..20_000,
            prop_oneof![Just("("), Just("-"), Just("NOT "), Just("title:(")]
        )
            .prop_map(|(n, open)| format!("{}парк{}", open.repeat(n), ")".repeat(n))),
        // One huge token.
        (1usize..200_000).prop_map(|n| "я".repeat(n)),
        // Random bytes, as lossy text.
        proptest::collection::vec(any::<u8>(), 0..4000)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn timed<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    prop_assert!(
        took < BUDGET,
        "{what} took {took:?} on {} chars starting {:?}",
        input.chars().count(),
        input.chars().take(40).collect::<String>()
    );
    Ok(out)
}

#[test]
fn the_ckan_query_parser_never_panics_and_stays_within_budget() {
    runner(600)
        .run(&hostile_query(), |q| {
            let parsed = timed("query::parse", &q, || query::parse(&q))?;
            if let Ok(e) = &parsed {
                // What parses is validated and walked without trouble too.
                let _ = query::validate(e);
                let mut terms = Vec::new();
                query::text_terms(e, &mut terms);
            } else {
                // Refusals say what is wrong.
                prop_assert!(!parsed.unwrap_err().0.is_empty());
            }
            timed("query::parse_sort", &q, || query::parse_sort(&q))?.ok();
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_table_filter_parser_never_panics_and_stays_within_budget() {
    let fields = vec![
        FieldDef {
            name: "name".into(),
            en: "Name".into(),
            ru: "Название".into(),
            format: FieldFormat::String { max: None },
        },
        FieldDef {
            name: "population".into(),
            en: "Population".into(),
            ru: "Население".into(),
            format: FieldFormat::Integer,
        },
        FieldDef {
            name: "founded".into(),
            en: "Founded".into(),
            ru: "Основан".into(),
            format: FieldFormat::Date,
        },
    ];
    let key = prop_oneof![
        Just("name".to_owned()),
        Just("population__gt".to_owned()),
        Just("population__in".to_owned()),
        Just("name__contains".to_owned()),
        Just("founded__lte".to_owned()),
        Just("_sort".to_owned()),
        Just("_size".to_owned()),
        Just("_next".to_owned()),
        Just("_filter_column".to_owned()),
        Just("_filter_op".to_owned()),
        Just("_filter_value".to_owned()),
        "\\PC{0,30}",
    ];
    let pairs = proptest::collection::vec((key, hostile_query()), 0..40);
    runner(300)
        .run(&pairs, |pairs| {
            let joined: String = pairs.iter().map(|(k, v)| format!("{k}={v}&")).collect();
            timed("TableRequest::parse", &joined, || {
                TableRequest::parse(&pairs, &fields)
            })?
            .ok();
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_search_index_grammar_never_panics_and_stays_within_budget() {
    let dir = tempfile::tempdir().unwrap();
    let index =
        veche::search::SearchIndex::open(dir.path(), veche::features::search_sources()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runner(300)
        .run(&hostile_query(), |q| {
            let r = timed("SearchIndex::search", &q, || {
                rt.block_on(index.search(&q, None, 10, 0))
            })?;
            prop_assert!(r.is_ok(), "search failed: {:?}", r.err());
            let r = timed("SearchIndex::search_nums", &q, || {
                rt.block_on(index.search_nums(&q, "dataset"))
            })?;
            prop_assert!(r.is_ok(), "search_nums failed: {:?}", r.err());
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_bbox_parser_never_panics() {
    runner(500)
        .run(&hostile_query(), |q| {
            timed("parse_bbox", &q, || veche::issues::api::parse_bbox(&q))?.ok();
            Ok(())
        })
        .unwrap();
}

/// Pieces of SDMX-ML, mixed into hostile documents.
fn sdmx_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<message:StructureSpecificData xmlns:message=\"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message\">".to_owned()),
        Just("<message:DataSet>".to_owned()),
        Just("</message:DataSet>".to_owned()),
        Just("<Series OKATO=\"03000000\" FREQ=\"A\">".to_owned()),
        Just("</Series>".to_owned()),
        Just("<Obs TIME_PERIOD=\"2024\" OBS_VALUE=\"1.5\"/>".to_owned()),
        Just("<Obs TIME_PERIOD=\"".to_owned()),
        Just("&amp;&lt;&#1058;&#x0;".to_owned()),
        Just("<!DOCTYPE x [<!ENTITY a \"b\">]>".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("<x>".to_owned()),
        "\\PC{0,12}",
    ]
}

#[test]
fn the_sdmx_reader_never_panics_and_stays_within_budget() {
    let doc = prop_oneof![
        proptest::collection::vec(sdmx_piece(), 0..3000).prop_map(|v| v.concat()),
        (1usize..20_000).prop_map(|n| format!(
            "<message:StructureSpecificData xmlns:message=\"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message\">{}",
            "<x>".repeat(n)
        )),
        hostile_query(),
    ];
    runner(300)
        .run(&doc, |d| {
            timed("sdmx::parse", &d, || {
                veche::rankings::sdmx::parse(
                    d.as_bytes(),
                    &veche::rankings::sdmx::Limits::default(),
                )
            })?
            .ok();
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_report_rule_parser_never_panics() {
    let known = |c: &str| c.len() < 3;
    runner(500)
        .run(&hostile_query(), |q| {
            timed("Expr::parse", &q, || {
                veche::reports::domain::Expr::parse(&q, &known)
            })?
            .ok();
            timed("builder::rules", &q, || {
                veche::reports::builder::rules(&q, &[])
            })?
            .ok();
            timed("builder::items", &q, || veche::reports::builder::items(&q))?.ok();
            Ok(())
        })
        .unwrap();
}
