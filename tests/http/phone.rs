//! The citizens' phone app (issue 13): installable (manifest, service
//! worker), a report written without a signal is kept on the phone and
//! filed when the signal returns, exactly once; the citizen's reports stay
//! readable offline.

use axum::http::StatusCode;
use serde_json::Value;

use crate::cdp::{Browser, Page};
use crate::helpers::{Backend, TestApp};

const PASSWORD: &str = "phone app password";

async fn count(app: &TestApp, text: &str) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let text = text.to_owned();
    let n = veche::on_tx!(&mut tx, |conn| sqlx::query_scalar::<_, i64>(
        "select count(*) from appeal where description = $1"
    )
    .bind(text.clone())
    .fetch_one(conn)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    n
}

/// Polls `expression` until it is true (10 s at most).
/// Waits up to 30 s for `expression` to hold: on the 2-core CI machine
/// running the whole suite at once, sending a stored draft took longer
/// than 10 s once.
async fn until(page: &mut Page, expression: &str) -> bool {
    for _ in 0..300 {
        if page.eval(expression).await == Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_names_the_app_and_the_worker_covers_the_site() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let m = app.get("/manifest.webmanifest").await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(
        m.headers.get("content-type").unwrap(),
        "application/manifest+json"
    );
    let m = m.json();
    assert_eq!(m["display"], "standalone");
    assert_eq!(m["start_url"], "/?source=app");
    let icons = m["icons"].as_array().unwrap();
    for size in ["192x192", "512x512"] {
        let icon = icons.iter().find(|i| i["sizes"] == size).expect(size);
        let r = app.get(icon["src"].as_str().unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers.get("content-type").unwrap(), "image/png");
    }
    let sw = app.get("/sw.js").await;
    assert_eq!(sw.status, StatusCode::OK);
    assert!(
        sw.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(sw.headers["cache-control"], "no-cache");
    let home = app.get("/").await.body;
    assert!(home.contains(r#"rel="manifest" href="/manifest.webmanifest""#));
    assert_eq!(app.get("/offline").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_written_offline_is_filed_once_when_the_signal_returns() {
    let Some(chromium) = crate::browser::chromium_or_skip() else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.register_confirmed("phone@example.ru", "Телефонная Жительница", PASSWORD)
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    let base = format!("http://{addr}");

    let browser = Browser::launch(chromium).await;
    let mut page = browser.page().await;
    page.goto(&format!("{base}/auth/login")).await;
    page.eval(&format!(
        "(function () {{ var f = document.querySelector('form[action=\"/auth/login\"]');
           f.querySelector('[name=email]').value = 'phone@example.ru';
           f.querySelector('[name=password]').value = {};
           f.submit(); }})()",
        Value::from(PASSWORD)
    ))
    .await;
    page.settle().await;

    // Installed: the worker is active and controls the pages.
    page.goto(&format!("{base}/account/requests")).await;
    assert!(
        until(
            &mut page,
            "navigator.serviceWorker.ready.then(function (r) { return !!r.active; })"
        )
        .await,
        "the service worker is installed"
    );
    page.goto(&format!("{base}/account/requests")).await;
    assert!(
        until(&mut page, "!!navigator.serviceWorker.controller").await,
        "the worker controls the page"
    );
    page.goto(&format!("{base}/problems/new")).await;

    // No signal: the report is kept on the phone, nothing reaches the site.
    page.offline(true).await;
    let text = "Яма у подъезда, написано без связи.";
    page.eval(&format!(
        "(function () {{ var f = document.getElementById('report-form');
           f.querySelector('[name=category]').value = 'road-pothole';
           f.querySelector('[name=lat]').value = '45.0355';
           f.querySelector('[name=lon]').value = '38.9753';
           f.querySelector('[name=address]').value = 'Краснодар, ул. Красная, 1';
           f.querySelector('[name=description]').value = {};
           f.requestSubmit(); }})()",
        Value::from(text)
    ))
    .await;
    assert!(
        until(
            &mut page,
            "document.getElementById('report-form').hasAttribute('data-draft-saved')"
        )
        .await,
        "the draft is kept"
    );
    let status = page
        .eval("document.getElementById('drafts-status').textContent")
        .await;
    assert!(
        status.as_str().unwrap().contains("сохранено на телефоне"),
        "{status}"
    );
    let key = page
        .eval("document.getElementById('report-form').getAttribute('data-draft-saved')")
        .await;
    assert_eq!(
        count(&app, text).await,
        0,
        "nothing was sent without a signal"
    );

    // The citizen's own list is readable without a signal.
    page.goto(&format!("{base}/account/requests")).await;
    let heading = page.eval("document.querySelector('h1').textContent").await;
    assert!(!heading.as_str().unwrap_or("").is_empty());

    // The signal returns: the draft is filed, once.
    page.offline(false).await;
    page.goto(&format!("{base}/")).await;
    assert!(
        until(
            &mut page,
            "document.documentElement.getAttribute('data-drafts-sent') === '1'"
        )
        .await,
        "the draft was sent"
    );
    assert_eq!(count(&app, text).await, 1);
    let sent = page
        .eval("document.getElementById('drafts-status').innerHTML")
        .await;
    assert!(sent.as_str().unwrap().contains("/problems/"), "{sent}");
    // Further pages find nothing left to send.
    page.goto(&format!("{base}/problems")).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(count(&app, text).await, 1);
    // Sent again with the same key (an answer lost on the way): the same
    // report, not a second one.
    let again = page
        .eval(&format!(
            "(function () {{ var b = new FormData();
               b.append('csrf_token', document.querySelector('meta[name=\"csrf-token\"]').content);
               [['category', 'road-pothole'], ['lat', '45.0355'], ['lon', '38.9753'],
                ['address', 'Краснодар, ул. Красная, 1'], ['description', {text}],
                ['not_duplicate', 'on'], ['client_key', {key}]].forEach(function (kv) {{ b.append(kv[0], kv[1]); }});
               return fetch('/problems/new', {{ method: 'POST', body: b }}).then(function (r) {{ return new URL(r.url).pathname; }}); }})()",
            text = Value::from(text),
            key = key,
        ))
        .await;
    assert!(again.as_str().unwrap().starts_with("/problems/"), "{again}");
    assert_eq!(count(&app, text).await, 1, "filed exactly once");
}

