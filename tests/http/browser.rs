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

/// The DOM after scripts ran, as Chromium serialises it (a phone's window).
fn dump_dom(browser: &str, url: &str) -> String {
    dump_dom_sized(browser, url, "412,915")
}

/// The same in a window of the given `width,height`.
fn dump_dom_sized(browser: &str, url: &str, size: &str) -> String {
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
        ])
        .arg(format!("--window-size={size}"))
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

/// Chromium, or `None` after saying loudly why the test is skipped (a
/// failure under CI=true).
pub(crate) fn chromium_or_skip() -> Option<&'static str> {
    let found = chromium();
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("Chromium is required under CI=true (apt-get install chromium)");
        }
        eprintln!(
            "\n*** SKIPPING the browser test: Chromium is not installed (apt-get install chromium).\n"
        );
    }
    found
}

/// Issue 13: with tiles turned off, the maps stand on the region the
/// browser draws itself (the 44 outlines, the towns' names) and show every
/// demo report and object; the header folds into a menu on a phone; the
/// home page shows the live figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_draws_the_demo_region_on_maps_without_tiles() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.server.demo_region = true;
        c.server.demo_scale = 5;
        // An empty tile URL turns tiles off.
        c.server.tile_url = String::new();
    })
    .await
    .unwrap();
    veche::app::prepare_demo(&app.state, true).await.unwrap();
    app.run_workers().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    let dump = |path: &'static str, size: &'static str| async move {
        tokio::task::spawn_blocking(move || {
            dump_dom_sized(browser, &format!("http://{addr}{path}"), size)
        })
        .await
        .unwrap()
    };

    // Problems: the status line counts what the API has for the whole
    // region, and every report is drawn (single or in a cluster).
    let all = app
        .get("/api/v1/problems.geojson?bbox=36.0,43.0,42.0,47.5")
        .await
        .json();
    let expected: i64 = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["count"].as_i64().unwrap_or(1))
        .sum();
    assert!(expected > 10, "the demo has reports: {expected}");
    let map = dump("/problems/map", "1280,900").await;
    assert!(
        map.contains(r#"data-base-ready="1""#),
        "the region was drawn"
    );
    assert!(
        map.matches("base-outline").count() >= 44,
        "the 44 outlines: {}",
        map.matches("base-outline").count()
    );
    assert!(map.contains("base-town"), "the towns are named");
    assert!(
        !map.contains("leaflet-tile-container"),
        "no tile layer: tiles are off"
    );
    let status = map
        .split(r#"id="problems-map-status""#)
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .map(|(_, s)| s.split('<').next().unwrap_or(""))
        .unwrap_or("");
    assert_eq!(
        status,
        format!("Обращений в этой области: {expected}"),
        "every report is on the map"
    );

    // Construction: a marker per object.
    let objects = app.scalar("select count(*) from construction_object").await;
    let map = dump("/construction", "1280,900").await;
    assert!(map.contains(r#"data-base-ready="1""#));
    assert!(
        map.contains(&format!(r#"data-markers="{objects}""#)),
        "{objects} objects drawn"
    );

    // The home page on a phone: the figures, the latest reports on their
    // map, the region under it, the menu folded behind its button.
    let home = dump("/", "390,844").await;
    for id in [
        "fig-month",
        "fig-on-time",
        "fig-overdue",
        "fig-datasets",
        "fig-objects",
    ] {
        assert!(home.contains(&format!(r#"id="{id}""#)), "no {id}");
    }
    assert!(home.contains(r#"id="latest-map""#) && home.contains("leaflet-marker-icon"));
    assert!(home.contains(r#"data-base-ready="1""#));
    assert!(home.contains(r#"class="has-menu""#), "the menu script ran");
    let toggle = home.split(r#"id="menu-toggle""#).nth(1).unwrap();
    let toggle = toggle.split('>').next().unwrap();
    assert!(
        toggle.contains(r#"aria-expanded="false""#) && !toggle.contains("hidden"),
        "the menu button is shown, closed: {toggle}"
    );
}
