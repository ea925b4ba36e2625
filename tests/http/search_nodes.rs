//! The search event log read by several nodes, each with its own index and
//! its own cursor (docs/SCALE.md): two applications over one database, each
//! with its own data folder, both find what either wrote; a node started
//! later builds its index and catches up; and on PostgreSQL a transaction
//! that commits after a later one does not lose its change.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tempfile::TempDir;
use tower::ServiceExt;
use veche::app::{self, AppState};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, drain_search, test_config};
use crate::problems::{KRASNODAR, citizen, file, id_from, set, sign_in_as};

/// Another node over `app`'s database: its own data folder, so its own
/// index and its own name in the log.
struct Node {
    _dir: TempDir,
    state: AppState,
    router: Router,
}

async fn other_node(app: &TestApp) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let url = match app.backend {
        Backend::Sqlite => format!("sqlite://{}", app.dir.path().join("veche.db").display()),
        Backend::Postgres => app.database_url.clone().unwrap(),
    };
    let state = AppState::build(test_config(dir.path(), Some(url)))
        .await
        .expect("the second node builds");
    Node {
        _dir: dir,
        router: app::router(state.clone()),
        state,
    }
}

impl Node {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = r.status();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    async fn finds(&self, word: &str, id: i64) -> bool {
        let (status, body) = self.get(&format!("/search?q={word}")).await;
        assert_eq!(status, StatusCode::OK);
        body.contains(&format!("/problems/{id}\""))
    }

    /// Applies the log until this node is at its end (`drain_search`).
    async fn drain(&self) -> usize {
        drain_search(&self.state).await
    }

    /// One pass over the log, for a test that holds a transaction open.
    async fn drain_once(&self) -> usize {
        self.state.search.drain(&self.state.db).await.unwrap()
    }
}

async fn report(app: &TestApp, text: &str) -> i64 {
    id_from(&file(app, "street-lighting", KRASNODAR, text, &[]).await)
}

async fn a_finds(app: &TestApp, word: &str, id: i64) -> bool {
    app.get(&format!("/search?q={word}"))
        .await
        .body
        .contains(&format!("/problems/{id}\""))
}

/// Changes a report's text in `tx`, as an edit would.
async fn describe(tx: &mut veche::db::Tx, id: i64, text: &str) {
    veche::on_tx!(tx, |conn| sqlx::query(
        "update appeal set description = $1 where appeal_id = $2"
    )
    .bind(text)
    .bind(id)
    .execute(conn)
    .await
    .unwrap()
    .rows_affected());
}

both_backends!(every_node_indexes_the_shared_log, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "lamp@example.ru", "Фонарщик").await;
    sign_in_as(&app, "lamp@example.ru").await;
    let first = report(&app, "Не горит фонарь у дома 5, бирюзовая опора.").await;
    app.run_workers().await;
    assert!(a_finds(&app, "бирюзовая", first).await);

    // A node started later builds its index from the database.
    let b = other_node(&app).await;
    assert!(
        b.finds("бирюзовая", first).await,
        "the new node built its index"
    );
    assert_ne!(app.state.search.node(), b.state.search.node());

    // What the first node writes reaches the second through the log, and
    // the other way round.
    let second = report(&app, "Мигает фонарь, лиловая опора у школы.").await;
    assert!(
        !b.finds("лиловая", second).await,
        "not before its writer runs"
    );
    let (_, health) = b.get("/health").await;
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert!(
        health["search"]["behind_events"].as_i64().unwrap() >= 1,
        "{health}"
    );
    assert!(b.drain().await >= 1);
    assert!(b.finds("лиловая", second).await, "the log reached node B");
    let (_, health) = b.get("/health").await;
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["search"]["behind_events"], 0, "{health}");

    let mut tx = b.state.db.begin().await.unwrap();
    veche::search::enqueue(&mut tx, "problem", &first.to_string())
        .await
        .unwrap();
    describe(&mut tx, first, "Горит днём, малахитовая опора.").await;
    tx.commit().await.unwrap();
    app.run_workers().await;
    assert!(
        a_finds(&app, "малахитовая", first).await,
        "B's change reached A"
    );
    assert!(
        !a_finds(&app, "бирюзовая", first).await,
        "the old text is gone"
    );

    // Each node's cursor is its own, and both stand at the end of the log.
    b.drain().await;
    assert_eq!(
        app.scalar("select count(*) from search_cursor where node_id <> '~pruned'")
            .await,
        2
    );
    assert_eq!(
        app.state.search.lag(&app.state.db).await.unwrap().events
            + b.state.search.lag(&b.state.db).await.unwrap().events,
        0
    );

    // The log is cut below both cursors; a node whose cursor is behind the
    // cut rebuilds rather than missing events.
    assert!(veche::search::log::prune(&app.state.db).await.unwrap() >= 2);
    assert_eq!(app.scalar("select count(*) from search_event").await, 0);
    let third = report(&app, "Фонарь разбит, янтарная опора.").await;
    veche::on_db!(&app.state.db, |pool| sqlx::query(
        "update search_cursor set xid = -1, seq = -1 where node_id <> '~pruned'"
    )
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    veche::search::log::prune(&app.state.db).await.unwrap();
    b.drain().await;
    assert!(
        b.finds("янтарная", third).await,
        "rebuilt when behind the cut"
    );
    assert!(b.finds("малахитовая", first).await);
});

