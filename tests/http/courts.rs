//! Court cases through HTTP: a case entered by a department's lawyer and
//! taken through first instance, appeal and enforcement; the appeal period
//! opening one order in the core and the appeal closing it; the hearing
//! calendar and the reminder the day before; a case known once by its
//! court and number, by hand and by spreadsheet; private persons named only
//! on the card; the core's guard.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, post_form, sign_in_as};

const ORG: &str = "dep-internal-policy";
const ORG_INN: &str = "2309189066";
const COURT: &str = "Арбитражный суд Краснодарского края";
const LAWYER: &str = "yurist@krasnodar.ru";

/// Today in the krai plus `n` days, as a form writes it.
fn day(n: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::hours(3)).date()
        + time::Duration::days(n);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Signs in as the department's lawyer (an officer of it); their id.
async fn lawyer(app: &TestApp) -> i64 {
    let id = citizen(app, LAWYER, "Юристова Анна").await;
    app.make_officer(id, ORG).await;
    sign_in_as(app, LAWYER).await;
    id
}

/// Enters a case by the form; its card's address.
async fn enter(
    app: &TestApp,
    number: &str,
    extra: &[(&str, &str)],
) -> crate::helpers::TestResponse {
    let received = day(-60);
    let mut fields: Vec<(&str, &str)> = vec![
        ("organisation_id", ORG),
        ("role", "defendant"),
        (
            "subject",
            "О взыскании неустойки по государственному контракту",
        ),
        ("category", "contract"),
        ("procedure", "apk"),
        ("claimed", "1 500 000,50"),
        ("risk", "probable"),
        ("level", "first"),
        ("court", COURT),
        ("number", number),
        ("received_on", &received),
        ("party_kind", "organisation"),
        ("party_name", "ООО «ЮгСтрой»"),
        ("party_inn", "7707083893"),
    ];
    for (k, v) in extra {
        fields.retain(|(f, _)| f != k);
        fields.push((k, v));
    }
    app.submit("/pm/courts/new", "/pm/courts/cases", &fields)
        .await
}

async fn case_id(app: &TestApp, number: &str) -> i64 {
    app.scalar(&format!(
        "select case_id from court_instance where number = '{number}'"
    ))
    .await
}

async fn instance_id(app: &TestApp, case: i64, level: &str) -> String {
    app.scalar(&format!(
        "select instance_id from court_instance where case_id = {case} and level = '{level}'"
    ))
    .await
    .to_string()
}