crate::both_backends!(one_form_sent_twice_at_once_files_one_report, |app| {
    crate::problems::citizen(&app, "twice@example.ru", "Дважды Нажавшая").await;
    crate::problems::sign_in_as(&app, "twice@example.ru").await;
    let fields = [
        ("category", "road-pothole"),
        ("lat", "45.0355"),
        ("lon", "38.9753"),
        ("address", "Краснодар, ул. Красная, 5"),
        ("description", "Яма, отправлено дважды."),
        ("not_duplicate", "on"),
        ("client_key", "0b6f7c1e-5d7a-4c55-9a43-2b2f4f1e9d10"),
    ];
    let send = || crate::problems::post_form(&app, "/problems/new", "/problems/new", &fields, &[]);
    let (a, b) = tokio::join!(send(), send());
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(b.status, StatusCode::SEE_OTHER, "{}", b.body);
    assert_eq!(a.location(), b.location(), "both land on the one report");
    assert_eq!(count(&app, "Яма, отправлено дважды.").await, 1);
    // A malformed key is not an error: it is simply not a key.
    let odd = [
        ("category", "road-pothole"),
        ("lat", "45.0355"),
        ("lon", "38.9753"),
        ("address", "Краснодар, ул. Красная, 7"),
        ("description", "Яма с ключом не по форме."),
        ("not_duplicate", "on"),
        ("client_key", "<script>"),
    ];
    let r = crate::problems::post_form(&app, "/problems/new", "/problems/new", &odd, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
});
