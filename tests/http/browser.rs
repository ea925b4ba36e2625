//! Headless Chromium renders real pages served over TCP, with scripts, and
//! without map tiles (nothing on the internet is reachable): the test reads
//! the DOM the browser built.

use std::process::Command;

use crate::helpers::{Backend, TestApp};

fn chromium() -> Option<&'static str> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
}

/// The DOM after scripts ran, as Chromium serialises it.
fn dump_dom(browser: &str, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=8000",
            "--window-size=412,915",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_renders_the_home_page_and_a_municipality_map_without_tiles() {
    let Some(browser) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("Chromium is required under CI=true (apt-get install chromium)");
        }
        eprintln!(
            "\n*** SKIPPING the browser test: Chromium is not installed (apt-get install chromium chromium-driver).\n"
        );
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));

    let home = tokio::task::spawn_blocking(move || dump_dom(browser, &format!("http://{addr}/")))
        .await
        .unwrap();
    assert!(home.contains(r#"<html lang="ru""#));
    assert!(home.contains("Открытые данные") && home.contains("Участие"));
    assert!(
        home.contains("leaflet-container"),
        "Leaflet started on the home page"
    );
    // The overview map drew the 44 outlines fetched from the API.
    assert!(
        home.matches("leaflet-interactive").count() >= 44,
        "all municipalities drawn: {}",
        home.matches("leaflet-interactive").count()
    );

    let page = tokio::task::spawn_blocking(move || {
        dump_dom(browser, &format!("http://{addr}/municipalities/sochi"))
    })
    .await
    .unwrap();
    assert!(page.contains("<h1>Сочи</h1>"));
    assert!(
        page.contains(r#"data-map-ready="1""#),
        "the map script finished"
    );
    let polygon = page
        .split("<path")
        .skip(1)
        .find(|p| p.contains("leaflet-interactive"))
        .expect("the municipality's polygon is on the map");
    let d = polygon
        .split("d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(d.len() > 200, "a real outline, not a dot: {d}");
    assert!(page.contains("OpenStreetMap"), "the attribution is shown");

    // The map of problem reports: markers for the reports in view, drawn by
    // the browser from the bounding-box GeoJSON.
    crate::problems::set(&app, "premoderation", "off").await;
    crate::problems::citizen(&app, "map@example.ru", "Картограф").await;
    crate::problems::sign_in_as(&app, "map@example.ru").await;
    for (lat, lon) in [
        ("45.0355", "38.9753"),
        ("45.0455", "38.9853"),
        ("43.5855", "39.7231"),
    ] {
        let r = crate::problems::file(&app, "road-pothole", (lat, lon), "Яма на карте.", &[]).await;
        crate::problems::id_from(&r);
    }
    let map = tokio::task::spawn_blocking(move || {
        dump_dom(browser, &format!("http://{addr}/problems/map"))
    })
    .await
    .unwrap();
    assert!(
        map.contains(r#"data-map-ready="1""#),
        "the map script finished"
    );
    assert!(
        map.contains("Обращений в этой области: 3"),
        "the status line counts the reports in view"
    );
    assert!(map.contains("leaflet-marker-icon"), "markers are drawn");

    // A long list (the 44 municipalities of the filter) gets a search box.
    let list =
        tokio::task::spawn_blocking(move || dump_dom(browser, &format!("http://{addr}/problems")))
            .await
            .unwrap();
    assert!(
        list.contains("class=\"select-filter\"")
            && list.contains("aria-controls=\"f-municipality\""),
        "the search box is above the list"
    );

    // The construction registry's map: a marker per object and its
    // footprint as a polygon.
    let mut tx = app.state.db.begin().await.unwrap();
    for (lat, lon, footprint) in [
        (
            "45.0355",
            "38.9753",
            Some(
                r#"{"type":"Polygon","coordinates":[[[38.975,45.035],[38.976,45.035],[38.976,45.036],[38.975,45.035]]]}"#,
            ),
        ),
        ("43.5855", "39.7231", None),
    ] {
        let input = veche::construction::domain::ObjectForm {
            name: "Дом".into(),
            lat: lat.into(),
            lon: lon.into(),
            footprint: footprint.unwrap_or_default().into(),
            status: "under_construction".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        veche::construction::queries::insert(&mut tx, &input, false, "officer")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let map = tokio::task::spawn_blocking(move || {
        dump_dom(browser, &format!("http://{addr}/construction"))
    })
    .await
    .unwrap();
    assert!(
        map.contains(r#"data-map-ready="1""#),
        "the registry map finished"
    );
    assert!(map.contains(r#"data-markers="2""#), "a marker per object");
    assert!(
        map.contains("leaflet-interactive"),
        "the footprint is drawn as a path"
    );
}