async fn on_card(app: &TestApp, case: i64, action: &str, fields: &[(&str, &str)]) {
    let card = format!("/pm/courts/cases/{case}");
    let r = app.submit(&card, &format!("{card}/{action}"), fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
}

/// The states of the core's orders about a case number, oldest first.
async fn order_states(app: &TestApp, number: &str) -> Vec<String> {
    control_orders(app)
        .await
        .into_iter()
        .filter(|o| o.0.contains(number))
        .map(|o| o.2)
        .collect()
}

/// Enters a case by the form; its id.
async fn entered(app: &TestApp, number: &str) -> i64 {
    let r = enter(app, number, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    case_id(app, number).await
}

/// The first instance decided `decided` days from today, written out in
/// full `full_text` days from today.
async fn decide_first(app: &TestApp, case: i64, decided: i64, full_text: i64, outcome: &str) {
    let i = instance_id(app, case, "first").await;
    on_card(
        app,
        case,
        "decision",
        &[
            ("instance_id", &i),
            ("decided_on", &day(decided)),
            ("full_text_on", &day(full_text)),
            ("outcome", outcome),
        ],
    )
    .await;
}

/// The orders the core holds from the control of government bodies.
async fn control_orders(app: &TestApp) -> Vec<(String, String, String, String)> {
    let mut tx = app.state.db.begin().await.unwrap();
    let rows = veche::fetch_tx!(
        &mut tx,
        fetch_all,
        (String, String, String, String),
        "select title, description, state, organisation_id from pm_order
         where source = 'control' order by order_id"
    )
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

both_backends!(
    a_case_goes_through_first_instance_appeal_and_enforcement,
    |app| {
        lawyer(&app).await;
        let r = enter(&app, "А32-1001/2026", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = case_id(&app, "А32-1001/2026").await;
        assert_eq!(r.location(), format!("/pm/courts/cases/{id}"));
        let card = app.get(&format!("/pm/courts/cases/{id}")).await;
        assert_eq!(card.status, StatusCode::OK);
        assert!(
            card.body.contains("1\u{a0}500\u{a0}000,50"),
            "{}",
            card.body
        );
        assert!(card.body.contains("Не рассмотрено"));

        // Claimed from a defendant with no decision in force: at risk, under
        // the lawyer's assessment (probable), in the organisation's row.
        let risk = app
            .get("/pm/courts?view=organisations&format=csv")
            .await
            .body;
        assert!(
            risk.lines()
                .nth(1)
                .is_some_and(|l| l.ends_with(",1,1500000.5,0,0,1500000.5")),
            "{risk}"
        );
        // First instance: a hearing, an event, a decision against us.
        let first = instance_id(&app, id, "first").await;
        on_card(
            &app,
            id,
            "hearings",
            &[
                ("instance_id", &first),
                ("starts_at", &format!("{}T10:30", day(-40))),
                ("courtroom", "412"),
            ],
        )
        .await;
        on_card(
            &app,
            id,
            "events",
            &[
                ("instance_id", &first),
                ("day", &day(-40)),
                ("kind", "Судебное заседание"),
                ("result", "Объявлена резолютивная часть"),
            ],
        )
        .await;
        on_card(
            &app,
            id,
            "decision",
            &[
                ("instance_id", &first),
                ("decided_on", &day(-40)),
                ("full_text_on", &day(-35)),
                ("outcome", "lost"),
                ("awarded", "1200000"),
            ],
        )
        .await;
        let card = app.get(&format!("/pm/courts/cases/{id}")).await.body;
        assert!(card.contains("Не в нашу пользу"), "{card}");
        assert!(card.contains("Объявлена резолютивная часть"));
        assert!(card.contains("1\u{a0}200\u{a0}000,00"));
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from court_case where case_id = {id} and outcome = 'lost'"
            ))
            .await,
            1
        );

        // The appeal: pending until it decides, then the case's outcome is the
        // appeal's, final from the day it is in force.
        on_card(
            &app,
            id,
            "instances",
            &[
                ("level", "appeal"),
                ("court", "Пятнадцатый арбитражный апелляционный суд"),
                ("number", "15АП-777/2026"),
                ("received_on", &day(-30)),
            ],
        )
        .await;
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from court_case where case_id = {id} and outcome = 'pending'"
            ))
            .await,
            1
        );
        let appeal = instance_id(&app, id, "appeal").await;
        on_card(
            &app,
            id,
            "decision",
            &[
                ("instance_id", &appeal),
                ("decided_on", &day(-10)),
                ("in_force_on", &day(-10)),
                ("outcome", "partly"),
                ("awarded", "800000"),
            ],
        )
        .await;
        assert_eq!(
        app.scalar(&format!("select count(*) from court_case where case_id = {id} and outcome = 'partly' and final_on is not null and awarded = 80000000")).await,
        1
    );

        // Enforcement: the writ reaches the finance body; three months to pay.
        on_card(
            &app,
            id,
            "enforcements",
            &[
                ("writ_number", "ФС № 041234567"),
                ("writ_date", "2026-11-10"),
                ("body", "Министерство финансов Краснодарского края"),
                ("received_on", "2026-11-16"),
                ("amount", "800000"),
            ],
        )
        .await;
        let card = app.get(&format!("/pm/courts/cases/{id}")).await.body;
        assert!(
            card.contains("16.02.2027"),
            "the payment is due three months after receipt: {card}"
        );
        let writ = app
            .scalar(&format!(
                "select enforcement_id from court_enforcement where case_id = {id}"
            ))
            .await;
        on_card(
            &app,
            id,
            &format!("enforcements/{writ}/payments"),
            &[("amount", "300000")],
        )
        .await;
        // More than what remains is refused, nothing written.
        let card_path = format!("/pm/courts/cases/{id}");
        let r = app
            .submit(
                &card_path,
                &format!("{card_path}/enforcements/{writ}/payments"),
                &[("amount", "600000")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.scalar(&format!(
                "select paid from court_enforcement where enforcement_id = {writ}"
            ))
            .await,
            30_000_000
        );

        // A vice-governor's portfolio sees its organisations' cases, another
        // portfolio none; a department is not a portfolio.
        let mine = app
            .get("/pm/courts?portfolio=vg-internal-policy&format=csv")
            .await
            .body;
        assert!(mine.contains("15АП-777/2026"), "{mine}");
        let theirs = app
            .get("/pm/courts?portfolio=vg-first&format=csv")
            .await
            .body;
        assert_eq!(theirs.lines().count(), 1, "only the header: {theirs}");
        let page = app.get("/pm/courts?portfolio=vg-internal-policy").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("/pm/courts/cases/{id}\"")),
            "{}",
            page.body
        );
        for bad in [
            "portfolio=dep-internal-policy",
            "portfolio=nowhere",
            "org=nowhere",
        ] {
            assert_eq!(
                app.get(&format!("/pm/courts?{bad}")).await.status,
                StatusCode::NOT_FOUND,
                "{bad}"
            );
        }

        // The overview: outcomes by category, unpaid under writs, the list as
        // a download; nothing at risk any more (the decision is in force).
        let o = app.get("/pm/courts").await.body;
        assert!(o.contains("500\u{a0}000,00"), "unpaid: {o}");
        let csv = app.get("/pm/courts?view=outcomes&format=csv").await.body;
        assert!(
            csv.lines()
                .any(|l| l.starts_with("Договорные споры") && l.ends_with(",0,0,1,0,0")),
            "{csv}"
        );
        let csv = app.get("/pm/courts?format=csv").await.body;
        assert!(
            csv.contains("15АП-777/2026"),
            "the list names the latest instance: {csv}"
        );
        let risk = app
            .get("/pm/courts?view=organisations&format=csv")
            .await
            .body;
        assert!(
            risk.lines()
                .nth(1)
                .is_some_and(|l| l.ends_with(",0,0,0,0,0")),
            "{risk}"
        );
    }
);

