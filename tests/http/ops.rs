use std::sync::{Arc, Mutex, OnceLock};

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, test_config};

both_backends!(health_reports_the_store_and_the_index, |app| {
    let r = app.get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["database"]["ok"], true);
    assert_eq!(j["search"]["ok"], true);
    assert!(
        j["search"]["documents"].as_u64().unwrap() >= 144,
        "municipalities and organisations"
    );
    let backend = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(j["database"]["backend"], backend);

    // With the store gone, health says so with a 503.
    app.state.db.close().await;
    let r = app.get("/health").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["database"]["ok"], false);
});

both_backends!(
    metrics_count_requests_by_route,
    config = |c| {
        c.server.metrics_token = Some("scrape-token".to_owned().into());
    },
    |app| {
        app.get("/municipalities/sochi").await;
        app.get("/municipalities/anapa").await;
        let r = app
            .get_with("/metrics", &[("authorization", "Bearer scrape-token")])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let line = r
            .body
            .lines()
            .find(|l| {
                l.starts_with("http_requests_total")
                    && l.contains(r#"route="/municipalities/{id}""#)
                    && l.contains(r#"status="200""#)
            })
            .unwrap_or_else(|| panic!("no counter for the route: {}", r.body));
        let n: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(n >= 2.0, "{line}");
        assert!(r.body.contains("http_request_duration_seconds_bucket"));
        assert!(
            !r.body.contains("/municipalities/sochi"),
            "raw paths never become labels"
        );
    }
);

both_backends!(
    the_api_is_described_by_openapi_with_an_offline_page,
    |app| {
        let r = app.get("/api/openapi.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert!(j["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/municipalities",
            "/api/v1/municipalities/{id}",
            "/api/v1/locate",
            "/api/v1/organisations",
        ] {
            assert!(j["paths"][path].is_object(), "{path} is documented");
        }
        let r = app.get("/api/docs/").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("swagger"), "{}", r.body);
        // Its script is served by veche itself, not a CDN.
        let init = app.get("/api/docs/swagger-initializer.js").await;
        assert_eq!(init.status, StatusCode::OK);
        assert!(init.body.contains("/api/openapi.json"));
        assert!(!r.body.contains("cdn."), "no CDN");
    }
);

both_backends!(
    site_search_finds_in_russian_and_english_with_stemming,
    |app| {
        let r = app.get("/search?q=Сочи").await;
        assert!(
            r.body.contains(r#"href="/municipalities/sochi""#),
            "{}",
            r.body
        );
        let r = app.get("/search?q=sochi").await;
        assert!(r.body.contains(r#"href="/municipalities/sochi""#));
        // «дорог» finds «дорожного хозяйства» through the Russian stemmer.
        let r = app.get("/search?q=дорожное+хозяйство").await;
        assert!(
            r.body.contains("/organisations/min-transport"),
            "{}",
            r.body
        );
        let r = app.get("/search?q=%22%3A%28").await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "stray query syntax is not an error"
        );
        assert!(
            app.get("/search?q=zzzzqqq")
                .await
                .body
                .contains("Ничего не найдено")
        );
    }
);

async fn restart(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let count = |db: veche::db::Db| async move {
        veche::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(
            "select (select count(*) from organisation) + (select count(*) from municipality)"
        )
        .fetch_one(pool)
        .await)
        .unwrap()
    };
    let before = count(app.state.db.clone()).await;
    assert_eq!(before, 144);
    let docs = app.state.search.num_docs();
    let dir = app.dir.path().to_owned();
    let url = app.database_url.clone();
    drop(app.router);
    drop(app.state);
    // The index writer lock is released when the last handle goes.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let again = veche::app::AppState::build(test_config(&dir, url))
        .await
        .expect("second start");
    assert_eq!(count(again.db.clone()).await, before, "nothing duplicated");
    assert_eq!(again.search.num_docs(), docs);
    drop(app.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_reuses_the_data_sqlite() {
    restart(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_reuses_the_data_postgres() {
    restart(Backend::Postgres).await;
}

/// One server over real TCP, as a browser or a client would reach it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_over_real_tcp() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(format!("http://{addr}/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let r = client
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let r = client
        .get(format!(
            "http://{addr}/api/v1/locate?lat=45.0355&lon=38.9753"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["id"],
        "krasnodar"
    );
}

/// Captures log lines of this process (at the production level, info).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c = Capture::default();
        let writer = c.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init();
        c
    })
}

both_backends!(logs_carry_ids_but_no_personal_data, |app| {
    let logs = capture();
    let email = format!("secret.person.{}@example.ru", std::process::id());
    app.register_confirmed(&email, "Секретный Житель", "correct horse battery")
        .await;
    app.login(&email, "correct horse battery").await;
    app.get("/api/v1/locate?lat=45.0355&lon=38.9753").await;
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("account registered"),
        "the events are logged: {text}"
    );
    assert!(!text.contains(&email), "no e-mail in logs");
    assert!(!text.contains("Секретный"), "no names in logs");
    assert!(!text.contains("45.0355"), "no coordinates in logs");
});
