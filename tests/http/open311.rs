//! Open311 GeoReport v2: the API through HTTP on both backends, and real
//! clients over TCP: the `georeport` Python package (read side) and a POST
//! shaped exactly like FixMyStreet's Perl client (XML, urlencoded body).

use axum::http::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::problems::{KRASNODAR, appeal, citizen, set, sign_in_as};

/// An administrator issues a key through the admin page; returns it.
pub async fn issue_key(app: &TestApp, name: &str) -> String {
    app.signed_in_admin().await;
    let r = app
        .submit("/admin/open311", "/admin/open311", &[("name", name)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let at = r
        .body
        .find("id=\"new-key\">")
        .expect("the key is shown once")
        + "id=\"new-key\">".len();
    let key = r.body[at..].split('<').next().unwrap().to_owned();
    assert_eq!(key.len(), 48);
    app.clear_cookies();
    key
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> crate::helpers::TestResponse {
    let body = serde_urlencoded::to_string(fields).unwrap();
    app.post_bytes(
        path,
        "application/x-www-form-urlencoded; charset=utf-8",
        body.into_bytes(),
        &[],
    )
    .await
}

both_backends!(open311_speaks_georeport_v2, |app| {
    set(&app, "premoderation", "off").await;
    // Discovery, in both formats.
    let d = app.get("/open311/v2/discovery.json").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.headers["content-type"], "application/json; charset=utf-8");
    let d = d.json();
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(
        d["endpoints"][0]["formats"],
        serde_json::json!(["text/xml", "application/json"])
    );
    let x = app.get("/open311/v2/discovery.xml").await;
    assert_eq!(x.headers["content-type"], "text/xml; charset=utf-8");
    assert!(
        x.body
            .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<discovery><changeset>")
    );
    assert!(
        x.body.contains(
            "<formats><format>text/xml</format><format>application/json</format></formats>"
        )
    );

    // Services: the categories, codes as strings.
    let s = app.get("/open311/v2/services.json").await.json();
    let pothole = s
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "road-pothole")
        .unwrap();
    assert_eq!(pothole["service_name"], "Яма на дороге");
    assert_eq!(pothole["metadata"], false);
    assert_eq!(pothole["type"], "realtime");
    assert_eq!(pothole["group"], "roads");
    let sx = app.get("/open311/v2/services.xml").await.body;
    assert!(sx.contains("<services><service><service_code>"));
    let def = app
        .get("/open311/v2/services/road-pothole.json")
        .await
        .json();
    assert_eq!(def["service_code"], "road-pothole");
    assert_eq!(def["attributes"], serde_json::json!([]));
    let nf = app.get("/open311/v2/services/unicorns.xml").await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.body.contains("<errors><error><code>404</code><description>service_code not found</description></error></errors>"));

    // POST needs a key: missing or wrong is 403 in Open311's error shape.
    let key = issue_key(&app, "Мобильное приложение «Кубань»").await;
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("service_code", "road-pothole"),
            ("lat", KRASNODAR.0),
            ("long", KRASNODAR.1),
            ("description", "Яма"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let e: Value = r.json();
    assert_eq!(e[0]["code"], 403);
    let r = post(
        &app,
        "/open311/v2/requests.xml",
        &[("api_key", "wrong"), ("service_code", "road-pothole")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("<code>403</code><description>Invalid api_key received")
    );

    // Bad requests: 404 for an unknown service, 400 for the rest; nothing filed.
    let bad = [
        (
            vec![
                ("service_code", "unicorns"),
                ("lat", KRASNODAR.0),
                ("long", KRASNODAR.1),
                ("description", "x"),
            ],
            StatusCode::NOT_FOUND,
            "service_code not found",
        ),
        (
            vec![("service_code", "road-pothole"), ("description", "x")],
            StatusCode::BAD_REQUEST,
            "location is required",
        ),
        (
            vec![
                ("service_code", "road-pothole"),
                ("lat", "55.75"),
                ("long", "37.61"),
                ("description", "x"),
            ],
            StatusCode::BAD_REQUEST,
            "far outside Krasnodar Krai",
        ),
        (
            vec![
                ("service_code", "road-pothole"),
                ("lat", KRASNODAR.0),
                ("long", KRASNODAR.1),
            ],
            StatusCode::BAD_REQUEST,
            "Fill in",
        ),
        (
            vec![
                ("lat", KRASNODAR.0),
                ("long", KRASNODAR.1),
                ("description", "x"),
            ],
            StatusCode::BAD_REQUEST,
            "service_code is missing",
        ),
    ];
    for (mut fields, status, text) in bad {
        fields.push(("api_key", key.as_str()));
        let r = post(&app, "/open311/v2/requests.json", &fields).await;
        assert_eq!(r.status, status, "{}", r.body);
        assert!(
            r.json()[0]["description"].as_str().unwrap().contains(text),
            "{}",
            r.body
        );
    }

    // A good one: an id at once, the reporter's contact kept for staff only.
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", &key),
            ("service_code", "road-pothole"),
            ("lat", KRASNODAR.0),
            ("long", KRASNODAR.1),
            ("address_string", "ул. Красная, 1"),
            ("description", "Яма во всю ширину полосы."),
            ("email", "reporter@mail.ru"),
            ("first_name", "Анна"),
            ("last_name", "Кузнецова"),
            ("phone", "+79001234567"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let created = r.json();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        created[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("published")
    );

    // GET one: a list of one, open, with the SLA and the routing.
    let one = app
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    assert_eq!(one.as_array().unwrap().len(), 1);
    let req = &one[0];
    assert_eq!(req["service_request_id"], id);
    assert_eq!(req["status"], "open");
    assert_eq!(req["service_code"], "road-pothole");
    assert_eq!(
        req["agency_responsible"],
        "Администрация муниципального образования город Краснодар"
    );
    assert_eq!(req["address"], "ул. Красная, 1");
    let expected = time::OffsetDateTime::parse(
        req["expected_datetime"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let requested = time::OffsetDateTime::parse(
        req["requested_datetime"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        (expected - requested - time::Duration::days(10)).abs() < time::Duration::seconds(5),
        "due 10 days after publication"
    );
    let whole = serde_json::to_string(&one).unwrap();
    assert!(
        !whole.contains("reporter@mail.ru")
            && !whole.contains("Кузнецова")
            && !whole.contains("+7900"),
        "no personal data in public"
    );

    // The department sees the contact on the report page.
    let officer = citizen(&app, "krd@krd.ru", "Сотрудник").await;
    app.make_officer(officer, "admin-krasnodar").await;
    sign_in_as(&app, "krd@krd.ru").await;
    let page = app.get(&format!("/problems/{id}")).await.body;
    assert!(page.contains("reporter@mail.ru") && page.contains("Кузнецова"));
    // It resolves the report: Open311 says closed, with the answer as notes.
    crate::problems::act(
        &app,
        id.parse().unwrap(),
        &[("action", "resolve"), ("text", "Отремонтировано.")],
        &[],
    )
    .await;
    app.clear_cookies();
    let one = app
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await
        .body;
    assert!(one.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request><service_request_id>"));
    assert!(
        one.contains("<status>closed</status>")
            && one.contains("<status_notes>Отремонтировано.</status_notes>")
    );

    // GET many, with filters.
    let open: Value = app
        .get("/open311/v2/requests.json?status=open")
        .await
        .json();
    assert!(open.as_array().unwrap().is_empty());
    let closed: Value = app
        .get("/open311/v2/requests.json?status=closed&service_code=road-pothole")
        .await
        .json();
    assert_eq!(closed.as_array().unwrap().len(), 1);
    let other: Value = app
        .get("/open311/v2/requests.json?service_code=street-lighting")
        .await
        .json();
    assert!(other.as_array().unwrap().is_empty());
    let by_id: Value = app
        .get(&format!(
            "/open311/v2/requests.json?service_request_id={id}&status=open"
        ))
        .await
        .json();
    assert_eq!(
        by_id.as_array().unwrap().len(),
        1,
        "ids override the other filters"
    );
    let with_notes: Value = app
        .get(&format!("/open311/v2/requests/{id}.json?extensions=true"))
        .await
        .json();
    assert!(
        with_notes[0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "resolved")
    );
    let future: Value = app
        .get("/open311/v2/requests.json?start_date=2030-01-01T00:00:00Z")
        .await
        .json();
    assert!(future.as_array().unwrap().is_empty());
    let r = app.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-31T00:00:00Z").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()[0]["description"]
            .as_str()
            .unwrap()
            .contains("90 days")
    );
    assert_eq!(
        app.get("/open311/v2/requests.json?start_date=yesterday")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/open311/v2/requests.json?page_size=5000")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/open311/v2/requests/999999.json").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/open311/v2/requests.json?jurisdiction_id=mars.gov")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let t: Value = app
        .get(&format!("/open311/v2/tokens/{id}.json"))
        .await
        .json();
    assert_eq!(t[0]["service_request_id"], id);
    let _ = appeal(&app, id.parse().unwrap()).await;
});

fn python_with(modules: &[&str]) -> Option<String> {
    crate::clients::python_with(modules)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn georeport_and_a_fixmystreet_style_client_work_unchanged() {
    let Some(python) = python_with(&["georeport"]) else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    set(&app, "premoderation", "off").await;
    let key = issue_key(&app, "FixMyStreet").await;
    let base = crate::clients::serve(&app).await;
    // FixMyStreet's Open311.pm: POST requests.xml, urlencoded, XML answer;
    // then the read side with the georeport package, in XML and JSON.
    let script = r#"
import sys, urllib.request, urllib.parse, xml.etree.ElementTree as ET
from georeport import GeoReport
base, key = sys.argv[1], sys.argv[2]
params = {"api_key": key, "service_code": "street-lighting", "lat": "45.0355", "long": "38.9753",
          "address_string": "Краснодар, ул. Красная, 122", "description": "Не горят три фонаря подряд.",
          "email": "fms@example.org", "first_name": "Test", "last_name": "User",
          "attribute[fixmystreet_id]": "1234"}
body = urllib.parse.urlencode(params).encode()
req = urllib.request.Request(base + "/open311/v2/requests.xml", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
root = ET.fromstring(urllib.request.urlopen(req).read())
assert root.tag == "service_requests", root.tag
sid = root.find("request/service_request_id").text
assert sid and sid.isdigit(), sid
services = ET.fromstring(urllib.request.urlopen(base + "/open311/v2/services.xml").read())
assert any(s.find("service_code").text == "street-lighting" for s in services.findall("service"))
for fmt in ("json", "xml"):
    g = GeoReport(base + "/open311/v2", jurisdiction="krasnodar-krai", output_format=fmt)
    codes = [s["service_code"] for s in g.get_service_list()]
    assert "street-lighting" in codes and "road-pothole" in codes, codes
    d = g.get_service_definition("road-pothole")
    assert d["service_code"] == "road-pothole", d
    reqs = g.get_service_requests(status="open")
    reqs = [reqs] if isinstance(reqs, dict) else reqs
    assert any(r["service_request_id"] == sid for r in reqs), reqs
    one = g.get_service_request(sid)
    assert one["service_request_id"] == sid and one["status"] == "open", one
    assert one["service_code"] == "street-lighting"
    assert "fms@example.org" not in str(one)
print("ok", sid)
"#;
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&base)
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok "));
}