both_backends!(
    the_appeal_period_opens_one_order_and_the_appeal_closes_it,
    |app| {
        lawyer(&app).await;
        let lost = entered(&app, "А32-2002/2026").await;
        let won = entered(&app, "А32-2003/2026").await;
        // Written out in full 20 days ago: the month of АПК art. 259 ends in
        // 10–12 days, inside the rule's fortnight of warning.
        decide_first(&app, lost, -22, -20, "lost").await;
        decide_first(&app, won, -22, -20, "won").await;
        app.run_workers().await;
        let orders = control_orders(&app).await;
        assert_eq!(orders.len(), 1, "only the case lost: {orders:?}");
        assert!(
            orders[0]
                .0
                .contains("Подготовить жалобу (апелляция): дело № А32-2002/2026"),
            "{orders:?}"
        );
        assert!(orders[0].1.contains("АПК РФ, ст. 259"), "{orders:?}");
        assert_eq!((orders[0].2.as_str(), orders[0].3.as_str()), ("new", ORG));
        let card = app.get(&format!("/pm/courts/cases/{lost}")).await.body;
        assert!(card.contains("Сроки обжалования"), "{card}");
        // The hourly run and another change open nothing new.
        veche::features::run_scheduled(&app.state).await.unwrap();
        on_card(&app, lost, "risk", &[("risk", "possible")]).await;
        app.run_workers().await;
        assert_eq!(control_orders(&app).await.len(), 1);
        // The appeal is filed: the order closes.
        on_card(
            &app,
            lost,
            "instances",
            &[
                ("level", "appeal"),
                ("court", "Пятнадцатый арбитражный апелляционный суд"),
                ("number", "15АП-2002/2026"),
                ("received_on", &day(0)),
            ],
        )
        .await;
        app.run_workers().await;
        let orders = control_orders(&app).await;
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].2, "cancelled", "{orders:?}");
        assert_eq!(
            app.scalar("select count(*) from court_alert where closed_at is null")
                .await,
            0
        );

        // A decision corrected: the case won was in fact lost (an order),
        // then won after all (cancelled), then lost again (a new order).
        for (outcome, states) in [
            ("lost", vec!["new"]),
            ("won", vec!["cancelled"]),
            ("lost", vec!["cancelled", "new"]),
        ] {
            decide_first(&app, won, -22, -20, outcome).await;
            app.run_workers().await;
            assert_eq!(
                order_states(&app, "А32-2003/2026").await,
                states,
                "{outcome}"
            );
        }

        // The decision's dates corrected: the order goes with its reason and
        // a new one comes with the new deadline.
        decide_first(&app, won, -40, -38, "lost").await;
        app.run_workers().await;
        assert_eq!(
            order_states(&app, "А32-2003/2026").await,
            ["cancelled", "cancelled", "new"]
        );
        for note in [
            "Решение изменено: оно не против организации.",
            "Срок пересчитан: даты решения исправлены.",
        ] {
            assert_eq!(
                app.scalar(&format!(
                    "select count(*) from pm_order_event where note = '{note}'"
                ))
                .await,
                1,
                "{note}"
            );
        }

        // A decision further back than the warning is not yet an order: full
        // text five days ago leaves more than three weeks.
        let fresh = entered(&app, "А32-2004/2026").await;
        decide_first(&app, fresh, -5, -5, "lost").await;
        app.run_workers().await;
        assert_eq!(control_orders(&app).await.len(), 4);
    }
);

