//! Real clients against a real server over TCP: `ckanapi` (the CKAN client
//! harvesters use) lists, shows and searches; `rdflib` parses the DCAT
//! documents in all three formats; `schemathesis` fuzzes every operation of
//! `/api/openapi.json`. They run in the Python environment that `.ci/run`
//! prepares (`target/pyenv`, or `VECHE_TEST_PYTHON`); without it they are
//! skipped with a loud message, except under `CI=true`.

use std::process::Command;
use std::time::Instant;

use crate::helpers::{Backend, TestApp};

pub fn python_with(modules: &[&str]) -> Option<String> {
    // `target/` of the checkout (CI, a clean clone), or a shared
    // CARGO_TARGET_DIR (several worktrees building into one directory).
    let candidates = [
        std::env::var("VECHE_TEST_PYTHON").ok(),
        Some(format!(
            "{}/target/pyenv/bin/python",
            env!("CARGO_MANIFEST_DIR")
        )),
        std::env::var("CARGO_TARGET_DIR")
            .ok()
            .map(|t| format!("{t}/pyenv/bin/python")),
    ];
    let found = candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .arg("-c")
            .arg(format!("import {}", modules.join(", ")))
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        let why = format!(
            "no Python with {} (run `bash .ci/run` once, or set VECHE_TEST_PYTHON)",
            modules.join(", ")
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}");
        }
        eprintln!("\n*** SKIPPING a real-client test: {why}.\n");
    }
    found
}

pub async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    format!("http://{addr}")
}

fn run(python: &str, script: &str, base: &str) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(base)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ckanapi_lists_shows_and_searches_as_if_talking_to_ckan() {
    let Some(python) = python_with(&["ckanapi"]) else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let base = serve(&app).await;
    let script = r#"
import json, sys, ckanapi
for get_only in (False, True):
    ckan = ckanapi.RemoteCKAN(sys.argv[1], user_agent="veche-test/1.0", get_only=get_only)
    names = ckan.action.package_list()
    assert names == ["2308371192-staffing", "2309189066-initiative-conclusions", "2309189066-initiatives", "2309189066-priority-ranks", "2309189066-publications", "2309189066-service-ratings", "2309650015-construction", "2309650015-illegal-constructions", "2312823003-municipalities", "2312823003-organisations", "2312823003-problems", "2312823003-towns"], names
    p = ckan.action.package_show(id="2312823003-towns")
    assert p["title"] == "Города Краснодарского края"
    r = ckan.action.package_search(q="город", fq="organization:min-digital", rows=1000, **{"facet.field": ["tags", "res_format"]})
    assert r["count"] == 1 and r["results"][0]["name"] == "2312823003-towns", r["count"]
    assert "res_format" in r["search_facets"]
    try:
        ckan.action.package_show(id="nope")
        raise SystemExit("expected NotFound")
    except ckanapi.NotFound:
        pass
    try:
        ckan.action.package_search(fq="colour:red")
        raise SystemExit("expected SearchQueryError")
    except ckanapi.SearchQueryError:
        pass
    try:
        ckan.action.package_search(rows=5000)
        raise SystemExit("expected ValidationError")
    except ckanapi.ValidationError:
        pass
    orgs = ckan.action.organization_list(all_fields=True, limit=1000)
    assert any(o["name"] == "min-digital" and o["package_count"] == 4 for o in orgs)
    rid = p["resources"][0]["id"]
    # Over GET a filter object has to travel as a JSON string (requests would
    # flatten a dict), exactly as with CKAN itself.
    filters = {"municipality_id": "sochi"}
    d = ckan.action.datastore_search(resource_id=rid, filters=json.dumps(filters) if get_only else filters)
    assert d["records"][0]["name"] == "Сочи", d
    assert ckan.action.status_show()["ckan_version"]
print("ok")
"#;
    assert_eq!(run(&python, script, &base).trim(), "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rdflib_reads_the_dcat_catalogue_in_every_format() {
    let Some(python) = python_with(&["rdflib"]) else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let base = serve(&app).await;
    let script = r#"
import sys, urllib.request, rdflib
from rdflib.namespace import DCAT, RDF, DCTERMS
base = sys.argv[1]
for ext, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")):
    g = rdflib.Graph()
    g.parse(data=urllib.request.urlopen(f"{base}/catalog.{ext}").read(), format=fmt)
    datasets = set(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 12, (ext, len(datasets))
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    for d in datasets:
        assert g.value(d, DCTERMS.title) is not None
        assert g.value(d, DCTERMS.description) is not None
        for dist in g.objects(d, DCAT.distribution):
            assert g.value(dist, DCAT.accessURL) is not None, dist
    one = rdflib.Graph()
    one.parse(data=urllib.request.urlopen(f"{base}/dataset/2312823003-towns.{ext}").read(), format=fmt)
    assert len(set(one.subjects(RDF.type, DCAT.Dataset))) == 1
print("ok")
"#;
    assert_eq!(run(&python, script, &base).trim(), "ok");
}

/// schemathesis (property-based testing from the OpenAPI document) against
/// every operation of `/api/openapi.json`, with every check: a 500, a status
/// or body the document does not describe, a valid input refused or an
/// invalid one accepted is a failure. The write APIs are fuzzed too, with a
/// construction officer's API token and an Open311 key. Per-operation
/// exceptions, each with its reason, are in `tests/schemathesis.toml`.
///
/// By hand: `target/pyenv/bin/schemathesis --config-file tests/schemathesis.toml
/// run http://127.0.0.1:8080/api/openapi.json --checks all --max-examples 30`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_in_any_documented_operation() {
    let Some(python) = python_with(&["schemathesis"]) else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = crate::opendata_api::token_for(
        &app,
        "fuzz@nadzor.example",
        Some("dep-construction-supervision"),
    )
    .await;
    let key = crate::open311::issue_key(&app, "schemathesis").await;
    let base = serve(&app).await;
    let cli = std::path::Path::new(&python).with_file_name("schemathesis");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let report = app.dir.path().join("schemathesis");
    let started = Instant::now();
    let out = tokio::task::spawn_blocking({
        let report = report.clone();
        move || {
            Command::new(cli)
                .env("VECHE_OPEN311_KEY", key)
                .env("NO_COLOR", "1")
                .args(["--config-file", config, "run"])
                .arg(format!("{base}/api/openapi.json"))
                // Bounded for two shared cores: 30 cases an operation and a
                // budget well under three minutes. One worker: with two
                // threads, CPython 3.11's `ast` (which hypothesis uses to
                // describe its filters) is not thread-safe and fails the
                // run now and then with "AST constructor recursion depth
                // mismatch", an error of the tool, not of veche.
                .args(["--checks", "all", "--max-examples", "30", "--workers", "1"])
                .args(["--max-time", "150", "--seed", "1", "--no-color"])
                .args(["--generation-database", "none"])
                .arg("--header")
                .arg(format!("Authorization: Bearer {token}"))
                .args(["--report", "junit", "--report-dir"])
                .arg(&report)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The summary's figures sit on the lines under its headings, e.g.
    // "Test cases:" / "  6983 generated, 6983 passed".
    let lines: Vec<&str> = stdout.lines().collect();
    let summary = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("Test cases:") || l.starts_with("API Operations:"))
        .flat_map(|(i, _)| lines[i..(i + 3).min(lines.len())].iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!(
        "schemathesis in {:.0} s:\n{summary}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
