//! The explorer through HTTP (docs/BI.md, "The explorer"): scope enforced
//! in the query (the table, the drill-down, the exports and JSON), each
//! record opened by its own rule, figures against hand-computed ones,
//! exports, period comparisons, saved explorations' rules, the monthly
//! mail once per period, and hostile questions.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::pm::Sessions;
use crate::problems::{KRASNODAR, citizen, file, id_from, shift, sign_in_as};

const ECON: &str = "econ@krd.example";
const INVEST: &str = "invest@krd.example";
const HEALTH: &str = "health@krd.example";
const CONTROL: &str = "control@krd.example";
const ADMIN: &str = "admin@veche.test";

fn in_days(n: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(n)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The Moscow month now, moved by `n` months.
fn month(n: i32) -> String {
    veche::bi::query::shift_month(&veche::bi::explorer::mail::month_of(veche::db::now()), n)
}

/// Noon (UTC) of the 15th of a month `YYYY-MM`: safely inside it in
/// Moscow time, whatever today is.
fn mid(month: &str) -> time::OffsetDateTime {
    let (y, m) = month.split_once('-').unwrap();
    let m = time::Month::try_from(m.parse::<u8>().unwrap()).unwrap();
    time::Date::from_calendar_date(y.parse().unwrap(), m, 15)
        .unwrap()
        .with_hms(12, 0, 0)
        .unwrap()
        .assume_utc()
}

/// Officers of two departments of vg-economy (min-economy,
/// min-investment), one of vg-social (min-health), one of the Department
/// of Control (whole region), and the administrator, signed in by turns.
async fn people(app: &TestApp) -> Sessions {
    for (email, org) in [
        (ECON, "min-economy"),
        (INVEST, "min-investment"),
        (HEALTH, "min-health"),
        (CONTROL, "dep-control"),
    ] {
        let id = citizen(app, email, "Сотрудник").await;
        app.make_officer(id, org).await;
    }
    let mut who = Sessions::default();
    app.clear_cookies();
    app.signed_in_admin().await;
    who.0.insert(ADMIN.into(), app.jar());
    who
}

/// Three orders given by the administrator: two to min-economy (high,
/// normal), one to min-health (high). Their ids, in that order.
async fn orders(app: &TestApp, who: &mut Sessions) -> Vec<i64> {
    who.be(app, ADMIN).await;
    let mut ids = Vec::new();
    for (title, org, priority) in [
        ("Инвестиционный паспорт", "min-economy", "high"),
        ("Отчёт о ценах", "min-economy", "normal"),
        ("Очереди в поликлиниках", "min-health", "high"),
    ] {
        let r = app
            .submit(
                "/pm/orders/new",
                "/pm/orders",
                &[
                    ("title", title),
                    ("organisation_id", org),
                    ("deadline", &in_days(5)),
                    ("priority", priority),
                    ("source", "meeting"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(
            r.location()
                .trim_start_matches("/pm/orders/")
                .parse()
                .unwrap(),
        );
    }
    ids
}

/// A report filed by a resident (pre-moderation on: it stays `submitted`,
/// not public) and routed to `org`.
async fn report(app: &TestApp, email: &str, org: &str) -> i64 {
    citizen(app, email, "Житель").await;
    sign_in_as(app, email).await;
    let id = id_from(
        &file(
            app,
            "road-pothole",
            KRASNODAR,
            "Яма во дворе дома, глубокая.",
            &[],
        )
        .await,
    );
    let org = org.to_owned();
    shift(app, id, move |a| a.organisation_id = Some(org)).await;
    let a = crate::problems::appeal(app, id).await;
    assert_eq!(a.state, "submitted", "pre-moderation keeps it unpublished");
    id
}

/// The row keys of a JSON answer.
fn row_keys(j: &serde_json::Value) -> Vec<String> {
    j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The cell (value, rows) of a JSON answer.
fn cell(j: &serde_json::Value, row: &str, col: &str) -> Option<(Option<f64>, i64)> {
    j["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["row"] == row && c["col"] == col)
        .map(|c| (c["value"].as_f64(), c["rows"].as_i64().unwrap()))
}

/// The pivot table of a page.
fn pivot(body: &str) -> &str {
    let from = body.find("id=\"pivot\"").unwrap_or(body.len());
    let to = body[from..]
        .find("</table>")
        .map_or(body.len(), |i| from + i);
    &body[from..to]
}

async fn json(app: &TestApp, q: &str) -> serde_json::Value {
    let r = app.get(&format!("/bi/explore?{q}&format=json")).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    r.json()
}

both_backends!(
    explorer_scoping_an_officer_cannot_see_another_portfolio_by_editing_the_url,
    |app| {
        let mut who = people(&app).await;
        orders(&app, &mut who).await;
        let by_portfolio = "mart=mart_orders&rows=portfolio_id&measure=count";
        // The vice-governor's officer: their portfolio only, whatever the
        // address asks.
        who.be(&app, ECON).await;
        let j = json(&app, by_portfolio).await;
        assert_eq!(row_keys(&j), vec!["vg-economy"]);
        assert_eq!(j["totals"]["all"]["rows"], 2);
        for edited in [
            format!("{by_portfolio}&f=portfolio_id:vg-social"),
            format!("{by_portfolio}&f=organisation_id:min-health"),
            "mart=mart_orders&rows=organisation_id&f=organisation_id:min-health&f=organisation_id:min-economy".to_owned(),
        ] {
            let j = json(&app, &edited).await;
            let keys = row_keys(&j);
            assert!(
                !keys.iter().any(|k| k == "vg-social" || k == "min-health"),
                "{edited}: {keys:?}"
            );
        }
        let page = app
            .get(&format!(
                "/bi/explore?{by_portfolio}&f=portfolio_id:vg-social"
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("По этому вопросу строк нет"),
            "{}",
            page.body
        );
        let page = app.get(&format!("/bi/explore?{by_portfolio}")).await;
        let table = pivot(&page.body);
        assert!(table.contains("экономика"), "{table}");
        assert!(!table.contains("социальная сфера"), "{table}");
        // The drill-down of the other portfolio's row: nothing behind it.
        let drill = app
            .get(&format!(
                "/bi/explore/records?{by_portfolio}&cell_row=vg-social"
            ))
            .await;
        assert_eq!(drill.status, StatusCode::OK, "{}", drill.body);
        assert!(drill.body.contains("id=\"cell-rows\">0<"), "{}", drill.body);
        assert!(!drill.body.contains("/pm/orders/"), "{}", drill.body);
        // Nor in the exports.
        for format in ["csv", "svg"] {
            let r = app
                .get(&format!("/bi/explore?{by_portfolio}&format={format}"))
                .await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(!r.body.contains("социальная сфера"), "{format}: {}", r.body);
            assert!(r.body.contains("экономика"), "{format}: {}", r.body);
        }
        // The Department of Control reads the whole region.
        who.be(&app, CONTROL).await;
        let j = json(&app, by_portfolio).await;
        assert_eq!(row_keys(&j), vec!["vg-economy", "vg-social"]);
        let j = json(&app, &format!("{by_portfolio}&f=portfolio_id:vg-social")).await;
        assert_eq!(row_keys(&j), vec!["vg-social"]);
        // A citizen reads nothing.
        citizen(&app, "nosy@example.ru", "Житель").await;
        sign_in_as(&app, "nosy@example.ru").await;
        let r = app
            .get(&format!("/bi/explore?{by_portfolio}&format=json"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_backends!(drill_down_opens_each_record_by_its_own_rule, |app| {
    let mut who = people(&app).await;
    let ids = orders(&app, &mut who).await;
    let hidden = report(&app, "resident@example.ru", "min-economy").await;
    let q = "mart=mart_requests&rows=organisation_id&cols=is_public&measure=count";
    let at = "&cell_row=min-economy&cell_col=0";
    // A member of the department the request is routed to opens it.
    who.be(&app, ECON).await;
    let page = app.get(&format!("/bi/explore/records?{q}{at}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(&format!("href=\"/problems/{hidden}\"")),
        "{}",
        page.body
    );
    // A member of another department of the same portfolio counts it but
    // may not open it: no link, one record refused.
    who.be(&app, INVEST).await;
    let j = json(&app, q).await;
    assert_eq!(cell(&j, "min-economy", "0").map(|c| c.1), Some(1));
    let page = app.get(&format!("/bi/explore/records?{q}{at}")).await;
    assert!(page.body.contains("id=\"cell-rows\">1<"), "{}", page.body);
    assert!(
        !page.body.contains(&format!("/problems/{hidden}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"refused\""), "{}", page.body);
    // The whole-region viewer counts it too, and is refused as well: the
    // request's rule, not the scope, decides.
    who.be(&app, CONTROL).await;
    let page = app.get(&format!("/bi/explore/records?{q}{at}")).await;
    assert!(page.body.contains("id=\"cell-rows\">1<"), "{}", page.body);
    assert!(
        !page.body.contains(&format!("/problems/{hidden}")),
        "{}",
        page.body
    );
    // The pivot cell links to that drill-down.
    let page = app.get(&format!("/bi/explore?{q}")).await;
    assert!(page.body.contains("/bi/explore/records?"), "{}", page.body);
    // An order's page is opened for everyone in the core.
    who.be(&app, INVEST).await;
    let page = app
        .get("/bi/explore/records?mart=mart_orders&rows=organisation_id&cell_row=min-economy")
        .await;
    assert!(
        page.body
            .contains(&format!("href=\"/pm/orders/{}\"", ids[0])),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("href=\"/pm/orders/{}\"", ids[1])),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&format!("/pm/orders/{}\"", ids[2])),
        "{}",
        page.body
    );
    let r = app
        .get("/bi/explore/records?mart=mart_orders&rows=organisation_id")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no cell named");
});

both_backends!(figures_and_exports_match_hand_computed_ones, |app| {
    let mut who = people(&app).await;
    orders(&app, &mut who).await;
    who.be(&app, CONTROL).await;
    let q = "mart=mart_orders&rows=organisation_id&cols=priority&measure=count";
    let j = json(&app, q).await;
    assert_eq!(row_keys(&j), vec!["min-economy", "min-health"]);
    assert_eq!(cell(&j, "min-economy", "high"), Some((Some(1.0), 1)));
    assert_eq!(cell(&j, "min-economy", "normal"), Some((Some(1.0), 1)));
    assert_eq!(cell(&j, "min-health", "high"), Some((Some(1.0), 1)));
    assert_eq!(cell(&j, "min-health", "normal"), None);
    assert_eq!(j["totals"]["rows"]["min-economy"]["value"], 2.0);
    assert_eq!(j["totals"]["cols"]["high"]["value"], 2.0);
    assert_eq!(j["totals"]["all"]["value"], 3.0);
    assert_eq!(j["labels"]["rows"]["min-economy"], "Минэкономики КК");
    // Share of the total: 2 of 3 orders.
    let j = json(&app, "mart=mart_orders&rows=organisation_id&measure=share").await;
    let share = cell(&j, "min-economy", "").unwrap().0.unwrap();
    assert!((share - 200.0 / 3.0).abs() < 1e-9, "{share}");
    // Nothing is late yet: the mean and the median of days late are 0, the
    // on-time share has no figure (every deadline is ahead).
    for m in ["mean:days_late", "median:days_late", "sum:days_late"] {
        let j = json(
            &app,
            &format!("mart=mart_orders&rows=organisation_id&measure={m}"),
        )
        .await;
        assert_eq!(cell(&j, "min-health", "").unwrap().0, Some(0.0), "{m}");
    }
    let j = json(
        &app,
        "mart=mart_orders&rows=organisation_id&measure=on_time",
    )
    .await;
    assert_eq!(cell(&j, "min-economy", "").unwrap(), (None, 2));
    // CSV: the same table with totals.
    let csv = app.get(&format!("/bi/explore?{q}&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0], vec!["Минэкономики КК", "1", "1", "2"]);
    assert_eq!(rows[1], vec!["Минздрав КК", "1", "", "1"]);
    assert_eq!(rows[2], vec!["Итого", "2", "1", "3"]);
    // XLSX opens, with the header, two rows and the totals.
    let xlsx = app.get(&format!("/bi/explore?{q}&format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.rows().count(), 4);
    // SVG: a well-formed picture with its name, one bar per cell.
    let svg = app
        .get(&format!("/bi/explore?{q}&format=svg&chart=stacked"))
        .await;
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    let mut reader = quick_xml::Reader::from_str(&svg.body);
    let mut rects = 0;
    loop {
        match reader.read_event().expect("well-formed SVG") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) if *e.name().into_inner() == *"rect" => rects += 1,
            _ => {}
        }
    }
    assert_eq!(rects, 3, "{}", svg.body);
    assert!(svg.body.contains("role=\"img\"") && svg.body.contains("aria-label="));
    // The page: the chart named, the table beside it, in both languages.
    let page = app.get(&format!("/bi/explore?{q}&chart=line")).await;
    assert!(page.body.contains("role=\"img\""), "{}", page.body);
    assert!(pivot(&page.body).contains("Минздрав КК"));
    app.set_cookie("veche_lang", "en");
    let page = app.get(&format!("/bi/explore?{q}")).await;
    assert!(
        pivot(&page.body).contains("Ministry of Health"),
        "{}",
        page.body
    );
});

both_backends!(
    periods_are_compared_with_the_month_before_and_a_year_ago,
    |app| {
        let mut who = people(&app).await;
        let ids = orders(&app, &mut who).await;
        // One order given a month ago, one a year ago.
        let back = |n: i32| mid(&month(-n));
        for (id, at) in [(ids[1], back(1)), (ids[2], back(12))] {
            let mut tx = app.state.db.begin().await.unwrap();
            veche::exec_tx!(
                &mut tx,
                "update pm_order set created_at = $1 where order_id = $2",
                at,
                id
            )
            .unwrap();
            tx.commit().await.unwrap();
        }
        who.be(&app, CONTROL).await;
        let m = month(0);
        let q = format!("mart=mart_orders&rows=organisation_id&measure=count&from={m}&to={m}");
        let page = app.get(&format!("/bi/explore?{q}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let from = page.body.find("id=\"compare\"").unwrap();
        let compare = &page.body[from..];
        assert!(
            compare.contains(&month(-1)) && compare.contains(&month(-12)),
            "{compare}"
        );
        // All: 1 now, 1 the month before (=), and 1 a year ago (=); by
        // department: min-economy 1 now against 1 (=), min-health none now.
        assert!(compare.contains("<span class=\"change\">=<"), "{compare}");
        // The month before alone: 1 order against none two months ago.
        let p = month(-1);
        let q = format!("mart=mart_orders&rows=organisation_id&measure=count&from={p}&to={p}");
        let page = app.get(&format!("/bi/explore?{q}")).await;
        let compare = &page.body[page.body.find("id=\"compare\"").unwrap()..];
        assert!(compare.contains("▲ 1<"), "none two months ago: {compare}");
        // Two now (both min-economy orders moved to now) against one.
        let mut tx = app.state.db.begin().await.unwrap();
        veche::exec_tx!(
            &mut tx,
            "update pm_order set created_at = $1 where order_id = $2",
            veche::db::now(),
            ids[1]
        )
        .unwrap();
        veche::exec_tx!(
            &mut tx,
            "update pm_order set created_at = $1 where order_id = $2",
            back(1),
            ids[2]
        )
        .unwrap();
        tx.commit().await.unwrap();
        let q = format!("mart=mart_orders&rows=organisation_id&measure=count&from={m}&to={m}");
        let page = app.get(&format!("/bi/explore?{q}")).await;
        let compare = &page.body[page.body.find("id=\"compare\"").unwrap()..];
        assert!(compare.contains("▲ 1 (+100 %)"), "{compare}");
        // A count of nothing is 0: min-health's one order last month, none now.
        assert!(compare.contains("▼ 1 (-100 %)"), "min-health: {compare}");
        assert!(compare.contains("▲ 2<"), "against 0 a year ago: {compare}");
        // Without a period the page says how to compare.
        let page = app
            .get("/bi/explore?mart=mart_orders&rows=organisation_id")
            .await;
        assert!(page.body.contains("Выберите период"), "{}", page.body);
    }
);

/// Saves the question `q` as the signed-in person; the exploration's id.
async fn save(app: &TestApp, q: &str, title: &str) -> i64 {
    let r = app
        .submit(
            &format!("/bi/explore?{q}"),
            "/bi/explorations",
            &[("title", title), ("question", q)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.scalar(&format!(
        "select max(exploration_id) from bi_exploration where title = '{title}'"
    ))
    .await
}

both_backends!(
    saved_explorations_are_shared_and_changed_by_their_rules,
    |app| {
        let mut who = people(&app).await;
        orders(&app, &mut who).await;
        who.be(&app, ECON).await;
        let id = save(
            &app,
            "mart=mart_orders&rows=priority&measure=count&chart=line",
            "Мои приоритеты",
        )
        .await;
        let list = app.get("/bi/explorations").await;
        assert!(list.body.contains("Мои приоритеты"), "{}", list.body);
        assert!(list.body.contains(&format!("/bi/explorations/{id}/delete")));
        let open = app.get(&format!("/bi/explorations/{id}")).await;
        assert!(
            open.location().contains("chart=line"),
            "{}",
            open.location()
        );
        // Unshared: nobody else sees it, nor can delete it.
        for other in [INVEST, HEALTH] {
            who.be(&app, other).await;
            assert!(
                !app.get("/bi/explorations")
                    .await
                    .body
                    .contains("Мои приоритеты")
            );
            assert_eq!(
                app.get(&format!("/bi/explorations/{id}")).await.status,
                StatusCode::NOT_FOUND
            );
            let r = app
                .submit(
                    "/bi/explorations",
                    &format!("/bi/explorations/{id}/delete"),
                    &[],
                )
                .await;
            assert!(r.status.is_client_error(), "{}", r.status);
        }
        assert_eq!(app.scalar("select count(*) from bi_exploration").await, 1);
        // Shared with its portfolio: its members and whole-region staff see it;
        // another portfolio does not; only the owner may change it.
        who.be(&app, ECON).await;
        let r = app
            .submit(
                "/bi/explorations",
                &format!("/bi/explorations/{id}/share"),
                &[("shared_with", "vg-economy")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        who.be(&app, INVEST).await;
        let list = app.get("/bi/explorations").await;
        assert!(list.body.contains("Мои приоритеты"), "{}", list.body);
        assert!(
            !list.body.contains(&format!("/bi/explorations/{id}/delete")),
            "no delete offered"
        );
        for action in ["delete", "share", "schedule"] {
            let r = app
                .submit(
                    "/bi/explorations",
                    &format!("/bi/explorations/{id}/{action}"),
                    &[("shared_with", ""), ("monthly", "1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
        }
        assert_eq!(app.scalar("select count(*) from bi_exploration where monthly = 0 and shared_with = 'vg-economy'").await, 1);
        who.be(&app, CONTROL).await;
        assert!(
            app.get("/bi/explorations")
                .await
                .body
                .contains("Мои приоритеты")
        );
        who.be(&app, HEALTH).await;
        assert!(
            !app.get("/bi/explorations")
                .await
                .body
                .contains("Мои приоритеты")
        );
        // Shared with the core: everyone in it, each in their own scope.
        who.be(&app, ECON).await;
        let r = app
            .submit(
                "/bi/explorations",
                &format!("/bi/explorations/{id}/share"),
                &[("shared_with", "core")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app
            .submit(
                "/bi/explorations",
                &format!("/bi/explorations/{id}/share"),
                &[("shared_with", "x' or 1=1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        who.be(&app, HEALTH).await;
        assert!(
            app.get("/bi/explorations")
                .await
                .body
                .contains("Мои приоритеты")
        );
        let open = app.get(&format!("/bi/explorations/{id}")).await;
        let j = json(&app, open.location().trim_start_matches("/bi/explore?")).await;
        assert_eq!(j["totals"]["all"]["rows"], 1, "min-health's one order only");
        // A bad question or title is not saved.
        who.be(&app, ECON).await;
        for (q, title) in [("mart=nope", "x"), ("mart=mart_orders", "")] {
            let r = app
                .submit(
                    "/bi/explorations",
                    "/bi/explorations",
                    &[("title", title), ("question", q)],
                )
                .await;
            assert!(r.status.is_client_error(), "{q}: {}", r.status);
        }
        // The owner deletes it.
        let r = app
            .submit(
                "/bi/explorations",
                &format!("/bi/explorations/{id}/delete"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(app.scalar("select count(*) from bi_exploration").await, 0);
    }
);

both_backends!(a_scheduled_exploration_is_mailed_once_per_period, |app| {
    let mut who = people(&app).await;
    let ids = orders(&app, &mut who).await;
    // Last month's orders: one of min-economy, one of min-health.
    let last = mid(&month(-1));
    for id in [ids[0], ids[2]] {
        let mut tx = app.state.db.begin().await.unwrap();
        veche::exec_tx!(
            &mut tx,
            "update pm_order set created_at = $1 where order_id = $2",
            last,
            id
        )
        .unwrap();
        tx.commit().await.unwrap();
    }
    who.be(&app, ECON).await;
    let id = save(
        &app,
        "mart=mart_orders&rows=organisation_id&measure=count",
        "Поручения за месяц",
    )
    .await;
    let r = app
        .submit(
            "/bi/explorations",
            &format!("/bi/explorations/{id}/schedule"),
            &[("monthly", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let now = veche::db::now();
    let sent = veche::bi::explorer::mail::send_monthly(&app.state, now)
        .await
        .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(
        veche::bi::explorer::mail::send_monthly(&app.state, now)
            .await
            .unwrap(),
        0
    );
    app.run_workers().await;
    let app = app.restarted().await;
    assert_eq!(
        veche::bi::explorer::mail::send_monthly(&app.state, now)
            .await
            .unwrap(),
        0
    );
    // The hourly work runs it too, and sends nothing more.
    veche::bi::explorer::mail::scheduled(&app.state)
        .await
        .unwrap();
    app.run_workers().await;
    // (The officer also has mail about the orders given to them.)
    let mails: Vec<_> = app
        .mailbox()
        .into_iter()
        .filter(|m| m.to == ECON && m.subject.starts_with("Исследование"))
        .collect();
    assert_eq!(mails.len(), 1, "one mail for the month");
    let m = &mails[0];
    assert!(m.subject.contains("Поручения за месяц"), "{}", m.subject);
    // Last month, in the owner's scope: min-economy's order, not min-health's.
    assert!(m.body.contains("Минэкономики КК"), "{}", m.body);
    assert!(!m.body.contains("Минздрав"), "{}", m.body);
    assert!(
        m.body.contains(&format!("from={}", month(-1))),
        "{}",
        m.body
    );
    assert!(m.link("/bi/explore?").contains("mart=mart_orders"));
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from bi_exploration where last_sent = '{}'",
            month(-1)
        ))
        .await,
        1
    );
    // A month later, the next one.
    let next = now + time::Duration::days(32);
    assert_eq!(
        veche::bi::explorer::mail::send_monthly(&app.state, next)
            .await
            .unwrap(),
        1
    );
    // Turned off: nothing.
    let off = now + time::Duration::days(64);
    let mut tx = app.state.db.begin().await.unwrap();
    veche::exec_tx!(&mut tx, "update bi_exploration set monthly = 0").unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        veche::bi::explorer::mail::send_monthly(&app.state, off)
            .await
            .unwrap(),
        0
    );
});

both_backends!(
    one_failing_exploration_does_not_hold_up_the_others_mail,
    |app| {
        let mut who = people(&app).await;
        who.be(&app, ECON).await;
        let broken = save(&app, "mart=mart_orders&rows=state", "Сломанное").await;
        let fine = save(&app, "mart=mart_requests&rows=state", "Обращения за месяц").await;
        for id in [broken, fine] {
            let r = app
                .submit(
                    "/bi/explorations",
                    &format!("/bi/explorations/{id}/schedule"),
                    &[("monthly", "1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        // The first one's relation fails in the database (as a broken
        // statement or a server error would).
        let mut tx = app.state.db.begin().await.unwrap();
        veche::exec_tx!(&mut tx, "drop view mart_orders").unwrap();
        tx.commit().await.unwrap();
        let sent = veche::bi::explorer::mail::send_monthly(&app.state, veche::db::now())
            .await
            .unwrap();
        assert_eq!(sent, 1, "the second exploration is mailed");
        app.run_workers().await;
        let titles: Vec<String> = app
            .mailbox()
            .into_iter()
            .filter(|m| m.to == ECON && m.subject.starts_with("Исследование"))
            .map(|m| m.subject)
            .collect();
        assert_eq!(titles.len(), 1, "{titles:?}");
        assert!(titles[0].contains("Обращения за месяц"), "{titles:?}");
        // Both months are marked: the broken one is not retried every hour.
        assert_eq!(
            app.scalar("select count(*) from bi_exploration where last_sent is not null")
                .await,
            2
        );
    }
);

both_backends!(hostile_questions_are_refused_with_a_message, |app| {
    let mut who = people(&app).await;
    who.be(&app, ECON).await;
    // Ten thousand filters (as short as they come: an address is at most
    // 64 KiB).
    let many: String = "&f=a:1".repeat(10_000);
    for (q, why) in [
        ("mart=mart_nope".to_owned(), "unknown relation"),
        ("mart=account".to_owned(), "a table, not a relation"),
        (
            "mart=mart_orders&rows=password_hash".to_owned(),
            "unknown dimension",
        ),
        ("mart=mart_orders&rows=order_id".to_owned(), "an attribute"),
        (
            "mart=mart_orders&rows=state;drop table account".to_owned(),
            "SQL as a dimension",
        ),
        (
            "mart=mart_orders&measure=sum:state".to_owned(),
            "a text measure",
        ),
        (
            "mart=mart_orders&measure=avg(1)".to_owned(),
            "SQL as a measure",
        ),
        (
            "mart=mart_orders&rows=state&cols=state".to_owned(),
            "the same twice",
        ),
        (format!("mart=mart_orders{many}"), "ten thousand filters"),
        (
            "mart=mart_orders&f=state".to_owned(),
            "a filter without a value",
        ),
        ("mart=mart_orders&from=2026-13".to_owned(), "no month 13"),
        ("mart=mart_orders&from=26-01".to_owned(), "a short year"),
        (
            "mart=mart_orders&from=2026-05&to=2026-01".to_owned(),
            "backwards",
        ),
        ("mart=mart_orders&format=exe".to_owned(), "unknown format"),
    ] {
        for format in ["", "&format=json"] {
            let r = app
                .get(&format!("/bi/explore?{}{format}", q.replace(' ', "%20")))
                .await;
            assert!(r.status.is_client_error(), "{why}: {}", r.status);
            assert!(r.body.len() < 200_000);
        }
    }
    // SQL in a value is a value: bound, it matches nothing.
    let r = app
        .get("/bi/explore?mart=mart_orders&rows=state&f=state:%27%3B%20drop%20table%20account%3B%20--&format=json")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(row_keys(&r.json()).is_empty());
    assert!(app.scalar("select count(*) from account").await > 0);
    // A NUL or an overlong cell in a drill-down, a NUL in a filter value:
    // refused before the database (PostgreSQL would fail on the NUL).
    let long = "x".repeat(500);
    for q in [
        "mart=mart_orders&rows=state&cell_row=new%00".to_owned(),
        format!("mart=mart_orders&rows=state&cell_row={long}"),
        "mart=mart_orders&rows=state&cols=priority&cell_row=new&cell_col=%00".to_owned(),
    ] {
        let r = app.get(&format!("/bi/explore/records?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
    }
    let r = app
        .get("/bi/explore?mart=mart_orders&rows=state&f=state:new%00&format=json")
        .await;
    assert!(
        r.status.is_client_error(),
        "a NUL in a filter: {}",
        r.status
    );
    // The form and the relation chooser still answer.
    assert_eq!(app.get("/bi/explore").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/bi/explore?mart=mart_orders").await.status,
        StatusCode::OK
    );
});
