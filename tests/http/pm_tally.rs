//! The dashboards' counters (`src/pm/tally.rs`) through HTTP: after every
//! kind of change (a new order, its acceptance, work, report, acceptance of
//! the report, return, referral to another organisation, cancellation,
//! delegation, a report accepted after the deadline) the portfolio's and the
//! projects' pages show what a direct count over the orders gives, also as
//! the days pass (pages read under a clock set before and after deadlines).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use time::{Duration, OffsetDateTime};
use veche::pm::queries::{self as pmq, Counts, OrderFilter};

use crate::both_backends;
use crate::helpers::{TestApp, TestResponse};
use crate::problems::{citizen, post_form};

const PORTFOLIO: &str = "vg-infrastructure";
const TRANSPORT: &str = "min-transport";
const ENERGY: &str = "min-energy-housing";

fn in_days(n: i64) -> String {
    let d = (OffsetDateTime::now_utc() + Duration::days(n)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Runs `f` with the application's clock at `at` (the router runs in this
/// task, so its handlers read that clock), or on the real clock.
async fn at<T>(t: Option<OffsetDateTime>, f: impl std::future::Future<Output = T>) -> T {
    match t {
        Some(t) => {
            veche::db::with_clock(async {
                veche::db::set_clock(t);
                f.await
            })
            .await
        }
        None => f.await,
    }
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn numbers(c: &Counts) -> [i64; 6] {
    [
        c.total,
        c.done,
        c.unaccepted,
        c.in_progress,
        c.overdue,
        c.done_late,
    ]
}

/// The portfolio's page and the projects list at `when` against a direct
/// count (`group by` over every order) at the same moment; returns the
/// portfolio's rows by organisation id (total, done, not accepted, in
/// progress, overdue, done late).
async fn check(app: &TestApp, when: Option<OffsetDateTime>) -> BTreeMap<String, [i64; 6]> {
    let t = when.unwrap_or_else(veche::db::now);
    let db = &app.state.db;
    let direct = |group: &'static str| async move {
        pmq::counts_by(db, &OrderFilter::default(), group, t)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|c| Some((c.key.clone()?, numbers(&c))))
            .collect::<BTreeMap<String, [i64; 6]>>()
    };
    let by_org = direct("organisation_id").await;
    let by_project = direct("project_id").await;
    let names: BTreeMap<String, String> = veche::directory::queries::list(db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.name_ru, o.organisation_id))
        .collect();

    let page = at(
        when,
        app.get(&format!("/pm/portfolios/{PORTFOLIO}?format=csv")),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut shown = BTreeMap::new();
    for row in csv_rows(&page.body) {
        let id = names[&row[0]].clone();
        let got: Vec<i64> = row[1..7].iter().map(|v| v.parse().unwrap()).collect();
        let want = by_org.get(&id).copied().unwrap_or_default();
        assert_eq!(got, want, "{id} at {t}: shown against counted");
        shown.insert(id, want);
    }
    assert!(
        shown.contains_key(TRANSPORT) && shown.contains_key(ENERGY),
        "{shown:?}"
    );
    // The region's row of the portfolio is the sum of its organisations.
    let region = at(when, app.get("/pm?format=csv")).await;
    let sum: i64 = shown.values().map(|c| c[0]).sum();
    let portfolio_name = names
        .iter()
        .find(|(_, id)| id.as_str() == PORTFOLIO)
        .map(|(n, _)| n.clone())
        .unwrap();
    let row = csv_rows(&region.body)
        .into_iter()
        .find(|r| r[0] == portfolio_name)
        .unwrap();
    assert_eq!(row[1], sum.to_string(), "the region's row at {t}");

    let projects = veche::pm::projects::projects(db).await.unwrap();
    // The orders list's count, read from the counters when it filters by
    // nothing but an organisation or a project and a state.
    let tally = projects.iter().find(|p| p.code == "T-TALLY").unwrap();
    let pid = tally.project_id;
    for (query, filter) in [
        (String::new(), Some("1 = 1".to_owned())),
        (
            format!("organisation={ENERGY}"),
            Some(format!("organisation_id = '{ENERGY}'")),
        ),
        ("state=new".to_owned(), Some("state = 'new'".to_owned())),
        (
            format!("organisation={TRANSPORT}&state=done"),
            Some(format!(
                "organisation_id = '{TRANSPORT}' and state = 'done'"
            )),
        ),
        (
            format!("project={pid}"),
            Some(format!("project_id = {pid}")),
        ),
        (
            format!("project={pid}&state=cancelled"),
            Some(format!("project_id = {pid} and state = 'cancelled'")),
        ),
        // Not from the counters: the overdue ones, by the order's own rule.
        ("overdue=1".to_owned(), None),
    ] {
        let page = at(when, app.get(&format!("/pm/orders?{query}"))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let shown = figure(&page.body, "orders-count");
        let counted = match filter {
            Some(wh) => {
                app.scalar(&format!("select count(*) from pm_order where {wh}"))
                    .await
            }
            None => pmq::list_orders(
                db,
                &OrderFilter {
                    limit: 100_000,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .iter()
            .filter(|o| o.is_overdue(t))
            .count() as i64,
        };
        assert_eq!(shown, counted, "/pm/orders?{query} at {t}");
    }

    let list = at(when, app.get("/pm/projects?format=csv")).await;
    assert_eq!(list.status, StatusCode::OK);
    let rows = csv_rows(&list.body);
    assert_eq!(rows.len(), projects.len());
    for p in projects {
        let row = rows.iter().find(|r| r[0] == p.code).unwrap();
        let got: Vec<i64> = row[3..6].iter().map(|v| v.parse().unwrap()).collect();
        let want = by_project
            .get(&p.project_id.to_string())
            .copied()
            .unwrap_or_default();
        assert_eq!(
            got,
            [want[0], want[1], want[4]],
            "project {} at {t}: orders, done, overdue",
            p.code
        );
    }
    shown
}

/// The number in the element with `id`.
fn figure(body: &str, id: &str) -> i64 {
    let at = body
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("#{id} in {body}"));
    body[at..]
        .split('>')
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("#{id} holds a number"))
}

async fn new_order(app: &TestApp, org: &str, days: i64, project: Option<i64>) -> i64 {
    let project = project.map(|p| p.to_string()).unwrap_or_default();
    let r = app
        .submit(
            "/pm/orders/new",
            "/pm/orders",
            &[
                ("title", "Поручение для счётчиков"),
                ("organisation_id", org),
                ("deadline", &in_days(days)),
                ("priority", "normal"),
                ("source", "meeting"),
                ("project_id", &project),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap()
}

async fn act(app: &TestApp, id: i64, fields: &[(&str, &str)]) -> TestResponse {
    let page = format!("/pm/orders/{id}");
    let r = post_form(app, &page, &format!("/pm/orders/{id}/act"), fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{fields:?}: {}", r.body);
    r
}

async fn deadline(app: &TestApp, id: i64) -> OffsetDateTime {
    pmq::order(&app.state.db, id)
        .await
        .unwrap()
        .unwrap()
        .deadline
}

both_backends!(dashboard_counters_follow_every_change, |app| {
    app.signed_in_admin().await;
    let executor = citizen(&app, "tally@transport.example", "Ирина Счётная").await;
    app.make_executor(executor, TRANSPORT).await;
    app.clear_cookies();
    let r = app.login("admin@veche.test", "admin password 1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .submit(
            "/pm/projects",
            "/pm/projects",
            &[
                ("kind", "project"),
                ("code", "T-TALLY"),
                ("title", "Счётчики"),
                ("organisation_id", TRANSPORT),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2027-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pid: i64 = r
        .location()
        .trim_start_matches("/pm/projects/")
        .parse()
        .unwrap();
    check(&app, None).await;

    let a = new_order(&app, TRANSPORT, 5, Some(pid)).await;
    let b = new_order(&app, TRANSPORT, 3, None).await;
    let c = new_order(&app, ENERGY, 7, Some(pid)).await;
    let d = new_order(&app, TRANSPORT, 2, Some(pid)).await;
    let e = new_order(&app, ENERGY, 9, None).await;
    let shown = check(&app, None).await;
    assert_eq!(shown[TRANSPORT], [3, 0, 3, 0, 0, 0]);
    assert_eq!(shown[ENERGY], [2, 0, 2, 0, 0, 0]);

    // Accepted, in work, reported, done on time.
    act(&app, a, &[("action", "accept")]).await;
    check(&app, None).await;
    act(&app, a, &[("action", "start")]).await;
    check(&app, None).await;
    act(&app, a, &[("action", "report"), ("text", "Сделано")]).await;
    check(&app, None).await;
    act(&app, a, &[("action", "accept_report")]).await;
    let shown = check(&app, None).await;
    assert_eq!(shown[TRANSPORT][1], 1, "done: {shown:?}");

    // Referred to another organisation: it moves between the rows.
    act(
        &app,
        b,
        &[
            ("action", "refer"),
            ("organisation_id", ENERGY),
            ("text", "Не наш профиль"),
        ],
    )
    .await;
    let shown = check(&app, None).await;
    assert_eq!((shown[TRANSPORT][0], shown[ENERGY][0]), (2, 3));

    // Cancelled: counted nowhere.
    act(&app, c, &[("action", "cancel"), ("text", "Отменено")]).await;
    let shown = check(&app, None).await;
    assert_eq!(shown[ENERGY][0], 2);

    // Delegated: a sub-order in the same organisation.
    let r = app
        .submit(
            &format!("/pm/orders/{d}"),
            &format!("/pm/orders/{d}/delegate"),
            &[
                ("title", "Часть работы"),
                ("organisation_id", TRANSPORT),
                ("executor_id", &executor.to_string()),
                ("deadline", &in_days(1)),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let child: i64 = r
        .location()
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    let shown = check(&app, None).await;
    assert_eq!(shown[TRANSPORT][0], 3);

    // Reported, then returned for rework.
    act(&app, e, &[("action", "report"), ("text", "Готово?")]).await;
    check(&app, None).await;
    act(&app, e, &[("action", "return"), ("text", "Доделать")]).await;
    check(&app, None).await;

    // The days pass: the sub-order's deadline (end of a day in the krai)
    // is read a minute before, a minute after (the same UTC day, counted
    // from the orders due today) and a day after (a past day's counter).
    let due = deadline(&app, child).await;
    let before = check(&app, Some(due - Duration::minutes(1))).await;
    let after = check(&app, Some(due + Duration::minutes(1))).await;
    let next_day = check(&app, Some(due + Duration::days(1) + Duration::minutes(1))).await;
    assert_eq!(after[TRANSPORT][4], before[TRANSPORT][4] + 1, "overdue");
    assert_eq!(next_day[TRANSPORT][4], 2, "the sub-order and its parent");
    assert_eq!(next_day[ENERGY][4], 0, "{next_day:?}");
    let far = check(&app, Some(due + Duration::days(10))).await;
    assert_eq!(far[ENERGY][4], 2, "both open orders: {far:?}");
    assert_eq!(far[TRANSPORT][4], 2, "{far:?}");

    // Done after the deadline: the report and its acceptance a day late.
    let late = deadline(&app, b).await + Duration::days(1);
    at(Some(late), async {
        act(&app, b, &[("action", "report"), ("text", "С опозданием")]).await;
        act(&app, b, &[("action", "accept_report")]).await;
    })
    .await;
    let shown = check(&app, None).await;
    assert_eq!(shown[ENERGY][5], 1, "done late: {shown:?}");
    check(&app, Some(late)).await;

    // The hourly fold of past days into the rows (last: a fold is made on
    // the clock of its hour, and time only moves on) changes no figure.
    let later = due + Duration::days(10);
    let unfolded = check(&app, Some(later)).await;
    at(Some(later), async {
        veche::pm::scheduled(&app.state).await.unwrap();
    })
    .await;
    assert_eq!(
        app.scalar("select count(*) from pm_order_due").await,
        0,
        "every open order is due before then: all its days folded"
    );
    assert_eq!(check(&app, Some(later)).await, unfolded);
    // The fill the migration ran (and `rebuild` runs) counts the same.
    at(Some(later), async {
        veche::pm::tally::rebuild(&app.state.db).await.unwrap();
    })
    .await;
    assert_eq!(check(&app, Some(later)).await, unfolded);
    check(&app, Some(later + Duration::days(1))).await;
    assert_eq!(
        app.scalar("select count(*) from pm_order where state = 'done'")
            .await,
        2
    );
});