// A node that builds its index after the log was cut to nothing stores a
// cursor at the cut, not before it: on SQLite the position was the largest
// sequence number still in the log (0 when empty), so every restart of the
// node rebuilt the whole index (a minute at 100,000 passports).
both_backends!(
    a_rebuild_after_the_log_is_emptied_is_not_behind_the_cut,
    |app| {
        set(&app, "premoderation", "off").await;
        citizen(&app, "cut@example.ru", "Обрезчик").await;
        sign_in_as(&app, "cut@example.ru").await;
        let first = report(&app, "Не горит фонарь, гранатовая опора.").await;
        app.run_workers().await;
        assert!(veche::search::log::prune(&app.state.db).await.unwrap() >= 1);
        assert_eq!(app.scalar("select count(*) from search_event").await, 0);

        let b = other_node(&app).await;
        assert!(b.finds("гранатовая", first).await, "B built its index");
        let db = &b.state.db;
        let at = veche::search::log::cursor(db, b.state.search.node())
            .await
            .unwrap()
            .expect("B stored its cursor");
        assert!(
            !veche::search::log::is_pruned_past(db, at).await.unwrap(),
            "B's cursor {at:?} stands before the cut: its next start would rebuild again"
        );

        // What is written after the cut still reaches B through the log.
        let second = report(&app, "Мигает фонарь, опаловая опора.").await;
        assert!(b.drain().await >= 1);
        assert!(b.finds("опаловая", second).await);
    }
);

/// PostgreSQL hands out the log's sequence numbers before commit: a
/// transaction that took an earlier number and commits after a later one
/// must still reach every index (a cursor on the number alone would have
/// moved past it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_commit_is_not_lost_on_postgres() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    set(&app, "premoderation", "off").await;
    citizen(&app, "late@example.ru", "Поздний").await;
    sign_in_as(&app, "late@example.ru").await;
    let first = report(&app, "Не горит фонарь, опора у сквера.").await;
    let b = other_node(&app).await;

    // The slow transaction appends first (an earlier sequence number) and
    // commits last.
    let mut slow = app.state.db.begin().await.unwrap();
    describe(&mut slow, first, "Опора у сквера, изумрудная краска.").await;
    veche::search::enqueue(&mut slow, "problem", &first.to_string())
        .await
        .unwrap();
    let second = report(&app, "Фонарь мигает, коралловая опора.").await;
    app.state.search.drain(&app.state.db).await.unwrap();
    b.drain_once().await;
    // The later change waits for the earlier transaction to end: the price
    // of never skipping it.
    assert!(!b.finds("коралловая", second).await);
    slow.commit().await.unwrap();
    app.run_workers().await;
    b.drain().await;
    assert!(b.finds("коралловая", second).await);
    assert!(
        b.finds("изумрудная", first).await,
        "the late commit reached node B"
    );
    assert!(a_finds(&app, "изумрудная", first).await, "and node A");
}

/// The log's bound is this database's oldest running writer, not the
/// cluster's: a transaction left open in another database of the same
/// cluster (another installation, another application) does not hold this
/// index back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_in_another_database_does_not_hold_the_index() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    set(&app, "premoderation", "off").await;
    citizen(&app, "other@example.ru", "Соседка").await;
    sign_in_as(&app, "other@example.ru").await;
    let b = other_node(&app).await;

    let elsewhere = crate::pg::fresh_database().await.unwrap();
    let elsewhere = sqlx::PgPool::connect(&elsewhere).await.unwrap();
    let mut open = elsewhere.begin().await.unwrap();
    // Writing gives the transaction its id: older than the report's below.
    sqlx::query("create table held (x int)")
        .execute(&mut *open)
        .await
        .unwrap();

    let id = report(&app, "Фонарь не горит, опора цвета охры.").await;
    assert!(
        b.drain().await >= 1,
        "the change is final while the other database's transaction runs"
    );
    assert!(b.finds("охры", id).await);
    open.rollback().await.unwrap();
    elsewhere.close().await;
}
