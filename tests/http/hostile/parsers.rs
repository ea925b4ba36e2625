//! Parsers of what anyone may send: query languages, filters, list
//! parameters, spreadsheets. Each of these aborted the process, or made it
//! do unbounded work, before the limits.

use std::io::Write;

use axum::http::StatusCode;

use super::still_healthy;
use crate::both_backends;
use crate::helpers::TestApp;

const TOWNS: &str = "2312823003-towns";

both_backends!(
    ckan_queries_nested_past_the_limit_are_refused_not_fatal,
    |app| {
        // 30,000 opening parentheses in a JSON body overflowed the parser's stack
        // and aborted the whole server.
        let q = "(".repeat(30_000);
        let r = app
            .post_bytes(
                "/api/3/action/package_search",
                "application/json",
                serde_json::json!({ "q": q }).to_string().into_bytes(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let body = r.json();
        assert_eq!(body["success"], false);
        assert_eq!(body["error"]["__type"], "Search Query Error");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("longer than 4000 characters"),
            "{body}"
        );
        still_healthy(&app).await;

        // Within the length but nested deeper than the parser allows, in `q` and
        // in `fq`, by GET.
        for param in ["q", "fq"] {
            let deep = format!("{}title:парк{}", "(".repeat(100), ")".repeat(100));
            let url = format!("/api/3/action/package_search?{param}={}", urlencode(&deep));
            let r = app.get(&url).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{param}: {}", r.body);
            assert!(r.body.contains("nests deeper than 24 levels"), "{}", r.body);
        }
        // Negations recurse too.
        let r = app
            .get(&format!(
                "/api/3/action/package_search?q={}",
                urlencode(&format!("{}парк", "-".repeat(3_000)))
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        // Many terms, each short.
        let r = app
            .get(&format!(
                "/api/3/action/package_search?q={}",
                urlencode(&"a ".repeat(1_000))
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("more than 400 terms"), "{}", r.body);
        // A harvester's ordinary query still works.
        let r = app
            .get(&format!(
                "/api/3/action/package_search?q={}&rows=1",
                urlencode("((organization:min-digital OR groups:transport) AND -title:архив)")
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        still_healthy(&app).await;
    }
);

both_backends!(
    searches_typed_by_people_cannot_nest_the_index_grammar,
    |app| {
        // The catalogue and the site search hand words to tantivy's query
        // grammar, which recurses per bracket.
        let deep = urlencode(&"(".repeat(5_000));
        for url in [
            format!("/opendata?q={deep}"),
            format!("/search?q={deep}"),
            format!("/opendata?q={}", urlencode(&"[{(".repeat(3_000))),
            // A field the index lacks parsed leniently, then failed the search
            // with a 500 (found by the property test).
            format!("/search?q={}", urlencode("аtitle:*:*")),
            format!("/opendata?q={}", urlencode("nofield:x")),
        ] {
            let r = app.get(&url).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{url}: {}",
                &r.body[..r.body.len().min(300)]
            );
        }
        // The catalogue still finds what is there.
        let r = app.get("/opendata?q=(((муниципальные)))").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(TOWNS) || r.body.contains("Муниципальн"),
            "the catalogue search still finds"
        );
        still_healthy(&app).await;
    }
);

both_backends!(table_filters_are_bounded, |app| {
    let base = format!("/opendata/{TOWNS}/table.json");
    // An __in list past SQLite's parameter limit (32,766) failed with a 500;
    // a URI the test client can build holds fewer, the cap is far below.
    let many: Vec<String> = (0..5_000).map(|i| format!("T{i}")).collect();
    let r = app
        .get(&format!("{base}?name__in={}", urlencode(&many.join(","))))
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    assert!(r.body.contains("at most 100 values"), "{}", r.body);
    // The JSON form of the list.
    let json_list = serde_json::to_string(&many[..101]).unwrap();
    let r = app
        .get(&format!("{base}?name__in={}", urlencode(&json_list)))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A hundred values is fine and answers correctly.
    let mut ok: Vec<String> = many[..99].to_vec();
    ok.push("Краснодар".into());
    let r = app
        .get(&format!("{base}?name__in={}", urlencode(&ok.join(","))))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["rows"][0]["name"], "Краснодар");
    // Too many filters, and a huge value.
    let filters: String = (0..25)
        .map(|i| format!("name__not=x{i}"))
        .collect::<Vec<_>>()
        .join("&");
    let r = app.get(&format!("{base}?{filters}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("At most 20 filters"), "{}", r.body);
    let r = app
        .get(&format!("{base}?name__contains={}", "я".repeat(600)))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("longer than 500"), "{}", r.body);
    still_healthy(&app).await;
});

both_backends!(datastore_search_is_bounded, |app| {
    let pkg = app
        .get(&format!("/api/3/action/package_show?id={TOWNS}"))
        .await
        .json();
    let rid = pkg["result"]["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let call = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.post_bytes(
                "/api/3/action/datastore_search",
                "application/json",
                body.to_string().into_bytes(),
                &[],
            )
            .await
        }
    };
    // An offset that makes the database walk a billion rows.
    let r = call(serde_json::json!({"resource_id": rid, "offset": 1_000_000_000})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("Must be between 0 and 100000"),
        "{}",
        r.body
    );
    // Sorting by every column.
    let r = call(serde_json::json!({"resource_id": rid,
        "sort": "name, municipality_id, postal_code, okato, oktmo"}))
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("At most 3 sort fields"), "{}", r.body);
    // A list filter past the limit.
    let names: Vec<String> = (0..500).map(|i| format!("T{i}")).collect();
    let r = call(serde_json::json!({"resource_id": rid, "filters": {"name": names}})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // A body over the action limit is refused before it is parsed.
    let big = serde_json::json!({"resource_id": rid, "q": "x".repeat(2 * 1024 * 1024)});
    let r = call(big).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Ordinary calls still answer.
    let r = call(serde_json::json!({"resource_id": rid, "q": "Краснодар", "limit": 1})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["result"]["records"][0]["name"], "Краснодар");
    still_healthy(&app).await;
});

both_backends!(open311_paging_is_bounded, |app| {
    let r = app
        .get("/open311/v2/requests.json?page=500000&page_size=1000")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("at most 100000"), "{}", r.body);
    // A date at the edge of the calendar: the 90-day window past it
    // overflowed and panicked.
    for q in [
        "start_date=9999-12-31T00:00:00Z",
        "end_date=-9999-01-01T00:00:00Z",
    ] {
        let r = app.get(&format!("/open311/v2/requests.json?{q}")).await;
        assert!(r.status.is_client_error(), "{q}: {} {}", r.status, r.body);
    }
    let agencies = vec!["dep-roads"; 150].join("|");
    let r = app
        .get(&format!(
            "/open311/v2/requests.json?agency_responsible={agencies}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    still_healthy(&app).await;
});

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---------------------------------------------------------------- sheets

/// A workbook put together part by part, so a test can make it lie.
pub struct RawXlsx {
    zip: zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
}

impl RawXlsx {
    /// The parts every workbook has, with one sheet; the sheet's XML is
    /// written by the caller through `part`.
    pub fn new() -> RawXlsx {
        let mut x = RawXlsx {
            zip: zip::ZipWriter::new(std::io::Cursor::new(Vec::new())),
        };
        x.part("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#);
        x.part("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        x.part("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        x.part("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
        x
    }

    fn options() -> zip::write::SimpleFileOptions {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(true)
    }

    pub fn part(&mut self, name: &str, bytes: &[u8]) -> &mut RawXlsx {
        self.zip.start_file(name, RawXlsx::options()).unwrap();
        self.zip.write_all(bytes).unwrap();
        self
    }

    /// A part written in pieces: `head`, then `chunk` `times` times, then
    /// `tail` (hundreds of megabytes without holding them in memory).
    pub fn repeated(
        &mut self,
        name: &str,
        head: &[u8],
        chunk: &[u8],
        times: usize,
        tail: &[u8],
    ) -> &mut RawXlsx {
        self.zip.start_file(name, RawXlsx::options()).unwrap();
        self.zip.write_all(head).unwrap();
        for _ in 0..times {
            self.zip.write_all(chunk).unwrap();
        }
        self.zip.write_all(tail).unwrap();
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.zip.finish().unwrap().into_inner()
    }
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn sheet_xml(dimension: &str, cells: &[(&str, &str)]) -> Vec<u8> {
    let mut s = format!(r#"{SHEET_HEAD}<dimension ref="{dimension}"/><sheetData>"#);
    for (r, v) in cells {
        let row: String = r.chars().filter(char::is_ascii_digit).collect();
        s.push_str(&format!(
            r#"<row r="{row}"><c r="{r}" t="inlineStr"><is><t>{v}</t></is></c></row>"#
        ));
    }
    s.push_str("</sheetData></worksheet>");
    s.into_bytes()
}

const EMPTY_SHARED: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>"#;

/// The bombs, each with what its refusal may say (alternatives split by
/// `|`, in Russian as the default page shows it). Made once per test run.
pub fn bombs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    static BOMBS: std::sync::OnceLock<Vec<(&'static str, Vec<u8>, &'static str)>> =
        std::sync::OnceLock::new();
    BOMBS.get_or_init(make_bombs).clone()
}

fn says_one_of(text: &str, says: &str) -> bool {
    says.split('|').any(|s| text.contains(s))
}

fn make_bombs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    // 1. The sparse far cell, written by a real spreadsheet library: A1 and
    //    XFD1048576 made calamine allocate the bounding box (550 GB).
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Адрес").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let far = book.save_to_buffer().unwrap();

    // 2. A sheet whose declared dimension lies (A1:B2) about a far cell.
    let mut x = RawXlsx::new();
    x.part("xl/sharedStrings.xml", EMPTY_SHARED);
    x.part(
        "xl/worksheets/sheet1.xml",
        &sheet_xml("A1:B2", &[("A1", "Адрес"), ("B2", "x"), ("ZZ900000", "y")]),
    );
    let lying_dimension = x.finish();

    // 3. An archive lying about its sizes: a part that inflates to 150 MB
    //    while the archive says 1 KB.
    let mut x = RawXlsx::new();
    x.part("xl/sharedStrings.xml", EMPTY_SHARED);
    x.part(
        "xl/worksheets/sheet1.xml",
        &sheet_xml("A1:A1", &[("A1", "Адрес")]),
    );
    x.repeated("xl/media/padding.bin", b"", &[0u8; 1 << 20], 150, b"");
    let mut lying_archive = x.finish();
    declare_small_sizes(&mut lying_archive, "xl/media/padding.bin");

    // 4. Deeply nested XML inside the sheet (a million levels).
    let mut x = RawXlsx::new();
    x.part("xl/sharedStrings.xml", EMPTY_SHARED);
    x.repeated(
        "xl/worksheets/sheet1.xml",
        format!("{SHEET_HEAD}<sheetData>").as_bytes(),
        &b"<x>".repeat(10_000),
        100,
        b"</sheetData></worksheet>",
    );
    let nested = x.finish();

    // 5. 200 MB of shared strings.
    let mut x = RawXlsx::new();
    let si = format!("<si><t>{}</t></si>", "Ж".repeat(500)).repeat(1000);
    x.repeated(
        "xl/sharedStrings.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        si.as_bytes(),
        200 * 1024 * 1024 / si.len(),
        b"</sst>",
    );
    x.part(
        "xl/worksheets/sheet1.xml",
        &sheet_xml("A1:A1", &[("A1", "Адрес")]),
    );
    let shared = x.finish();

    vec![
        ("far cell", far, "Лист больше допустимого"),
        (
            "lying dimension",
            lying_dimension,
            "Лист больше допустимого",
        ),
        (
            "lying archive",
            lying_archive,
            "распаковывается больше|повреждена|не является книгой Excel",
        ),
        ("nested XML", nested, "повреждена|Лист пуст"),
        (
            "200 MB of shared strings",
            shared,
            "распаковывается больше чем в 100 МБ",
        ),
    ]
}

/// Rewrites the sizes an archive declares for one entry (local header and
/// central directory) to 1,024 bytes.
fn declare_small_sizes(zip: &mut [u8], name: &str) {
    let name = name.as_bytes();
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let sig = &zip[i..i + 4];
        let (size_at, name_len_at, name_at) = match sig {
            [0x50, 0x4b, 0x03, 0x04] => (22, 26, 30),
            [0x50, 0x4b, 0x01, 0x02] => (24, 28, 46),
            _ => continue,
        };
        let n = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + n) == Some(name) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&1024u32.to_le_bytes());
            patched += 1;
        }
    }
    assert!(patched >= 2, "both headers of {name:?} patched ({patched})");
}

async fn construction_officer(app: &TestApp) {
    let id = app
        .register_confirmed(
            "nadzor@krasnodar.example",
            "Инспектор",
            "correct horse battery",
        )
        .await;
    app.make_officer(id, "dep-construction-supervision").await;
    app.login("nadzor@krasnodar.example", "correct horse battery")
        .await;
}

both_backends!(spreadsheet_bombs_are_refused_by_every_import, |app| {
    construction_officer(&app).await;
    let officer = app.account_id("nadzor@krasnodar.example").await;
    app.make_officer(officer, "min-digital").await;
    let publish = app.get(&format!("/opendata/{TOWNS}/publish")).await;
    let od_action = publish
        .body
        .split(r#"action=""#)
        .find(|s| s.starts_with("/opendata/"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    // The token as scripts send it (the page's form carries it in its body).
    let od_action = format!("{od_action}?csrf_token={}", publish.csrf_token());
    for (what, bytes, says) in bombs() {
        let started = std::time::Instant::now();
        let token = app.get("/construction/import").await.csrf_token();
        let r = app
            .post_multipart(
                &format!("/construction/import?csrf_token={token}"),
                "bomb.xlsx",
                &bytes,
                &[],
            )
            .await;
        assert!(
            r.status.is_client_error(),
            "{what}: construction import answered {}",
            r.status
        );
        assert!(
            says_one_of(&r.body, says),
            "{what}: {}",
            &r.body[r.body.len().saturating_sub(3000)..]
        );
        let r = app
            .post_multipart(&od_action, "bomb.xlsx", &bytes, &[])
            .await;
        assert!(
            r.status.is_client_error(),
            "{what}: open-data publishing answered {}",
            r.status
        );
        assert!(
            says_one_of(&r.body, says),
            "{what}: {}",
            &r.body[r.body.len().saturating_sub(3000)..]
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{what} took {:?}",
            started.elapsed()
        );
        still_healthy(&app).await;
    }
});

/// Runs `veche` to its end and returns whether it succeeded, what it printed
/// and its own peak resident set in MiB (from `wait4`, the kernel's
/// accounting for that one child).
fn run_measured(mut cmd: std::process::Command) -> (bool, String, f64) {
    let out = tempfile::NamedTempFile::new().unwrap();
    cmd.stdout(out.reopen().unwrap())
        .stderr(out.reopen().unwrap());
    let mut child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // Polled, so a child that never ends fails the test instead of hanging it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        // SAFETY: wait4 writes into values we own; the child is ours and is
        // reaped here (so `child` is forgotten, not waited again).
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert_eq!(r, 0, "wait4");
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("veche did not finish within 300 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::mem::forget(child);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let text = std::fs::read_to_string(out.path()).unwrap_or_default();
    (ok, text, usage.ru_maxrss as f64 / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spreadsheet_bombs_are_read_in_bounded_memory() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The baseline: the same command on an ordinary small registry sheet.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Адрес", "Широта", "Долгота"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet
        .write_string(1, 0, "Краснодар, ул. Красная, 1")
        .unwrap();
    sheet.write_number(1, 1, 45.035).unwrap();
    sheet.write_number(1, 2, 38.975).unwrap();
    let normal = dir.path().join("normal.xlsx");
    std::fs::write(&normal, book.save_to_buffer().unwrap()).unwrap();
    let run = |file: std::path::PathBuf| {
        let mut cmd = crate::opendata_api::veche(&app);
        cmd.args(["import-constructions", "--dry-run", file.to_str().unwrap()]);
        tokio::task::spawn_blocking(move || run_measured(cmd))
    };
    let (_, text, baseline) = run(normal).await.unwrap();
    assert!(!text.contains("panicked"), "{text}");
    println!("import-constructions --dry-run, ordinary sheet: peak RSS {baseline:.0} MiB");
    for (what, bytes, says) in bombs() {
        let file = dir.path().join("bomb.xlsx");
        std::fs::write(&file, &bytes).unwrap();
        let started = std::time::Instant::now();
        let (ok, text, peak) = run(file).await.unwrap();
        println!(
            "{what} ({} KB): refused in {:.1} s, peak RSS {peak:.0} MiB",
            bytes.len() / 1024,
            started.elapsed().as_secs_f64()
        );
        assert!(!ok, "{what} was accepted: {text}");
        assert!(says_one_of(&text, says), "{what}: {text}");
        assert!(
            !text.contains("panicked") && !text.contains("memory allocation"),
            "{what}: {text}"
        );
        assert!(
            peak < baseline + 160.0,
            "{what}: peak RSS {peak:.0} MiB against {baseline:.0} MiB for an ordinary sheet"
        );
    }
}

both_backends!(
    upload_forms_refuse_a_token_that_is_not_a_small_first_field,
    |app| {
        // The CSRF check reads the first field of an upload form ahead of its
        // handler (at most 16 KB): whatever comes instead is a clear 403, the
        // upload is not filed, and the server stays up.
        crate::problems::citizen(&app, "h@example.ru", "H").await;
        crate::problems::sign_in_as(&app, "h@example.ru").await;
        let token = app.get("/problems/new").await.csrf_token();
        let boundary = "hostile-boundary-9";
        let ct = format!("multipart/form-data; boundary={boundary}");
        let field = |name: &str, value: &[u8]| {
            let mut b =
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                    .into_bytes();
            b.extend_from_slice(value);
            b.extend_from_slice(b"\r\n");
            b
        };
        let end = format!("--{boundary}--\r\n").into_bytes();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("an empty body", Vec::new()),
            ("no boundary at all", vec![b'x'; 64 * 1024]),
            ("a first field of a megabyte", {
                let mut b = field("csrf_token", &vec![b'A'; 1024 * 1024]);
                b.extend_from_slice(&end);
                b
            }),
            ("the token after another field", {
                let mut b = field("description", "Яма".as_bytes());
                b.extend(field("csrf_token", token.as_bytes()));
                b.extend_from_slice(&end);
                b
            }),
            ("the token cut off by the end of the body", {
                let mut b = field("csrf_token", token.as_bytes());
                b.truncate(b.len() - 10);
                b
            }),
        ];
        for (what, body) in cases {
            let r = app.post_bytes("/problems/new", &ct, body, &[]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.body);
            still_healthy(&app).await;
        }
        let filed = veche::workflow::queries::list_appeals(
            &app.state.db,
            &veche::workflow::queries::AppealFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(filed.is_empty(), "nothing was filed");
    }
);
