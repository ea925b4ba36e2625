//! The project-management core through HTTP: a routed report becomes an
//! order, is delegated down to an executor, and its report of execution
//! becomes the citizen's official reaction; referrals in either system;
//! dashboards with exports; projects; the task list. The core runs in the
//! same process here (the default); `two_processes.rs` runs it apart.

use axum::http::StatusCode;
use veche::pm::queries as pmq;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{
    KRASNODAR, appeal, citizen, file, id_from, jpeg, post_form, set, sign_in_as,
};

fn in_days(n: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(n)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Files a published report as a new citizen; returns its id.
async fn published_report(app: &TestApp, email: &str) -> i64 {
    set(app, "premoderation", "off").await;
    citizen(app, email, "Ольга Смирнова").await;
    sign_in_as(app, email).await;
    let r = file(
        app,
        "road-pothole",
        KRASNODAR,
        "Яма у остановки, машины объезжают по встречной.",
        &[],
    )
    .await;
    let id = id_from(&r);
    app.run_workers().await;
    id
}

async fn orders_of(app: &TestApp, appeal_id: i64) -> Vec<pmq::OrderRow> {
    pmq::orders_for_appeal(&app.state.db, appeal_id)
        .await
        .unwrap()
}

async fn order(app: &TestApp, id: i64) -> pmq::OrderRow {
    pmq::order(&app.state.db, id).await.unwrap().unwrap()
}

/// An action on an order from its page (multipart, token in the query).
async fn act(
    app: &TestApp,
    id: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> crate::helpers::TestResponse {
    let page = format!("/pm/orders/{id}");
    post_form(app, &page, &format!("/pm/orders/{id}/act"), fields, files).await
}

async fn staff(app: &TestApp, email: &str, name: &str, org: &str, executor: bool) -> i64 {
    let id = citizen(app, email, name).await;
    if executor {
        app.make_executor(id, org).await;
    } else {
        app.make_officer(id, org).await;
    }
    id
}

/// Signed-in sessions by e-mail: people take turns without signing in
/// again (sign-in is rate limited per address).
#[derive(Default)]
pub(crate) struct Sessions(
    pub(crate) std::collections::HashMap<String, std::collections::BTreeMap<String, String>>,
);

impl Sessions {
    pub(crate) async fn be(&mut self, app: &TestApp, email: &str) {
        if let Some(jar) = self.0.get(email) {
            app.restore_jar(jar.clone());
            return;
        }
        sign_in_as(app, email).await;
        self.0.insert(email.to_owned(), app.jar());
    }
}

async fn resolved_events(app: &TestApp, appeal_id: i64) -> usize {
    veche::workflow::queries::events(&app.state.db, appeal_id, true)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "resolved")
        .count()
}

both_backends!(a_report_becomes_an_order_is_delegated_and_answered, |app| {
    let mut who = Sessions::default();
    let officer = staff(
        &app,
        "head@krd.example",
        "Начальник отдела",
        "admin-krasnodar",
        false,
    )
    .await;
    let executor = staff(
        &app,
        "worker@krd.example",
        "Исполнитель Иванов",
        "admin-krasnodar",
        true,
    )
    .await;
    let _ = officer;
    let id = published_report(&app, "olga@example.ru").await;
    let a = appeal(&app, id).await;
    assert_eq!(a.organisation_id.as_deref(), Some("admin-krasnodar"));

    // The routed report is an order of the department, due with the SLA.
    let orders = orders_of(&app, id).await;
    assert_eq!(orders.len(), 1, "one order for the report");
    let root = orders[0].clone();
    assert_eq!(root.organisation_id, "admin-krasnodar");
    assert_eq!(
        root.deadline,
        a.due_at.unwrap(),
        "the SLA due date is the deadline"
    );
    assert_eq!(root.source, "citizen_report");
    assert!(
        root.appeal_url
            .as_deref()
            .unwrap()
            .ends_with(&format!("/problems/{id}"))
    );

    // A citizen cannot see the core.
    assert_eq!(app.get("/pm").await.status, StatusCode::FORBIDDEN);

    // The officer sees it and delegates it to an executor.
    who.be(&app, "head@krd.example").await;
    let list = app.get("/pm/orders?organisation=admin-krasnodar").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("Обращение № {id}")),
        "{}",
        list.body
    );
    let r = app
        .submit(
            &format!("/pm/orders/{}", root.order_id),
            &format!("/pm/orders/{}/delegate", root.order_id),
            &[
                ("title", "Засыпать яму щебнем"),
                ("description", "Выезд бригады"),
                ("organisation_id", "admin-krasnodar"),
                ("executor_id", &executor.to_string()),
                ("deadline", &in_days(3)),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sub_id: i64 = r
        .location()
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    let sub = order(&app, sub_id).await;
    assert_eq!(sub.parent_id, Some(root.order_id));
    assert_eq!(sub.executor_id, Some(executor));
    assert_eq!(
        order(&app, root.order_id).await.state,
        "in_progress",
        "delegating is working on it"
    );
    // A sub-order may not outlive its parent.
    let late = app
        .submit(
            &format!("/pm/orders/{}", root.order_id),
            &format!("/pm/orders/{}/delegate", root.order_id),
            &[
                ("title", "Поздно"),
                ("organisation_id", "admin-krasnodar"),
                ("deadline", &in_days(40)),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("не может быть позже"), "{}", late.body);

    // The parent's report waits for the required sub-order.
    let early = act(
        &app,
        root.order_id,
        &[
            ("action", "report"),
            ("text", "Готово"),
            ("outcome", "resolved"),
        ],
        &[],
    )
    .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(early.body.contains("осталось: 1"), "{}", early.body);
    // The page says so where the report form would be, instead of a form
    // that can only be refused.
    let page = app.get(&format!("/pm/orders/{}", root.order_id)).await.body;
    assert!(
        page.contains("id=\"report-waits\"") && page.contains("осталось: 1"),
        "{page}"
    );
    assert!(!page.contains("name=\"action\" value=\"report\""));

    // The executor is told the order was given, in the site and by mail.
    app.run_workers().await;
    let given = format!("Новое поручение №{sub_id}");
    assert!(
        app.mailbox()
            .iter()
            .any(|m| m.to == "worker@krd.example" && m.subject == given),
        "no «{given}» mail"
    );
    // The executor finds it in their task list, accepts and reports.
    who.be(&app, "worker@krd.example").await;
    let told = app.get("/account/notifications").await.body;
    assert!(
        told.contains(&format!("Вам дано поручение №{sub_id}")),
        "{told}"
    );
    let tasks = app.get("/pm/tasks").await;
    assert!(tasks.body.contains("Засыпать яму щебнем"), "{}", tasks.body);
    assert_eq!(
        act(&app, sub_id, &[("action", "accept")], &[]).await.status,
        StatusCode::SEE_OTHER
    );
    // The executor cannot accept their own report.
    assert_eq!(
        act(
            &app,
            sub_id,
            &[("action", "report"), ("text", "Засыпали")],
            &[]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let own = act(&app, sub_id, &[("action", "accept_report")], &[]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);

    // The officer returns it once, then accepts the second report.
    who.be(&app, "head@krd.example").await;
    assert_eq!(
        act(
            &app,
            sub_id,
            &[("action", "return"), ("text", "Приложите фото")],
            &[]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(order(&app, sub_id).await.state, "returned");
    who.be(&app, "worker@krd.example").await;
    // Told why, not left to find out.
    let told = app.get("/account/notifications").await.body;
    assert!(
        told.contains(&format!("Поручение №{sub_id}")) && told.contains("Приложите фото"),
        "{told}"
    );
    let r = act(
        &app,
        sub_id,
        &[("action", "report"), ("text", "Засыпали, фото приложено")],
        &[("files", "after.jpg", jpeg(800, 600))],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    who.be(&app, "head@krd.example").await;
    assert_eq!(
        act(&app, sub_id, &[("action", "accept_report")], &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(order(&app, sub_id).await.state, "done");
    let page = app.get(&format!("/pm/orders/{}", root.order_id)).await;
    assert!(
        page.body.contains("Вертикаль исполнения") && page.body.contains("Засыпать яму щебнем"),
        "the tree is shown"
    );

    // The officer reports on the root order: resolved, with a photo. Nobody
    // but the portal gave it, so it is done at once and flows back.
    let r = act(
        &app,
        root.order_id,
        &[
            ("action", "report"),
            ("text", "Яма заделана 12 ноября, покрытие восстановлено."),
            ("outcome", "resolved"),
        ],
        &[("files", "done.jpg", jpeg(1024, 768))],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(order(&app, root.order_id).await.state, "done");
    app.run_workers().await;
    let a = appeal(&app, id).await;
    assert_eq!(a.state, "resolved");
    assert_eq!(
        a.reaction_text.as_deref(),
        Some("Яма заделана 12 ноября, покрытие восстановлено.")
    );
    app.clear_cookies();
    let public = app.get(&format!("/problems/{id}")).await;
    assert!(
        public.body.contains("Яма заделана 12 ноября"),
        "{}",
        public.body
    );
    assert!(
        public.body.contains("/media/"),
        "the report's photo is on the public page"
    );
    // Delivered once, however often the workers run.
    app.run_workers().await;
    app.run_workers().await;
    assert_eq!(resolved_events(&app, id).await, 1);
    assert_eq!(
        orders_of(&app, id).await.len(),
        2,
        "the root and its one sub-order, no duplicates"
    );

    // Someone of another organisation can read but not act.
    staff(&app, "other@health.example", "Чужой", "min-health", false).await;
    who.be(&app, "other@health.example").await;
    let r = act(
        &app,
        sub_id,
        &[("action", "cancel"), ("text", "не нужно")],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
});

both_backends!(referrals_are_reflected_both_ways, |app| {
    let mut who = Sessions::default();
    staff(
        &app,
        "krd@example.ru",
        "Администрация",
        "admin-krasnodar",
        false,
    )
    .await;
    staff(&app, "roads@example.ru", "Минтранс", "min-transport", false).await;
    staff(&app, "sochi@example.ru", "Сочи", "admin-sochi", false).await;
    let id = published_report(&app, "petr@example.ru").await;
    let root = orders_of(&app, id).await[0].order_id;

    // Referred in the core: the report moves too.
    who.be(&app, "krd@example.ru").await;
    let r = act(
        &app,
        root,
        &[
            ("action", "refer"),
            ("organisation_id", "min-transport"),
            ("text", "Региональная дорога"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
    assert_eq!(
        appeal(&app, id).await.organisation_id.as_deref(),
        Some("min-transport")
    );
    let public = app.get(&format!("/problems/{id}")).await;
    assert!(
        public.body.contains("Региональная дорога"),
        "the referral is in the timeline"
    );

    // Referred on the portal: the order moves, and no second order appears.
    who.be(&app, "roads@example.ru").await;
    let r = crate::problems::act(
        &app,
        id,
        &[
            ("action", "refer"),
            ("organisation_id", "admin-sochi"),
            ("text", "Это в Сочи"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
    let orders = orders_of(&app, id).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].organisation_id, "admin-sochi");
    assert_eq!(
        appeal(&app, id).await.organisation_id.as_deref(),
        Some("admin-sochi"),
        "no echo back"
    );

    // Answered on the portal directly: the order has nothing left to do.
    who.be(&app, "sochi@example.ru").await;
    let r = crate::problems::act(
        &app,
        id,
        &[("action", "resolve"), ("text", "Отремонтировано")],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
    assert_eq!(orders_of(&app, id).await[0].state, "cancelled");
    assert_eq!(resolved_events(&app, id).await, 1);
});

both_backends!(dashboards_count_and_export_every_table, |app| {
    app.signed_in_admin().await;
    // Before any order, every portfolio is listed with zeros (the table
    // was empty although the portfolios exist), and so is every
    // organisation of a portfolio.
    let orgs = veche::directory::queries::list(&app.state.db)
        .await
        .unwrap();
    let portfolios: Vec<_> = orgs
        .iter()
        .filter(|o| o.kind == "portfolio" || o.kind == "governor_office")
        .collect();
    assert!(
        portfolios.len() >= 9,
        "the demo directory has the portfolios"
    );
    let csv = app.get("/pm?format=csv").await.body;
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    for p in &portfolios {
        let row = rows
            .iter()
            .find(|r| r[0] == p.name_ru)
            .unwrap_or_else(|| panic!("{} missing from {rows:?}", p.name_ru));
        assert_eq!(row[1], "0", "{row:?}");
    }
    let first = portfolios.iter().find(|p| p.kind == "portfolio").unwrap();
    let page = app
        .get(&format!("/pm/portfolios/{}", first.organisation_id))
        .await;
    let children: Vec<_> = orgs
        .iter()
        .filter(|o| o.parent_id.as_deref() == Some(first.organisation_id.as_str()))
        .collect();
    assert!(!children.is_empty(), "the portfolio has organisations");
    for o in children {
        assert!(
            page.body
                .contains(&format!("/pm/organisations/{}\"", o.organisation_id)),
            "{} listed",
            o.organisation_id
        );
    }
    let executor = citizen(&app, "exec@transport.example", "Пётр Исполнитель").await;
    app.make_executor(executor, "min-transport").await;
    app.clear_cookies();
    let r = app.login("admin@veche.test", "admin password 1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut ids = Vec::new();
    for (title, exec) in [
        ("Отчёт по мостам", true),
        ("Схема движения", false),
        ("Ремонт трассы", false),
    ] {
        let executor_id = if exec {
            executor.to_string()
        } else {
            String::new()
        };
        // The second is given a week ago, due two days ago: overdue now.
        let (clock, due) = if title == "Схема движения" {
            (
                Some(time::OffsetDateTime::now_utc() - time::Duration::days(7)),
                in_days(-2),
            )
        } else {
            (None, in_days(5))
        };
        let fields = [
            ("title", title),
            ("organisation_id", "min-transport"),
            ("executor_id", &executor_id),
            ("deadline", &due),
            ("priority", "high"),
            ("source", "meeting"),
            ("required", "on"),
        ];
        let give = app.submit("/pm/orders/new", "/pm/orders", &fields);
        let r = match clock {
            Some(t) => {
                veche::db::with_clock(async {
                    veche::db::set_clock(t);
                    give.await
                })
                .await
            }
            None => give.await,
        };
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(
            r.location()
                .trim_start_matches("/pm/orders/")
                .parse::<i64>()
                .unwrap(),
        );
    }
    // A deadline in the past is refused with a message.
    let r = app
        .submit(
            "/pm/orders/new",
            "/pm/orders",
            &[
                ("title", "Вчера"),
                ("organisation_id", "min-transport"),
                ("deadline", &in_days(-1)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Срок исполнения уже прошёл"), "{}", r.body);
    // The form tells the browser the same: from today (in the krai) to five
    // years on; a typo year beyond is refused by the server too.
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(3)).date();
    let form = app.get("/pm/orders/new").await;
    let bounds = format!(
        "min=\"{today}\" max=\"{}\"",
        today
            .replace_year(today.year() + 5)
            .unwrap_or(today + time::Duration::days(365 * 5))
    );
    assert!(form.body.contains(&bounds), "{bounds} in {}", form.body);
    let r = app
        .submit(
            "/pm/orders/new",
            "/pm/orders",
            &[
                ("title", "Опечатка"),
                ("organisation_id", "min-transport"),
                ("deadline", "2206-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("дальше чем через пять лет"), "{}", r.body);

    // One done (the administrator is on both sides), one overdue.
    assert_eq!(
        act(
            &app,
            ids[0],
            &[("action", "report"), ("text", "Готово")],
            &[]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(&app, ids[0], &[("action", "accept_report")], &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let region = app.get("/pm").await;
    assert_eq!(region.status, StatusCode::OK);
    assert!(
        region.body.contains(r#"id="total-orders">3<"#),
        "{}",
        region.body
    );
    assert!(
        region.body.contains(r#"id="done-orders">1 (33.3 %)"#),
        "{}",
        region.body
    );
    assert!(
        region.body.contains(r#"id="overdue-orders">1 (33.3 %)"#),
        "{}",
        region.body
    );
    assert!(
        region.body.contains(r#"id="unaccepted-orders">1<"#),
        "a new order nobody accepted is counted apart from those in work: {}",
        region.body
    );
    assert!(region.body.contains(r#"id="progress-orders">0<"#));
    assert!(region.body.contains("<svg class=\"pm-chart\""), "a chart");
    let csv = app.get("/pm?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let infra = rows
        .iter()
        .find(|r| r[0].contains("транспорт"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(
        &infra[1..6],
        ["3", "1", "1", "0", "1"],
        "total, done, not accepted, in progress, overdue"
    );

    let org = app.get("/pm/organisations/min-transport").await;
    assert!(org.body.contains("Пётр Исполнитель"), "{}", org.body);
    let xlsx = app.get("/pm/organisations/min-transport?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let exec_row = cells
        .iter()
        .find(|r| r[0] == "Пётр Исполнитель")
        .unwrap_or_else(|| panic!("{cells:?}"));
    assert_eq!(
        &exec_row[1..3],
        ["1", "1"],
        "the executor's one order, done"
    );

    let mine = app.get(&format!("/pm/executors/{executor}")).await;
    assert!(
        mine.body.contains("Admin"),
        "grouped by who gave the orders: {}",
        mine.body
    );
    let list_csv = app.get("/pm/orders?overdue=1&format=csv").await;
    assert!(
        list_csv.body.contains("Схема движения") && !list_csv.body.contains("Ремонт трассы"),
        "{}",
        list_csv.body
    );

    // A project with a stage, a roadmap event and an order in the stage.
    let r = app
        .submit(
            "/pm/projects",
            "/pm/projects",
            &[
                ("kind", "project"),
                ("code", "T-1"),
                ("title", "Мосты Кубани"),
                ("organisation_id", "min-transport"),
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
    let page = format!("/pm/projects/{pid}");
    assert_eq!(
        app.submit(
            &page,
            &format!("{page}/stages"),
            &[("title", "Обследование"), ("due_on", "2026-12-31")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.submit(
            &page,
            &format!("{page}/milestones"),
            &[("title", "Акты обследования"), ("due_on", "2026-01-10")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let stage = veche::pm::projects::stages(&app.state.db, pid)
        .await
        .unwrap()[0]
        .stage_id;
    let r = app
        .submit(
            &format!("/pm/orders/new?project={pid}&stage={stage}"),
            "/pm/orders",
            &[
                ("title", "Обследовать мост через Кубань"),
                ("organisation_id", "min-transport"),
                ("deadline", &in_days(20)),
                ("project_id", &pid.to_string()),
                ("stage_id", &stage.to_string()),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let wbs = app.get(&page).await;
    assert!(
        wbs.body.contains("Обследование") && wbs.body.contains("Обследовать мост через Кубань"),
        "{}",
        wbs.body
    );
    assert!(
        wbs.body.contains("просрочена"),
        "a past roadmap event is overdue"
    );
    let projects = app.get("/pm/projects?format=csv").await;
    assert!(projects.body.contains("T-1") && projects.body.contains("Мосты Кубани"));
    assert!(
        app.get("/pm/projects").await.body.contains("PR-SCHOOLS"),
        "the demo projects"
    );

    // The personal task list.
    assert_eq!(
        app.submit(
            "/pm/tasks",
            "/pm/tasks",
            &[("title", "Подготовить справку"), ("due_on", &in_days(1))]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let tasks = app.get("/pm/tasks").await;
    assert!(tasks.body.contains("Подготовить справку"));
    let task = pmq::tasks(&app.state.db, app.account_id("admin@veche.test").await)
        .await
        .unwrap()[0]
        .task_id;
    assert_eq!(
        app.submit(
            "/pm/tasks",
            &format!("/pm/tasks/{task}/done"),
            &[("done", "1")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        pmq::tasks(&app.state.db, app.account_id("admin@veche.test").await)
            .await
            .unwrap()[0]
            .done_at
            .is_some()
    );
});

both_backends!(
    a_late_report_does_not_overwrite_an_answer_given_on_the_portal,
    |app| {
        let mut who = Sessions::default();
        staff(
            &app,
            "krd2@example.ru",
            "Администрация",
            "admin-krasnodar",
            false,
        )
        .await;
        let id = published_report(&app, "late@example.ru").await;
        let root = orders_of(&app, id).await[0].order_id;
        who.be(&app, "krd2@example.ru").await;
        // Answered on the portal, and reported in the core before either
        // message is delivered.
        let r = crate::problems::act(
            &app,
            id,
            &[
                ("action", "resolve"),
                ("text", "Отремонтировано бригадой города"),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = act(
            &app,
            root,
            &[
                ("action", "report"),
                ("text", "Сделано по поручению"),
                ("outcome", "resolved"),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.run_workers().await;
        let a = appeal(&app, id).await;
        assert_eq!(
            a.reaction_text.as_deref(),
            Some("Отремонтировано бригадой города")
        );
        assert_eq!(resolved_events(&app, id).await, 1);
        assert!(
            veche::db::queue::dead_jobs(&app.state.db, 10)
                .await
                .unwrap()
                .is_empty(),
            "nothing stuck"
        );
        assert_eq!(
            veche::integration::exchange::pending(&app.state.db)
                .await
                .unwrap(),
            0
        );
    }
);

// An order's page offers exactly the actions the rules allow: for the
// giver (an administrator), the responsible organisation's officer and an
// officer of another organisation, each action is tried on a fresh order
// just given (and one with its report submitted); it goes through if and
// only if the page offered it.
both_backends!(
    the_order_page_offers_exactly_the_actions_the_rules_allow,
    // The giver signs in again for each of the 48 orders.
    config = |c| {
        c.server.login_attempts_per_minute = 1000;
    },
    |app| {
        const ALL: &[&str] = &[
            "accept",
            "start",
            "report",
            "accept_report",
            "return",
            "refer",
            "cancel",
            "comment",
        ];
        staff(
            &app,
            "boss@transport.example",
            "Начальник",
            "min-transport",
            false,
        )
        .await;
        staff(&app, "other@health.example", "Чужой", "min-health", false).await;
        let mut sessions = Sessions::default();
        let offered = |body: &str| -> Vec<String> {
            ALL.iter()
                .filter(|a| body.contains(&format!("name=\"action\" value=\"{a}\"")))
                .map(|a| (*a).to_owned())
                .collect()
        };
        let mut seen = std::collections::BTreeMap::new();
        for reported in [false, true] {
            for (who, email) in [
                ("giver", "admin"),
                ("assignee", "boss@transport.example"),
                ("reader", "other@health.example"),
            ] {
                for action in ALL {
                    app.clear_cookies();
                    app.signed_in_admin().await;
                    let id = crate::integration::new_order(&app, "min-transport", "Проверка").await;
                    if reported {
                        sessions.be(&app, "boss@transport.example").await;
                        let r =
                            act(&app, id, &[("action", "report"), ("text", "Сделано")], &[]).await;
                        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
                    }
                    if email == "admin" {
                        app.clear_cookies();
                        app.signed_in_admin().await;
                    } else {
                        sessions.be(&app, email).await;
                    }
                    let offers = offered(&app.get(&format!("/pm/orders/{id}")).await.body);
                    let r = act(
                        &app,
                        id,
                        &[
                            ("action", action),
                            ("text", "Текст действия"),
                            ("organisation_id", "min-energy-housing"),
                        ],
                        &[],
                    )
                    .await;
                    assert_eq!(
                        r.status == StatusCode::SEE_OTHER,
                        offers.iter().any(|o| o == action),
                        "{who}, reported {reported}, {action}: offered {offers:?}, answered {} {}",
                        r.status,
                        r.body
                    );
                    seen.insert((reported, who), offers);
                }
            }
        }
        assert_eq!(
            seen[&(false, "giver")],
            ["accept", "start", "report", "refer", "cancel", "comment"]
        );
        assert_eq!(
            seen[&(false, "assignee")],
            ["accept", "start", "report", "refer", "comment"]
        );
        assert_eq!(seen[&(false, "reader")], ["comment"]);
        assert_eq!(
            seen[&(true, "giver")],
            ["accept_report", "return", "cancel", "comment"]
        );
        assert_eq!(seen[&(true, "assignee")], ["comment"]);
    }
);
