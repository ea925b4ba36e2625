//! Periodic reports through HTTP: a form built by its owner; a report's
//! whole life (returned with a note and an order in the core, resubmitted,
//! accepted); the lock date and the owner's unlock; validation rules and
//! the comment a large deviation needs; late reports opening orders and
//! the completeness view; plan revisions kept; the XLSX round trip with
//! every problem by its cell; accepted values published as a dataset.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, post_form, sign_in_as};

const OWNER: &str = "kontrol@krasnodar.ru";
const FILLER: &str = "minzdrav@krasnodar.ru";
const ORG: &str = "min-health";

/// The month before this one, as a form names it.
fn last_month() -> String {
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(3)).date();
    let first = today.replace_day(1).unwrap() - time::Duration::days(1);
    format!("{:04}-{:02}", first.year(), u8::from(first.month()))
}

/// The form owner's officer and the reporting organisation's officer.
async fn people(app: &TestApp) -> (i64, i64) {
    let owner = citizen(app, OWNER, "Контролёва Ольга").await;
    app.make_officer(owner, "dep-control").await;
    let filler = citizen(app, FILLER, "Здравова Анна").await;
    app.make_officer(filler, ORG).await;
    (owner, filler)
}

async fn new_form(
    app: &TestApp,
    code: &str,
    lock_days: &str,
    due_days: &str,
    public: bool,
    rules: &str,
) {
    new_form_approved(app, code, lock_days, due_days, public, rules, true).await
}

