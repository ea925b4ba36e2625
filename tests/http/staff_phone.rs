//! The staff's phone app in headless Chromium (issue 19): an executor signs
//! in, the task list installs the service worker and keeps the listed
//! order's page; without a signal the order opens from the phone, says when
//! it was saved, and a comment is queued; when the signal returns it is
//! sent, and exactly one comment is applied. (A real push subscription needs
//! the browser maker's push service, which is outside this machine: the
//! subscription flow is tested in staff_app.rs against a local stand-in.)

use serde_json::Value;

use crate::cdp::{Browser, Page};
use crate::helpers::{Backend, TestApp};
use crate::problems::PASSWORD;
use crate::staff_app::{events, order_for_executor};

/// Waits up to 30 s for `expression` to hold.
async fn until(page: &mut Page, expression: &str) -> bool {
    for _ in 0..300 {
        if page.eval(expression).await == Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

async fn comments(app: &TestApp, id: i64, text: &str) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let text = text.to_owned();
    let n = veche::on_tx!(&mut tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "select count(*) from pm_order_event where order_id = $1 and kind = 'comment' and note = $2"
    )
    .bind(id)
    .bind(text.clone())
    .fetch_one(conn)
    .await
    })
    .unwrap();
    tx.commit().await.unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_queued_offline_is_applied_once_when_the_signal_returns() {
    let Some(chromium) = crate::browser::chromium_or_skip() else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (_, _, id) = order_for_executor(&app, "Осмотреть детскую площадку").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    let base = format!("http://{addr}");

    let browser = Browser::launch(chromium).await;
    let mut page = browser.page().await;
    page.goto(&format!("{base}/auth/login")).await;
    page.eval(&format!(
        "(function () {{ var f = document.querySelector('form[action=\"/auth/login\"]');
           f.querySelector('[name=email]').value = 'worker@krd.example';
           f.querySelector('[name=password]').value = {};
           f.submit(); }})()",
        Value::from(PASSWORD)
    ))
    .await;
    page.settle().await;

    // Installed from the task list: the worker controls the staff pages,
    // and the listed order's page is kept on the phone.
    page.goto(&format!("{base}/pm/tasks")).await;
    assert!(
        until(
            &mut page,
            "navigator.serviceWorker.ready.then(function (r) { return !!r.active; })"
        )
        .await,
        "the service worker is installed"
    );
    page.goto(&format!("{base}/pm/tasks")).await;
    assert!(
        until(&mut page, "!!navigator.serviceWorker.controller").await,
        "the worker controls the page"
    );
    let manifest = page
        .eval("document.querySelector('link[rel=manifest]').getAttribute('href')")
        .await;
    assert_eq!(manifest, "/pm/manifest.webmanifest");
    assert!(
        until(
            &mut page,
            &format!("caches.open('veche-pages').then(function (c) {{ return c.match('/pm/orders/{id}'); }}).then(function (r) {{ return !!r; }})")
        )
        .await,
        "the listed order's page is kept"
    );

    // No signal: the order opens from the phone and says when it was saved.
    page.offline(true).await;
    page.goto(&format!("{base}/pm/orders/{id}")).await;
    let synced = page
        .eval("(function () { var s = document.getElementById('synced'); return s && !s.hidden ? s.textContent : ''; })()")
        .await;
    assert!(
        synced.as_str().unwrap_or("").contains("Нет связи"),
        "last synced is shown: {synced}"
    );
    let text = "Площадка осмотрена без связи, качели сломаны.";
    page.eval(&format!(
        "(function () {{ var f = document.querySelector('#actions input[name=action][value=comment]').form;
           f.querySelector('[name=text]').value = {};
           f.requestSubmit(); }})()",
        Value::from(text)
    ))
    .await;
    assert!(
        until(
            &mut page,
            "document.documentElement.getAttribute('data-actions-queued') === '1'"
        )
        .await,
        "the comment is queued on the phone"
    );
    let status = page
        .eval("document.getElementById('actions-status').textContent")
        .await;
    assert!(
        status.as_str().unwrap().contains("сохранено на телефоне"),
        "{status}"
    );
    assert_eq!(comments(&app, id, text).await, 0, "nothing sent offline");

    // The signal returns: sent, once.
    page.offline(false).await;
    page.goto(&format!("{base}/pm/tasks")).await;
    assert!(
        until(
            &mut page,
            "document.documentElement.getAttribute('data-actions-sent') === '1'"
        )
        .await,
        "the queued comment was sent"
    );
    let sent = page
        .eval("document.getElementById('actions-status').textContent")
        .await;
    assert!(sent.as_str().unwrap().contains("Отправлено"), "{sent}");
    assert_eq!(comments(&app, id, text).await, 1);
    // Further pages find nothing left to send.
    page.goto(&format!("{base}/pm/orders/{id}")).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(comments(&app, id, text).await, 1, "applied exactly once");
    assert_eq!(events(&app, id, "comment").await, 1);
    let timeline = page
        .eval("document.getElementById('timeline').textContent")
        .await;
    assert!(timeline.as_str().unwrap().contains(text));
}
