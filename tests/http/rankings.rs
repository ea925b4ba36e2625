//! Rankings and indicators of effectiveness through HTTP: editions
//! uploaded by the keeper of rankings with the region's change signed as a
//! reader expects it in both orders; the Open SDG statuses on hand-computed
//! figures (decline-is-good, a target of 0, a target met); one order per
//! period for an indicator off track, closed when it recovers; revisions
//! kept; the roadmap's overdue work beside the trend; values from a
//! spreadsheet and from ЕМИСС's SDMX-ML, the rejected rows reported.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, post_form, sign_in_as};

const KEEPER: &str = "kontrol@krasnodar.ru";
const ANALYST: &str = "analitik@krasnodar.ru";

/// Signs in as an officer of the Department of Control (the keeper of
/// rankings) who is also an officer of the indicators' owners used here.
async fn analyst(app: &TestApp) -> i64 {
    veche::features::run_scheduled(&app.state).await.unwrap();
    let id = citizen(app, KEEPER, "Контролёва Ольга").await;
    for org in [
        "dep-control",
        "min-health",
        "min-social",
        "dep-family",
        "min-economy",
    ] {
        app.make_officer(id, org).await;
    }
    sign_in_as(app, KEEPER).await;
    id
}

async fn new_ranking(app: &TestApp, code: &str, name: &str, lower_is_better: &str) {
    let r = app
        .submit(
            "/pm/rankings",
            "/pm/rankings",
            &[
                ("code", code),
                ("name_ru", name),
                ("name_en", "Quality of life"),
                ("publisher", "Рейтинговое агентство"),
                ("methodology_url", "https://example.org/method"),
                ("periodicity", "year"),
                ("entities", "89"),
                ("lower_is_better", lower_is_better),
                ("groups", "a, b ,C"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/pm/rankings/{code}"));
}

async fn edition(
    app: &TestApp,
    code: &str,
    period: &str,
    csv: &str,
) -> crate::helpers::TestResponse {
    let page = format!("/pm/rankings/{code}");
    post_form(
        app,
        &page,
        &format!("{page}/editions"),
        &[("period", period), ("published_on", "2025-03-01")],
        &[("file", "edition.csv", csv.as_bytes().to_vec())],
    )
    .await
}

/// The text of the table row whose header cell names `region`.
fn row<'a>(body: &'a str, region: &str) -> &'a str {
    let table = body.find("<tbody").expect("a table");
    let at = table
        + body[table..]
            .find(&format!(">{region}"))
            .unwrap_or_else(|| panic!("no row of {region}"));
    let start = body[..at].rfind("<tr").unwrap();
    let end = at + body[at..].find("</tr>").unwrap();
    &body[start..end]
}

both_backends!(a_change_of_place_has_the_sign_a_reader_expects, |app| {
    analyst(&app).await;
    new_ranking(&app, "life", "Рейтинг качества жизни", "1").await;
    new_ranking(&app, "growth", "Рейтинг роста", "0").await;
    for code in ["life", "growth"] {
        let r = edition(
            &app,
            code,
            "2024",
            "Регион;Место;Балл;Группа\nКраснодарский край;10;70,5;B\nRU-ROS;5;80;A\n",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = edition(
            &app,
            code,
            "2025",
            "Регион;Место;Балл;Группа\nRU-KDA;7;72;b\nРостовская область;9;75;B\nАтлантида;1;99;A\nRU-AD;0;1;C\nRU-KL;3;x;A\nRU-STA;4;60;Z\n",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Two rows in, four refused, each with its row and reason.
        assert!(r.body.contains("id=\"imported\">2<"), "{}", r.body);
        assert!(r.body.contains("id=\"rejected\">4<"), "{}", r.body);
        assert!(r.body.contains("«Атлантида» не найден"), "{}", r.body);
        assert!(r.body.contains("<td>7</td><td>Группа</td>"), "{}", r.body);
    }
    // Lower is better: 10 → 7 is three places up, 5 → 9 four down.
    let life = app.get("/pm/rankings/life").await;
    assert_eq!(life.status, StatusCode::OK);
    let ours = row(&life.body, "Краснодарский край");
    assert!(
        ours.contains("class=\"ours\"") && ours.contains("▲ 3"),
        "{ours}"
    );
    assert!(ours.contains("наш регион"), "{ours}");
    assert!(row(&life.body, "Ростовская область").contains("▼ 4"));
    // Higher is better: the same moves read the other way.
    let growth = app.get("/pm/rankings/growth").await;
    assert!(row(&growth.body, "Краснодарский край").contains("▼ 3"));
    assert!(row(&growth.body, "Ростовская область").contains("▲ 4"));
    // The previous edition: the region is new there.
    let first = app.get("/pm/rankings/life?edition=2024").await;
    assert!(row(&first.body, "Краснодарский край").contains("впервые"));
    // The peers' chart names the region and the Southern district's peer.
    assert!(life.body.contains("<svg") && life.body.contains("Ростовская область, 2025: 9"));
    // The list shows the region's latest place and change.
    let list = app.get("/pm/rankings").await;
    let listed = row(&list.body, "Рейтинг качества жизни");
    assert!(
        listed.contains("7 / 89") && listed.contains("▲ 3"),
        "{listed}"
    );
    // The edition downloads, its change column signed.
    let csv = app.get("/pm/rankings/life?format=csv").await;
    assert!(
        csv.body.contains("7,Краснодарский край,72,B,▲ 3"),
        "{}",
        csv.body
    );
    // A period of the wrong form is refused whole.
    let bad = edition(&app, "life", "2025-Q1", "Регион;Место\nRU-KDA;1\n").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    // Someone who is not the keeper sees no forms and may not post.
    let other = citizen(&app, ANALYST, "Другой Сотрудник").await;
    app.make_officer(other, "min-culture").await;
    sign_in_as(&app, ANALYST).await;
    let page = app.get("/pm/rankings").await;
    assert!(!page.body.contains("action=\"/pm/rankings\""));
    let r = app
        .post_form_raw(
            "/pm/rankings",
            &[("code", "x1"), ("csrf_token", &page.csrf_token())],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let r = edition(&app, "life", "2023", "Регион;Место\nRU-KDA;1\n").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

async fn value(app: &TestApp, code: &str, year: &str, value: &str, status: &str) {
    let page = format!("/pm/indicators/{code}");
    let r = app
        .submit(
            &page,
            &format!("{page}/values"),
            &[
                ("territory", ""),
                ("year", year),
                ("value", value),
                ("status", status),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{code} {year}: {}", r.body);
}

async fn target(app: &TestApp, code: &str, year: &str, value: &str) {
    let page = format!("/pm/indicators/{code}");
    let r = app
        .submit(
            &page,
            &format!("{page}/targets"),
            &[("year", year), ("value", value), ("basis", "Указ № 309")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// The status an indicator's dashboard row shows.
fn status_of(dashboard: &str, code: &str) -> String {
    let at = dashboard
        .find(&format!("data-code=\"{code}\""))
        .unwrap_or_else(|| panic!("no row {code}"));
    let row = &dashboard[at..at + dashboard[at..].find("</tr>").unwrap()];
    row.find("status-").map_or("none".to_owned(), |i| {
        row[i + 7..].split('"').next().unwrap().to_owned()
    })
}

/// The core's orders from the control, (title, state), oldest first.
async fn orders(app: &TestApp) -> Vec<(String, String)> {
    let mut tx = app.state.db.begin().await.unwrap();
    let rows = veche::fetch_tx!(
        &mut tx,
        fetch_all,
        (String, String),
        "select title, state from pm_order where source = 'control' order by order_id"
    )
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

both_backends!(
    statuses_follow_open_sdg_and_off_track_opens_one_order_a_period,
    |app| {
        analyst(&app).await;
        // Hand-computed (docs/RANKINGS.md):
        // 04 up: 100 → 110 in 5 years, 120 by 2030: (1.1^(1/5)−1)/(1.2^(1/11)−1)
        //    = 0.01925/0.01671 = 1.15 → on track.
        // 05 down (poverty): 12 → 11, 8 by 2030: (−0.01725)/(−0.03620) = 0.48 →
        //    limited progress (off track).
        // 21 down, target 0 (linear): (3−5)/5 = −0.4 a year against (0−5)/11 =
        //    −0.4545 → 0.88 → needs acceleration.
        // 03 up: 1.5 → 1.4 with 1.8 to reach → deterioration (off track).
        // 02 up: 100 → 130, 120 by 2030 → achieved.
        for (code, base, latest, goal) in [
            ("1014-04", "100", "110", "120"),
            ("1014-05", "12", "11", "8"),
            ("1014-21", "5", "3", "0"),
            ("1014-03", "1,5", "1,4", "1,8"),
            ("1014-02", "100", "130", "120"),
        ] {
            value(&app, code, "2019", base, "final").await;
            value(&app, code, "2024", latest, "preliminary").await;
            target(&app, code, "2030", goal).await;
        }
        let page = app.get("/pm/indicators").await;
        assert_eq!(page.status, StatusCode::OK);
        for (code, status) in [
            ("1014-04", "on_track"),
            ("1014-05", "limited_progress"),
            ("1014-21", "needs_acceleration"),
            ("1014-03", "deterioration"),
            ("1014-02", "achieved"),
            ("1014-06", "none"),
        ] {
            assert_eq!(status_of(&page.body, code), status, "{code}");
        }
        // The two off track opened one order each, to their owners.
        app.run_workers().await;
        let open = orders(&app).await;
        assert_eq!(open.len(), 2, "{open:?}");
        assert!(
            open.iter().all(|(t, s)| t.contains("(2024)") && s == "new"),
            "{open:?}"
        );
        assert!(open.iter().any(|(t, _)| t.contains("Уровень бедности")));
        // Once per period: the hourly run and another value change open none.
        veche::features::run_scheduled(&app.state).await.unwrap();
        value(&app, "1014-05", "2023", "11,5", "final").await;
        app.run_workers().await;
        assert_eq!(orders(&app).await.len(), 2);
        // Fertility revised up to on track: its order closes; worse again in
        // the same period, no second order.
        value(&app, "1014-03", "2024", "1,7", "final").await;
        app.run_workers().await;
        let now = orders(&app).await;
        assert!(
            now.iter()
                .any(|(t, s)| t.contains("рождаемости") && s == "cancelled"),
            "{now:?}"
        );
        value(&app, "1014-03", "2024", "1,3", "final").await;
        app.run_workers().await;
        assert_eq!(orders(&app).await.len(), 2);
        // A new period off track: a new order.
        value(&app, "1014-03", "2025", "1,2", "preliminary").await;
        app.run_workers().await;
        let now = orders(&app).await;
        assert_eq!(now.len(), 3, "{now:?}");
        assert!(now[2].0.contains("(2025)"));
        // Revisions keep history: 2024's three figures, the current one marked
        // revised, the first two struck through on the card.
        let card = app.get("/pm/indicators/1014-03").await;
        assert_eq!(
        app.scalar("select count(*) from indicator_value v join indicator i on i.indicator_id = v.indicator_id where i.code = '1014-03' and v.year = 2024").await,
        3
    );
        assert_eq!(
            card.body.matches("class=\"superseded\"").count(),
            2,
            "{}",
            card.body
        );
        assert!(card.body.contains("уточнённое"));
        // The status filter and the download agree with the rows.
        let off = app.get("/pm/indicators?status=deterioration").await;
        assert!(
            off.body.contains("data-code=\"1014-03\"")
                && !off.body.contains("data-code=\"1014-04\"")
        );
        let csv = app.get("/pm/indicators?format=csv").await;
        assert!(
            csv.body
                .lines()
                .any(|l| l.starts_with("1014-02,") && l.trim_end().ends_with("Цель достигнута")),
            "{}",
            csv.body
        );
        // An indicator is recorded only by its owner's officers.
        let other = citizen(&app, ANALYST, "Другой Сотрудник").await;
        app.make_officer(other, "min-culture").await;
        sign_in_as(&app, ANALYST).await;
        let card = app.get("/pm/indicators/1014-04").await;
        assert!(!card.body.contains("/values\""));
        let r = app
            .post_form_raw(
                "/pm/indicators/1014-04/values",
                &[
                    ("csrf_token", &card.csrf_token()),
                    ("year", "2025"),
                    ("value", "1"),
                    ("status", "final"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_backends!(values_arrive_from_a_spreadsheet_and_from_sdmx, |app| {
    analyst(&app).await;
    let csv = "Код показателя;Год;Значение;Статус;Территория\n\
               1014-04;2022;71,2;окончательное;\n\
               1014-04;2023;71,9;;Краснодарский край\n\
               1014-04;2023;70,5;;Сочи\n\
               9999;2023;1;;\n\
               1014-04;1800;1;;\n\
               1014-04;2021;abc;;\n\
               1014-04;2022;72;;\n\
               1014-04;2021;70;черновое;\n\
               1014-04;2021;70;;Атлантида\n";
    let r = post_form(
        &app,
        "/pm/indicators",
        "/pm/indicators/import",
        &[],
        &[("file", "values.csv", csv.as_bytes().to_vec())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"imported\">3<"), "{}", r.body);
    assert!(r.body.contains("id=\"rejected\">6<"), "{}", r.body);
    for reason in [
        "«9999»",
        "1800",
        "«abc» не число",
        "уже дано в строке 2",
        "«черновое»",
        "«Атлантида»",
    ] {
        assert!(r.body.contains(reason), "{reason}: {}", r.body);
    }
    // ЕМИСС's message: the krai's three years in, Rostov's three refused.
    let xml = include_bytes!("../data/rankings/emiss-sample.xml").to_vec();
    let r = post_form(
        &app,
        "/pm/indicators",
        "/pm/indicators/import",
        &[("indicator", "1014-04")],
        &[("file", "emiss.xml", xml.clone())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"imported\">3<") && r.body.contains("id=\"rejected\">3<"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Ростовская область"), "{}", r.body);
    let sdmx = app
        .scalar("select count(*) from indicator_value where origin = 'sdmx' and current = true and territory = ''")
        .await;
    assert_eq!(sdmx, 3);
    // The same message again changes nothing.
    let again = post_form(
        &app,
        "/pm/indicators",
        "/pm/indicators/import",
        &[("indicator", "1014-04")],
        &[("file", "emiss.xml", xml)],
    )
    .await;
    assert!(again.body.contains("id=\"changed\">0<"), "{}", again.body);
    // Sochi's value is the municipality's, on its own dashboard.
    let sochi = app.get("/pm/indicators?territory=sochi").await;
    assert_eq!(sochi.status, StatusCode::OK, "{}", sochi.body);
    assert!(sochi.body.contains("70,50 (2023)"), "{}", sochi.body);
    // Hostile files: a generic message, a DOCTYPE, garbage: 422, no 500.
    for (name, body) in [
        ("g.xml", &b"<message:GenericData xmlns:message=\"http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message\"/>"[..]),
        ("d.xml", &b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"[..]),
        ("z.xml", &b"\x00\xff garbage"[..]),
    ] {
        let r = post_form(
            &app,
            "/pm/indicators",
            "/pm/indicators/import",
            &[("indicator", "1014-04")],
            &[("file", name, body.to_vec())],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", r.body);
    }
    crate::hostile::still_healthy(&app).await;
});

both_backends!(an_indicator_shows_its_roadmap_and_its_overdue_work, |app| {
    analyst(&app).await;
    let r = app
        .submit(
            "/pm/projects",
            "/pm/projects",
            &[
                ("kind", "project"),
                ("code", "LIFE-2030"),
                ("title", "Дорожная карта «Продолжительность жизни»"),
                ("organisation_id", "min-health"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let project = r.location().trim_start_matches("/pm/projects/").to_owned();
    let page = format!("/pm/projects/{project}");
    let yesterday = (time::OffsetDateTime::now_utc() - time::Duration::days(2)).date();
    let r = app
        .submit(
            &page,
            &format!("{page}/milestones"),
            &[
                ("title", "Открыть три центра здоровья"),
                ("due_on", &yesterday.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .submit(
            "/pm/indicators/1014-04",
            "/pm/indicators/1014-04/links",
            &[("project_id", &project), ("base_year", "2019")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    value(&app, "1014-04", "2019", "70", "final").await;
    value(&app, "1014-04", "2024", "72", "final").await;
    let card = app.get("/pm/indicators/1014-04").await;
    assert!(card.body.contains("LIFE-2030"), "{}", card.body);
    let overdue = &card.body[card.body.find("id=\"overdue\"").expect("overdue list")..];
    assert!(overdue.contains("Открыть три центра здоровья"));
    // The trend is drawn and the unconfirmed wording is marked.
    assert!(card.body.contains("<svg"));
    assert!(card.body.contains("id=\"wording\""));
    // A project that does not exist is refused.
    let r = app
        .submit(
            "/pm/indicators/1014-04",
            "/pm/indicators/1014-04/links",
            &[("project_id", "999999")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});