async fn new_form_approved(
    app: &TestApp,
    code: &str,
    lock_days: &str,
    due_days: &str,
    public: bool,
    rules: &str,
    approval: bool,
) {
    let start = last_month();
    let mut fields = vec![
        ("code", code),
        ("name_ru", "Работа с обращениями"),
        ("name_en", "Appeals"),
        ("period_type", "month"),
        ("organisation_id", "dep-control"),
        ("starts", start.as_str()),
        ("due_days", due_days),
        ("lock_days", lock_days),
        ("comment_threshold", "20"),
        (
            "items",
            "A1; Поступило обращений; Received; шт.; up; sum; да\nA2; Рассмотрено в срок; Answered in time; шт.; up; sum; да\nA3; Выездных приёмов; Receptions; шт.; up; sum; нет",
        ),
        ("owed", "min-health, min-social"),
        ("rules", rules),
    ];
    if public {
        fields.push(("public", "on"));
    }
    if approval {
        fields.push(("approval", "on"));
    }
    let r = app.submit("/pm/reports", "/pm/reports", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn report(code: &str) -> String {
    format!("/pm/reports/{code}/{ORG}/{}", last_month())
}

async fn item(app: &TestApp, code: &str, item: &str) -> i64 {
    app.scalar(&format!(
        "select i.item_id from report_item i join report_form f on f.form_id = i.form_id
         where f.code = '{code}' and i.code = '{item}'"
    ))
    .await
}

async fn save(app: &TestApp, code: &str, values: &[(&str, &str)]) -> crate::helpers::TestResponse {
    let page = report(code);
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, v) in values {
        let id = item(app, code, k).await;
        fields.push((format!("v_{id}"), (*v).to_owned()));
    }
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.submit(&page, &format!("{page}/values"), &f).await
}

async fn act(
    app: &TestApp,
    code: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> crate::helpers::TestResponse {
    let page = report(code);
    app.submit(&page, &format!("{page}/{action}"), fields).await
}

async fn control_orders(app: &TestApp) -> Vec<(String, String, String)> {
    let mut tx = app.state.db.begin().await.unwrap();
    let rows = veche::fetch_tx!(
        &mut tx,
        fetch_all,
        (String, String, String),
        "select title, state, organisation_id from pm_order where source = 'control' order by order_id"
    )
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

fn state_of(body: &str) -> &str {
    let at = body.find("data-state=\"").expect("a state") + 12;
    &body[at..at + body[at..].find('"').unwrap()]
}

both_backends!(a_report_is_returned_resubmitted_and_accepted, |app| {
    people(&app).await;
    sign_in_as(&app, OWNER).await;
    new_form(&app, "appeals", "60", "60", false, "").await;
    sign_in_as(&app, FILLER).await;
    assert_eq!(
        save(&app, "appeals", &[("A1", "240"), ("A2", "200")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(&app, "appeals", "submit", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(&report("appeals")).await;
    assert_eq!(state_of(&page.body), "submitted");
    // Submitted: the filler's form is gone, and a change is refused.
    assert!(!page.body.contains("/values\""));
    assert_eq!(
        save(&app, "appeals", &[("A1", "1")]).await.status,
        StatusCode::CONFLICT
    );
    // The filler cannot decide on their own report.
    assert_eq!(
        act(&app, "appeals", "decision", &[("decision", "accept")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    sign_in_as(&app, OWNER).await;
    // Returning needs a note.
    assert_eq!(
        act(&app, "appeals", "decision", &[("decision", "return")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = act(
        &app,
        "appeals",
        "decision",
        &[("decision", "return"), ("note", "Уточните A2 по журналу")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
    let orders = control_orders(&app).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert!(
        orders[0].0.starts_with("Доработать отчёт") && orders[0].2 == ORG,
        "{orders:?}"
    );
    sign_in_as(&app, FILLER).await;
    let page = app.get(&report("appeals")).await;
    assert_eq!(state_of(&page.body), "returned");
    assert!(page.body.contains("Уточните A2 по журналу"));
    assert_eq!(
        save(&app, "appeals", &[("A1", "240"), ("A2", "210")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(&app, "appeals", "submit", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    app.run_workers().await;
    assert_eq!(
        control_orders(&app).await[0].1,
        "cancelled",
        "the rework order closes"
    );
    sign_in_as(&app, OWNER).await;
    assert_eq!(
        act(&app, "appeals", "decision", &[("decision", "accept")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(&report("appeals")).await;
    assert_eq!(state_of(&page.body), "accepted");
    // The audit keeps each change: who, the old and the new value.
    let audit = &page.body[page.body.find("id=\"audit\"").unwrap()..];
    assert!(
        audit.contains("Здравова Анна") && audit.contains("200,00") && audit.contains("210,00"),
        "{audit}"
    );
    assert_eq!(app.scalar("select count(*) from report_audit").await, 3);
});

both_backends!(the_lock_date_needs_the_owners_unlock, |app| {
    people(&app).await;
    sign_in_as(&app, OWNER).await;
    // Locked from the period's last day: last month is locked now.
    new_form(&app, "locked", "0", "0", false, "").await;
    sign_in_as(&app, FILLER).await;
    let page = app.get(&report("locked")).await;
    assert!(page.body.contains("id=\"locked\"") && !page.body.contains("/values\""));
    let r = save(&app, "locked", &[("A1", "5")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("разблокировка"), "{}", r.body);
    // Only the owner unlocks.
    assert_eq!(
        act(&app, "locked", "unlock", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    sign_in_as(&app, OWNER).await;
    assert_eq!(
        act(&app, "locked", "unlock", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    sign_in_as(&app, FILLER).await;
    assert!(
        app.get(&report("locked"))
            .await
            .body
            .contains("id=\"unlocked\"")
    );
    assert_eq!(
        save(&app, "locked", &[("A1", "5"), ("A2", "5")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(&app, "locked", "submit", &[]).await.status,
        StatusCode::SEE_OTHER
    );
});

both_backends!(
    rules_and_large_deviations_are_checked_at_submission,
    |app| {
        people(&app).await;
        sign_in_as(&app, OWNER).await;
        new_form(
        &app,
        "rules",
        "60",
        "60",
        false,
        "A2 <= A1; high; Рассмотрено не больше, чем поступило\nA3 >= 1; medium; Хотя бы один выездной приём",
    )
    .await;
        // A plan of 100 for A1: 150 is 50 % over it.
        let page = report("rules");
        let a1 = item(&app, "rules", "A1").await.to_string();
        let r = app
            .submit(
                &page,
                &format!("{page}/plans"),
                &[(&format!("p_{a1}"), "100"), ("basis", "План на год")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        sign_in_as(&app, FILLER).await;
        // A required item missing, a high rule broken, no comment on 50 %.
        save(&app, "rules", &[("A1", "150"), ("A3", "0")]).await;
        let r = act(&app, "rules", "submit", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("A2 «Рассмотрено в срок»: значение обязательно"),
            "{}",
            r.body
        );
        assert!(r.body.contains("поясните его в комментарии"), "{}", r.body);
        save(&app, "rules", &[("A1", "150"), ("A2", "170"), ("A3", "0")]).await;
        let r = act(&app, "rules", "submit", &[]).await;
        assert!(
            r.body.contains("Рассмотрено не больше, чем поступило"),
            "{}",
            r.body
        );
        // Both broken rules are listed on the page, with their importance.
        let body = app.get(&page).await.body;
        let listed = &body[body.find("id=\"violations\"").expect("violations")..];
        assert!(
            listed.contains("data-importance=\"high\"")
                && listed.contains("data-importance=\"medium\""),
            "{listed}"
        );
        // Fixed and commented: the medium rule does not block.
        let a1c = format!("c_{a1}");
        let a2 = format!("v_{}", item(&app, "rules", "A2").await);
        let a1v = format!("v_{a1}");
        let r = app
            .submit(
                &page,
                &format!("{page}/values"),
                &[
                    (&a1v, "150"),
                    (&a2, "140"),
                    (&a1c, "Сезонный рост обращений"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            act(&app, "rules", "submit", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        // The deviation shown: +50, +50 %, 150 % achieved.
        let body = app.get(&page).await.body;
        let row = &body[body.find("data-item=\"A1\"").unwrap()..];
        assert!(row.contains("50,0") && row.contains("150,0"), "{row}");
    }
);

both_backends!(late_reports_open_orders_and_show_in_completeness, |app| {
    people(&app).await;
    sign_in_as(&app, OWNER).await;
    new_form(&app, "late", "60", "0", false, "").await;
    veche::features::run_scheduled(&app.state).await.unwrap();
    app.run_workers().await;
    let orders = control_orders(&app).await;
    assert_eq!(orders.len(), 2, "one per organisation: {orders:?}");
    assert!(orders.iter().all(|o| o.0.starts_with("Сдать отчёт")));
    // Once: the next run opens none.
    veche::features::run_scheduled(&app.state).await.unwrap();
    app.run_workers().await;
    assert_eq!(control_orders(&app).await.len(), 2);
    sign_in_as(&app, FILLER).await;
    save(&app, "late", &[("A1", "3"), ("A2", "3")]).await;
    assert_eq!(
        act(&app, "late", "submit", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    app.run_workers().await;
    let orders = control_orders(&app).await;
    let health = orders.iter().find(|o| o.2 == ORG).unwrap();
    assert_eq!(health.1, "cancelled", "{orders:?}");
    // Completeness: min-health 100 % complete, 0 % on time; min-social 0 %.
    let page = app.get("/pm/reports/late").await.body;
    let row = |org: &str| {
        let at = page.find(&format!("data-org=\"{org}\"")).unwrap();
        page[at..at + page[at..].find("</tr>").unwrap()].to_owned()
    };
    let h = row(ORG);
    assert!(
        h.contains("complete\">100<") && h.contains("timely\">0<") && h.contains("с опозданием"),
        "{h}"
    );
    let s = row("min-social");
    assert!(s.contains("complete\">0<") && s.contains("не сдан"), "{s}");
    let csv = app.get("/pm/reports/late?format=csv").await.body;
    assert!(csv.lines().count() == 3, "{csv}");
});

both_backends!(
    plan_revisions_keep_history_and_the_xlsx_round_trip_names_cells,
    |app| {
        people(&app).await;
        sign_in_as(&app, OWNER).await;
        new_form(&app, "trip", "60", "60", false, "").await;
        let page = report("trip");
        let a1 = format!("p_{}", item(&app, "trip", "A1").await);
        for (v, basis) in [("100", "План на год"), ("120", "Корректировка плана")]
        {
            let r = app
                .submit(
                    &page,
                    &format!("{page}/plans"),
                    &[(&a1, v), ("basis", basis)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let body = app.get(&page).await.body;
        let history = &body[body.find("id=\"plan-history\"").unwrap()..];
        assert!(
            history.contains("Версия 2: 120,00") && history.contains("Версия 1: 100,00"),
            "{history}"
        );
        assert_eq!(history.matches("class=\"superseded\"").count(), 1);
        sign_in_as(&app, FILLER).await;
        let t = app.get(&format!("{page}/template.xlsx")).await;
        assert_eq!(t.status, StatusCode::OK);
        // Read the template as Excel would, fill it in with two mistakes.
        let rows = read_xlsx(&t.bytes);
        assert_eq!(rows[0][1], "trip");
        assert_eq!(
            (rows[3][0].as_str(), rows[3][3].as_str()),
            ("A1", "120"),
            "{rows:?}"
        );
        let mut filled = rows.clone();
        filled[3][4] = "130".into();
        filled[4][4] = "сто".into();
        filled[5][6] = "может быть".into();
        let r = upload(&app, &page, write_xlsx(&filled)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("<td>E5</td>") && r.body.contains("<td>G6</td>"),
            "{}",
            r.body
        );
        assert_eq!(
            app.scalar("select count(*) from report_value").await,
            0,
            "nothing saved"
        );
        // Another organisation's file is refused by its header cell.
        let mut other = filled.clone();
        other[0][3] = "min-social".into();
        assert!(
            upload(&app, &page, write_xlsx(&other))
                .await
                .body
                .contains("<td>D1</td>")
        );
        filled[4][4] = "100".into();
        filled[5][6] = "да".into();
        let r = upload(&app, &page, write_xlsx(&filled)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let body = app.get(&page).await.body;
        assert!(
            body.contains("value=\"130,0\"") && body.contains("value=\"100,0\""),
            "{body}"
        );
    }
);

async fn upload(app: &TestApp, page: &str, file: Vec<u8>) -> crate::helpers::TestResponse {
    post_form(
        app,
        page,
        &format!("{page}/upload"),
        &[],
        &[("file", "report.xlsx", file)],
    )
    .await
}

fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn write_xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if c >= 3 => ws.write_number(r as u32, c as u16, n).map(|_| ()),
                _ => ws.write_string(r as u32, c as u16, v).map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

both_backends!(accepted_values_of_a_public_form_become_a_dataset, |app| {
    people(&app).await;
    sign_in_as(&app, OWNER).await;
    new_form(&app, "open-appeals", "60", "60", true, "").await;
    sign_in_as(&app, FILLER).await;
    let page = report("open-appeals");
    let c = format!("c_{}", item(&app, "open-appeals", "A1").await);
    let v1 = format!("v_{}", item(&app, "open-appeals", "A1").await);
    let v2 = format!("v_{}", item(&app, "open-appeals", "A2").await);
    let r = app
        .submit(
            &page,
            &format!("{page}/values"),
            &[(&v1, "240"), (&v2, "200"), (&c, "Позвонить Иванову И. И.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    act(&app, "open-appeals", "submit", &[]).await;
    app.run_workers().await;
    // Not accepted yet: nothing published.
    assert_eq!(
        app.get("/opendata/2310306176-report-open-appeals")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    sign_in_as(&app, OWNER).await;
    act(&app, "open-appeals", "decision", &[("decision", "accept")]).await;
    app.run_workers().await;
    app.clear_cookies();
    let data = app
        .get("/opendata/2310306176-report-open-appeals/table.json?_shape=objects")
        .await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    let rows = data.json()["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let a1 = rows.iter().find(|r| r["item_code"] == "A1").unwrap();
    assert_eq!(
        (a1["organisation_id"].as_str(), a1["period"].as_str()),
        (Some(ORG), Some(last_month().as_str()))
    );
    assert_eq!(a1["value"].as_f64(), Some(240.0), "{a1}");
    // Comments stay inside.
    assert!(!data.body.contains("Иванову"));
    let passport = app.get("/opendata/2310306176-report-open-appeals").await;
    assert!(
        passport.body.contains("Отчётность: Работа с обращениями"),
        "{}",
        passport.body
    );

    // A public form without approval: accepted on submission, published
    // then.
    sign_in_as(&app, OWNER).await;
    new_form_approved(&app, "direct-appeals", "60", "60", true, "", false).await;
    sign_in_as(&app, FILLER).await;
    let page = report("direct-appeals");
    let v1 = format!("v_{}", item(&app, "direct-appeals", "A1").await);
    let v2 = format!("v_{}", item(&app, "direct-appeals", "A2").await);
    let r = app
        .submit(
            &page,
            &format!("{page}/values"),
            &[(&v1, "31"), (&v2, "30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    act(&app, "direct-appeals", "submit", &[]).await;
    app.run_workers().await;
    app.clear_cookies();
    let data = app
        .get("/opendata/2310306176-report-direct-appeals/table.json?_shape=objects")
        .await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    assert_eq!(data.json()["rows"].as_array().unwrap().len(), 2);
});
