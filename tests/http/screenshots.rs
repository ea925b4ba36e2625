//! The README's screenshots, taken from the demo region in headless
//! Chromium. Not part of the suite (it writes files); refresh them with
//!
//! ```sh
//! cargo test --test http screenshots -- --ignored
//! ```
//!
//! which writes `docs/screenshots/*.png`.

use base64::Engine;
use serde_json::{Value, json};

use crate::cdp::Browser;
use crate::helpers::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/screenshots; run by hand"]
async fn screenshots_for_the_readme() {
    let Some(chromium) = crate::browser::chromium_or_skip() else {
        return;
    };
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.server.demo_region = true;
        c.server.demo_scale = 100;
        // Tiles need the internet; the maps draw the region themselves.
        c.server.tile_url = String::new();
    })
    .await
    .unwrap();
    let accounts = veche::app::prepare_demo(&app.state, true).await.unwrap();
    app.run_workers().await;
    veche::workflow::sweeper::sweep(&app.state).await.unwrap();
    app.run_workers().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    let base = format!("http://{addr}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&out).unwrap();

    let report = app
        .scalar("select min(appeal_id) from appeal where kind = 'problem' and state = 'resolved'")
        .await;
    let browser = Browser::launch(chromium).await;
    let mut page = browser.page().await;
    page.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 860, "deviceScaleFactor": 1, "mobile": false }),
    )
    .await;
    let shoot = async |page: &mut crate::cdp::Page, path: &str, name: &str| {
        page.goto(&format!("{base}{path}")).await;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let shot = page
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(out.join(format!("{name}.png")), png).unwrap();
    };
    shoot(&mut page, "/", "home").await;
    shoot(&mut page, &format!("/problems/{report}"), "report").await;
    shoot(&mut page, "/problems/map", "problems-map").await;
    shoot(&mut page, "/construction", "construction-map").await;
    let admin = accounts
        .iter()
        .find(|a| a.role.en == "Administrator")
        .unwrap();
    page.goto(&format!("{base}/auth/login")).await;
    page.eval(&format!(
        "(function () {{ var f = document.querySelector('form[action=\"/auth/login\"]');
           f.querySelector('[name=email]').value = {};
           f.querySelector('[name=password]').value = {};
           f.submit(); }})()",
        Value::from(admin.email.as_str()),
        Value::from(veche::demo::accounts::PASSWORD)
    ))
    .await;
    page.settle().await;
    shoot(&mut page, "/pm", "pm-dashboard").await;
}
