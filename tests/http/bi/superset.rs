//! Superset beside veche (docs/BI.md, "Superset"): the guest tokens veche
//! signs for embedded dashboards (checked by recomputing the HMAC, as
//! Superset does), who gets one, the dataset files of deploy/bi against the
//! definitions and a real PostgreSQL's columns, and the read-only role made
//! by the real command line.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::problems::{citizen, sign_in_as};

const SECRET: &str = "a-guest-token-secret-shared-with-superset-0123456789";
const ECONOMY: &str = "0d5c2a3e-3d4f-4c1b-9e55-1f0a7a1b2c3d";
const SOCIAL: &str = "7a0e4f7e-5b0c-4d55-8a57-3c1d2e3f4a5b";
const REGION: &str = "c4b1f3a2-9d8e-4f7a-b6c5-d4e3f2a1b0c9";

/// Connects the app to a Superset through its settings file (read at each
/// request).
fn configure(app: &TestApp) {
    std::fs::write(
        app.dir.path().join("superset.env"),
        format!(
            "VECHE_SUPERSET_URL=https://bi.example.test/\nVECHE_SUPERSET_GUEST_SECRET={SECRET}\n\
             VECHE_SUPERSET_DASHBOARDS=vg-economy={ECONOMY},vg-social={SOCIAL},region={REGION}\n"
        ),
    )
    .unwrap();
}

