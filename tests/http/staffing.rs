//! Staff completeness through HTTP: a Т-3 imported by a department's
//! officer, people placed, the fill rate as of dates computed by hand, the
//! risk flags opening and closing the core's orders, bad files refused row
//! by row, the published aggregates with small numbers withheld, names
//! nowhere public, and the core's guard.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, post_form, sign_in_as};

const ORG: &str = "dep-internal-policy";
const PAGE: &str = "/pm/staff/organisations/dep-internal-policy";
const DATASET: &str = "/opendata/2308371192-staffing/table.json?_shape=objects";

const HEAD: &str = "Структурное подразделение;Код подразделения;Код вышестоящего подразделения;Код позиции;Должность;Категория;Группа должностей;Ключевая должность;Количество штатных единиц;Тарифная ставка (оклад), руб.;Надбавка, руб.";

/// A Т-3 as 1C:ZUP writes it: a title block, the header, the rows.
fn t3(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(
        "ШТАТНОЕ РАСПИСАНИЕ;;;;Форма по ОКУД 0301017\nДепартамент внутренней политики\n",
    );
    s.push_str(HEAD);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

async fn officer(app: &TestApp) {
    let id = citizen(app, "kadry@krasnodar.ru", "Инспектор кадров").await;
    app.make_officer(id, ORG).await;
    sign_in_as(app, "kadry@krasnodar.ru").await;
}

async fn import(app: &TestApp, valid_from: &str, file: Vec<u8>) -> crate::helpers::TestResponse {
    post_form(
        app,
        PAGE,
        &format!("{PAGE}/import"),
        &[
            ("order_number", "15-ш"),
            ("order_date", "2025-12-20"),
            ("valid_from", valid_from),
        ],
        &[("file", "t3.csv", file)],
    )
    .await
}

async fn position(app: &TestApp, code: &str) -> i64 {
    app.scalar(&format!(
        "select position_id from staff_position where organisation_id = '{ORG}' and code = '{code}'"
    ))
    .await
}

async fn unit(app: &TestApp, code: &str) -> i64 {
    app.scalar(&format!(
        "select unit_id from staff_unit where organisation_id = '{ORG}' and code = '{code}'"
    ))
    .await
}

async fn assign(app: &TestApp, code: &str, name: &str, rate: &str, from: &str) {
    let p = position(app, code).await.to_string();
    let r = app
        .submit(
            PAGE,
            &format!("{PAGE}/assignments"),
            &[
                ("position_id", &p),
                ("person_name", name),
                ("rate", rate),
                ("starts_on", from),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn assignment(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!(
        "select assignment_id from staff_assignment where person_name = '{name}'"
    ))
    .await
}

/// The holder named `name` goes on maternity leave from `from`.
async fn maternity(app: &TestApp, name: &str, from: &str) {
    let a = assignment(app, name).await;
    let r = app
        .submit(
            PAGE,
            &format!("{PAGE}/assignments/{a}/absences"),
            &[("kind", "maternity"), ("starts_on", from), ("ends_on", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// The text of an element with this id on the page.
fn by_id(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &body[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find('<').unwrap();
    rest[start..end].trim().to_owned()
}

/// The summary as of a date: (authorised, filled, fill %, away, vacant).
async fn summary(
    app: &TestApp,
    date: &str,
    unit: Option<i64>,
) -> (String, String, String, String, String) {
    let q = unit.map_or(String::new(), |u| format!("&unit={u}"));
    let r = app.get(&format!("{PAGE}?date={date}{q}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        by_id(&r.body, "staff-rates"),
        by_id(&r.body, "staff-filled"),
        by_id(&r.body, "staff-fill"),
        by_id(&r.body, "staff-away"),
        by_id(&r.body, "staff-vacant"),
    )
}

/// The completeness report as CSV rows (after its header), for a unit with
/// those below it.
async fn report(app: &TestApp, date: &str, unit: i64) -> Vec<Vec<String>> {
    let r = app
        .get(&format!("{PAGE}?date={date}&unit={unit}&format=csv"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.body.trim_start_matches('\u{feff}').to_owned();
    let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    rd.records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

const FIXTURE: &[&str] = &[
    "Руководство;01;;A;Руководитель;Руководители;Высшая;да;1;150000;30000",
    "Правовой отдел;02;;B;Консультант;Специалисты;Ведущая;нет;1,5;60000;",
    "Сектор договоров;02.1;02;C;Главный специалист;Специалисты;Старшая;нет;0,5;50000;",
    "Сектор договоров;02.1;02;D;Специалист;Обеспечивающие специалисты;Младшая;нет;1;40000;",
];

both_backends!(the_fill_rate_as_of_three_dates_counts_rates, |app| {
    officer(&app).await;
    let r = import(&app, "2026-01-01", t3(FIXTURE)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assign(&app, "A", "Андреева Анна", "1", "2026-01-01").await;
    assign(&app, "B", "Белов Борис", "1", "2026-01-01").await;
    // Part-time from April.
    assign(&app, "B", "Васильева Вера", "0,5", "2026-04-01").await;
    assign(&app, "C", "Григорьев Глеб", "0.5", "2026-02-01").await;
    maternity(&app, "Андреева Анна", "2026-03-01").await;
    let c = assignment(&app, "Григорьев Глеб").await;
    let r = app
        .submit(
            PAGE,
            &format!("{PAGE}/assignments/{c}/end"),
            &[("last_day", "2026-05-31")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // By hand. Authorised: 1 + 1.5 + 0.5 + 1 = 4 staff units.
    // 15 January: A 1, B 1 → 2 filled, 50 %, nobody away, 2 vacant.
    assert_eq!(
        summary(&app, "2026-01-15", None).await,
        (
            "4".into(),
            "2".into(),
            "50 %".into(),
            "0".into(),
            "2".into()
        )
    );
    // 15 April: A 1 (on leave: temporarily vacant), B 1 + 0.5, C 0.5 → 3 filled.
    assert_eq!(
        summary(&app, "2026-04-15", None).await,
        (
            "4".into(),
            "3".into(),
            "75 %".into(),
            "1".into(),
            "1".into()
        )
    );
    // 15 June: C left on 31 May → 2.5 filled, 62 % (rounded down).
    assert_eq!(
        summary(&app, "2026-06-15", None).await,
        (
            "4".into(),
            "2,5".into(),
            "62 %".into(),
            "1".into(),
            "1,5".into()
        )
    );
    // The legal department with its sector (B, C, D: 3 units): 1 + 0.5 on
    // 15 April, 1.5 of 3; its own posts only: 1.5 of 1.5.
    let legal = unit(&app, "02").await;
    let rows = report(&app, "2026-04-15", legal).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let filled: f64 = rows.iter().map(|r| r[5].parse::<f64>().unwrap()).sum();
    let authorised: f64 = rows.iter().map(|r| r[4].parse::<f64>().unwrap()).sum();
    assert_eq!((authorised, filled), (3.0, 2.0));
    let sector = unit(&app, "02.1").await;
    let rows = report(&app, "2026-06-15", sector).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[5] == "0"), "{rows:?}");
    // Days vacant: D was never held since the schedule began.
    assert_eq!(
        rows.iter().find(|r| r[1] == "Специалист").unwrap()[7],
        "165"
    );
    // The units table shows the roll-up: own 1.5/1.5, with the sector 2/3.
    let page = app.get(&format!("{PAGE}?date=2026-04-15")).await;
    let row = &page.body[page.body.find("data-unit=\"02\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<td>1,5</td><td>1,5</td><td>100 %</td><td>3</td><td>2</td><td>66 %</td>"),
        "{row}"
    );
    // Vacancies only.
    let r = app
        .get(&format!("{PAGE}?date=2026-06-15&vacant=1&format=csv"))
        .await;
    // C (0.5) and D (1) are vacant on 15 June.
    assert_eq!(r.body.lines().count(), 1 + 2, "{}", r.body);
    // A bad date is a clear 422, not a 500.
    assert_eq!(
        app.get(&format!("{PAGE}?date=2026-13-45")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
});

/// The orders the core holds for staffing risks.
async fn risk_orders(app: &TestApp) -> Vec<(String, String)> {
    let mut tx = app.state.db.begin().await.unwrap();
    let rows: Vec<(String, String)> = veche::fetch_tx!(
        &mut tx,
        fetch_all,
        (String, String),
        "select title, state from pm_order where source = 'control' order by order_id"
    )
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

fn days_ago(n: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::hours(3)).date()
        - time::Duration::days(n);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

both_backends!(a_key_vacancy_opens_exactly_one_order_and_closes_it, |app| {
    officer(&app).await;
    // Only the key-post risk: the unit thresholds are out of the way.
    let r = app
        .submit(
            PAGE,
            &format!("{PAGE}/thresholds"),
            &[
                ("key_vacant_days", "30"),
                ("unit_min_fill", "0"),
                ("acting_max", "100"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = import(
        &app,
        &days_ago(100),
        t3(&["Руководство;01;;K;Руководитель;Руководители;Высшая;да;1;150000;"]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
    let orders = risk_orders(&app).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert!(
        orders[0].0.contains("ключевая должность «Руководитель»"),
        "{orders:?}"
    );
    assert!(orders[0].0.contains("вакантна 100 дн."), "{orders:?}");
    assert_eq!(orders[0].1, "new");
    // The page shows the risk; sweeping again (another change, the hourly
    // job) opens nothing new.
    assert!(
        app.get(PAGE)
            .await
            .body
            .contains("Ключевая должность вакантна «Руководитель»")
    );
    veche::features::run_scheduled(&app.state).await.unwrap();
    let r = app
        .submit(
            PAGE,
            &format!("{PAGE}/thresholds"),
            &[
                ("key_vacant_days", "31"),
                ("unit_min_fill", "0"),
                ("acting_max", "100"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.run_workers().await;
    assert_eq!(risk_orders(&app).await.len(), 1);
    // Someone takes the post: the risk clears and its order closes.
    assign(&app, "K", "Егоров Евгений", "1", &days_ago(0)).await;
    app.run_workers().await;
    let orders = risk_orders(&app).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].1, "cancelled", "{orders:?}");
    assert_eq!(
        app.scalar("select count(*) from staff_flag where cleared_at is null")
            .await,
        0
    );
    assert!(app.get(PAGE).await.body.contains("Рисков нет."));
});

both_backends!(
    a_t3_with_bad_rows_is_refused_row_by_row_and_round_trips,
    |app| {
        officer(&app).await;
        let mut bad = FIXTURE.to_vec();
        bad.insert(1, "Правовой отдел;02;;E;;Специалисты;Ведущая;нет;1;60000;");
        bad.push("Сектор договоров;02.1;09;F;Юрист;Рабочие;Ведущая;нет;-1;сто;");
        let r = import(&app, "2026-01-01", t3(&bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(by_id(&r.body, "rows-rejected"), "2");
        // The title block is rows 1–2, the header row 3: the bad rows are 5 and 9.
        for (row, column) in [
            ("5", "Должность"),
            ("9", "Категория"),
            ("9", "Количество штатных единиц"),
            ("9", "Тарифная ставка (оклад), руб."),
        ] {
            assert!(
                r.body.contains(&format!("<td>{row}</td><td>{column}</td>")),
                "row {row} {column}: {}",
                r.body
            );
        }
        assert_eq!(app.scalar("select count(*) from staff_schedule").await, 0);
        assert_eq!(app.scalar("select count(*) from staff_line").await, 0);
        assert_eq!(app.scalar("select count(*) from staff_unit").await, 0);
        // Not a spreadsheet at all: a clear 422.
        let r = post_form(
            &app,
            PAGE,
            &format!("{PAGE}/import"),
            &[
                ("order_number", "1"),
                ("order_date", "2026-01-01"),
                ("valid_from", "2026-01-01"),
            ],
            &[("file", "t3.xlsx", b"PK\x03\x04 broken".to_vec())],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        // A good file; its Т-3 export imports back as the next version, the same.
        assert_eq!(
            import(&app, "2026-01-01", t3(FIXTURE)).await.status,
            StatusCode::SEE_OTHER
        );
        let x = app.get(&format!("{PAGE}?date=2026-02-01&format=t3")).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(
            x.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .contains("spreadsheetml")
        );
        let r = post_form(
            &app,
            PAGE,
            &format!("{PAGE}/import"),
            &[
                ("order_number", "30-ш"),
                ("order_date", "2026-06-20"),
                ("valid_from", "2026-07-01"),
            ],
            &[("file", "t3.xlsx", x.bytes.clone())],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let lines = |id: i64| format!("select count(*) from staff_line where schedule_id = {id}");
        let first = app
            .scalar("select min(schedule_id) from staff_schedule")
            .await;
        let second = app
            .scalar("select max(schedule_id) from staff_schedule")
            .await;
        assert_eq!(app.scalar(&lines(first)).await, 4);
        assert_eq!(app.scalar(&lines(second)).await, 4);
        assert_eq!(
        app.scalar(&format!(
            "select count(*) from staff_line a join staff_line b on a.position_id = b.position_id
             and a.unit_id = b.unit_id and a.title = b.title and a.rates = b.rates and a.salary = b.salary
             and a.category = b.category and a.grade = b.grade and a.key_position = b.key_position
             where a.schedule_id = {first} and b.schedule_id = {second}"
        ))
        .await,
        4
    );
        // The first version now ends the day before the second begins.
        let page = app.get(PAGE).await;
        assert!(
            page.body.contains("01.01.2026 — 30.06.2026"),
            "{}",
            page.body
        );
        // The same start again is a conflict, not a second version.
        assert_eq!(
            import(&app, "2026-07-01", t3(FIXTURE)).await.status,
            StatusCode::CONFLICT
        );
        // A reorganisation lifts the sector out of the legal department.
        let lifted: Vec<String> = FIXTURE
            .iter()
            .map(|r| r.replace(";02.1;02;", ";02.1;;"))
            .collect();
        let lifted: Vec<&str> = lifted.iter().map(String::as_str).collect();
        assert_eq!(
            import(&app, "2026-09-01", t3(&lifted)).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.scalar(&format!("select count(*) from staff_unit where organisation_id = '{ORG}' and code = '02.1' and parent_id is null")).await,
            1
        );
    }
);

both_backends!(
    the_published_structure_withholds_small_numbers_and_names_stay_internal,
    config = |c| {
        c.staffing.suppress_below = 3;
    },
    |app| {
        officer(&app).await;
        let mut rows: Vec<String> = (1..=5)
            .map(|i| {
                format!("Большой отдел;10;;L{i};Консультант {i};Специалисты;Ведущая;нет;1;60000;")
            })
            .collect();
        rows.push("Малый отдел;20;;S1;Начальник;Руководители;Главная;да;1;90000;".into());
        rows.push("Малый отдел;20;;S2;Специалист;Специалисты;Старшая;нет;1;50000;".into());
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        assert_eq!(
            import(&app, &days_ago(30), t3(&refs)).await.status,
            StatusCode::SEE_OTHER
        );
        const MARKER: &str = "Тайнозаписанная Приватия Маркеровна";
        for i in 1..=5 {
            let name = if i == 1 {
                MARKER.to_owned()
            } else {
                format!("Сотрудник {i}")
            };
            assign(&app, &format!("L{i}"), &name, "1", &days_ago(20)).await;
        }
        assign(&app, "S1", "Начальник Малого", "1", &days_ago(20)).await;
        app.run_workers().await;
        let data = app.get(DATASET).await;
        assert_eq!(data.status, StatusCode::OK, "{}", data.body);
        let rows = data.json()["rows"].as_array().unwrap().clone();
        let big = rows.iter().find(|r| r["unit_code"] == "10").unwrap();
        assert_eq!(
            (
                big["rates"].as_f64(),
                big["filled"].as_f64(),
                big["vacant"].as_f64()
            ),
            (Some(5.0), Some(5.0), Some(0.0))
        );
        assert_eq!(big["suppressed"], false);
        // The small unit: 1 filled and 1 vacant, both below 3 — withheld.
        let small: Vec<_> = rows.iter().filter(|r| r["unit_code"] == "20").collect();
        assert_eq!(small.len(), 2, "{small:?}");
        // An empty cell is null in the typed JSON (and empty in the CSV).
        let blank = |v: &serde_json::Value| v.is_null() || v == "";
        for r in &small {
            assert!(blank(&r["filled"]) && blank(&r["vacant"]), "{r}");
            assert_eq!(r["suppressed"], true, "{r}");
            assert_eq!(r["rates"].as_f64(), Some(1.0), "{r}");
        }
        // Salaries are not published unless an administrator turns it on.
        assert!(rows.iter().all(|r| blank(&r["salary_fund"])), "{rows:?}");

        // The name is on the officer's page, and nowhere public.
        assert!(app.get(PAGE).await.body.contains(MARKER));
        let surname = "Тайнозаписанная";
        let public = [
            DATASET.to_owned(),
            "/opendata/2308371192-staffing".to_owned(),
            "/api/3/action/package_show?id=2308371192-staffing".to_owned(),
            "/catalog.ttl".to_owned(),
            "/api/3/action/package_search?q=staffing".to_owned(),
        ];
        app.clear_cookies();
        for path in &public {
            let r = app.get(path).await;
            assert!(!r.body.contains(surname), "{path} shows the name");
        }
        // The search page repeats what was asked: it finds nothing more for
        // the surname than for a word nobody wrote.
        let echo = |body: &str, word: &str| body.matches(word).count();
        let found = app
            .get(&format!("/search?q={}", urlencoding(surname)))
            .await;
        let nothing = app
            .get(&format!("/search?q={}", urlencoding("Неслыханноесловое")))
            .await;
        assert_eq!(
            echo(&found.body, surname),
            echo(&nothing.body, "Неслыханноесловое"),
            "the search finds the name"
        );
        // Nor in what goes to the core or any queue.
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from outbox where cast(payload as text) like '%{surname}%'"
            ))
            .await,
            0
        );
        assert_eq!(app.scalar(&format!("select count(*) from pm_order where title like '%{surname}%' or description like '%{surname}%'")).await, 0);
    }
);

fn urlencoding(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

both_backends!(
    only_the_core_sees_staff_and_only_officers_see_names,
    |app| {
        officer(&app).await;
        assert_eq!(
            import(&app, "2026-01-01", t3(FIXTURE)).await.status,
            StatusCode::SEE_OTHER
        );
        assign(&app, "A", "Андреева Анна", "1", "2026-01-01").await;
        maternity(&app, "Андреева Анна", "2026-03-01").await;
        // The officer sees who and why.
        let own = app.get(PAGE).await.body;
        assert!(
            own.contains("Андреева Анна (1), отпуск по беременности"),
            "{own}"
        );
        // A citizen: 403 on every page and action.
        citizen(&app, "zhitel@example.ru", "Житель").await;
        sign_in_as(&app, "zhitel@example.ru").await;
        for path in ["/pm/staff", PAGE, "/pm/staff/portfolios/vg-internal-policy"] {
            assert_eq!(app.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        // The core member of another department: figures, no names, no forms,
        // and its changes are refused.
        let other = citizen(&app, "drugoy@krasnodar.ru", "Из другого ведомства").await;
        app.make_officer(other, "min-transport").await;
        sign_in_as(&app, "drugoy@krasnodar.ru").await;
        let page = app.get(PAGE).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("Андреева"));
        // Nor why the holder is away, nor each post's pay.
        assert!(!page.body.contains("беременности"));
        assert!(page.body.contains("временно отсутствует"), "{}", page.body);
        assert_eq!(
            app.get(&format!("{PAGE}?format=t3")).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(page.body.contains("занята (1)"), "{}", page.body);
        assert!(!page.body.contains("/assignments\""));
        let p = position(&app, "B").await.to_string();
        let r = app
            .submit(
                PAGE,
                &format!("{PAGE}/assignments"),
                &[
                    ("position_id", &p),
                    ("person_name", "Чужой"),
                    ("rate", "1"),
                    ("starts_on", "2026-02-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.scalar("select count(*) from staff_assignment").await, 1);
        // The region and its portfolio list the department.
        let region = app.get("/pm/staff").await;
        assert!(
            region
                .body
                .contains("/pm/staff/portfolios/vg-internal-policy"),
            "{}",
            region.body
        );
        let csv = app.get("/pm/staff?format=csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        // Signed out: the sign-in page.
        app.clear_cookies();
        assert_ne!(app.get(PAGE).await.status, StatusCode::OK);
    }
);

both_backends!(
    hostile_input_gets_a_clear_answer_and_writes_nothing,
    |app| {
        officer(&app).await;
        assert_eq!(
            import(&app, "2026-01-01", t3(FIXTURE)).await.status,
            StatusCode::SEE_OTHER
        );
        let b = position(&app, "B").await.to_string();
        let long = "Я".repeat(300);
        let post = async |action: &str, fields: &[(&str, &str)]| {
            app.submit(PAGE, &format!("{PAGE}/{action}"), fields)
                .await
                .status
        };
        for (fields, want) in [
            (
                vec![
                    ("position_id", "abc"),
                    ("person_name", "Иванов"),
                    ("rate", "1"),
                    ("starts_on", "2026-02-01"),
                ],
                StatusCode::NOT_FOUND,
            ),
            (
                vec![
                    ("position_id", b.as_str()),
                    ("person_name", "Иванов"),
                    ("rate", "1e9"),
                    ("starts_on", "2026-02-01"),
                ],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![
                    ("position_id", b.as_str()),
                    ("person_name", long.as_str()),
                    ("rate", "1"),
                    ("starts_on", "2026-02-01"),
                ],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![
                    ("position_id", b.as_str()),
                    ("person_name", "Иванов"),
                    ("rate", "1"),
                    ("starts_on", "2026-02-30"),
                ],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![
                    ("position_id", "99999999"),
                    ("person_name", "Иванов"),
                    ("rate", "1"),
                    ("starts_on", "2026-02-01"),
                ],
                StatusCode::NOT_FOUND,
            ),
        ] {
            assert_eq!(post("assignments", &fields).await, want, "{fields:?}");
        }
        assert_eq!(
            post(
                "thresholds",
                &[
                    ("key_vacant_days", "30"),
                    ("unit_min_fill", "101"),
                    ("acting_max", "0")
                ]
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            post(
                "vacancies",
                &[
                    ("position_id", &b),
                    ("action", "burn"),
                    ("day", "2026-02-01")
                ]
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            post(
                "assignments/99999999/absences",
                &[("kind", "maternity"), ("starts_on", "2026-02-01")]
            )
            .await,
            StatusCode::NOT_FOUND
        );
        // Files: not UTF-8, too many rows, an organisation not in the directory.
        let r = post_form(
            &app,
            PAGE,
            &format!("{PAGE}/import"),
            &[
                ("order_number", "2"),
                ("order_date", "2026-01-01"),
                ("valid_from", "2026-03-01"),
            ],
            &[("file", "t3.csv", vec![0xff, 0xfe, 0x00, 0x41])],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let many: Vec<String> = (0..50_100)
            .map(|i| format!("Отдел;1;;Q{i};Консультант;Специалисты;;нет;1;1;"))
            .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let r = import(&app, "2026-03-01", t3(&refs)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            &r.body[..r.body.len().min(500)]
        );
        app.clear_cookies();
        app.signed_in_admin().await;
        let r = post_form(
            &app,
            PAGE,
            "/pm/staff/organisations/nope/import",
            &[
                ("order_number", "2"),
                ("order_date", "2026-01-01"),
                ("valid_from", "2026-03-01"),
            ],
            &[("file", "t3.csv", t3(FIXTURE))],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Nothing was written by any of them.
        assert_eq!(app.scalar("select count(*) from staff_assignment").await, 0);
        assert_eq!(app.scalar("select count(*) from staff_absence").await, 0);
        assert_eq!(app.scalar("select count(*) from staff_vacancy").await, 0);
        assert_eq!(app.scalar("select count(*) from staff_schedule").await, 1);
        crate::hostile::still_healthy(&app).await;
    }
);
