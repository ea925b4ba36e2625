//! The CKAN-compatible API, as CKAN clients call it: GET and JSON POST under
//! `/api/3/action/` and `/api/action/`, the envelope, the error `__type`s.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::TestApp;

async fn call(app: &TestApp, action: &str, params: Value) -> (StatusCode, Value) {
    let r = app
        .post_bytes(
            &format!("/api/action/{action}"),
            "application/json",
            serde_json::to_vec(&params).unwrap(),
            &[],
        )
        .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

both_backends!(list_show_and_status_answer_in_the_ckan_envelope, |app| {
    let r = app.get("/api/3/action/package_list").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["success"], true);
    assert!(
        j["help"]
            .as_str()
            .unwrap()
            .ends_with("/api/3/action/help_show?name=package_list")
    );
    assert_eq!(
        j["result"],
        json!([
            "2308371192-staffing",
            "2309189066-initiative-conclusions",
            "2309189066-initiatives",
            "2309189066-priority-ranks",
            "2309189066-publications",
            "2309189066-service-ratings",
            "2309650015-construction",
            "2309650015-illegal-constructions",
            "2312823003-municipalities",
            "2312823003-organisations",
            "2312823003-problems",
            "2312823003-towns"
        ])
    );
    let j = app
        .get("/api/3/action/package_list?limit=1&offset=7")
        .await
        .json();
    assert_eq!(j["result"], json!(["2309650015-illegal-constructions"]));

    let (status, j) = call(&app, "package_show", json!({"id": "2312823003-towns"})).await;
    assert_eq!(status, StatusCode::OK);
    let p = &j["result"];
    assert_eq!(p["name"], "2312823003-towns");
    assert_eq!(p["title"], "Города Краснодарского края");
    assert_eq!(p["organization"]["name"], "min-digital");
    assert_eq!(p["license_id"], "cc-by-sa-4.0");
    assert_eq!(p["type"], "dataset");
    assert_eq!(p["num_resources"], 1);
    let res = &p["resources"][0];
    assert_eq!(res["format"], "CSV");
    assert_eq!(res["datastore_active"], true);
    assert!(
        res["url"]
            .as_str()
            .unwrap()
            .ends_with("/opendata/2312823003-towns/data-20211011-structure-20261124.csv")
    );
    let ts = p["metadata_modified"].as_str().unwrap();
    assert_eq!(ts.len(), 26, "naive ISO with microseconds: {ts}");
    assert!(
        p["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "города")
    );
    // By uuid too, and through GET.
    let id = p["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/3/action/package_show?id={id}"))
            .await
            .json()["result"]["name"],
        "2312823003-towns"
    );
    let rid = res["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/3/action/resource_show?id={rid}"))
            .await
            .json()["result"]["package_id"],
        id
    );

    let status = app.get("/api/3/action/status_show").await.json();
    assert_eq!(status["result"]["locale_default"], "ru");
    let orgs = app.get("/api/3/action/organization_list").await.json();
    assert!(
        orgs["result"]
            .as_array()
            .unwrap()
            .contains(&json!("min-digital"))
    );
    let (_, org) = call(
        &app,
        "organization_show",
        json!({"id": "min-digital", "include_datasets": true}),
    )
    .await;
    assert_eq!(org["result"]["package_count"], 4);
    assert_eq!(org["result"]["packages"].as_array().unwrap().len(), 4);
    let all = app
        .get("/api/3/action/organization_list?all_fields=true&limit=2")
        .await
        .json();
    assert_eq!(all["result"].as_array().unwrap().len(), 2);
    assert!(all["result"][0]["title"].is_string());
    let tags = app.get("/api/3/action/tag_list?query=ОКТМО").await.json();
    assert!(tags["result"].as_array().unwrap().contains(&json!("ОКТМО")));
    let lst = app
        .get("/api/3/action/current_package_list_with_resources?limit=2")
        .await
        .json();
    assert_eq!(lst["result"].as_array().unwrap().len(), 2);
});

