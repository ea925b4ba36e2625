//! Snapshots of what outside programs parse (issue 11): the CKAN actions,
//! Open311, DCAT, the MR 3.0 machine files and the integration envelopes,
//! taken through HTTP on both backends (one snapshot each: both must answer
//! the same). A restructuring of the code must leave them as they are.
//!
//! Times, dates, version stamps, uuids, hashes and message ids change from
//! run to run and are replaced by placeholders. A deliberate change of an
//! interface is reviewed with `cargo insta review` (or accepted with
//! `INSTA_UPDATE=always cargo test --test http snapshots`).

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{KRASNODAR, citizen, file, id_from, set, sign_in_as};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    // PostgreSQL keeps JSON (jsonb) with its keys in its own order.
    s.set_sort_maps(true);
    for (pattern, placeholder) in [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        (r"\b[0-9a-f]{64}\b", "[sha256]"),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
            "[time]",
        ),
        (r"\b\d{4}-\d{2}-\d{2}\b", "[date]"),
        (r"\b20\d{6}(T\d{6})?\b", "[stamp]"),
        (r"\b\d{2}\.\d{2}\.\d{4}\b", "[date]"),
        // RFC 2822 dates of feeds and HTTP.
        (
            r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}",
            "[time]",
        ),
    ] {
        s.add_filter(pattern, placeholder);
    }
    s
}

/// The body of a `GET` that must succeed: JSON pretty-printed (so a diff
/// names the field), anything else as it is.
async fn body(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    match serde_json::from_str::<serde_json::Value>(&r.body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap(),
        Err(_) => r.body,
    }
}

fn name_of(path: &str) -> String {
    path.trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

both_backends!(machine_interfaces_keep_their_shape, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "snapshot@example.ru", "Житель Снимков").await;
    sign_in_as(&app, "snapshot@example.ru").await;
    id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у остановки", &[]).await);

    // The envelopes the portal wrote for the core, before delivery.
    let envelopes: Vec<String> = veche::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar::<_, String>(
            "select cast(payload as text) from outbox where queue = 'integration' order by outbox_id",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    });
    assert!(!envelopes.is_empty(), "the report was sent to the core");
    let envelopes: Vec<serde_json::Value> = envelopes
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();

    app.run_workers().await;
    app.state.catalogue.invalidate();
    let show = app
        .get("/api/3/action/package_show?id=2312823003-municipalities")
        .await
        .json();
    let resource = show["result"]["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut paths = vec![
        "/api/3/action/package_show?id=2312823003-municipalities".to_owned(),
        "/api/3/action/package_list".to_owned(),
        "/api/3/action/organization_list".to_owned(),
        format!("/api/3/action/datastore_search?resource_id={resource}&limit=2&sort=id"),
        "/api/3/action/status_show".to_owned(),
        "/open311/v2/discovery.json".to_owned(),
        "/open311/v2/services.json".to_owned(),
        "/open311/v2/services.xml".to_owned(),
        "/open311/v2/requests.json".to_owned(),
        "/open311/v2/requests.xml".to_owned(),
        "/dataset/2312823003-municipalities.jsonld".to_owned(),
        "/dataset/2312823003-municipalities.ttl".to_owned(),
        "/dataset/2312823003-municipalities.rdf".to_owned(),
        "/opendata/list.csv".to_owned(),
        "/opendata/list.json".to_owned(),
        "/opendata/list.xml".to_owned(),
        "/opendata/2312823003-municipalities/meta.csv".to_owned(),
        "/opendata/2312823003-municipalities/meta.json".to_owned(),
        "/opendata/2312823003-municipalities/meta.xml".to_owned(),
    ];
    paths.sort();
    let settings = settings();
    for path in &paths {
        let text = body(&app, path).await;
        let name = name_of(path.split('?').next().unwrap());
        let name = if path.contains("datastore_search") {
            "api_3_action_datastore_search".to_owned()
        } else if path.contains('?') {
            format!("{name}_{}", name_of(path.split('?').nth(1).unwrap()))
        } else {
            name
        };
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
    settings.bind(|| insta::assert_json_snapshot!("integration_envelopes", envelopes));
});
