//! Who sees what (issue 10): personal data never reaches a public output,
//! and photos of requests are withheld from everyone who may not see them,
//! including staff of other organisations and caches.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::io::Read;

use axum::http::StatusCode;

use super::still_healthy;
use crate::both_backends;
use crate::construction::{HEADER, commit_path, officer, pdf_text, upload, xlsx};
use crate::helpers::{TestApp, TestResponse};
use crate::problems::{
    KRASNODAR, act, appeal, citizen, id_from, jpeg, multipart, post_form, set, sign_in_as,
};

/// A private person: the right-holder of an illegal construction, and a
/// citizen who asked for the name to be hidden. Not a word any page uses.
const MARKER: &str = "Маркеров Приватий Тестович";
const MARKER_EMAIL: &str = "markerov.privatiy@example.ru";
/// Each part is looked for on its own: a surname alone is a leak too.
const MARKER_PARTS: &[&str] = &["Маркеров", "Приватий", "Тестович", "markerov", "privatiy"];

/// The parts of the marker a text holds, as they are or percent-encoded
/// (in a link), in any case.
fn leaks(text: &str) -> Vec<&'static str> {
    let low = text.to_lowercase();
    MARKER_PARTS
        .iter()
        .copied()
        .filter(|p| {
            let encoded: String = url::form_urlencoded::byte_serialize(p.as_bytes()).collect();
            low.contains(&p.to_lowercase()) || low.contains(&encoded.to_lowercase())
        })
        .collect()
}

/// Every text a response carries: the body, the XML inside an XLSX (or any
/// zip), the text of a PDF.
fn texts(r: &TestResponse) -> Vec<String> {
    let mut out = vec![String::from_utf8_lossy(&r.bytes).into_owned()];
    if r.bytes.starts_with(b"PK") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone()))
            .expect("a readable zip (XLSX)");
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut s = Vec::new();
            f.read_to_end(&mut s).unwrap();
            out.push(String::from_utf8_lossy(&s).into_owned());
        }
    }
    if r.bytes.starts_with(b"%PDF")
        && let Some(t) = pdf_text(&r.bytes)
    {
        out.push(t);
    }
    out
}

/// Same-site links in a body: quoted paths (`href="/…"`, `src="/…"`,
/// JSON strings) and absolute addresses under the site's base URL (feeds,
/// CSV, Turtle, RDF).
fn links(body: &str, base: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in ["\"/", "'/"] {
        let mut rest = body;
        while let Some(i) = rest.find(start) {
            rest = &rest[i + 1..];
            let end = rest.find(&start[..1]).unwrap_or(rest.len());
            if end <= 2000 {
                found.push(rest[..end].to_owned());
            }
            rest = &rest[end..];
        }
    }
    let mut rest = body;
    while let Some(i) = rest.find(base) {
        rest = &rest[i + base.len()..];
        let end = rest
            .find(|c: char| matches!(c, '"' | '\'' | '<' | '>' | ',' | '\\') || c.is_whitespace())
            .unwrap_or(rest.len());
        found.push(rest[..end].to_owned());
        rest = &rest[end..];
    }
    found
        .into_iter()
        .map(|l| l.replace("&amp;", "&"))
        .map(|l| l.split('#').next().unwrap_or("").to_owned())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| as_uri(&l))
        .collect()
}

