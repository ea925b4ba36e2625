//! The open data portal through HTTP: the catalogue, passports, machine
//! files, downloads, the table and map views, publishing by officers.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;

const TOWNS: &str = "2312823003-towns";
const TOWNS_CSV: &str = "/opendata/2312823003-towns/data-20211011-structure-20261124.csv";

async fn versions(app: &TestApp, identifier: &str) -> i64 {
    veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from dataset_version v join dataset d using (dataset_id) where d.identifier = $1 and v.state = 'published'"
    )
    .bind(identifier)
    .fetch_one(pool)
    .await)
    .unwrap()
}

both_backends!(
    the_catalogue_lists_the_demo_datasets_with_facets_and_search,
    |app| {
        let r = app.get("/opendata").await;
        assert_eq!(r.status, StatusCode::OK);
        for title in [
            "Муниципальные образования Краснодарского края",
            "Города Краснодарского края",
            "Органы власти Краснодарского края",
        ] {
            assert!(r.body.contains(title), "{title}");
        }
        assert!(r.body.contains("Найдено: 12 наборов"), "{}", r.body);
        assert!(
            r.body.contains(r#"type="text/turtle" href="/catalog.ttl""#),
            "DCAT advertised"
        );
        // Facets narrow the list.
        let r = app.get("/opendata?topic=government").await;
        assert!(r.body.contains("Найдено: 7 наборов"), "{}", r.body);
        assert!(r.body.contains("Органы власти"));
        // Russian stemming: «город» finds «Города».
        let r = app.get("/opendata?q=город").await;
        assert!(r.body.contains("Города Краснодарского края"), "{}", r.body);
        assert!(r.body.contains("Найдено: 1 набор"));
        // English too, and field names.
        let r = app.get("/opendata?q=population").await;
        assert!(r.body.contains("Города Краснодарского края"));
        let r = app.get("/opendata?q=совершенноневстречающеесяслово").await;
        assert!(r.body.contains("Ничего не найдено"));
    }
);

both_backends!(machine_readable_registry_and_passports_follow_mr3, |app| {
    let base = app.state.config.base_url();
    let r = app.get("/opendata/list.csv").await;
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    let mut lines = r.body.lines();
    assert_eq!(lines.next(), Some("property,title,value,format"));
    assert_eq!(
        lines.next(),
        Some(
            "standardversion,Версия методических рекомендаций,http://opendata.gosmonitor.ru/standard/3.0,"
        )
    );
    assert!(r.body.contains(&format!(
        "{TOWNS},Города Краснодарского края,{base}/opendata/{TOWNS}/meta.csv,csv"
    )));
    let list = app.get("/opendata/list.json").await.json();
    assert_eq!(
        list["standardversion"],
        "http://opendata.gosmonitor.ru/standard/3.0"
    );
    assert_eq!(list["meta"].as_array().unwrap().len(), 12);
    let xml = app.get("/opendata/list.xml").await;
    assert!(
        xml.body
            .contains(&format!("<identifier>{TOWNS}</identifier>"))
    );

    let meta = app.get(&format!("/opendata/{TOWNS}/meta.csv")).await;
    for row in [
        "property,value",
        &format!("identifier,{TOWNS}"),
        "creator,Министерство цифрового развития Краснодарского края",
        "format,CSV",
        "valid,20211011",
        "publishermbox,opendata@mincifra.krasnodar.ru",
        &format!("data-20211011-structure-20261124,{base}{TOWNS_CSV}"),
        &format!("structure-20261124,{base}/opendata/{TOWNS}/structure-20261124.csv"),
    ] {
        assert!(
            meta.body.lines().any(|l| l == row),
            "missing «{row}» in\n{}",
            meta.body
        );
    }
    let m = app
        .get(&format!("/opendata/{TOWNS}/meta.json"))
        .await
        .json();
    assert_eq!(m["identifier"], TOWNS);
    assert_eq!(m["publisher"]["mbox"], "opendata@mincifra.krasnodar.ru");
    // The JSON passport points to the JSON files, as the standard's examples do.
    assert_eq!(
        m["data"][0]["source"],
        format!("{base}{}", TOWNS_CSV.replace(".csv", ".json"))
    );
    assert_eq!(m["format"], "json");
    assert_eq!(m["data"][0]["structure"], "20261124");
    let x = app.get(&format!("/opendata/{TOWNS}/meta.xml")).await;
    assert!(
        x.body.contains(
            "<standardversion>http://opendata.gosmonitor.ru/standard/3.0</standardversion>"
        )
    );
    assert!(x.body.contains("<dataversion>"));

    let s = app
        .get(&format!("/opendata/{TOWNS}/structure-20261124.csv"))
        .await;
    assert!(
        s.body
            .starts_with("field name,english description,russian description,format\n")
    );
    assert!(s.body.contains(
        "population_2010,\"Population, 2010 census\",Население по переписи 2010 года,integer"
    ));
    let schema = app
        .get(&format!("/opendata/{TOWNS}/structure-20261124.json"))
        .await
        .json();
    assert_eq!(
        schema["items"]["properties"]["population_2010"]["type"][0],
        "integer"
    );
    assert_eq!(
        app.get(&format!("/opendata/{TOWNS}/structure-19990101.csv"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/opendata/0000000000-nothing/meta.json")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both_backends!(the_passport_page_carries_rdfa_and_schema_org, |app| {
    let r = app.get(&format!("/opendata/{TOWNS}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    assert!(b.contains(r#"typeof="foaf:Document""#));
    assert!(b.contains(r#"resource="http://opendata.gosmonitor.ru/standard/3.0""#));
    assert!(b.contains(r#"property="dc:title">Города Краснодарского края<"#));
    assert!(b.contains(r#"property="foaf:mbox""#));
    assert!(
        b.contains(r#"rel="dc:hasPart""#),
        "versions as a dc:Collection"
    );
    let ld = b
        .split(r#"<script type="application/ld+json">"#)
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"], "Dataset");
    assert_eq!(
        ld["license"],
        "https://creativecommons.org/licenses/by-sa/4.0/"
    );
    assert_eq!(ld["distribution"][0]["encodingFormat"], "text/csv");
    assert!(b.contains(&format!(
        r#"type="text/turtle" href="/dataset/{TOWNS}.ttl""#
    )));
    assert!(b.contains("population_2010"), "the structure is shown");
    assert!(b.contains(TOWNS_CSV), "download links");
    // Any case of the identifier finds the dataset, at one address.
    let r = app
        .get(&format!("/opendata/{}", TOWNS.to_uppercase()))
        .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.location(), format!("/opendata/{TOWNS}"));
});

both_backends!(
    downloads_are_streamed_with_validators_and_compression,
    |app| {
        let r = app.get(TOWNS_CSV).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
        // The passport's name for old clients, the title and date for the
        // rest (RFC 6266).
        let cd = r.headers["content-disposition"].to_str().unwrap();
        assert!(
            cd.starts_with(
                "attachment; filename=\"data-20211011-structure-20261124.csv\"; filename*=UTF-8''"
            ),
            "{cd}"
        );
        assert!(cd.ends_with("%2811.10.2021%29.csv"), "{cd}");
        let committed = std::fs::read_to_string(format!(
            "{}/datasets/{TOWNS}/data-20211011-structure-20261124.csv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(
            r.body, committed,
            "the published CSV is the file as published"
        );
        let etag = r.headers["etag"].to_str().unwrap().to_owned();
        let modified = r.headers["last-modified"].to_str().unwrap().to_owned();
        assert_eq!(
            app.get_with(TOWNS_CSV, &[("if-none-match", &etag)])
                .await
                .status,
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            app.get_with(TOWNS_CSV, &[("if-modified-since", &modified)])
                .await
                .status,
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            app.get_with(TOWNS_CSV, &[("if-none-match", "\"other\"")])
                .await
                .status,
            StatusCode::OK
        );
        let gz = app
            .get_with(TOWNS_CSV, &[("accept-encoding", "gzip")])
            .await;
        assert_eq!(gz.headers["content-encoding"], "gzip");
        let br = app
            .get_with(
                &TOWNS_CSV.replace(".csv", ".json"),
                &[("accept-encoding", "br")],
            )
            .await;
        assert_eq!(br.headers["content-encoding"], "br");
        let part = app.get_with(TOWNS_CSV, &[("range", "bytes=0-9")]).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.body.len(), 10);

        let json = app.get(&TOWNS_CSV.replace(".csv", ".json")).await;
        assert_eq!(json.headers["content-type"], "application/json");
        let rows = json.json();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 26);
        let krasnodar = rows.iter().find(|r| r["name"] == "Краснодар").unwrap();
        assert_eq!(krasnodar["population_2010"], 744933, "typed values");
        assert_eq!(krasnodar["municipality_id"], "krasnodar");
        let xml = app.get(&TOWNS_CSV.replace(".csv", ".xml")).await;
        assert_eq!(xml.body.matches("<row>").count(), 26);
        assert!(xml.body.contains("<name>Краснодар</name>"));
        let etag = json.headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            app.get_with(
                &TOWNS_CSV.replace(".csv", ".json"),
                &[("if-none-match", &etag)]
            )
            .await
            .status,
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            app.get(&TOWNS_CSV.replace("20211011", "20211012"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    a_selection_downloads_for_excel_under_a_readable_name,
    |app| {
        use calamine::Reader;
        // The table view offers its selection as CSV and XLSX, filters kept.
        let page = app
            .get(&format!("/opendata/{TOWNS}/table?municipality_id=sochi"))
            .await;
        assert!(
            page.body.contains(&format!(
                "/opendata/{TOWNS}/table.xlsx?municipality_id=sochi"
            )),
            "{}",
            page.body
        );
        let passport = app.get(&format!("/opendata/{TOWNS}")).await;
        assert!(
            passport.body.contains("Для Excel (XLSX)"),
            "the passport offers it too"
        );

        let x = app
            .get(&format!(
                "/opendata/{TOWNS}/table.xlsx?name__contains=%D1%81%D0%BE%D1%87%D0%B8"
            ))
            .await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.body);
        let cd = x.headers["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cd.starts_with("attachment; filename=\""), "{cd}");
        // The name in UTF-8 (RFC 6266 / 8187): the dataset's title, then the
        // version's date.
        let name = cd.split("filename*=UTF-8''").nth(1).expect("a UTF-8 name");
        let name = percent_encoding::percent_decode_str(name)
            .decode_utf8()
            .unwrap();
        assert!(
            name.contains("выборка (") && name.ends_with(".xlsx"),
            "{name}"
        );
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).unwrap();
        let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<_> = sheet.rows().collect();
        assert_eq!(rows.len(), 2, "the header and Sochi");
        let col = |n: &str| rows[0].iter().position(|c| *c == n).unwrap();
        assert_eq!(rows[1][col("name")].to_string(), "Сочи");
        // Codes are text: their leading zeros survive.
        let oktmo = &rows[1][col("oktmo")];
        assert!(
            matches!(oktmo, calamine::Data::String(s) if s.starts_with('0')),
            "{oktmo:?}"
        );

        let c = app
            .get(&format!(
                "/opendata/{TOWNS}/table.csv?_sort=name&population_2010__gte=200000"
            ))
            .await;
        assert_eq!(c.status, StatusCode::OK);
        assert!(
            c.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            c.bytes.starts_with("\u{feff}name,".as_bytes()),
            "a BOM for Excel, then the header"
        );
        let lines: Vec<&str> = c.body.lines().collect();
        assert_eq!(lines.len(), 4, "the header and three towns: {lines:?}");

        // The whole file keeps its passport name as address, saved readably.
        let whole = app.get(TOWNS_CSV).await;
        let cd = whole.headers["content-disposition"].to_str().unwrap();
        assert!(
            cd.contains("filename=\"data-20211011-structure-20261124.csv\""),
            "{cd}"
        );
        assert!(cd.contains("filename*=UTF-8''"), "{cd}");

        // Nonsense stays a clear 4xx.
        let bad = app
            .get(&format!("/opendata/{TOWNS}/table.xlsx?colour=red"))
            .await;
        assert!(bad.status.is_client_error(), "{}", bad.status);
    }
);

both_backends!(the_table_view_sorts_filters_and_pages_on_any_field, |app| {
    let base = format!("/opendata/{TOWNS}/table.json");
    let r = app
        .get(&format!("{base}?_sort_desc=population_2010&_size=3"))
        .await
        .json();
    let names: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Краснодар", "Сочи", "Новороссийск"]);
    let r = app
        .get(&format!(
            "{base}?population_2010__gte=100000&_sort=name&_extra=count"
        ))
        .await
        .json();
    assert_eq!(r["count"], 4);
    assert_eq!(r["rows"][0]["name"], "Армавир");
    let r = app
        .get(&format!("{base}?municipality_id=sochi"))
        .await
        .json();
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    let r = app.get(&format!("{base}?name__contains=Усть")).await.json();
    assert_eq!(r["rows"][0]["name"], "Усть-Лабинск");
    // «содержит» ignores case, Cyrillic included, on both backends; the
    // text is a literal, not a pattern.
    for asked in ["сочи", "СОЧИ", "оЧ"] {
        let r = app
            .get(&format!(
                "{base}?name__contains={}",
                url::form_urlencoded::byte_serialize(asked.as_bytes()).collect::<String>()
            ))
            .await
            .json();
        let names: Vec<&str> = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Сочи"], "{asked}");
    }
    let r = app.get(&format!("{base}?name__contains=.*")).await.json();
    assert!(r["rows"].as_array().unwrap().is_empty(), "{r}");
    let page = app
        .get(&format!(
            "{}?name__contains=%D1%81%D0%BE%D1%87%D0%B8",
            base.trim_end_matches(".json")
        ))
        .await;
    assert!(page.body.contains("Сочи"), "the table view too");
    let r = app
        .get(&format!(
            "{base}?foundation_year__in=1793,1838&_sort=foundation_year"
        ))
        .await
        .json();
    let names: Vec<&str> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Краснодар", "Новороссийск", "Сочи", "Туапсе"]);

    // Keyset pages cover every row exactly once, in order, both ways, on
    // distinct numbers, on text, and on a number with ties that pages of
    // four cut through (1794 three times: the cursor's ties come first,
    // `store::page`).
    for (sort, field, desc) in [
        ("_sort", "population_2010", false),
        ("_sort_desc", "population_2010", true),
        ("_sort", "name", false),
        ("_sort_desc", "name", true),
        ("_sort", "foundation_year", false),
        ("_sort_desc", "foundation_year", true),
    ] {
        let mut url = format!("{base}?{sort}={field}&_size=4");
        let mut seen = Vec::new();
        for _ in 0..10 {
            let page = app.get(&url).await.json();
            for row in page["rows"].as_array().unwrap() {
                seen.push((row[field].to_string(), row["_row"].as_i64().unwrap()));
            }
            match page["next_url"].as_str() {
                Some(next) => url = next.to_owned(),
                None => break,
            }
        }
        // (Seven pages at most: a cursor that repeats itself stops at ten.)
        // The pages together are the one page of every row, in its order.
        let whole: Vec<(String, i64)> = app
            .get(&format!("{base}?{sort}={field}&_size=100"))
            .await
            .json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row[field].to_string(), row["_row"].as_i64().unwrap()))
            .collect();
        assert_eq!(whole.len(), 26, "{sort}={field}");
        assert_eq!(seen, whole, "{sort}={field}");
        if field != "name" {
            let mut sorted: Vec<(i64, i64)> =
                seen.iter().map(|(v, r)| (v.parse().unwrap(), *r)).collect();
            sorted.sort();
            if desc {
                sorted.reverse();
            }
            let numbers: Vec<(i64, i64)> =
                seen.iter().map(|(v, r)| (v.parse().unwrap(), *r)).collect();
            assert_eq!(numbers, sorted, "{sort}={field}");
        }
    }

    // Bad input is explained.
    let r = app.get(&format!("{base}?colour=red")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Fields: name, municipality_id")
    );
    let r = app.get(&format!("{base}?population_2010=many")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not an integer")
    );
    assert_eq!(
        app.get(&format!("{base}?_next=garbage")).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get(&format!("{base}?_size=5000")).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get(&format!("{base}?population_2010__contains=1"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // The HTML view: sorted headers, the filter form, rows.
    let r = app
        .get(&format!(
            "/opendata/{TOWNS}/table?_sort_desc=population_2010"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(r#"aria-sort="descending""#));
    assert!(r.body.find("Краснодар").unwrap() < r.body.find("Абинск").unwrap());
    let r = app
        .get(&format!(
            "/opendata/{TOWNS}/table?_filter_column=name&_filter_op=startswith&_filter_value=Ар"
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get(r.location()).await;
    assert!(r.body.contains("Строк: <strong>1</strong>"), "{}", r.body);
    assert!(r.body.contains("Армавир"));
});

both_backends!(datasets_with_coordinates_have_a_map_view, |app| {
    let r = app.get(&format!("/opendata/{TOWNS}/map")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(r#"data-lat="lat""#) && r.body.contains(r#"data-lon="lon""#));
    assert!(r.body.contains("leaflet.markercluster.js"));
    let r = app.get("/opendata/2312823003-municipalities/map").await;
    assert!(r.body.contains(r#"data-lat="centroid_lat""#));
    assert_eq!(
        app.get("/opendata/2312823003-organisations/map")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get("/opendata/2312823003-organisations")
            .await
            .body
            .contains("/map\"")
    );
});

both_backends!(
    directory_changes_republish_the_organisations_dataset,
    // every version is kept here: the history of versions is what is checked (daily coalescing has its own test)
    config = |c| c.live_versions = veche::config::LiveVersions::EveryChange,
    |app| {
        let id = "2312823003-organisations";
        assert_eq!(versions(&app, id).await, 1);
        app.signed_in_admin().await;
        let edit = "/admin/organisations/min-sport/edit";
        let form = app.get(edit).await;
        let name_en = form
            .body
            .split(r#"name="name_en" type="text" value=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let r = app
            .submit(
                edit,
                edit,
                &[
                    ("kind", "department"),
                    ("parent_id", "vg-humanitarian"),
                    ("name_ru", "Министерство спорта Краснодарского края"),
                    ("name_en", &name_en),
                    ("short_name_ru", "Минспорт КК"),
                    ("short_name_en", "Minsport"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.run_workers().await;
        assert_eq!(versions(&app, id).await, 2, "a new version");
        let m = app.get(&format!("/opendata/{id}/meta.json")).await.json();
        let newest = m["data"][0]["source"]
            .as_str()
            .unwrap()
            .replace(".json", ".csv");
        let oldest = m["data"][1]["source"]
            .as_str()
            .unwrap()
            .replace(".json", ".csv");
        let path = |u: &str| u[u.find("/opendata").unwrap()..].to_owned();
        assert!(
            app.get(&path(&newest))
                .await
                .body
                .contains("Министерство спорта Краснодарского края")
        );
        assert!(
            !app.get(&path(&oldest))
                .await
                .body
                .contains("Министерство спорта Краснодарского края"),
            "the old version stays as it was"
        );
        // Nothing changed: nothing published.
        app.run_workers().await;
        assert_eq!(versions(&app, id).await, 2);
    }
);

/// A CSV of the towns' structure with one changed population.
fn towns_csv(change: Option<(&str, &str)>) -> Vec<u8> {
    let committed = std::fs::read_to_string(format!(
        "{}/datasets/{TOWNS}/data-20211011-structure-20261124.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    match change {
        Some((from, to)) => committed.replacen(from, to, 1).into_bytes(),
        None => committed.into_bytes(),
    }
}

both_backends!(an_officer_publishes_a_new_version_through_the_web, |app| {
    let officer = app
        .register_confirmed("officer@example.ru", "Ольга", "correct horse battery")
        .await;
    app.make_officer(officer, "min-digital").await;
    app.login("officer@example.ru", "correct horse battery")
        .await;
    let page = format!("/opendata/{TOWNS}/publish");
    let form = app.get(&page).await;
    assert_eq!(form.status, StatusCode::OK);
    let action = form
        .body
        .split(r#"action=""#)
        .find(|s| s.starts_with("/opendata/"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        !action.contains("csrf_token="),
        "upload forms carry the token in their body, not in the address"
    );
    // This test's uploads send it as scripts may: in the query.
    let action = format!("{action}?csrf_token={}", form.csrf_token());

    // A file with errors publishes nothing and says where they are.
    let bad = towns_csv(Some((",744933,", ",много,")));
    let r = app
        .post_multipart(
            &action,
            "towns.csv",
            &bad,
            &[("provenance", "Ошибочный файл")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("population_2010"));
    assert!(r.body.contains("«много» не целое число"), "{}", r.body);
    assert!(r.body.contains("<td>12</td>"), "the line number");
    assert_eq!(versions(&app, TOWNS).await, 1);

    // The same file as published: no new version.
    let r = app
        .post_multipart(&action, "towns.csv", &towns_csv(None), &[])
        .await;
    assert!(r.body.contains("совпадает с текущей версией"), "{}", r.body);
    assert_eq!(versions(&app, TOWNS).await, 1);

    // A real change.
    let good = towns_csv(Some((",744933,", ",948827,")));
    let r = app
        .post_multipart(
            &action,
            "towns.csv",
            &good,
            &[("provenance", "Уточнена численность Краснодара")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Опубликована версия"));
    assert!(
        r.body.contains("(26 строк)"),
        "the rows published: {}",
        r.body
    );
    assert_eq!(versions(&app, TOWNS).await, 2);
    // Published before its column indexes exist: filters answer the same
    // without them, and the worker builds them from the outbox afterwards.
    let version = app
        .scalar("select max(version_id) from dataset_version")
        .await;
    let columns = String::from_utf8(good.clone())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .split(',')
        .count();
    let column_indexes = async || {
        let names = veche::opendata::store::index_names(&app.state.db, version)
            .await
            .unwrap();
        (0..columns)
            .filter(|i| names.contains(&format!("odv_{version}_c{i}")))
            .count()
    };
    assert_eq!(
        column_indexes().await,
        0,
        "not built in the upload's request"
    );
    let t = app
        .get(&format!("/opendata/{TOWNS}/table.json?name=Краснодар"))
        .await
        .json();
    assert_eq!(t["rows"][0]["population_2010"], 948827);
    app.run_workers().await;
    assert_eq!(column_indexes().await, columns, "every column indexed");
    assert_eq!(
        app.scalar("select count(*) from outbox where queue = 'opendata.index'")
            .await,
        0
    );
    let t = app
        .get(&format!("/opendata/{TOWNS}/table.json?name=Краснодар"))
        .await
        .json();
    assert_eq!(t["rows"][0]["population_2010"], 948827);
    let meta = app
        .get(&format!("/opendata/{TOWNS}/meta.json"))
        .await
        .json();
    assert_eq!(meta["provenance"], "Уточнена численность Краснодара");
    assert_eq!(
        meta["data"].as_array().unwrap().len(),
        2,
        "the old version stays listed"
    );
    assert_eq!(
        app.get(TOWNS_CSV).await.status,
        StatusCode::OK,
        "and downloadable"
    );

    // A spreadsheet works the same way.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let text = String::from_utf8(towns_csv(Some((",744933,", ",950000,")))).unwrap();
    for (r, line) in csv::Reader::from_reader(text.as_bytes())
        .records()
        .enumerate()
    {
        let line = line.unwrap();
        for (c, v) in line.iter().enumerate() {
            if c >= 6 && !v.is_empty() {
                sheet
                    .write_number((r + 1) as u32, c as u16, v.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string((r + 1) as u32, c as u16, v).unwrap();
            }
        }
    }
    for (c, h) in [
        "name",
        "municipality_id",
        "postal_code",
        "okato",
        "oktmo",
        "fias_id",
        "lat",
        "lon",
        "population_2010",
        "foundation_year",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let xlsx = book.save_to_buffer().unwrap();
    let r = app.post_multipart(&action, "towns.xlsx", &xlsx, &[]).await;
    assert!(r.body.contains("Опубликована версия"), "{}", r.body);
    let t = app
        .get(&format!("/opendata/{TOWNS}/table.json?name=Краснодар"))
        .await
        .json();
    assert_eq!(t["rows"][0]["population_2010"], 950000);

    // A file that is not a spreadsheet, and a Windows-1251 CSV.
    let r = app
        .post_multipart(&action, "towns.xlsx", b"PK\x03\x04 not really a zip", &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("не является книгой Excel"));
    assert_eq!(versions(&app, TOWNS).await, 3);
    // What Russian Excel saves as «CSV»: Windows-1251 and semicolons. It is
    // read, and the page says how.
    let current = app.get(TOWNS_CSV).await.body;
    // (No value of the towns holds a comma or a quote.)
    let lines: Vec<String> = current
        .replacen("\nКраснодар,", "\nЕкатеринодар,", 1)
        .lines()
        .map(|l| l.replace(',', ";"))
        .collect();
    let text = lines.join("\r\n") + "\r\n";
    let (cp1251, _, lossy) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(
        !lossy && std::str::from_utf8(&cp1251).is_err(),
        "really Windows-1251"
    );
    let r = app.post_multipart(&action, "towns.csv", &cp1251, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Опубликована версия"), "{}", r.body);
    assert!(
        r.body
            .contains("Файл прочитан как Windows-1251, разделитель — точка с запятой."),
        "{}",
        r.body
    );
    assert_eq!(versions(&app, TOWNS).await, 4);
    let t = app
        .get(&format!("/opendata/{TOWNS}/table.json?name=Екатеринодар"))
        .await
        .json();
    assert_eq!(
        t["rows"].as_array().unwrap().len(),
        1,
        "Cyrillic read right: {t}"
    );
    // Bytes that are neither UTF-8 nor Windows-1251 text are refused, with
    // the way out.
    let r = app
        .post_multipart(&action, "towns.csv", b"name\n\x98\x81\x8d\x8f\x90\n", &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("CSV UTF-8"), "{}", r.body);
    assert_eq!(versions(&app, TOWNS).await, 4);

    // A header that does not match the structure.
    let r = app
        .post_multipart(&action, "towns.csv", b"name,colour\nX,red\n", &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("colour"));
    assert!(r.body.contains("в файле нет этого поля структуры"));
});

both_backends!(publishing_is_for_officers_of_the_owner, |app| {
    let citizen = app.signed_in_citizen("c@example.ru").await;
    assert_eq!(
        app.get(&format!("/opendata/{TOWNS}/publish")).await.status,
        StatusCode::FORBIDDEN
    );
    // An officer of another organisation is refused too.
    app.make_officer(citizen, "min-transport").await;
    assert_eq!(
        app.get(&format!("/opendata/{TOWNS}/publish")).await.status,
        StatusCode::FORBIDDEN
    );
    app.clear_cookies();
    assert_eq!(
        app.get(&format!("/opendata/{TOWNS}/publish")).await.status,
        StatusCode::SEE_OTHER
    );
});

both_backends!(
    spreadsheet_cells_cannot_become_formulas_in_csv_downloads,
    |app| {
        let officer = app
            .register_confirmed("o@example.ru", "O", "correct horse battery")
            .await;
        app.make_officer(officer, "min-digital").await;
        app.login("o@example.ru", "correct horse battery").await;
        let form = app.get(&format!("/opendata/{TOWNS}/publish")).await;
        let action = form
            .body
            .split(r#"action=""#)
            .find(|s| s.starts_with("/opendata/"))
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let action = format!("{action}?csrf_token={}", form.csrf_token());
        let evil = towns_csv(Some(("Абинск,", "=HYPERLINK(\"http://evil\"),")));
        let r = app.post_multipart(&action, "t.csv", &evil, &[]).await;
        assert!(r.body.contains("Опубликована версия"), "{}", r.body);
        let meta = app
            .get(&format!("/opendata/{TOWNS}/meta.json"))
            .await
            .json();
        let url = meta["data"][0]["source"]
            .as_str()
            .unwrap()
            .replace(".json", ".csv");
        let csv = app.get(&url[url.find("/opendata").unwrap()..]).await;
        assert!(
            csv.body.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
            "{}",
            &csv.body[..300]
        );
        let json = app
            .get(&url[url.find("/opendata").unwrap()..].replace(".csv", ".json"))
            .await
            .json();
        assert_eq!(
            json[0]["name"], "=HYPERLINK(\"http://evil\")",
            "JSON keeps the value as published"
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_the_limit_get_413_and_change_nothing() {
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |c| {
        c.server.max_body_mb = 1
    })
    .await
    .unwrap();
    let officer = app
        .register_confirmed("o@example.ru", "O", "correct horse battery")
        .await;
    app.make_officer(officer, "min-digital").await;
    app.login("o@example.ru", "correct horse battery").await;
    let form = app.get(&format!("/opendata/{TOWNS}/publish")).await;
    let action = form
        .body
        .split(r#"action=""#)
        .find(|s| s.starts_with("/opendata/"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let action = format!("{action}?csrf_token={}", form.csrf_token());
    let mut big = towns_csv(None);
    while big.len() < 3 * 1024 * 1024 {
        big.extend_from_slice("Город,krasnodar,350000,1,2,3,45.0,39.0,1,1900\n".as_bytes());
    }
    let r = app.post_multipart(&action, "big.csv", &big, &[]).await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.body[..r.body.len().min(500)]
    );
    assert!(r.body.contains("МБ"), "{}", r.body);
    assert_eq!(versions(&app, TOWNS).await, 1);
}

/// The problems dataset's published versions: (stamp, provenance), oldest
/// first.
async fn problem_versions(app: &TestApp) -> Vec<(String, String)> {
    veche::on_db!(&app.state.db, |pool| {
        sqlx::query_as::<_, (String, String)>(
        "select v.stamp, v.provenance from dataset_version v join dataset d using (dataset_id)
         where d.identifier = '2312823003-problems' and v.state = 'published' order by v.version_id"
    )
    .fetch_all(pool)
    .await
    })
    .unwrap()
}

async fn file_reports(app: &TestApp, n: usize) {
    use crate::problems::{KRASNODAR, citizen, file, set, sign_in_as};
    set(app, "premoderation", "off").await;
    citizen(app, "olga@example.ru", "Ольга Смирнова").await;
    sign_in_as(app, "olga@example.ru").await;
    for i in 0..n {
        let lat = format!("{:.4}", 45.0355 + i as f64 * 0.01);
        let r = file(
            app,
            "road-pothole",
            (&lat, KRASNODAR.1),
            &format!("Яма номер {i} на дороге, объезжают по встречной."),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Each change is republished before the next, as the worker would.
        app.run_workers().await;
    }
}

both_backends!(a_live_dataset_keeps_one_version_a_day, |app| {
    let today = veche::opendata::domain::Stamp::today().text;
    let day = format!("{}.{}.{}", &today[6..8], &today[4..6], &today[0..4]);
    file_reports(&app, 3).await;
    // Three changes, one version for today: the preliminary one, replaced
    // at every change, holding all three.
    let todays: Vec<_> = problem_versions(&app)
        .await
        .into_iter()
        .filter(|(s, _)| s.starts_with(&today))
        .collect();
    assert_eq!(todays.len(), 1, "{todays:?}");
    assert!(
        todays[0]
            .1
            .starts_with(&format!("Предварительная версия за {day}")),
        "{todays:?}"
    );
    let t = app
        .get("/opendata/2312823003-problems/table.json?_extra=count")
        .await
        .json();
    assert_eq!(t["count"], 3, "{t}");
    let passport = app.get("/opendata/2312823003-problems").await;
    assert!(
        passport.body.contains("Предварительная версия за"),
        "the passport says so"
    );

    // After midnight it is final, though nothing changed since.
    veche::on_db!(&app.state.db, |pool| sqlx::query(
        "update dataset_version set stamp = '20200101' where stamp = $1
           and dataset_id = (select dataset_id from dataset where identifier = '2312823003-problems')"
    )
    .bind(&todays[0].0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    app.run_workers().await;
    let all = problem_versions(&app).await;
    let old = all.iter().find(|(s, _)| s == "20200101").unwrap();
    assert!(
        old.1.starts_with("Окончательная версия за 01.01.2020"),
        "{all:?}"
    );
    // A change today starts today's own version; the final one stays.
    file_reports_more(&app).await;
    let all = problem_versions(&app).await;
    assert!(all.iter().any(|(s, _)| s == "20200101"), "{all:?}");
    assert_eq!(
        all.iter().filter(|(s, _)| s.starts_with(&today)).count(),
        1,
        "{all:?}"
    );
});

// Several nodes share the database: when one replaces a day's preliminary
// version (its row, then its file), another whose catalogue has not caught
// up yet answers a download of it with 404, and stops offering it within a
// few seconds: the removal moves the passport's `updated_at`, and a snapshot
// read in the same second as a change is read again (`catalogue::SETTLE`),
// since whole-second instants cannot tell two changes in one second apart.
both_backends!(a_version_another_node_removed_is_gone_here_too, |app| {
    use veche::opendata::domain::Ext;
    file_reports(&app, 1).await;
    let snapshot = app.state.catalogue.snapshot(&app.state.db).await.unwrap();
    let e = snapshot.get("2312823003-problems").unwrap().clone();
    let v = e.current().unwrap().clone();
    let csv = format!("/opendata/2312823003-problems/{}", v.file_name(Ext::Csv));
    let json = v.file_name(Ext::Json);
    assert_eq!(app.get(&csv).await.status, StatusCode::OK);
    let meta = app.get("/opendata/2312823003-problems/meta.json").await;
    assert!(meta.body.contains(&json), "{}", meta.body);
    // What `loader::supersede` does on the other node, without this
    // process's catalogue being told.
    veche::opendata::queries::delete_published_version(
        &app.state.db,
        e.dataset.dataset_id,
        v.version_id,
    )
    .await
    .unwrap();
    app.state
        .media
        .delete(&veche::opendata::import::csv_key(
            &e.dataset,
            &v.file_name(Ext::Csv),
        ))
        .await
        .unwrap();
    let r = app.get(&csv).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let start = std::time::Instant::now();
    while app
        .get("/opendata/2312823003-problems/meta.json")
        .await
        .body
        .contains(&json)
    {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(4),
            "the passport still offers the removed version"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
});

async fn file_reports_more(app: &TestApp) {
    use crate::problems::{KRASNODAR, file};
    let r = file(
        app,
        "road-pothole",
        ("45.2", KRASNODAR.1),
        "Ещё одна яма, у моста.",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
}

#[tokio::test]
async fn every_change_adds_a_version_when_configured() {
    let Some(app) = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |c| {
        c.live_versions = veche::config::LiveVersions::EveryChange;
    })
    .await
    else {
        return;
    };
    let before = problem_versions(&app).await.len();
    file_reports(&app, 3).await;
    assert_eq!(problem_versions(&app).await.len(), before + 3);
}

both_backends!(an_officer_corrects_how_a_csv_is_read, |app| {
    let officer = app
        .register_confirmed("o@example.ru", "O", "correct horse battery")
        .await;
    app.make_officer(officer, "min-digital").await;
    app.login("o@example.ru", "correct horse battery").await;
    let page = format!("/opendata/{TOWNS}/publish");
    let form = app.get(&page).await;
    assert!(form.body.contains("name=\"encoding\"") && form.body.contains("name=\"delimiter\""));
    // Semicolons in Windows-1251, as Russian Excel saves them.
    let current = app.get(TOWNS_CSV).await.body;
    let text: String = current
        .replacen("\nКраснодар,", "\nЕкатеринодар,", 1)
        .replace(',', ";");
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let bytes = cp1251.to_vec();
        let page = page.clone();
        let app = &app;
        async move {
            let token = app.get(&page).await.csrf_token();
            let mut all = vec![("csrf_token", token)];
            all.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
            let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_multipart(&page, "towns.csv", &bytes, &refs).await
        }
    };
    // Told it is UTF-8, the file cannot be read: nothing is published, and
    // the page says how it was read.
    let r = post(vec![("encoding", "utf-8")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("Файл прочитан как UTF-8, разделитель — точка с запятой."),
        "{}",
        r.body
    );
    // Told the separator is a comma, the header is one unknown field.
    let r = post(vec![("delimiter", "comma")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Nonsense is a clear refusal.
    let r = post(vec![("encoding", "koi8-u")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Выберите кодировку из списка."),
        "{}",
        r.body
    );
    // The right reading, said explicitly, publishes.
    let r = post(vec![
        ("encoding", "windows-1251"),
        ("delimiter", "semicolon"),
    ])
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Опубликована версия"), "{}", r.body);
    let t = app
        .get(&format!("/opendata/{TOWNS}/table.json?name=Екатеринодар"))
        .await
        .json();
    assert_eq!(t["rows"].as_array().unwrap().len(), 1, "{t}");
});