both_backends!(errors_carry_ckans_types_and_statuses, |app| {
    let (status, j) = call(&app, "package_show", json!({"id": "no-such-dataset"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(j["success"], false);
    assert_eq!(j["error"]["__type"], "Not Found Error");
    let (status, j) = call(&app, "package_show", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(j["error"]["__type"], "Validation Error");
    assert_eq!(j["error"]["id"], json!(["Missing value"]));
    let (status, j) = call(&app, "package_search", json!({"fq": "colour:red"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(j["error"]["__type"], "Search Query Error");
    assert!(j["error"]["message"].as_str().unwrap().contains("colour"));
    let (status, j) = call(&app, "package_search", json!({"rows": 5000})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(j["error"]["rows"], json!(["Must be between 0 and 1000"]));
    let (status, j) = call(&app, "package_search", json!({"rows": "ten"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(j["error"]["rows"], json!(["Invalid integer"]));
    let (status, j) = call(
        &app,
        "package_search",
        json!({"fq": "metadata_modified:[yesterday TO *]"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(j["error"]["__type"], "Search Query Error");
    // An unknown action is a bare JSON string, as CKAN answers it.
    let (status, j) = call(&app, "frobnicate", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(j, json!("Bad request - Action name not known: frobnicate"));
    let r = app
        .post_bytes(
            "/api/3/action/package_list",
            "application/json",
            b"{not json".to_vec(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()
            .as_str()
            .unwrap()
            .starts_with("Bad request - JSON Error")
    );
    // No redirects on API paths, whatever the method.
    for path in ["/api/action/package_list", "/api/3/action/package_list"] {
        let r = app
            .post_bytes(path, "application/json", b"{}".to_vec(), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
});

/// The names of a `package_search` answer's results, in order.
fn names(j: &Value) -> Vec<String> {
    j["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(package_search_speaks_solr_like_harvesters_do, |app| {
    let (_, j) = call(&app, "package_search", json!({})).await;
    assert_eq!(j["result"]["count"], 12);
    assert_eq!(j["result"]["sort"], "score desc, metadata_modified desc");
    // Full text, stemmed.
    let (_, j) = call(&app, "package_search", json!({"q": "город"})).await;
    assert_eq!(names(&j), ["2312823003-towns"]);
    // Solr's `text:` field is the same full text, in q and in fq; `text:*`
    // is every passport.
    let (_, j) = call(&app, "package_search", json!({"q": "text:город"})).await;
    assert_eq!(names(&j), ["2312823003-towns"]);
    let (_, j) = call(&app, "package_search", json!({"fq": "text:город"})).await;
    assert_eq!(names(&j), ["2312823003-towns"]);
    let (_, j) = call(&app, "package_search", json!({"q": "text:*"})).await;
    assert_eq!(j["result"]["count"], 12);
    // Field queries in q, as ckanapi's README shows.
    let (_, j) = call(
        &app,
        "package_search",
        json!({"q": "+organization:min-digital +res_format:CSV", "sort": "name asc"}),
    )
    .await;
    assert_eq!(j["result"]["count"], 4);
    assert_eq!(names(&j)[0], "2312823003-municipalities");
    // fq: field, negation, OR, date ranges, quotes.
    let (_, j) = call(
        &app,
        "package_search",
        json!({"fq": "groups:territory -tags:ФИАС", "rows": 10}),
    )
    .await;
    assert_eq!(names(&j), ["2312823003-municipalities"]);
    let (_, j) = call(
        &app,
        "package_search",
        json!({"fq": "license_id:odbl-1.0 OR license_id:cc-by-4.0", "sort": "name desc"}),
    )
    .await;
    assert_eq!(
        names(&j),
        [
            "2312823003-problems",
            "2312823003-organisations",
            "2312823003-municipalities",
            "2309650015-illegal-constructions",
            "2309650015-construction",
            "2309189066-service-ratings",
            "2309189066-publications",
            "2309189066-priority-ranks",
            "2309189066-initiatives",
            "2309189066-initiative-conclusions",
        ]
    );
    let (_, j) = call(
        &app,
        "package_search",
        json!({"fq": "metadata_modified:[2020-01-01T00:00:00Z TO *] organization:\"min-digital\""}),
    )
    .await;
    assert_eq!(j["result"]["count"], 4);
    let (_, j) = call(
        &app,
        "package_search",
        json!({"fq": "metadata_modified:[* TO 2020-01-01T00:00:00Z]"}),
    )
    .await;
    assert_eq!(j["result"]["count"], 0);
    // Paging and sorting, as ckanext-harvest pages through.
    let (_, a) = call(
        &app,
        "package_search",
        json!({"rows": 2, "start": 0, "sort": "id asc"}),
    )
    .await;
    let (_, b) = call(
        &app,
        "package_search",
        json!({"rows": 10, "start": 2, "sort": "id asc"}),
    )
    .await;
    let (_, c) = call(
        &app,
        "package_search",
        json!({"rows": 2, "start": 12, "sort": "id asc"}),
    )
    .await;
    let mut all = names(&a);
    all.extend(names(&b));
    assert_eq!(all.len(), 12);
    assert!(names(&c).is_empty(), "an empty page ends the harvest");
    // Only a page is put in order (the rest of the result is not): pages of
    // three, one after another, are the whole result in its order, for
    // every sort, and a full-text query returns what its filters allow.
    // Scores tie (no words) and differ (words), which both take the
    // narrowing by the first key.
    for q in ["", "данные"] {
        for sort in [
            "title_string asc",
            "name desc",
            "metadata_created desc",
            "metadata_modified asc",
            "score asc",
            "",
            // Two numeric keys, the second in either direction, the first
            // ascending too: the narrowing reads both as one integer.
            "metadata_created asc, metadata_modified desc",
            "metadata_created desc, metadata_modified asc",
            "score desc, metadata_created asc",
        ] {
            let (_, whole) = call(
                &app,
                "package_search",
                json!({"q": q, "rows": 100, "sort": sort}),
            )
            .await;
            let count = whole["result"]["count"].as_u64().unwrap();
            assert!(count > 3, "{q:?}: {count}");
            let mut paged = Vec::new();
            for start in (0..count).step_by(3) {
                let (_, p) = call(
                    &app,
                    "package_search",
                    json!({"q": q, "rows": 3, "start": start, "sort": sort}),
                )
                .await;
                paged.extend(names(&p));
            }
            assert_eq!(paged, names(&whole), "q {q:?}, sort {sort:?}");
        }
    }
    let (_, j) = call(
        &app,
        "package_search",
        json!({"q": "данные", "fq": "organization:min-digital"}),
    )
    .await;
    let (_, k) = call(&app, "package_search", json!({"q": "данные"})).await;
    let narrowed = j["result"]["count"].as_u64().unwrap();
    assert!(narrowed > 0 && narrowed < k["result"]["count"].as_u64().unwrap());
    // Facets, with CKAN's two shapes.
    let r = app
        .get("/api/3/action/package_search?facet.field=%5B%22groups%22,%22license_id%22%5D&rows=0")
        .await
        .json();
    assert_eq!(r["result"]["facets"]["groups"]["territory"], 2);
    let items = r["result"]["search_facets"]["groups"]["items"]
        .as_array()
        .unwrap();
    assert!(items.iter().any(|i| i["name"] == "territory"
        && i["display_name"] == "Территория и население"
        && i["count"] == 2));
    assert!(r["result"]["results"].as_array().unwrap().is_empty());
    // GET with repeated facet.field keys works too.
    let r = app
        .get("/api/3/action/package_search?facet.field=tags&facet.field=organization&facet.limit=2")
        .await
        .json();
    assert!(
        r["result"]["search_facets"]["organization"]["items"][0]["display_name"]
            .as_str()
            .unwrap()
            .contains("цифрового")
    );
});

both_backends!(datastore_search_reads_the_rows_of_a_version, |app| {
    let (_, p) = call(&app, "package_show", json!({"id": "2312823003-towns"})).await;
    let rid = p["result"]["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, j) = call(
        &app,
        "datastore_search",
        json!({"resource_id": rid, "filters": {"municipality_id": "sochi"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{j}");
    let r = &j["result"];
    assert_eq!(r["total"], 1);
    assert_eq!(r["records"][0]["name"], "Сочи");
    assert_eq!(r["fields"][0], json!({"id": "_id", "type": "int"}));
    assert!(
        r["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "population_2010" && f["type"] == "int")
    );
    // limit=0: just the data dictionary.
    let (_, j) = call(
        &app,
        "datastore_search",
        json!({"resource_id": rid, "limit": 0}),
    )
    .await;
    assert_eq!(j["result"]["records"], json!([]));
    assert_eq!(j["result"]["total"], 26);
    // Several values, sort, fields, offset, lists.
    let (_, j) = call(&app, "datastore_search", json!({
        "resource_id": rid, "filters": {"municipality_id": ["sochi", "krasnodar", "anapa"]},
        "sort": "population_2010 desc", "fields": ["name", "population_2010"], "limit": 2, "offset": 1,
        "records_format": "lists",
    }))
    .await;
    assert_eq!(
        j["result"]["records"],
        json!([["Сочи", 343285], ["Анапа", 58983]])
    );
    assert_eq!(j["result"]["total"], 3);
    // Ranges (CKAN 2.12 style) and full text.
    let (_, j) = call(&app, "datastore_search", json!({"resource_id": rid, "filters": {"population_2010": {"gte": 200000}}, "include_total": true})).await;
    assert_eq!(j["result"]["total"], 3);
    let (_, j) = call(&app, "datastore_search", json!({"resource_id": rid, "q": "Новоросс", "records_format": "csv", "fields": "name,oktmo"})).await;
    assert_eq!(j["result"]["records"], "Новороссийск,03720000001\n");
    let (_, j) = call(&app, "datastore_search", json!({"resource_id": rid, "q": "новоросс", "records_format": "csv", "fields": "name,oktmo"})).await;
    assert_eq!(
        j["result"]["records"], "Новороссийск,03720000001\n",
        "q ignores case"
    );
    // Errors.
    let (status, j) = call(
        &app,
        "datastore_search",
        json!({"resource_id": rid, "filters": {"colour": "red"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(j["error"]["__type"], "Validation Error");
    let (status, _) = call(
        &app,
        "datastore_search",
        json!({"resource_id": rid, "limit": 40000}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, j) = call(&app, "datastore_search", json!({"resource_id": "nope"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(j["error"]["__type"], "Not Found Error");
    // GET with filters as a JSON string.
    let r = app.get(&format!("/api/3/action/datastore_search?resource_id={rid}&filters=%7B%22name%22%3A%22%D0%95%D0%B9%D1%81%D0%BA%22%7D")).await.json();
    assert_eq!(r["result"]["records"][0]["municipality_id"], "yeysky");
});

// The catalogue's snapshot is a cache: a change this process makes drops it
// at once, and a change it did not make (another node's, or SQL written
// around the application) shows within about a second, when the snapshot's
// generation (count and newest change of the passports) is asked again.
both_backends!(
    a_change_made_elsewhere_reaches_the_catalogue_within_a_second,
    |app| {
        async fn show(app: &TestApp) -> String {
            app.get("/api/3/action/package_show?id=2312823003-towns")
                .await
                .json()["result"]["title"]
                .as_str()
                .unwrap()
                .to_owned()
        }
        assert_eq!(show(&app).await, "Города Краснодарского края");
        let later = veche::db::now() + time::Duration::days(1);
        let mut tx = app.state.db.begin().await.unwrap();
        veche::on_tx!(&mut tx, |conn| sqlx::query(
            "update dataset set title = 'Города края (изменено другим узлом)', updated_at = $1
         where identifier_norm = '2312823003-towns'"
        )
        .bind(later)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        tx.commit().await.unwrap();
        let start = std::time::Instant::now();
        let mut title = show(&app).await;
        while title == "Города Краснодарского края" && start.elapsed().as_secs_f64() < 4.0
        {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            title = show(&app).await;
        }
        assert_eq!(title, "Города края (изменено другим узлом)");
        assert!(
            start.elapsed().as_secs_f64() < 3.0,
            "seen after {:?}",
            start.elapsed()
        );
    }
);

// The search keeps each index segment's dataset ids in a table
// (`search::nums::Tables`): a renamed passport is a deleted document in an
// old segment and a new one in a new segment. Searched before and after
// each change, the catalogue finds it by its new words only.
both_backends!(a_renamed_passport_is_found_by_its_new_words_only, |app| {
    async fn found(app: &TestApp, word: &str) -> Vec<String> {
        let (status, j) = call(app, "package_search", json!({"q": word, "rows": 50})).await;
        assert_eq!(status, StatusCode::OK, "{j}");
        names(&j)
    }
    async fn rename(app: &TestApp, title: &str) {
        let mut tx = app.state.db.begin().await.unwrap();
        veche::on_tx!(&mut tx, |conn| sqlx::query(
            "update dataset set title = $1, updated_at = $2 where identifier_norm = '2312823003-towns'"
        )
        .bind(title)
        .bind(veche::db::now() + time::Duration::days(1))
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        veche::search::enqueue(&mut tx, "dataset", "2312823003-towns")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.run_workers().await;
    }
    let towns = "2312823003-towns".to_owned();
    assert!(found(&app, "бирюзовые").await.is_empty());
    rename(&app, "Бирюзовые города края").await;
    assert_eq!(found(&app, "бирюзовые").await, vec![towns.clone()]);
    rename(&app, "Лиловые города края").await;
    assert!(
        found(&app, "бирюзовые").await.is_empty(),
        "the old words no longer find it"
    );
    assert_eq!(found(&app, "лиловые").await, vec![towns]);
});

// The page's selection reads instants as nanoseconds in an i64, which end in
// 2262. Two passports stamped beyond it look alike there; the second sort
// key must not then choose between them, or the first in the full order
// could miss the first page.
both_backends!(instants_beyond_2262_keep_the_first_page_exact, |app| {
    async fn stamp(app: &TestApp, name: &str, modified: &str, created: &str) {
        let modified =
            time::OffsetDateTime::parse(modified, &time::format_description::well_known::Rfc3339)
                .unwrap();
        let created =
            time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
                .unwrap();
        let changed = veche::on_db!(&app.state.db, |pool| sqlx::query(
            "update dataset set updated_at = $1, created_at = $2 where identifier_norm = $3"
        )
        .bind(modified)
        .bind(created)
        .bind(name)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        assert_eq!(changed, 1, "{name}");
    }
    let (_, all) = call(&app, "package_search", json!({"rows": 100})).await;
    let all = names(&all);
    let (x, y) = (&all[0], &all[1]);
    // x is first by modification (2400 after 2300); y wins the second key.
    // y first: each stamp then raises the catalogue's newest change, which
    // is what makes the snapshot reload.
    stamp(&app, y, "2300-01-01T00:00:00Z", "2020-01-01T00:00:00Z").await;
    stamp(&app, x, "2400-01-01T00:00:00Z", "2020-01-02T00:00:00Z").await;
    let sort = "metadata_modified desc, metadata_created asc";
    let start = std::time::Instant::now();
    loop {
        let (_, whole) = call(&app, "package_search", json!({"rows": 100, "sort": sort})).await;
        let stamped: Vec<&str> = whole["result"]["results"].as_array().unwrap()[..2]
            .iter()
            .map(|p| p["metadata_modified"].as_str().unwrap())
            .collect();
        let seen = stamped[0].starts_with("2400") && stamped[1].starts_with("2300");
        if seen || start.elapsed().as_secs() > 4 {
            assert!(seen, "the catalogue did not take the stamps: {stamped:?}");
            assert_eq!(names(&whole)[..2], [x.clone(), y.clone()]);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, first) = call(&app, "package_search", json!({"rows": 1, "sort": sort})).await;
    assert_eq!(names(&first), vec![x.clone()]);
});