/// The page's CSRF token, as its script reads it.
fn meta_csrf(body: &str) -> String {
    let at = body.find("name=\"csrf-token\"").expect("the csrf meta");
    let rest = &body[at..];
    let start = rest.find("content=\"").unwrap() + "content=\"".len();
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

/// Asks for a token the way the page's script does.
async fn token(app: &TestApp, id: &str) -> (StatusCode, String) {
    let page = app.get("/bi/dashboards").await;
    let csrf = meta_csrf(&page.body);
    let r = app
        .post_bytes(
            &format!("/bi/dashboards/{id}/token"),
            "application/json",
            Vec::new(),
            &[("x-csrf-token", csrf.as_str())],
        )
        .await;
    (r.status, r.body)
}

/// The claims of a token whose HS256 signature is recomputed here with the
/// shared secret (not with veche's own check).
fn claims(body: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let token = v["token"].as_str().expect("{token}");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        parts[2],
        "the signature is the HMAC of the shared secret"
    );
    // veche's own check agrees, and refuses another secret.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(veche::bi::superset::verify(token, SECRET, "superset", now).is_ok());
    assert!(veche::bi::superset::verify(token, "another secret", "superset", now).is_err());
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

both_backends!(
    guest_tokens_carry_the_viewers_portfolio_and_only_their_dashboards,
    |app| {
        let officer = citizen(&app, "ss-economy@krasnodar.ru", "Иван Экономов").await;
        app.make_officer(officer, "min-economy").await;
        let control = citizen(&app, "ss-control@krasnodar.ru", "Мария Контролёва").await;
        app.make_officer(control, "dep-control").await;
        citizen(&app, "ss-citizen@example.ru", "Житель").await;

        // Not connected yet: the page says so, no token is signed.
        sign_in_as(&app, "ss-economy@krasnodar.ru").await;
        let off = app.get("/bi/dashboards").await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        assert!(off.body.contains("id=\"superset-off\""), "{}", off.body);
        assert_eq!(token(&app, "vg-economy").await.0, StatusCode::NOT_FOUND);

        configure(&app);
        // The vice-governor's officer sees their portfolio's dashboard only.
        let list = app.get("/bi/dashboards").await;
        assert!(
            list.body.contains("href=\"/bi/dashboards/vg-economy\""),
            "{}",
            list.body
        );
        assert!(!list.body.contains("/bi/dashboards/vg-social"));
        assert!(!list.body.contains("/bi/dashboards/region"));
        let page = app.get("/bi/dashboards/vg-economy").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(&format!("data-dashboard=\"{ECONOMY}\"")));
        assert!(page.body.contains("superset-embedded-sdk/index.js"));
        assert!(
            page.body.contains("id=\"superset-fallback\""),
            "the text fallback"
        );
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-src https://bi.example.test"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");

        let (status, body) = token(&app, "vg-economy").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let c = claims(&body);
        assert_eq!(c["type"], "guest");
        assert_eq!(c["aud"], "superset");
        assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 300);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!((c["iat"].as_i64().unwrap() - now).abs() < 60);
        assert_eq!(
            c["resources"],
            serde_json::json!([{"type": "dashboard", "id": ECONOMY}])
        );
        assert_eq!(
            c["rls_rules"],
            serde_json::json!([{"clause": "(portfolio_id in ('vg-economy'))"}])
        );
        // No personal data: an account number, no name, no address.
        assert_eq!(c["user"]["username"], format!("veche-{officer}"));
        assert!(!body.contains("Иван") && !body.contains("krasnodar.ru"));
        let raw = claims(&body).to_string();
        assert!(
            !raw.contains("Иван") && !raw.contains("ss-economy"),
            "{raw}"
        );

        // Another portfolio's dashboard: neither the page nor a token.
        assert_eq!(
            app.get("/bi/dashboards/vg-social").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(token(&app, "vg-social").await.0, StatusCode::FORBIDDEN);
        assert_eq!(token(&app, "region").await.0, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get("/bi/dashboards/nowhere").await.status,
            StatusCode::NOT_FOUND
        );
        // A token needs the page's CSRF token.
        let forged = app
            .post_bytes(
                "/bi/dashboards/vg-economy/token",
                "application/json",
                Vec::new(),
                &[],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        // The Department of Control reads the whole region: every
        // dashboard, and tokens without a clause.
        sign_in_as(&app, "ss-control@krasnodar.ru").await;
        let list = app.get("/bi/dashboards").await;
        for id in ["vg-economy", "vg-social", "region"] {
            assert!(
                list.body.contains(&format!("href=\"/bi/dashboards/{id}\"")),
                "{id}"
            );
        }
        let (status, body) = token(&app, "vg-social").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let c = claims(&body);
        assert_eq!(c["rls_rules"], serde_json::json!([]));
        assert_eq!(c["resources"][0]["id"], SOCIAL);

        // A citizen gets nothing.
        sign_in_as(&app, "ss-citizen@example.ru").await;
        assert_eq!(
            app.get("/bi/dashboards").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/bi/dashboards/vg-economy").await.status,
            StatusCode::FORBIDDEN
        );
        let (status, _) = token(&app, "vg-economy").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

/// The dataset files the provisioning script registers.
fn dataset_files() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/bi/datasets");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_files_match_the_definitions_and_postgresql() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let marts = veche::features::bi_marts();
    let defs = veche::bi::install::all_defs(&marts);
    let files = dataset_files();
    // Every relation but the version has its file (regenerate with
    // `veche bi superset-datasets deploy/bi/datasets`).
    for d in defs.iter().filter(|d| d.name != "mart_schema") {
        assert!(
            files.iter().any(|(name, _)| name.as_str() == d.name),
            "deploy/bi/datasets/{}.yaml is missing: run `veche bi superset-datasets deploy/bi/datasets`",
            d.name
        );
    }
    for (name, text) in &files {
        let def = defs
            .iter()
            .find(|d| d.name == name.as_str())
            .unwrap_or_else(|| panic!("{name}.yaml names no relation of the schema"));
        assert!(text.contains(&format!("\ntable_name: {name}\n")), "{name}");
        assert_eq!(
            text,
            &veche::bi::superset::dataset_yaml(def),
            "{name}.yaml differs from the definition: run `veche bi superset-datasets deploy/bi/datasets`"
        );
        // The columns the file names are the view's, in order, in the
        // real database.
        let listed: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  - column_name: "))
            .map(str::to_owned)
            .collect();
        let veche::db::Db::Postgres(pool) = &app.state.db else {
            unreachable!()
        };
        let real: Vec<String> = sqlx::query_scalar(
            "select column_name::text from information_schema.columns
             where table_schema = current_schema() and table_name = $1 order by ordinal_position",
        )
        .bind(name)
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(!real.is_empty(), "{name} is not a relation of the database");
        assert_eq!(listed, real, "the columns of {name}");
    }
}

/// `veche bi grant-readonly ROLE` as a separate process.
fn grant_readonly(app: &TestApp, role: &str, password: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_veche"))
        .args([
            "--data-dir",
            app.dir.path().to_str().unwrap(),
            "bi",
            "grant-readonly",
            role,
        ])
        .env("DATABASE_URL", app.database_url.as_deref().unwrap())
        .env("VECHE_BI_PASSWORD", password)
        .env("VECHE_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(role));
}

/// What the role can and cannot do, through its own connection.
async fn check_role(app: &TestApp, role: &str, password: &str) {
    let url = app.database_url.as_deref().unwrap().replacen(
        "://veche@",
        &format!("://{role}:{password}@"),
        1,
    );
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let me: String = sqlx::query_scalar("select current_user::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(me, role);
    let marts = veche::features::bi_marts();
    for d in veche::bi::install::all_defs(&marts) {
        let sql = format!("select count(*) from {}", d.name);
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{role} cannot read {}: {e}", d.name));
    }
    let denied = [
        "select count(*) from appeal",
        "select count(*) from account",
        "select count(*) from pm_order",
        "select count(*) from session",
        "insert into appeal (kind, state, category_id, municipality_id, author_id, description, lat, lon, created_at, updated_at)
         values ('problem', 'published', 'x', 'x', 1, 'x', 45, 39, now(), now())",
        "update account set display_name = 'x'",
        "delete from pm_order",
        "insert into bi_reader (role, granted_at) values ('x', now())",
        "create table bi_intruder (i integer)",
        "drop view mart_orders",
    ];
    for sql in denied {
        let err = match sqlx::query(sql).execute(&pool).await {
            Ok(_) => panic!("{role} may not run: {sql}"),
            Err(e) => e,
        };
        let code = err
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned()));
        // insufficient_privilege, or "must be owner" for drop.
        assert_eq!(code.as_deref(), Some("42501"), "{sql}: {err}");
    }
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_only_role_reads_only_the_marts() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    // Roles belong to the cluster, shared by the tests: a name of its own.
    let role = format!(
        "bi_ro_{}_{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let password = "read only password 1";
    grant_readonly(&app, &role, password);
    check_role(&app, &role, password).await;
    // Again: nothing changes, nothing fails.
    grant_readonly(&app, &role, password);
    check_role(&app, &role, password).await;
    // The views re-created (as after a release that changed a definition)
    // keep the grant.
    veche::bi::install::drop_views(&app.state.db).await.unwrap();
    let missing = sqlx::query_scalar::<_, i64>(
        "select count(*) from information_schema.views where table_name = 'mart_orders'",
    );
    let veche::db::Db::Postgres(pool) = &app.state.db else {
        unreachable!()
    };
    assert_eq!(
        missing.fetch_one(pool).await.unwrap(),
        0,
        "the views were dropped"
    );
    veche::bi::install::install(&app.state.db, &veche::features::bi_marts())
        .await
        .unwrap();
    check_role(&app, &role, password).await;
}
