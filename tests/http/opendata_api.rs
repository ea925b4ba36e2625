//! Publishing through the API with a personal token, `veche import`, and
//! the DCAT documents.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

const TOWNS: &str = "2312823003-towns";

fn towns_csv(from: &str, to: &str) -> Vec<u8> {
    std::fs::read_to_string(format!(
        "{}/datasets/{TOWNS}/data-20211011-structure-20261124.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replacen(from, to, 1)
    .into_bytes()
}

pub async fn token_for(app: &TestApp, email: &str, org: Option<&str>) -> String {
    let id = app
        .register_confirmed(email, "Officer", "correct horse battery")
        .await;
    if let Some(org) = org {
        app.make_officer(id, org).await;
    }
    app.login(email, "correct horse battery").await;
    let r = app
        .submit("/account/tokens", "/account/tokens", &[("name", "loader")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r
        .body
        .split(r#"<code id="new-token">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    app.clear_cookies();
    token
}

both_backends!(officers_publish_through_the_api_with_a_token, |app| {
    let token = token_for(&app, "api@example.ru", Some("min-digital")).await;
    let auth = format!("Bearer {token}");
    let url = format!("/api/v1/opendata/{TOWNS}/versions?provenance=API");

    let r = app
        .post_bytes(
            &url,
            "text/csv",
            towns_csv(",744933,", ",800000,"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let j = r.json();
    assert_eq!(j["status"], "published");
    assert_eq!(j["rows"], 26);
    let path = j["url"].as_str().unwrap();
    assert!(
        app.get(&path[path.find("/opendata").unwrap()..])
            .await
            .body
            .contains(",800000,")
    );

    let r = app
        .post_bytes(
            &url,
            "text/csv",
            towns_csv(",744933,", ",800000,"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "unchanged");

    let r = app
        .post_bytes(
            &url,
            "text/csv",
            towns_csv("44.8679655", "north"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["error"]["code"], "rejected");
    assert_eq!(e["error"]["problems"][0]["line"], 2);
    assert_eq!(e["error"]["problems"][0]["field"], "lat");
    assert!(
        e["error"]["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a number")
    );

    let r = app
        .post_bytes(
            &url,
            "application/pdf",
            b"%PDF".to_vec(),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = app
        .post_bytes(&url, "text/csv", towns_csv("", ""), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
    let r = app
        .post_bytes(
            &url,
            "text/csv",
            towns_csv("", ""),
            &[("authorization", "Bearer veche_forged")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .post_bytes(
            "/api/v1/opendata/0000000000-none/versions",
            "text/csv",
            towns_csv("", ""),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A token of an account without rights over the dataset.
    let other = token_for(&app, "other@example.ru", Some("min-transport")).await;
    let r = app
        .post_bytes(
            &url,
            "text/csv",
            towns_csv(",744933,", ",1,"),
            &[("authorization", &format!("Bearer {other}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A revoked token stops working.
    app.login("api@example.ru", "correct horse battery").await;
    let page = app.get("/account/tokens").await;
    let id = page
        .body
        .split(r#"name="id" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    app.submit("/account/tokens", "/account/tokens/revoke", &[("id", &id)])
        .await;
    let r = app
        .post_bytes(
            &url,
            "text/csv",
            towns_csv(",744933,", ",2,"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

/// A folder as `veche import` reads it.
fn import_folder(rows: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let id = "2312528833-road-repairs";
    std::fs::create_dir_all(dir.path().join("passports")).unwrap();
    std::fs::create_dir_all(dir.path().join("datasets").join(id)).unwrap();
    std::fs::write(
        dir.path().join("passports").join(format!("{id}.json")),
        serde_json::json!({
            "identifier": id,
            "title": "План ремонта дорог",
            "description": "Участки региональных дорог, где запланирован ремонт (демонстрационные данные).",
            "owner": "min-transport",
            "publisher": {"name": "Отдел открытых данных", "phone": "+7 (861) 000-00-00", "mbox": "opendata@mintrans.example"},
            "subject": "дороги, ремонт",
            "topic": "transport",
            "license": "cc-by-4.0"
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("datasets").join(id).join("structure-20260101.csv"),
        "field name,english description,russian description,format\nroad,Road,Дорога,string\nkm_from,From km,С км,float\nkm_to,To km,По км,float\nyear,Year,Год,integer\n",
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join("datasets")
            .join(id)
            .join("data-20260301-structure-20260101.csv"),
        rows,
    )
    .unwrap();
    dir
}

pub fn veche(app: &TestApp) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_veche"));
    cmd.args(["--data-dir", app.dir.path().to_str().unwrap()])
        .env("VECHE_LOG", "warn")
        .env("VECHE_DEMO_REGION", "false");
    match &app.database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    cmd
}

async fn import_command(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // Bad rows: every problem reported, nothing published.
    let bad = import_folder(
        "road,km_from,km_to,year\nР-217,12.5,18,2026\nА-146,x,3,2026\nА-289,1,2,two\n",
    );
    let out = veche(&app)
        .args(["import", bad.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("line 3, field km_from"), "{text}");
    assert!(text.contains("line 4, field year"), "{text}");
    assert!(text.contains("nothing was published"), "{text}");
    app.state.catalogue.invalidate();
    assert_eq!(
        app.get("/opendata/2312528833-road-repairs/table.json")
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no data version"
    );

    let good = import_folder("road,km_from,km_to,year\nР-217,12.5,18,2026\nА-146,0,3,2026\n");
    let out = veche(&app)
        .args(["import", good.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("published as version 20260301 (2 rows)")
    );
    // Idempotent: the same folder again adds nothing.
    let out = veche(&app)
        .args(["import", good.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "nothing changed"
    );
    app.state.catalogue.invalidate();
    let t = app
        .get("/opendata/2312528833-road-repairs/table.json?_sort=km_to")
        .await
        .json();
    assert_eq!(t["rows"][0]["road"], "А-146");
    assert_eq!(t["rows"][1]["km_from"], 12.5);
    // A changed file adds a version; the first stays downloadable.
    std::fs::write(
        good.path()
            .join("datasets/2312528833-road-repairs/data-20260301-structure-20260101.csv"),
        "road,km_from,km_to,year\nР-217,12.5,19,2026\n",
    )
    .unwrap();
    let out = veche(&app)
        .args(["import", good.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("published as version 20260301T"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    app.state.catalogue.invalidate();
    let meta = app
        .get("/opendata/2312528833-road-repairs/meta.json")
        .await
        .json();
    assert_eq!(meta["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get("/opendata/2312528833-road-repairs/data-20260301-structure-20260101.csv")
            .await
            .status,
        StatusCode::OK
    );
    // An owner whose INN is not the identifier's is refused.
    let wrong = import_folder("road,km_from,km_to,year\nР,1,2,2026\n");
    let p = wrong.path().join("passports/2312528833-road-repairs.json");
    std::fs::write(
        &p,
        std::fs::read_to_string(&p)
            .unwrap()
            .replace("min-transport", "min-health"),
    )
    .unwrap();
    let out = veche(&app)
        .args(["import", wrong.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("is not the owner's INN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veche_import_checks_publishes_and_is_idempotent_sqlite() {
    import_command(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veche_import_checks_publishes_and_is_idempotent_postgres() {
    import_command(Backend::Postgres).await;
}

both_backends!(
    dcat_documents_describe_the_catalogue_and_each_dataset,
    |app| {
        let r = app.get("/catalog.ttl").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "text/turtle; charset=utf-8");
        assert!(r.body.contains("a dcat:Catalog"));
        assert_eq!(r.body.matches("a dcat:Dataset").count(), 12);
        assert!(
            r.body.contains("hydra:totalItems \"12\"^^xsd:integer")
                || r.body.contains("hydra:totalItems 12"),
            "{}",
            r.body
        );
        assert!(!r.body.contains("hydra:next"), "one page");
        let j = app.get("/catalog.jsonld").await;
        assert_eq!(j.headers["content-type"], "application/ld+json");
        let parsed: serde_json::Value = serde_json::from_str(&j.body).unwrap();
        assert!(
            parsed
                .to_string()
                .contains("http://www.w3.org/ns/dcat#Dataset")
                || parsed.to_string().contains("dcat:Dataset")
        );
        let x = app.get("/catalog.rdf").await;
        assert!(x.body.contains("<rdf:RDF"));
        assert_eq!(
            app.get("/catalog.ttl?page=2").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/catalog.ttl?page=zero").await.status,
            StatusCode::BAD_REQUEST
        );

        let d = app.get(&format!("/dataset/{TOWNS}.ttl")).await;
        assert!(d.body.contains("dcat:accessURL"));
        assert!(
            d.body
                .contains("<https://creativecommons.org/licenses/by-sa/4.0/>")
        );
        assert!(d.body.contains("dcat:contactPoint"));
        let etag = d.headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            app.get_with(
                &format!("/dataset/{TOWNS}.ttl"),
                &[("if-none-match", &etag)]
            )
            .await
            .status,
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            app.get(&format!("/dataset/{TOWNS}.pdf")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/dataset/nope.ttl").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(a_repeated_filter_and_sort_pair_gets_its_own_index, |app| {
    // A version large enough for the pair index to matter.
    let dir = tempfile::tempdir().unwrap();
    let id = "2312528833-traffic";
    std::fs::create_dir_all(dir.path().join("passports")).unwrap();
    std::fs::create_dir_all(dir.path().join("datasets").join(id)).unwrap();
    std::fs::write(
        dir.path().join("passports").join(format!("{id}.json")),
        serde_json::json!({
            "identifier": id, "title": "Интенсивность движения", "description": "Демонстрационные замеры.",
            "owner": "min-transport", "subject": "дороги", "topic": "transport", "license": "cc-by-4.0",
            "publisher": {"name": "Отдел", "phone": "+7 (861) 000-00-00", "mbox": "od@mintrans.example"}
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("datasets").join(id).join("structure-20260101.csv"),
        "field name,english description,russian description,format\nroad,Road,Дорога,string\ncars,Cars,Машин,integer\n",
    )
    .unwrap();
    let mut csv = String::from("road,cars\n");
    for i in 0..25_000 {
        csv.push_str(&format!("R{},{}\n", i % 7, (i * 7919) % 100_000));
    }
    std::fs::write(
        dir.path()
            .join("datasets")
            .join(id)
            .join("data-20260101-structure-20260101.csv"),
        csv,
    )
    .unwrap();
    let report = veche::opendata::loader::load_dir(&app.state, dir.path(), &|_| None)
        .await
        .unwrap();
    assert_eq!(report.errors, 0, "{:?}", report.lines);

    let url = format!("/opendata/{id}/table.json?road=R3&_sort_desc=cars&_size=5");
    let before = app.get(&url).await.json();
    let version = app
        .state
        .catalogue
        .snapshot(&app.state.db)
        .await
        .unwrap()
        .get(id)
        .unwrap()
        .current()
        .unwrap()
        .version_id;
    // One anonymous request does not choose what gets built: the workload does.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !veche::opendata::store::has_pair_index(&app.state.db, version, 0, 1)
            .await
            .unwrap(),
        "one request built an index"
    );
    for _ in 1..veche::opendata::adaptive::ASKS_BEFORE_BUILD {
        assert_eq!(app.get(&url).await.status, 200);
    }
    let mut built = false;
    for _ in 0..100 {
        if veche::opendata::store::has_pair_index(&app.state.db, version, 0, 1)
            .await
            .unwrap()
        {
            built = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(built, "the (road, cars) index was added");
    let after = app.get(&url).await.json();
    assert_eq!(before["rows"], after["rows"], "same answer, faster");
    assert_eq!(after["rows"][0]["road"], "R3");
    assert!(
        after["rows"][0]["cars"].as_i64().unwrap() >= after["rows"][1]["cars"].as_i64().unwrap()
    );
    // Without a sort, or on a small version, nothing is added.
    assert!(
        !veche::opendata::store::has_pair_index(&app.state.db, version, 1, 0)
            .await
            .unwrap()
    );
});