/// A link as a browser sends it: characters a URI may not hold (Cyrillic
/// in a query, spaces, braces of a route pattern) percent-encoded.
fn as_uri(link: &str) -> String {
    let mut out = String::with_capacity(link.len());
    for c in link.chars() {
        if c.is_ascii_graphic() && !"{}|\\^\"<>`".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Links a crawler must not follow: they change the visitor's state or
/// are the site's own compiled-in files.
fn skipped(url: &str) -> bool {
    ["/auth/logout", "/lang/", "/static/"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// What the crawl saw.
struct Crawl {
    /// Every URL fetched, with its status.
    seen: BTreeMap<String, StatusCode>,
    /// Every URL whose texts hold `probe`.
    probe_hits: BTreeSet<String>,
}

/// Fetches `explicit` first, then every same-site link from `/` and from
/// those, breadth first: at most `limit` URLs and 30 query variants of one
/// path (the tables' sort and filter links multiply without end). Fails on
/// any 5xx and on any trace of the marker.
async fn crawl(app: &TestApp, explicit: Vec<String>, limit: usize, probe: &str) -> Crawl {
    let base = app.state.config.base_url();
    let mut queue: VecDeque<String> = explicit.into_iter().collect();
    queue.push_back("/".into());
    let mut queued: HashSet<String> = queue.iter().cloned().collect();
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Crawl {
        seen: BTreeMap::new(),
        probe_hits: BTreeSet::new(),
    };
    while let Some(url) = queue.pop_front() {
        if out.seen.len() >= limit {
            break;
        }
        let r = app.get(&url).await;
        assert!(
            !r.status.is_server_error(),
            "{url} answered {}: {}",
            r.status,
            r.body
        );
        out.seen.insert(url.clone(), r.status);
        for t in texts(&r) {
            let leaked = leaks(&t);
            assert!(
                leaked.is_empty(),
                "{url} shows {leaked:?} to an anonymous visitor: {}",
                t.chars().take(3000).collect::<String>()
            );
            if t.contains(probe) {
                out.probe_hits.insert(url.clone());
            }
        }
        let mut next: Vec<String> = links(&r.body, &base);
        if r.status.is_redirection() {
            next.push(r.location().replace(&base, ""));
        }
        for l in next {
            if !l.starts_with('/') || l.starts_with("//") || skipped(&l) || queued.contains(&l) {
                continue;
            }
            let path = l.split('?').next().unwrap_or("").to_owned();
            let n = variants.entry(path).or_default();
            if *n >= 30 {
                continue;
            }
            *n += 1;
            queued.insert(l.clone());
            queue.push_back(l);
        }
    }
    out
}

/// Machine endpoints no page links to: every dataset's CKAN, DCAT, files of
/// every version in every format, table.json, the datastore; the registry's
/// APIs and exports; the reports' APIs, feeds and Open311.
async fn machine_endpoints(app: &TestApp, object: i64, check: i64, report: i64) -> Vec<String> {
    let mut urls: Vec<String> = [
        "/catalog.ttl",
        "/catalog.jsonld",
        "/catalog.rdf",
        "/api/3/action/package_list",
        "/api/3/action/package_search?rows=1000",
        "/api/3/action/current_package_list_with_resources",
        "/api/v1/construction.geojson",
        "/construction/registry?format=csv",
        "/construction/registry?format=xlsx",
        "/construction/registry?format=pdf",
        "/construction/illegal?format=csv",
        "/construction/illegal?format=xlsx",
        "/construction/illegal?format=pdf",
        "/api/v1/problems.geojson?bbox=36,43,42,47",
        "/api/v1/problems/nearby?lat=45.0355&lon=38.9753&category=road-pothole",
        "/problems/feeds/new.rss",
        "/problems/feeds/new.atom",
        "/problems/feeds/resolved.rss",
        "/problems/feeds/resolved.atom",
        "/open311/v2/requests.json?extensions=true",
        "/open311/v2/requests.xml?extensions=true",
        "/api/v1/organisations",
        "/api/v1/municipalities",
        "/api/v1/priorities",
        "/api/v1/priority-ranks",
        "/api/v1/priority-ranks?scope=krasnodar",
        "/participation/priorities/feed.atom",
        "/participation/priorities/feed.rss",
        "/participation/answers.atom",
        "/participation/answers.rss",
        "/api/v1/services",
        "/api/v1/service-results",
        "/api/v1/suggestions",
        "/api/v1/initiatives",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    urls.extend([
        format!("/api/v1/construction/objects/{object}"),
        format!("/construction/objects/{object}"),
        format!("/construction/checks/{check}"),
        format!("/problems/{report}"),
        format!("/api/v1/problems/{report}"),
        format!("/open311/v2/requests/{report}.json?extensions=true"),
        format!("/open311/v2/requests/{report}.xml?extensions=true"),
    ]);
    for p in app.get("/api/v1/priorities").await.json()["priorities"]
        .as_array()
        .expect("a list of priorities")
    {
        urls.push(format!("/api/v1/priorities/{}", p["id"]));
    }
    for p in app.get("/api/v1/suggestions").await.json()["suggestions"]
        .as_array()
        .expect("a list of suggestions")
    {
        urls.push(format!("/api/v1/suggestions/{}", p["id"]));
    }
    let base = app.state.config.base_url();
    let list = app.get("/api/3/action/package_list").await.json();
    let ids: Vec<String> = list["result"]
        .as_array()
        .expect("a package list")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    for id in [
        "2309650015-construction",
        "2309650015-illegal-constructions",
        "2312823003-problems",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} is published: {ids:?}");
    }
    for id in &ids {
        for f in [
            format!("/api/3/action/package_show?id={id}"),
            format!("/dataset/{id}.ttl"),
            format!("/dataset/{id}.jsonld"),
            format!("/dataset/{id}.rdf"),
            format!("/opendata/{id}/"),
            format!("/opendata/{id}/meta.json"),
            format!("/opendata/{id}/meta.csv"),
            format!("/opendata/{id}/meta.xml"),
            format!("/opendata/{id}/table"),
            format!("/opendata/{id}/map"),
            format!("/opendata/{id}/table.json?_shape=objects&_size=max"),
            format!("/api/v1/opendata/{id}/versions"),
        ] {
            urls.push(f);
        }
        // Every version, in every format.
        let meta = app.get(&format!("/opendata/{id}/meta.json")).await.json();
        for d in meta["data"].as_array().into_iter().flatten() {
            let source = d["source"]
                .as_str()
                .expect("a data file")
                .replace(&base, "");
            let stem = source.rsplit_once('.').unwrap().0.to_owned();
            for ext in ["csv", "json", "xml"] {
                urls.push(format!("{stem}.{ext}"));
            }
        }
        let pkg = app
            .get(&format!("/api/3/action/package_show?id={id}"))
            .await
            .json();
        for r in pkg["result"]["resources"].as_array().into_iter().flatten() {
            if let Some(rid) = r["id"].as_str() {
                urls.push(format!(
                    "/api/3/action/datastore_search?resource_id={rid}&limit=1000"
                ));
            }
        }
    }
    urls
}

/// The officer's view of the import: one illegal construction whose
/// right-holder is the marker, then edited (the history holds old and new
/// values) and imported again with another right-holder (an import update).
async fn private_owner_imported(app: &TestApp) -> i64 {
    officer(app).await;
    let row = |owner: &str, floors: &str| -> Vec<u8> {
        xlsx(
            &[
                HEADER,
                &[
                    "Краснодар, ул. Тайная, 5",
                    "45.04",
                    "38.97",
                    "23:43:0100077:77",
                    owner,
                    floors,
                    "01.04.2025",
                    "",
                ],
            ],
            None,
        )
    };
    let commit = async |bytes: Vec<u8>| {
        let r = upload(app, "samostroi.xlsx", bytes).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let done = app
            .post_form_raw(&commit_path(&r), &[("csrf_token", &r.csrf_token())])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    };
    commit(row(MARKER, "2")).await;
    let id = veche::construction::queries::list(
        &app.state.db,
        &veche::construction::queries::Filter {
            illegal_only: true,
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()[0]
        .object_id;
    let page = format!("/construction/objects/{id}");
    let r = app
        .submit(
            &format!("{page}/edit"),
            &format!("{page}/edit"),
            &[
                ("name", "Самовольная постройка: Краснодар, ул. Тайная, 5"),
                ("address", "Краснодар, ул. Тайная, 5"),
                ("lat", "45.04"),
                ("lon", "38.97"),
                ("cadastral_number", "23:43:0100077:77"),
                ("developer", &format!("{MARKER} и Маркерова Анна")),
                ("floors", "3"),
                ("status", "illegal"),
                ("detected_on", "2025-04-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    commit(row("Приватий Маркеров (наследник)", "4")).await;
    add_company_object(app).await;
    id
}

/// A legal object, whose developer (a company) stays public.
const COMPANY: &str = "ООО «Открытость»";

async fn add_company_object(app: &TestApp) {
    let r = app
        .submit(
            "/construction/objects/new",
            "/construction/objects/new",
            &[
                ("name", "Школа на 1100 мест"),
                ("address", "Краснодар, ул. Открытая, 1"),
                ("lat", "45.03"),
                ("lon", "38.96"),
                ("developer", COMPANY),
                ("floors", "4"),
                ("status", "under_construction"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

both_backends!(
    a_private_person_is_in_no_public_output_of_the_whole_site,
    |app| {
        set(&app, "premoderation", "off").await;
        let object = private_owner_imported(&app).await;
        let page = format!("/construction/objects/{object}");

        // The officer sees the right-holder and its history.
        let seen = app.get(&page).await.body;
        assert!(
            seen.contains("Приватий Маркеров (наследник)") && seen.contains(MARKER),
            "the officer sees the right-holder and its history: {seen}"
        );
        let token = crate::opendata_api::token_for(
            &app,
            "api.nadzor@krasnodar.example",
            Some("dep-construction-supervision"),
        )
        .await;
        app.clear_cookies();
        let api = app
            .get_with(
                &format!("/api/v1/construction/objects/{object}"),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        assert_eq!(api.json()["developer"], "Приватий Маркеров (наследник)");
        let api = app
            .get(&format!("/api/v1/construction/objects/{object}"))
            .await;
        assert_eq!(api.json()["developer"], "", "anonymous: {}", api.body);

        // A priority of the krai, proposed and published by an administrator.
        app.signed_in_admin().await;
        let r = app
            .submit(
                "/participation/priorities/new",
                "/participation/priorities/new",
                &[
                    ("title", "Тротуары вдоль региональных дорог"),
                    (
                        "description",
                        "Построить тротуары там, где люди ходят по обочине.",
                    ),
                    ("municipality_id", ""),
                    ("topic", "roads"),
                    ("organisation_id", "min-transport"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let priority = r
            .location()
            .trim_start_matches("/participation/priorities/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let act = |action: &'static str| {
            let priority = priority.clone();
            let app = &app;
            async move {
                let page = format!("/participation/priorities/{priority}");
                app.submit(&page, &format!("{page}/act"), &[("action", action)])
                    .await
            }
        };
        assert_eq!(act("publish").await.status, StatusCode::SEE_OTHER);

        // The same person as a citizen who hides the name: by default in the
        // account, and on a report and a check request; and who supports the
        // priority.
        citizen(&app, MARKER_EMAIL, MARKER).await;
        sign_in_as(&app, MARKER_EMAIL).await;
        let r = app
            .submit(
                "/account",
                "/account",
                &[
                    ("display_name", MARKER),
                    ("hide_name", "on"),
                    ("locale", "ru"),
                    ("municipality_id", "krasnodar"),
                ],
            )
            .await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "{}",
            r.body
        );
        assert_eq!(act("support").await.status, StatusCode::SEE_OTHER);
        let report = id_from(
            &post_form(
                &app,
                "/problems/new",
                "/problems/new",
                &[
                    ("category", "road-pothole"),
                    ("lat", KRASNODAR.0),
                    ("lon", KRASNODAR.1),
                    ("address", "Краснодар, ул. Красная, 122"),
                    ("description", "Провал асфальта у остановки."),
                    ("hide_name", "on"),
                    ("not_duplicate", "on"),
                ],
                &[("photos", "a.jpg", jpeg(64, 48))],
            )
            .await,
        );
        let form = app
            .get(&format!("/construction/checks/new?object={object}"))
            .await;
        let (ct, body) = multipart(
            &[
                ("category", "check-floors"),
                ("object_id", &object.to_string()),
                ("description", "Надстроили ещё этаж."),
                ("hide_name", "on"),
            ],
            &[],
        );
        let r = app
            .post_bytes(
                &format!("/construction/checks/new?csrf_token={}", form.csrf_token()),
                &ct,
                body,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let check: i64 = r
            .location()
            .trim_start_matches("/construction/checks/")
            .split(['?', '#'])
            .next()
            .unwrap()
            .parse()
            .unwrap();

        // The same person rates a service low with a comment (which becomes
        // feedback to the provider), suggests a solution for the report and
        // comments on it.
        {
            let mut tx = app.state.db.begin().await.unwrap();
            veche::participation::services::queries::insert_service(
                &mut tx,
                &veche::participation::services::queries::NewService {
                    service_id: "privacy-mfc",
                    grp: "privacy",
                    name_ru: "Выдача справки",
                    name_en: "Certificate",
                    organisation_id: "min-social",
                    municipality_id: Some("krasnodar"),
                    channel: "mfc",
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let r = app
            .submit(
                "/participation/services/privacy-mfc",
                "/participation/services/privacy-mfc/rate",
                &[
                    ("quality", "1"),
                    ("convenience", "2"),
                    ("speed", "1"),
                    ("comment", "Очередь на три часа."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let feedback = r.location().split("feedback=").nth(1).unwrap().to_owned();
        let target = report.to_string();
        // The account hides the name, so the form starts with the box ticked.
        let form = app
            .get(&format!("/participation/suggestions/new?problem={target}"))
            .await;
        assert!(
            form.body
                .contains("name=\"hide_name\" value=\"on\" checked"),
            "{}",
            form.body
        );
        let r = app
            .submit(
                "/participation/suggestions/new",
                "/participation/suggestions/new",
                &[
                    ("title", "Засыпать провал щебнем"),
                    ("text", "Засыпать и уплотнить, потом положить асфальт."),
                    ("topic", "suggestion-roads-transport"),
                    ("target_kind", "problem"),
                    ("target_id", &target),
                    ("hide_name", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let suggestion = r
            .location()
            .trim_start_matches("/participation/suggestions/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let spage = format!("/participation/suggestions/{suggestion}");
        let r = app
            .submit(
                &spage,
                &format!("{spage}/comments"),
                &[("body", "Сам живу рядом.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The same person proposes a law-making initiative; the
        // administrator publishes it below.
        let r = app
            .submit(
                "/participation/lawmaking/new",
                "/participation/lawmaking/new",
                &[
                    ("title", "О ремонте провалов асфальта"),
                    ("problem", "Провалы ремонтируют годами."),
                    ("idea", "Срок ремонта провала — месяц."),
                    ("level", "municipality"),
                    ("municipality_id", "krasnodar"),
                    ("initiator", "citizen"),
                    ("organisation_id", "admin-krasnodar"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let initiative = r.location().split('?').next().unwrap().to_owned();
        app.signed_in_admin().await;
        let comment = app
            .scalar("select max(comment_id) from suggestion_comment")
            .await;
        let r = app
            .submit(
                "/moderation/suggestion-comments",
                &format!("/moderation/suggestion-comments/{comment}"),
                &[("decision", "publish")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .submit(
                &initiative,
                &format!("{initiative}/act"),
                &[("act", "publish")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The same person sues a department: a private party of a court
        // case, named on the case's card for the staff only.
        let r = app
            .submit(
                "/pm/courts/new",
                "/pm/courts/cases",
                &[
                    ("organisation_id", "min-social"),
                    ("role", "defendant"),
                    ("subject", "О перерасчёте выплаты"),
                    ("category", "other"),
                    ("procedure", "gpk"),
                    ("claimed", "90000"),
                    ("risk", "possible"),
                    ("level", "first"),
                    ("court", "Ленинский районный суд г. Краснодара"),
                    ("number", "2-9090/2026"),
                    ("received_on", "2026-10-01"),
                    ("party_kind", "person"),
                    ("party_name", MARKER),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(app.get(r.location()).await.body.contains(MARKER));

        // Datasets republished and the index refreshed, then signed out.
        app.run_workers().await;
        app.state.catalogue.invalidate();
        app.clear_cookies();
        assert!(app.get(&spage).await.body.contains("Сам живу рядом."));

        // The search finds nothing by the name or the e-mail.
        for q in MARKER_PARTS.iter().copied().chain([MARKER, MARKER_EMAIL]) {
            let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
            let s = app.get(&format!("/search?q={encoded}")).await;
            assert_eq!(s.status, StatusCode::OK);
            assert!(
                s.body.contains("Ничего не найдено"),
                "search for {q}: {}",
                s.body
            );
        }

        let mut explicit = machine_endpoints(&app, object, check, report).await;
        explicit.extend([
            format!("{initiative}/export.pdf"),
            format!("{initiative}/export.docx"),
            format!(
                "/api/v1/initiatives/{}",
                initiative.rsplit('/').next().unwrap()
            ),
        ]);
        let c = crawl(&app, explicit, 3000, "ул. Тайная").await;
        // The crawl did reach the object everywhere it is published, so the
        // absence above means something.
        for must in [
            page.clone(),
            format!("/construction/checks/{check}"),
            format!("/problems/{report}"),
            format!("/api/v1/construction/objects/{object}"),
            "/construction/illegal?format=xlsx".to_owned(),
            format!("/participation/priorities/{priority}"),
            format!("/api/v1/priorities/{priority}"),
            spage.clone(),
            format!("/api/v1/suggestions/{suggestion}"),
            format!("/participation/services/feedback/{feedback}"),
            "/participation/services/privacy-mfc".to_owned(),
            "/participation/answers.atom".to_owned(),
            initiative.clone(),
            format!("{initiative}/export.pdf"),
            format!(
                "/api/v1/initiatives/{}",
                initiative.rsplit('/').next().unwrap()
            ),
        ] {
            assert_eq!(
                c.seen.get(&must).copied(),
                Some(StatusCode::OK),
                "{must} was crawled"
            );
        }
        assert!(
            c.probe_hits
                .iter()
                .any(|u| u.contains("2309650015-illegal-constructions/data-")),
            "a data file of the illegal registry holds the object: {:?}",
            c.probe_hits
        );
        assert!(
            c.probe_hits.iter().any(|u| u.contains("datastore_search")),
            "the datastore holds the object: {:?}",
            c.probe_hits
        );
        assert!(
            c.seen.keys().any(|u| u.starts_with("/media/")),
            "the report's photo was crawled"
        );
        // A company's name is not personal data and stays public.
        let registry = app.get("/construction/registry?format=csv").await.body;
        assert!(registry.contains("ООО «Открытость»"), "{registry}");
        eprintln!("crawled {} URLs", c.seen.len());
        still_healthy(&app).await;
    }
);

/// A report with one photo filed by a citizen; returns (report, photo key).
async fn report_with_photo(app: &TestApp, email: &str) -> (i64, String) {
    citizen(app, email, "Анна Фотограф").await;
    sign_in_as(app, email).await;
    let id = id_from(
        &crate::problems::file(
            app,
            "road-pothole",
            KRASNODAR,
            "Яма во дворе.",
            &[("photos", "yama.jpg", jpeg(80, 60))],
        )
        .await,
    );
    let key = veche::workflow::queries::photos(&app.state.db, id)
        .await
        .unwrap()[0]
        .media_key
        .clone();
    (id, key)
}

/// A signed-in member of an organisation.
async fn member(app: &TestApp, email: &str, org: &str, executor: bool) {
    let id = citizen(app, email, "Сотрудник").await;
    if executor {
        app.make_executor(id, org).await;
    } else {
        app.make_officer(id, org).await;
    }
    sign_in_as(app, email).await;
}

both_backends!(
    photos_of_hidden_reports_go_to_their_people_and_leave_caches,
    |app| {
        // Pre-moderation is on: the report is not public yet.
        // Sign-ins are limited to five a minute: each person signs in once
        // and their cookies are kept.
        let (id, key) = report_with_photo(&app, "foto@example.ru").await;
        let author_jar = app.jar();
        let photo = format!("/media/{key}-full.jpg");
        let author = app.get(&photo).await;
        assert_eq!(author.status, StatusCode::OK);
        assert_eq!(author.headers["cache-control"], "private, no-store");
        let routed = appeal(&app, id).await.organisation_id.unwrap();
        let other = if routed == "dep-construction-supervision" {
            "admin-sochi"
        } else {
            "dep-construction-supervision"
        };

        // Staff of another organisation are as the public.
        let mut other_executor = None;
        for (email, executor) in [
            ("chuzhoy.isp@example.ru", true),
            ("chuzhoy.chin@example.ru", false),
        ] {
            member(&app, email, other, executor).await;
            let r = app.get(&photo).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{email} of {other}");
            assert!(!r.bytes.starts_with(&[0xFF, 0xD8]));
            if executor {
                other_executor = Some(app.jar());
            }
        }
        app.clear_cookies();
        assert_eq!(app.get(&photo).await.status, StatusCode::NOT_FOUND);
        // The routed organisation's executor sees it, uncached.
        member(&app, "svoy.isp@example.ru", &routed, true).await;
        let r = app.get(&photo).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["cache-control"], "private, no-store");

        // Published: public, but cached for minutes only, with revalidation.
        app.signed_in_admin().await;
        let r = act(&app, id, &[("action", "approve")], &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let admin = app.jar();
        app.clear_cookies();
        let r = app.get(&photo).await;
        assert_eq!(r.status, StatusCode::OK);
        let cache = r.headers["cache-control"].to_str().unwrap().to_owned();
        assert_eq!(cache, "public, max-age=300");
        assert!(!cache.contains("immutable"));
        let etag = r.headers["etag"].to_str().unwrap().to_owned();
        let again = app.get_with(&photo, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);

        // Hidden by a moderator: the same address is withdrawn, also from a
        // cache that revalidates.
        app.restore_jar(admin);
        let r = act(
            &app,
            id,
            &[("action", "hide"), ("text", "Чужой двор на фото")],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.get(&photo).await.headers["cache-control"],
            "private, no-store"
        );
        app.clear_cookies();
        for url in [photo.clone(), format!("/media/{key}-thumb.jpg")] {
            assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND, "{url}");
            let r = app.get_with(&url, &[("if-none-match", &etag)]).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "revalidation of {url}");
        }
        app.restore_jar(other_executor.unwrap());
        assert_eq!(app.get(&photo).await.status, StatusCode::NOT_FOUND);
        app.restore_jar(author_jar);
        assert_eq!(app.get(&photo).await.status, StatusCode::OK, "the author");
        still_healthy(&app).await;
    }
);

both_backends!(the_api_lists_photos_of_public_events_only, |app| {
    set(&app, "premoderation", "off").await;
    let (id, key) = report_with_photo(&app, "api.foto@example.ru").await;
    // A moderator hides the report with a photo of why (an internal event)
    // and shows it again.
    app.signed_in_admin().await;
    let r = act(
        &app,
        id,
        &[("action", "hide"), ("text", "Проверяем фото")],
        &[("photos", "why.jpg", jpeg(70, 50))],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = act(&app, id, &[("action", "unhide")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let photos = veche::workflow::queries::photos(&app.state.db, id)
        .await
        .unwrap();
    let internal = photos
        .iter()
        .find(|p| p.event_id.is_some())
        .expect("the hiding's photo is stored")
        .media_key
        .clone();
    // The moderator still sees it.
    assert_eq!(
        app.get(&format!("/media/{internal}-thumb.jpg"))
            .await
            .status,
        StatusCode::OK
    );

    app.clear_cookies();
    let r = app.get(&format!("/api/v1/problems/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed: Vec<String> = r.json()["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["full"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, vec![format!("/media/{key}-full.jpg")]);
    assert!(!r.body.contains(&internal), "{}", r.body);
    // Nor is it on the page, in Open311, or served to the public.
    for url in [
        format!("/problems/{id}"),
        format!("/open311/v2/requests/{id}.json?extensions=true"),
    ] {
        let r = app.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(!r.body.contains(&internal), "{url}: {}", r.body);
    }
    for size in ["full", "thumb"] {
        assert_eq!(
            app.get(&format!("/media/{internal}-{size}.jpg"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        app.get(&format!("/media/{key}-full.jpg")).await.status,
        StatusCode::OK
    );
    still_healthy(&app).await;
});

// A right-holder published while the object was a legal construction is
// withdrawn from every earlier version of the open registry once the
// object turns out to be illegal (the versions' tables, their CSV files,
// the exports and the hashes the catalogue states).
both_backends!(
    a_right_holder_is_withdrawn_from_earlier_versions_when_the_object_turns_illegal,
    // earlier versions must exist within the test: every change keeps its version (in production they are earlier days' versions)
    config = |c| c.live_versions = veche::config::LiveVersions::EveryChange,
    |app| {
        use sha2::{Digest, Sha256};
        const OWNER: &str = "Скрытнов Ремонтий Петрович";
        officer(&app).await;
        // A private house at ул. Тихая, 9 or 11.
        let house = |at: [&'static str; 4], developer: &'static str, floors, status| {
            vec![
                ("name", at[0]),
                ("address", at[1]),
                ("lat", at[2]),
                ("lon", at[3]),
                ("developer", developer),
                ("floors", floors),
                ("status", status),
                ("detected_on", "2026-10-01"),
            ]
        };
        const NINE: [&str; 4] = [
            "Дом на ул. Тихой, 9",
            "Краснодар, ул. Тихая, 9",
            "45.05",
            "38.98",
        ];
        const ELEVEN: [&str; 4] = [
            "Дом на ул. Тихой, 11",
            "Краснодар, ул. Тихая, 11",
            "45.051",
            "38.981",
        ];
        let form = |developer, floors, status| house(NINE, developer, floors, status);
        let r = app
            .submit(
                "/construction/objects/new",
                "/construction/objects/new",
                &form(OWNER, "2", "under_construction"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // (The page it lands on confirms the change: `?done=1`.)
        let page = r.location().split('?').next().unwrap().to_owned();
        add_company_object(&app).await;
        // A second private house, turned illegal in the same go: both
        // withdrawals are carried out by one pass over the versions.
        let second = |status| house(ELEVEN, "Скрытнова Вторая Ивановна", "2", status);
        let r = app
            .submit(
                "/construction/objects/new",
                "/construction/objects/new",
                &second("under_construction"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let second_edit = format!("{}/edit", r.location().split('?').next().unwrap());
        app.run_workers().await;
        let edit = format!("{page}/edit");
        let r = app
            .submit(&edit, &edit, &form(OWNER, "3", "under_construction"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.run_workers().await;

        let versions = async || {
            app.state.catalogue.invalidate();
            let r = app
                .get("/api/3/action/package_show?id=2309650015-construction")
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()["result"]["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["url"].as_str().unwrap().to_owned(),
                        v["hash"].as_str().unwrap().to_owned(),
                        v["size"].as_i64().unwrap(),
                        v["id"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let path_of = |url: &str| url[url.find("/opendata/").unwrap()..].to_owned();
        let before = versions().await;
        let mut with_owner = Vec::new();
        for v in &before {
            if app.get(&path_of(&v.0)).await.body.contains(OWNER) {
                with_owner.push(v.clone());
            }
        }
        assert_eq!(with_owner.len(), 2, "published while legal: {before:?}");

        // The object turns out to be an illegal construction.
        let r = app.submit(&edit, &edit, &form(OWNER, "3", "illegal")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .submit(&second_edit, &second_edit, &second("illegal"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.run_workers().await;

        let after = versions().await;
        assert_eq!(after.len(), before.len() + 1, "one new version");
        for (url, hash, size, resource) in &after {
            let csv = app.get(&path_of(url)).await;
            assert_eq!(csv.status, StatusCode::OK);
            assert!(!csv.body.contains("Скрытнов"), "{url}: {}", csv.body);
            if with_owner.iter().any(|v| v.0 == *url) {
                assert!(csv.body.contains(COMPANY), "other rows stay: {}", csv.body);
                assert!(csv.body.contains("ул. Тихая, 9"), "the row stays: {url}");
            }
            let sha: String = Sha256::digest(&csv.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(*hash, format!("sha256:{sha}"), "the stated hash: {url}");
            assert_eq!(*size, csv.bytes.len() as i64, "the stated size: {url}");
            let json = app.get(&path_of(&url.replace(".csv", ".json"))).await;
            assert!(
                json.status == StatusCode::OK && !json.body.contains("Скрытнов"),
                "{}",
                json.body
            );
            let q: String = url::form_urlencoded::byte_serialize("Скрытнов".as_bytes()).collect();
            let rows = app
                .get(&format!(
                    "/api/3/action/datastore_search?resource_id={resource}&q={q}"
                ))
                .await;
            assert_eq!(rows.json()["result"]["total"], 0, "{}", rows.body);
        }
        for old in &with_owner {
            assert!(
                after.iter().any(|v| v.0 == old.0 && v.1 != old.1),
                "rewritten under its own name, with a new hash: {old:?}"
            );
        }
        // The version published empty at start-up is as it was.
        assert!(after.contains(&before[before.len() - 1]));
        // Nothing more to withdraw: running again changes nothing.
        app.run_workers().await;
        assert_eq!(versions().await, after);
        still_healthy(&app).await;
    }
);