both_backends!(
    the_hearing_calendar_and_the_reminder_the_day_before,
    |app| {
        lawyer(&app).await;
        for (n, days) in [
            ("А32-3001/2026", 1),
            ("А32-3002/2026", 5),
            ("А32-3003/2026", 40),
        ] {
            assert_eq!(
                enter(
                    &app,
                    n,
                    &[("lawyer", &app.account_id(LAWYER).await.to_string())]
                )
                .await
                .status,
                StatusCode::SEE_OTHER
            );
            let id = case_id(&app, n).await;
            let i = instance_id(&app, id, "first").await;
            on_card(
                &app,
                id,
                "hearings",
                &[
                    ("instance_id", &i),
                    ("starts_at", &format!("{}T11:00", day(days))),
                    ("courtroom", "5"),
                ],
            )
            .await;
        }
        let cal = app
            .get(&format!("/pm/courts/calendar?from={}&days=14", day(0)))
            .await;
        assert_eq!(cal.status, StatusCode::OK);
        assert!(
            cal.body.contains("А32-3001/2026") && cal.body.contains("А32-3002/2026"),
            "{}",
            cal.body
        );
        assert!(
            !cal.body.contains("А32-3003/2026"),
            "a hearing beyond the window"
        );
        assert!(
            cal.body.contains(&format!("id=\"day-{}\"", day(1))),
            "grouped by day"
        );
        let first = cal.body.find("А32-3001/2026").unwrap();
        assert!(
            first < cal.body.find("А32-3002/2026").unwrap(),
            "in time order"
        );
        let csv = app
            .get(&format!(
                "/pm/courts/calendar?from={}&days=92&format=csv",
                day(0)
            ))
            .await
            .body;
        assert_eq!(csv.lines().count(), 4, "{csv}");
        for bad in [
            "days=0",
            "days=93",
            "days=abc",
            "from=2026-02-30",
            "from=yesterday",
        ] {
            assert_eq!(
                app.get(&format!("/pm/courts/calendar?{bad}")).await.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}"
            );
        }

        // The hourly run mails the lawyer about tomorrow's hearing, once.
        veche::features::run_scheduled(&app.state).await.unwrap();
        app.run_workers().await;
        veche::features::run_scheduled(&app.state).await.unwrap();
        app.run_workers().await;
        let mails: Vec<_> = app
            .mailbox()
            .into_iter()
            .filter(|m| m.subject.contains("Судебное заседание"))
            .collect();
        assert_eq!(
            mails.len(),
            1,
            "{:?}",
            mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        assert_eq!(mails[0].to, LAWYER);
        assert!(mails[0].subject.contains("А32-3001/2026"));
        assert!(
            mails[0].body.contains(&format!("{} 11:00", day(1))),
            "{}",
            mails[0].body
        );
        assert!(mails[0].body.contains("/pm/courts/cases/"));
    }
);

