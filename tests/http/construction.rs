//! The construction registries through HTTP: officers add and edit objects
//! (history kept), the public sees the map's GeoJSON, the table with
//! filters and its exports, documents; the JSON API; the spreadsheet import
//! with its report, preview and all-or-nothing commit, on the web and on
//! the command line; every kind of bad spreadsheet.

use axum::http::StatusCode;
use rust_xlsxwriter::Workbook;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::opendata_api::{token_for, veche};
use crate::problems::{citizen, multipart, sign_in_as};

const AUTHORITY: &str = "dep-construction-supervision";

pub async fn officer(app: &TestApp) {
    let id = citizen(app, "nadzor@krasnodar.example", "Инспектор Надзора").await;
    app.make_officer(id, AUTHORITY).await;
    sign_in_as(app, "nadzor@krasnodar.example").await;
}

async fn count(app: &TestApp, illegal: bool) -> i64 {
    veche::construction::queries::count(
        &app.state.db,
        &veche::construction::queries::Filter {
            illegal_only: illegal,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

const FOOTPRINT: &str = r#"{"type":"Polygon","coordinates":[[[38.975,45.035],[38.976,45.035],[38.976,45.036],[38.975,45.036],[38.975,45.035]]]}"#;

both_backends!(officers_keep_the_registry_and_the_public_sees_it, |app| {
    // A citizen cannot add objects.
    citizen(&app, "resident@example.ru", "Житель").await;
    sign_in_as(&app, "resident@example.ru").await;
    assert_eq!(
        app.get("/construction/objects/new").await.status,
        StatusCode::FORBIDDEN
    );

    officer(&app).await;
    // The form has a map to drop the point and draw the footprint
    // (Leaflet-Geoman, vendored), with the typed fields and the raw GeoJSON
    // kept for power users.
    let form = app.get("/construction/objects/new").await.body;
    assert!(form.contains("id=\"object-pick-map\""), "{form}");
    for asset in [
        "/vendor/leaflet-geoman/leaflet-geoman.",
        "/js/object-form.",
        "/vendor/leaflet/leaflet.",
    ] {
        let at = form
            .find(asset)
            .unwrap_or_else(|| panic!("{asset} is not on the form"));
        let start = form[..at].rfind('"').unwrap() + 1;
        let href = &form[start..at + form[at..].find('"').unwrap()];
        assert_eq!(app.get(href).await.status, StatusCode::OK, "{href}");
    }
    assert!(form.contains("name=\"footprint\"") && form.contains("name=\"lat\""));
    // Bad input: every problem named, nothing stored.
    let r = app
        .submit(
            "/construction/objects/new",
            "/construction/objects/new",
            &[
                ("name", "Жилой дом"),
                ("lat", "55.75"),
                ("lon", "37.61"),
                ("permit_date", "вчера"),
                ("floors", "много"),
                ("status", "under_construction"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("не дата") && r.body.contains("не число этажей"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Краснодарского края"),
        "the point is outside the region: {}",
        r.body
    );
    assert_eq!(count(&app, false).await, 0);

    let r = app
        .submit(
            "/construction/objects/new",
            "/construction/objects/new",
            &[
                ("name", "Жилой комплекс «Северный»"),
                ("address", "Краснодар, ул. Северная, 320"),
                ("lat", "45.0355"),
                ("lon", "38.9753"),
                ("footprint", FOOTPRINT),
                ("cadastral_number", "23:43:0123456:789"),
                ("permit_number", "23-43-1234-2026"),
                ("permit_date", "15.03.2026"),
                ("developer", "ООО «СтройЮг»"),
                ("purpose", "многоквартирный жилой дом"),
                ("floors", "16"),
                ("status", "under_construction"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().ends_with("?done=1"),
        "confirmed: {}",
        r.location()
    );
    let page = r.location().trim_end_matches("?done=1").to_owned();
    let id: i64 = page
        .trim_start_matches("/construction/objects/")
        .parse()
        .unwrap();
    let shown = app.get(&page).await;
    // The permit date as people read it, not the stored ISO.
    assert!(
        shown.body.contains("ООО «СтройЮг»") && shown.body.contains("15.03.2026"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("Полигон") || shown.body.contains("Polygon"),
        "the footprint is on the page's map"
    );

    // Edited: the history shows what changed.
    let r = app
        .submit(
            &format!("{page}/edit"),
            &format!("{page}/edit"),
            &[
                ("name", "Жилой комплекс «Северный»"),
                ("address", "Краснодар, ул. Северная, 320"),
                ("lat", "45.0355"),
                ("lon", "38.9753"),
                ("footprint", FOOTPRINT),
                ("cadastral_number", "23:43:0123456:789"),
                ("permit_number", "23-43-1234-2026"),
                ("permit_date", "2026-03-15"),
                ("developer", "ООО «СтройЮг»"),
                ("purpose", "многоквартирный жилой дом"),
                ("floors", "18"),
                ("status", "suspended"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = app.get(&page).await;
    assert!(shown.body.contains("16 → 18"), "{}", shown.body);
    assert!(
        shown.body.contains("строится → приостановлено"),
        "the history shows labels, not codes: {}",
        shown.body
    );

    // A document: PDF only.
    let token = shown.csrf_token();
    let (ct, body) = multipart(
        &[("title", "Разрешение на строительство")],
        &[("file", "razreshenie.txt", b"not a pdf".to_vec())],
    );
    let r = app
        .post_bytes(
            &format!("{page}/documents?csrf_token={token}"),
            &ct,
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("не PDF"), "{}", r.body);
    let (ct, body) = multipart(
        &[("title", "Разрешение на строительство")],
        &[("file", "razreshenie.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())],
    );
    let r = app
        .post_bytes(
            &format!("{page}/documents?csrf_token={token}"),
            &ct,
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.clear_cookies();
    let shown = app.get(&page).await;
    let doc = shown
        .body
        .split("/construction/documents/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let pdf = app.get(&format!("/construction/documents/{doc}")).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));

    // The public map and table, with filters.
    let geo = app
        .get("/api/v1/construction.geojson?status=suspended")
        .await
        .json();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 2, "the point and its footprint");
    assert_eq!(features[0]["properties"]["id"], id);
    assert_eq!(features[1]["geometry"]["type"], "Polygon");
    assert_eq!(
        app.get("/api/v1/construction.geojson?status=completed")
            .await
            .json()["features"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get("/api/v1/construction.geojson?status=nonsense")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let t = app
        .get("/construction/registry?municipality=krasnodar")
        .await;
    assert!(
        t.body.contains("Жилой комплекс «Северный»") && t.body.contains(r#"id="objects-count">1<"#)
    );
    let t = app.get("/construction/registry?municipality=sochi").await;
    assert!(t.body.contains(r#"id="objects-count">0<"#));
    let csv = app
        .get("/construction/registry?status=suspended&format=csv")
        .await;
    assert!(csv.body.contains("23:43:0123456:789") && csv.body.contains("ООО «СтройЮг»"));
    let xlsx = app.get("/construction/registry?format=xlsx").await;
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.rows().count(), 2, "a header and the object");
    // The PDF report: the title, the object, the map's credit, as a reader
    // extracts them.
    let pdf = app
        .get("/construction/registry?status=suspended&format=pdf")
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf.bytes) {
        assert!(
            text.contains("Реестр строек") && text.contains("Статус: приостановлено"),
            "{text}"
        );
        assert!(
            text.contains("23:43:0123456:789") && text.contains("OpenStreetMap"),
            "{text}"
        );
    }
    // Every selected object is in the report, not one page of the table.
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..60 {
        let input = veche::construction::domain::ObjectForm {
            name: format!("Гараж {i}"),
            lat: "45.04".into(),
            lon: "38.97".into(),
            status: "planned".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        veche::construction::queries::insert(&mut tx, &input, false, "officer")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let pdf = app.get("/construction/registry?format=pdf").await;
    if let Some(text) = pdf_text(&pdf.bytes) {
        assert!(
            text.contains("объектов: 61") && text.contains("Гараж 59"),
            "{text}"
        );
    }
    let map = app.get("/construction").await;
    assert!(
        map.body.contains("construction-map") && map.body.contains("/api/v1/construction.geojson")
    );

    // The open dataset follows the registry.
    app.run_workers().await;
    app.state.catalogue.invalidate();
    let data = app
        .get("/opendata/2309650015-construction/table.json?_shape=objects")
        .await
        .json();
    assert_eq!(
        data["rows"][0]["cadastral_number"], "23:43:0123456:789",
        "{data}"
    );
});

both_backends!(the_api_adds_objects_for_the_authority_only, |app| {
    let officer_token = token_for(&app, "api@nadzor.example", Some(AUTHORITY)).await;
    let other_token = token_for(&app, "api@health.example", Some("min-health")).await;
    let body = serde_json::json!({
        "name": "Склад", "address": "Новороссийск, ул. Портовая, 5",
        "lat": "44.7235", "lon": "37.7686", "status": "planned", "floors": "2"
    })
    .to_string();
    let post = |token: String, body: String| {
        let app = &app;
        async move {
            app.post_bytes(
                "/api/v1/construction/objects",
                "application/json",
                body.into_bytes(),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await
        }
    };
    let r = post(other_token, body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(officer_token.clone(), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["municipality_id"], "novorossiysk");
    let bad = serde_json::json!({ "name": "X", "lat": "91", "lon": "0", "status": "planned" })
        .to_string();
    let officer_token2 = officer_token.clone();
    let r = post(officer_token, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lat")
    );
    assert_eq!(count(&app, false).await, 1);
    // Edited through the API: the history records it.
    let id = veche::construction::queries::list(
        &app.state.db,
        &veche::construction::queries::Filter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()[0]
        .object_id;
    let changed = serde_json::json!({
        "name": "Склад", "address": "Новороссийск, ул. Портовая, 5",
        "lat": "44.7235", "lon": "37.7686", "status": "under_construction", "floors": "3"
    })
    .to_string();
    let r = app
        .request(
            axum::http::Request::put(format!("/api/v1/construction/objects/{id}"))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {officer_token2}"))
                .body(axum::body::Body::from(changed))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["floors"], 3);
    let page = app.get(&format!("/construction/objects/{id}")).await;
    assert!(page.body.contains("2 → 3"), "{}", page.body);
    assert_eq!(
        app.get(&format!("/api/v1/construction/objects/{id}"))
            .await
            .json()["status"],
        "under_construction"
    );
});

/// A spreadsheet: header and rows; `merge` merges a range (first row,
/// first col, last row, last col, text).
pub fn xlsx(rows: &[&[&str]], merge: Option<(u32, u16, u32, u16, &str)>) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Ok(n) = v.parse::<f64>()
                && !v.contains(':')
                && !v.is_empty()
            {
                ws.write_number(r as u32, c as u16, n).unwrap();
            } else {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    if let Some((r0, c0, r1, c1, text)) = merge {
        let f = rust_xlsxwriter::Format::new();
        ws.merge_range(r0, c0, r1, c1, text, &f).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

pub const HEADER: &[&str] = &[
    "Адрес",
    "Широта",
    "Долгота",
    "Кадастровый номер",
    "Правообладатель",
    "Этажность",
    "Дата выявления",
    "Статус",
];

fn registry_sheet() -> Vec<u8> {
    xlsx(
        &[
            HEADER,
            &[
                "Краснодар, ул. Тихая, 1",
                "45.05",
                "38.98",
                "23:43:0100001:11",
                "ООО «Альфа»",
                "3",
                "12.02.2025",
                "выявлено",
            ],
            &[
                "Сочи, ул. Морская, 7",
                "43.58",
                "39.72",
                "23:49:0200002:22",
                "ООО «Бета»",
                "5",
                "2025-03-01",
                "",
            ],
            // Outside the region (Moscow).
            &[
                "Москва, Тверская, 1",
                "55.75",
                "37.61",
                "77:01:0000001:1",
                "",
                "",
                "",
                "",
            ],
            // A date as text that is not a date.
            &[
                "Анапа, ул. Лесная, 3",
                "44.89",
                "37.32",
                "23:37:0300003:33",
                "",
                "2",
                "прошлой весной",
                "",
            ],
            // The same cadastral number as row 2.
            &[
                "Краснодар, ул. Тихая, д. 1",
                "45.05",
                "38.98",
                "23:43:0100001:11",
                "",
                "",
                "",
                "",
            ],
            // Floors as words.
            &[
                "Геленджик, ул. Горная, 9",
                "44.56",
                "38.08",
                "23:40:0400004:44",
                "",
                "много",
                "",
                "снесено",
            ],
            // Merged cells (row 8 and 9, columns A to C).
            &["", "", "", "23:43:0500005:55", "", "", "", ""],
            &["", "", "", "23:43:0600006:66", "", "", "", ""],
        ],
        Some((7, 0, 8, 2, "Краснодар, ул. Слитная, 2")),
    )
}

/// The address that commits a previewed import.
pub fn commit_path(preview: &crate::helpers::TestResponse) -> String {
    let key = preview
        .body
        .split("/construction/import/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    format!("/construction/import/{key}/commit")
}

pub async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> crate::helpers::TestResponse {
    let token = app.get("/construction/import").await.csrf_token();
    let (ct, body) = multipart(&[], &[("file", name, bytes)]);
    app.post_bytes(
        &format!("/construction/import?csrf_token={token}"),
        &ct,
        body,
        &[],
    )
    .await
}

both_backends!(
    a_spreadsheet_is_checked_previewed_and_committed_whole,
    |app| {
        officer(&app).await;
        let r = upload(&app, "samostroi.xlsx", registry_sheet()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains(r#"id="rows-total">8<"#), "{}", r.body);
        assert!(r.body.contains(r#"id="rows-new">2<"#), "{}", r.body);
        assert!(
            r.body.contains("Загрузить 2 строки"),
            "the plural form: {}",
            r.body
        );
        assert!(r.body.contains(r#"id="rows-rejected">6<"#), "{}", r.body);
        // Every rejected row: row number, column, reason.
        let problems = r.body.split(r#"id="import-problems""#).nth(1).unwrap();
        for (row, column, reason) in [
            ("4", "Широта", "Краснодарского края"),
            ("5", "Дата выявления", "не дата"),
            ("6", "Кадастровый номер", "повтор строки 2"),
            ("7", "Этажность", "не число этажей"),
            ("8", "A8:C9", "объединённые ячейки"),
            ("9", "A8:C9", "объединённые ячейки"),
        ] {
            let needle = format!("<tr><td>{row}</td><td>{column}</td><td>");
            let at = problems
                .find(&needle)
                .unwrap_or_else(|| panic!("row {row} in {problems}"));
            assert!(
                problems[at..]
                    .split("</tr>")
                    .next()
                    .unwrap()
                    .contains(reason),
                "row {row}: {reason}"
            );
        }
        // A preview writes nothing.
        assert_eq!(count(&app, true).await, 0);
        let commit = commit_path(&r);
        let token = r.csrf_token();
        let done = app.post_form_raw(&commit, &[("csrf_token", &token)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(count(&app, true).await, 2);
        let list = app.get("/construction/illegal").await;
        assert!(list.body.contains("ООО «Альфа»") && list.body.contains("Сочи, ул. Морская, 7"));
        // The public sees the registry but not the right-holders of illegal
        // constructions (often private people), neither on the page nor in the
        // open dataset.
        let officer_jar = app.jar();
        app.clear_cookies();
        let public = app.get("/construction/illegal").await;
        assert!(
            public.body.contains("Сочи, ул. Морская, 7") && !public.body.contains("ООО «Альфа»")
        );
        app.run_workers().await;
        app.state.catalogue.invalidate();
        let data = app
            .get("/opendata/2309650015-illegal-constructions/table.json?_shape=objects")
            .await;
        assert!(
            data.body.contains("Сочи, ул. Морская, 7") && !data.body.contains("Альфа"),
            "{}",
            data.body
        );
        app.restore_jar(officer_jar);
        // Committed once: the same key again is refused.
        let again = app.post_form_raw(&commit, &[("csrf_token", &token)]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        // The same file again: the two objects are updated, not duplicated.
        let r = upload(&app, "samostroi.xlsx", registry_sheet()).await;
        assert!(
            r.body.contains(r#"id="rows-new">0<"#) && r.body.contains(r#"id="rows-updated">2<"#),
            "{}",
            r.body
        );

        // Whole-file problems: a clear report, nothing imported.
        for (name, bytes, expect) in [
            (
                "wrong.xlsx",
                xlsx(&[&["Улица", "X", "Y"], &["Тихая", "1", "2"]], None),
                "Не хватает столбцов",
            ),
            (
                "notes.xlsx",
                b"just some text, not a workbook".to_vec(),
                "не является книгой Excel",
            ),
            ("empty.xlsx", xlsx(&[], None), "Лист пуст"),
            (
                "merged-header.xlsx",
                xlsx(
                    &[
                        &["", "", "", "Статус"],
                        &["Краснодар", "45.05", "38.98", ""],
                    ],
                    Some((0, 0, 0, 2, "Адрес и координаты")),
                ),
                "заголовков объединены",
            ),
        ] {
            let r = upload(&app, name, bytes).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name}: {}",
                r.body
            );
            assert!(r.body.contains(expect), "{name}: {}", r.body);
        }
        // Too large: refused while uploading.
        let big = vec![0u8; 52 * 1024 * 1024];
        let r = upload(&app, "big.xlsx", big).await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            &r.body[..r.body.len().min(500)]
        );
        assert!(r.body.contains("больше 50 МБ"));
        assert_eq!(count(&app, true).await, 2);
    }
);

async fn cli_import(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("samostroi.xlsx");
    std::fs::write(&file, registry_sheet()).unwrap();
    // Rejected rows: the report is printed and nothing is written.
    let out = veche(&app)
        .args(["import-constructions", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stdout.contains("8 rows: 2 new, 0 update registry objects, 6 rejected"),
        "{stdout}{stderr}"
    );
    assert!(
        stdout.contains("row 5, column «Дата выявления»"),
        "{stdout}"
    );
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert_eq!(count(&app, true).await, 0);
    let out = veche(&app)
        .args([
            "import-constructions",
            "--dry-run",
            "--skip-invalid",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(count(&app, true).await, 0);
    let out = veche(&app)
        .args([
            "import-constructions",
            "--skip-invalid",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 added, 0 updated"));
    assert_eq!(count(&app, true).await, 2);
    // A file that is not a spreadsheet: a message, no panic.
    std::fs::write(&file, b"plain text").unwrap();
    let out = veche(&app)
        .args(["import-constructions", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("не является книгой Excel"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veche_import_constructions_reports_and_commits_sqlite() {
    cli_import(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veche_import_constructions_reports_and_commits_postgres() {
    cli_import(Backend::Postgres).await;
}

both_backends!(
    a_check_request_follows_the_shared_lifecycle_and_publishes_its_result,
    |app| {
        crate::problems::set(&app, "premoderation", "off").await;
        citizen(&app, "zhitel@example.ru", "Анна Житель").await;
        sign_in_as(&app, "zhitel@example.ru").await;
        // The form is reached without an object: from the construction map
        // (its menu and its lead) and from the problem report form, where
        // people look first (nothing linked to it before).
        let entry = "href=\"/construction/checks/new\"";
        let map = app.get("/construction").await.body;
        assert!(map.matches(entry).count() >= 2, "menu and lead: {map}");
        assert!(app.get("/construction/registry").await.body.contains(entry));
        assert!(app.get("/problems/new").await.body.contains(entry));
        // A click on an empty spot of the map asks for a check there: the
        // map knows where to send it, and the form opens on that place.
        assert!(
            map.contains("data-check-href=\"/construction/checks/new\""),
            "{map}"
        );
        let there = app
            .get("/construction/checks/new?lat=45.0501&lon=38.9802")
            .await
            .body;
        assert!(
            there.contains("value=\"45.050100\"") && there.contains("value=\"38.980200\""),
            "{there}"
        );
        let junk = app
            .get("/construction/checks/new?lat=%22%3E%3Cscript%3E&lon=NaN")
            .await;
        assert_eq!(junk.status, StatusCode::OK);
        assert!(!junk.body.contains("<script>\""), "only numbers come back");
        let form = app.get("/construction/checks/new").await;
        assert!(
            form.body.contains("Стройка не внесена в реестр"),
            "{}",
            form.body
        );
        let token = form.csrf_token();
        let post = |fields: Vec<(&'static str, String)>,
                    photos: Vec<(&'static str, &'static str, Vec<u8>)>| {
            let app = &app;
            let token = token.clone();
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (ct, body) = multipart(&f, &photos);
                app.post_bytes(
                    &format!("/construction/checks/new?csrf_token={token}"),
                    &ct,
                    body,
                    &[],
                )
                .await
            }
        };
        // Bad input: a clear error, nothing stored.
        let r = post(
            vec![
                ("category", "nonsense".into()),
                ("lat", "45.05".into()),
                ("lon", "38.98".into()),
                ("description", "Строят".into()),
            ],
            vec![],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Выберите, что не так"));
        let r = post(
            vec![
                ("category", "check-not-in-registry".into()),
                ("lat", "55.75".into()),
                ("lon", "37.61".into()),
                ("description", "Строят".into()),
            ],
            vec![],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = post(
            vec![
                ("category", "check-not-in-registry".into()),
                ("lat", "45.05".into()),
                ("lon", "38.98".into()),
                ("description", "  ".into()),
            ],
            vec![],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            veche::workflow::queries::count_appeals(
                &app.state.db,
                &veche::workflow::queries::AppealFilter {
                    kind: "construction_check".into(),
                    ..Default::default()
                }
            )
            .await
            .unwrap(),
            0
        );

        let r = post(
            vec![
                ("category", "check-not-in-registry".into()),
                ("lat", "45.0501".into()),
                ("lon", "38.9802".into()),
                ("address", "Краснодар, ул. Пустая, 4".into()),
                (
                    "description",
                    "Третий месяц строят четырёхэтажный дом, таблички с разрешением нет.".into(),
                ),
            ],
            vec![("photos", "stroika.jpg", crate::problems::jpeg(800, 600))],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().split('?').next().unwrap().to_owned();
        let id: i64 = page
            .trim_start_matches("/construction/checks/")
            .parse()
            .unwrap();
        let a = crate::problems::appeal(&app, id).await;
        assert_eq!(
            (a.kind.as_str(), a.state.as_str()),
            ("construction_check", "published")
        );
        assert_eq!(
            a.organisation_id.as_deref(),
            Some(AUTHORITY),
            "routed to the supervision authority"
        );
        assert!(a.due_at.is_some(), "the 10-day SLA applies");
        let shown = app.get(&page).await;
        assert!(
            shown.body.contains("Третий месяц строят")
                && shown.body.contains("Объекта нет в реестре"),
            "{}",
            shown.body
        );
        // The same hand-off to the project-management core.
        app.run_workers().await;
        let orders = veche::pm::queries::orders_for_appeal(&app.state.db, id)
            .await
            .unwrap();
        assert_eq!(orders.len(), 1);
        assert_eq!(
            (
                orders[0].source.as_str(),
                orders[0].organisation_id.as_str()
            ),
            ("construction_check", AUTHORITY)
        );

        // A resident cannot publish a result.
        let r = app
            .submit(
                &page,
                &format!("{page}/verify"),
                &[("result", "violation_confirmed"), ("text", "Я проверила")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The authority confirms the violation: the result is the reaction, and
        // the place enters the registry of illegal constructions.
        officer(&app).await;
        let shown = app.get(&page).await;
        assert!(shown.body.contains("Опубликовать результат"));
        let r = app
            .submit(
                &page,
                &format!("{page}/verify"),
                &[
                    ("result", "violation_confirmed"),
                    (
                        "text",
                        "Разрешение на строительство не выдавалось; материалы направлены в суд.",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = crate::problems::appeal(&app, id).await;
        assert_eq!(a.state, "resolved");
        assert!(
            a.reaction_text
                .unwrap()
                .starts_with("Нарушение подтверждено. Разрешение")
        );
        assert_eq!(count(&app, true).await, 1);
        app.clear_cookies();
        let shown = app.get(&page).await;
        assert!(
            shown
                .body
                .contains(r#"id="check-result"><strong>нарушение подтверждено"#),
            "{}",
            shown.body
        );
        let object = shown
            .body
            .split(r#"href="/construction/objects/"#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let obj = app.get(&format!("/construction/objects/{object}")).await;
        assert!(
            obj.body.contains("самовольное (подтверждено)")
                && obj
                    .body
                    .contains("Разрешение на строительство не выдавалось"),
            "{}",
            obj.body
        );
        assert!(
            app.get("/construction/illegal")
                .await
                .body
                .contains("Самовольная постройка: Краснодар, ул. Пустая, 4")
        );
        // The order in the core has nothing left to do.
        app.run_workers().await;
        let orders = veche::pm::queries::orders_for_appeal(&app.state.db, id)
            .await
            .unwrap();
        assert_eq!(orders[0].state, "cancelled");

        // A check of a registry object: a legal permit changes nothing in the
        // registry, and both checks are listed on the object.
        sign_in_as(&app, "zhitel@example.ru").await;
        let form = app
            .get(&format!("/construction/checks/new?object={object}"))
            .await;
        let token = form.csrf_token();
        let (ct, body) = multipart(
            &[
                ("category", "check-floors"),
                ("object_id", &object),
                ("description", "Надстроили этаж"),
            ],
            &[],
        );
        let r = app
            .post_bytes(
                &format!("/construction/checks/new?csrf_token={token}"),
                &ct,
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let second = r.location().split('?').next().unwrap().to_owned();
        sign_in_as(&app, "nadzor@krasnodar.example").await;
        let r = app
            .submit(
                &second,
                &format!("{second}/verify"),
                &[
                    ("result", "not_confirmed"),
                    ("text", "Этажность соответствует."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.clear_cookies();
        let obj = app.get(&format!("/construction/objects/{object}")).await;
        let list = obj.body.split(r#"id="object-checks""#).nth(1).unwrap();
        assert!(
            list.contains("нарушение не подтвердилось") && list.contains("нарушение подтверждено"),
            "{list}"
        );
        assert_eq!(count(&app, true).await, 1);
    }
);

/// The text of a PDF as `pdftotext` (poppler) reads it; `None` with a loud
/// message when poppler is missing (CI has it: fails there).
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    match std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext could not read the PDF: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "pdftotext (poppler-utils) is required under CI"
            );
            eprintln!(
                "SKIPPED: reading the PDF back needs pdftotext (apt-get install poppler-utils)"
            );
            None
        }
    }
}

both_backends!(a_combined_header_still_names_its_field, |app| {
    officer(&app).await;
    let sheet = xlsx(
        &[
            &[
                "Адрес объекта",
                "Широта",
                "Долгота",
                "Застройщик / Правообладатель",
                "Этажность (факт)",
            ],
            &[
                "Краснодар, ул. Гамма, 3",
                "45.06",
                "38.97",
                "ООО «Гамма»",
                "4",
            ],
        ],
        None,
    );
    let r = upload(&app, "combined.xlsx", sheet).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The preview says where each field was read from; the combined headers
    // are used, not listed as ignored (the right-holder was once dropped).
    assert!(
        r.body
            .contains("Застройщик ← «Застройщик / Правообладатель»"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Этажность ← «Этажность (факт)»"),
        "{}",
        r.body
    );
    let commit = commit_path(&r);
    let token = r.csrf_token();
    let done = app.post_form_raw(&commit, &[("csrf_token", &token)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let all = veche::construction::queries::list(
        &app.state.db,
        &veche::construction::queries::Filter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let o = all
        .iter()
        .find(|o| o.address == "Краснодар, ул. Гамма, 3")
        .expect("the row is stored");
    assert_eq!(o.developer, "ООО «Гамма»");
    assert_eq!(o.floors, Some(4));
});