/// A list of cases as a spreadsheet.
fn sheet(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from("Список судебных дел;;;;\n");
    s.push_str("Суд;Номер дела;Инстанция;Дата поступления;ИНН организации;Роль организации;Контрагент;Вид контрагента;ИНН контрагента;Предмет спора;Категория;Кодекс;Сумма иска, руб.;Оценка риска\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

async fn upload(app: &TestApp, file: Vec<u8>) -> crate::helpers::TestResponse {
    post_form(
        app,
        "/pm/courts",
        "/pm/courts/import",
        &[],
        &[("file", "cases.csv", file)],
    )
    .await
}

both_backends!(a_case_is_known_once_by_its_court_and_number, |app| {
    lawyer(&app).await;
    assert_eq!(
        enter(&app, "А32-4001/2026", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    // The same number spelled otherwise at the same court is the same case.
    let again = enter(
        &app,
        " а32-4001/2026",
        &[("court", "арбитражный  суд Краснодарского края")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    // …and so is the number typed with a Latin look-alike letter.
    let latin = enter(&app, "A32-4001/2026", &[]).await;
    assert_eq!(latin.status, StatusCode::CONFLICT, "{}", latin.body);
    assert_eq!(app.scalar("select count(*) from court_case").await, 1);

    let rows = [
        format!(
            "{COURT};А32-4001/2026;первая;01.10.2026;{ORG_INN};Ответчик;ООО «ЮгСтрой»;юрлицо;7707083893;Неустойка;договорные;АПК;1 000;высокая"
        ),
        format!(
            "{COURT};А32-4002/2026;;2026-10-05;{ORG_INN};Истец;ООО «Кубань»;;;Аренда;имущественные;АПК;250000,10;низкая"
        ),
        format!(
            "Ленинский районный суд г. Краснодара;2-555/2026;;2026-10-07;{ORG_INN};Ответчик;Гражданин;физическое лицо;;Восстановление на службе;трудовые;ГПК;;средняя"
        ),
        // A sole trader said to be a legal entity: its 12-digit ИНН makes
        // it a person.
        format!(
            "{COURT};А32-4003/2026;;2026-10-09;{ORG_INN};Истец;ИП Предприниматель;юрлицо;500100732259;Аренда;;АПК;;"
        ),
    ];
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let r = upload(&app, sheet(&refs)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"imported\">3<") && r.body.contains("id=\"skipped\">1<"),
        "{}",
        r.body
    );
    assert_eq!(app.scalar("select count(*) from court_case").await, 4);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from court_case where organisation_id = '{ORG}' and claimed = 25000010"
        ))
        .await,
        1
    );
    // The party said to be a person is one, whatever its name.
    assert_eq!(
        app.scalar("select count(*) from court_party where kind = 'person' and name in ('Гражданин', 'ИП Предприниматель')")
            .await,
        2
    );
    // Again: nothing new.
    let r = upload(&app, sheet(&refs)).await;
    assert!(
        r.body.contains("id=\"imported\">0<") && r.body.contains("id=\"skipped\">4<"),
        "{}",
        r.body
    );

    // Bad rows: every one reported, nothing written.
    let bad = [
        format!("{COURT};А32-4010/2026;;2026-10-05;{ORG_INN};Истец;ООО «А»;;;Аренда;;АПК;;"),
        format!("{COURT};А32-4011/2026;;2026-10-05;7707083894;Истец;ООО «Б»;;;Аренда;;АПК;;"),
        format!(
            "{COURT};А32-4012/2026;;31.02.2026;{ORG_INN};Свидетель;ООО «В»;;12345;Аренда;;УПК;сто рублей;"
        ),
    ];
    let refs: Vec<&str> = bad.iter().map(String::as_str).collect();
    let r = upload(&app, sheet(&refs)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("id=\"rejected\">Строк с ошибками: 2<"),
        "{}",
        r.body
    );
    for why in [
        "ИНН «7707083894» неверен",
        "Нужна дата",
        "«Свидетель» не из списка",
        "«УПК» не из списка",
        "не сумма в рублях",
        "ИНН «12345» неверен",
    ] {
        assert!(r.body.contains(why), "{why}: {}", r.body);
    }
    assert_eq!(app.scalar("select count(*) from court_case").await, 4);
    // Not a spreadsheet, no header: a clear 422.
    let r = upload(&app, b"just,some\nwords,here\n".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Не найдена строка заголовков"),
        "{}",
        r.body
    );
});

both_backends!(
    private_persons_are_named_only_on_the_card,
    config = |c| {
        c.courts.publish_stats = true;
    },
    |app| {
        const MARKER: &str = "Секретнова Приватия Истцовна";
        let me = lawyer(&app).await.to_string();
        let r = enter(
            &app,
            "2-5005/2026",
            &[
                ("lawyer", &me),
                ("procedure", "gpk"),
                ("court", "Ленинский районный суд г. Краснодара"),
                ("party_kind", "person"),
                ("party_name", MARKER),
                ("party_inn", "500100732259"),
                ("category", "labour"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = case_id(&app, "2-5005/2026").await;
        let i = instance_id(&app, id, "first").await;
        on_card(
            &app,
            id,
            "hearings",
            &[
                ("instance_id", &i),
                ("starts_at", &format!("{}T09:00", day(1))),
                ("courtroom", "7"),
            ],
        )
        .await;
        on_card(
            &app,
            id,
            "decision",
            &[
                ("instance_id", &i),
                ("decided_on", &day(-20)),
                ("full_text_on", &day(-20)),
                ("outcome", "lost"),
            ],
        )
        .await;
        veche::features::run_scheduled(&app.state).await.unwrap();
        app.run_workers().await;
        let card = format!("/pm/courts/cases/{id}");
        assert!(
            app.get(&card).await.body.contains(MARKER),
            "the lawyer sees the name"
        );

        let surname = "Секретнова";
        let staff_views = [
            "/pm/courts".to_owned(),
            "/pm/courts?format=csv".to_owned(),
            "/pm/courts?format=xlsx".to_owned(),
            "/pm/courts?view=organisations&format=csv".to_owned(),
            "/pm/courts/counterparties".to_owned(),
            "/pm/courts/counterparties?format=csv".to_owned(),
            format!("/pm/courts/calendar?from={}", day(0)),
            format!("/pm/courts/calendar?from={}&format=csv", day(0)),
        ];
        for path in &staff_views {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                !String::from_utf8_lossy(&r.bytes).contains(surname),
                "{path} names the person"
            );
        }
        // The XLSX is zipped: look inside.
        let xlsx = app.get("/pm/courts?format=xlsx").await.bytes;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        for n in 0..zip.len() {
            let mut f = zip.by_index(n).unwrap();
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut f, &mut s);
            assert!(!s.contains(surname), "the XLSX names the person");
        }
        // Someone else in the core sees the card without the name.
        let other = citizen(&app, "drugoy@krasnodar.ru", "Из другого ведомства").await;
        app.make_officer(other, "min-agriculture").await;
        sign_in_as(&app, "drugoy@krasnodar.ru").await;
        let seen = app.get(&card).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(
            !seen.body.contains(surname) && !seen.body.contains("500100732259"),
            "{}",
            seen.body
        );
        assert!(seen.body.contains("Физическое лицо"));
        // …and may not change it.
        let r = app
            .submit(&card, &format!("{card}/risk"), &[("risk", "remote")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The published statistics: sums per organisation, no party.
        app.clear_cookies();
        let data = app
            .get("/opendata/2308371192-court-statistics/table.json?_shape=objects")
            .await;
        assert_eq!(data.status, StatusCode::OK, "{}", data.body);
        let rows = data.json()["rows"].as_array().unwrap().clone();
        let ours = rows.iter().find(|r| r["organisation_id"] == ORG).unwrap();
        assert_eq!(
            (ours["cases"].as_i64(), ours["outcome"].as_str()),
            (Some(1), Some("Не в нашу пользу")),
            "{rows:?}"
        );
        for path in [
            "/opendata/2308371192-court-statistics",
            "/opendata/2308371192-court-statistics/table.json",
            "/catalog.ttl",
            "/api/3/action/package_search?q=court",
            "/search?q=Секретнова",
        ] {
            let r = app.get(path).await;
            let echo = if path.starts_with("/search") { 1 } else { 0 };
            assert!(
                r.body.matches(surname).count() <= echo,
                "{path} names the person"
            );
        }
        // Nor in what goes to the core, the queues or the mail.
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from outbox where cast(payload as text) like '%{surname}%'"
            ))
            .await,
            0
        );
        assert_eq!(app.scalar(&format!("select count(*) from pm_order where title like '%{surname}%' or description like '%{surname}%'")).await, 0);
        assert!(
            app.mailbox()
                .iter()
                .all(|m| !m.body.contains(surname) && !m.subject.contains(surname))
        );
        assert!(
            app.mailbox()
                .iter()
                .any(|m| m.subject.contains("2-5005/2026")),
            "the reminder went"
        );
    }
);

both_backends!(
    only_the_core_sees_cases_and_bad_input_is_a_clear_error,
    |app| {
        // Not published unless an administrator turns it on.
        assert_eq!(
            app.get("/opendata/2308371192-court-statistics")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        lawyer(&app).await;
        assert_eq!(
            enter(&app, "А32-6001/2026", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let id = case_id(&app, "А32-6001/2026").await;
        let card = format!("/pm/courts/cases/{id}");
        // Hostile and wrong input: 4xx with the reason, nothing written.
        let long = "Я".repeat(1001);
        for (k, v) in [
            ("subject", long.as_str()),
            ("claimed", "1e99"),
            ("claimed", "-5"),
            ("received_on", "2026-13-01"),
            ("role", "judge"),
            ("party_inn", "123"),
            ("link", "javascript:alert(1)"),
            ("organisation_id", "nowhere"),
            ("lawyer", "999999"),
        ] {
            let r = enter(&app, "А32-6999/2026", &[(k, v)]).await;
            assert!(r.status.is_client_error(), "{k}={v}: {}", r.status);
        }
        assert_eq!(app.scalar("select count(*) from court_case").await, 1);
        let i = instance_id(&app, id, "first").await;
        let r = app
            .submit(
                &card,
                &format!("{card}/decision"),
                &[
                    ("instance_id", &i),
                    ("decided_on", &day(-5)),
                    ("in_force_on", &day(-9)),
                    ("outcome", "won"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "in force before decided"
        );
        let r = app
            .submit(
                &card,
                &format!("{card}/hearings"),
                &[
                    ("instance_id", "999999"),
                    ("starts_at", &format!("{}T10:00", day(3))),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "another case's instance");
        let r = app
            .submit(
                &card,
                &format!("{card}/hearings"),
                &[("instance_id", &i), ("starts_at", "tomorrow")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.get("/pm/courts/cases/999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/pm/courts/cases/abc").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/pm/courts?org=nowhere").await.status,
            StatusCode::NOT_FOUND
        );
        for bad in ["outcome=maybe", "page=0", "page=abc", "page=100001"] {
            assert_eq!(
                app.get(&format!("/pm/courts?{bad}")).await.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}"
            );
        }
        crate::hostile::still_healthy(&app).await;

        // A citizen gets 403 on every page and change.
        citizen(&app, "zhitel@example.ru", "Житель").await;
        sign_in_as(&app, "zhitel@example.ru").await;
        for path in [
            "/pm/courts",
            "/pm/courts/calendar",
            "/pm/courts/counterparties",
            "/pm/courts/new",
            card.as_str(),
        ] {
            assert_eq!(app.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let r = app
            .submit("/", &format!("{card}/risk"), &[("risk", "remote")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Nobody signed in is sent to sign in, and sees nothing.
        app.clear_cookies();
        let r = app.get(&card).await;
        assert_ne!(r.status, StatusCode::OK);
        assert!(!r.body.contains("А32-6001/2026"));
    }
);
