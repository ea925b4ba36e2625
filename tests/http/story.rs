//! The everyday loop as people live it, one story per kind of request
//! (issue 12): filed → moderated from the shared queue → routed → officer
//! told → accepted (the order follows) → planned (the order stays open with
//! the planned date as its deadline) → reported done in the core →
//! resolved on the portal → citizen told → confirmed. Every step asserts
//! both sides: the request on the portal and its order in the core, and
//! what each person finds in the site and in their mail.

use axum::http::StatusCode;
use veche::pm::queries as pmq;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{KRASNODAR, appeal, citizen, file, id_from, post_form, set, sign_in_as};

fn in_days(n: i64) -> time::Date {
    (time::OffsetDateTime::now_utc().to_offset(veche::workflow::sla::MSK) + time::Duration::days(n))
        .date()
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn ru(d: time::Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), u8::from(d.month()), d.year())
}

/// The end of `d` in Moscow: a deadline set from a date.
fn end_of(d: time::Date) -> time::OffsetDateTime {
    d.with_hms(23, 59, 0)
        .unwrap()
        .assume_offset(veche::workflow::sla::MSK)
        .to_offset(time::UtcOffset::UTC)
}

async fn the_order(app: &TestApp, appeal_id: i64) -> pmq::OrderRow {
    let orders = pmq::orders_for_appeal(&app.state.db, appeal_id)
        .await
        .unwrap();
    assert_eq!(orders.len(), 1, "one order answers the request");
    orders[0].clone()
}

/// Subjects of the mail `to` got, oldest first.
fn subjects(app: &TestApp, to: &str) -> Vec<String> {
    app.mailbox()
        .into_iter()
        .filter(|m| m.to == to)
        .map(|m| m.subject)
        .collect()
}

fn got(app: &TestApp, to: &str, subject: &str) -> crate::helpers::Mail {
    app.mailbox()
        .into_iter()
        .rev()
        .find(|m| m.to == to && m.subject == subject)
        .unwrap_or_else(|| {
            panic!(
                "{to} has no mail «{subject}»; they have: {:?}",
                subjects(app, to)
            )
        })
}

async fn order_act(app: &TestApp, order: i64, fields: &[(&str, &str)]) {
    let page = format!("/pm/orders/{order}");
    let r = post_form(app, &page, &format!("/pm/orders/{order}/act"), fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn request_act(app: &TestApp, href: &str, fields: &[(&str, &str)]) {
    let r = post_form(app, href, &format!("{href}/action"), fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// One kind's whole loop. `organisation` is where it is routed; the
/// planned answer is given on the portal (`plan_on_portal`) or reported
/// from the core.
async fn story(
    app: &TestApp,
    kind: veche::workflow::Kind,
    organisation: &str,
    plan_on_portal: bool,
) {
    let mut turns = crate::pm::Sessions::default();
    set(app, "premoderation", "on").await;
    // The people: a moderator (the administrator), the organisation's
    // officer and executor, and the citizen.
    app.signed_in_admin().await;
    turns.0.insert("admin@veche.test".into(), app.jar());
    let officer = citizen(app, "officer@org.example", "Начальник Отдела").await;
    app.make_officer(officer, organisation).await;
    let executor = citizen(app, "worker@org.example", "Исполнитель Иванов").await;
    app.make_executor(executor, organisation).await;
    citizen(app, "olga@example.ru", "Ольга Смирнова").await;

    // Filed: the citizen gets a receipt with the number.
    turns.be(app, "olga@example.ru").await;
    let id = match kind {
        k if k == veche::issues::PROBLEM => id_from(
            &file(
                app,
                "road-pothole",
                KRASNODAR,
                "Яма у остановки, машины объезжают по встречной.",
                &[],
            )
            .await,
        ),
        k if k == veche::construction::CHECK => {
            crate::queues::file_check(app, "Строят без таблички, уже четвёртый этаж.").await
        }
        // Their orders start on publication; a suggestion's when it is
        // planned (suggestions.rs), and feedback's never.
        other => panic!("the story is of kinds ordered on publication, not {other:?}"),
    };
    let href = kind.path(id);
    app.run_workers().await;
    let receipt = got(app, "olga@example.ru", &format!("Обращение №{id} принято"));
    assert!(
        receipt.body.contains(&format!("номером {id}")),
        "{}",
        receipt.body
    );
    assert!(
        receipt.body.contains("модератор"),
        "says what happens next: {}",
        receipt.body
    );
    assert_eq!(appeal(app, id).await.state, "submitted");
    assert!(
        pmq::orders_for_appeal(&app.state.db, id)
            .await
            .unwrap()
            .is_empty()
    );

    // Moderators get one digest, not a mail per request, and not again
    // until something new comes in.
    veche::workflow::sweeper::sweep(&app.state).await.unwrap();
    app.run_workers().await;
    let digest = got(app, "admin@veche.test", "Ждут модерации: 1 обращение");
    assert!(
        digest.body.contains("/moderation/problems"),
        "{}",
        digest.body
    );
    veche::workflow::sweeper::sweep(&app.state).await.unwrap();
    app.run_workers().await;
    let digests = subjects(app, "admin@veche.test")
        .iter()
        .filter(|s| s.starts_with("Ждут модерации"))
        .count();
    assert_eq!(digests, 1, "no second digest for the same request");

    // Moderated from the shared queue.
    turns.be(app, "admin@veche.test").await;
    let queue = app.get("/moderation/problems").await;
    assert!(
        queue.body.contains(&format!("href=\"{href}\"")),
        "{}",
        queue.body
    );
    request_act(app, &href, &[("action", "approve")]).await;
    app.run_workers().await;
    let a = appeal(app, id).await;
    assert_eq!(a.state, "published");
    assert_eq!(a.organisation_id.as_deref(), Some(organisation), "routed");

    // The officer is told at once, in the site and by mail; the order is
    // there, new.
    let told = got(
        app,
        "officer@org.example",
        &format!("Новое обращение №{id} для вашей организации"),
    );
    assert!(told.body.contains(&href), "{}", told.body);
    turns.be(app, "officer@org.example").await;
    let n = app.get("/account/notifications").await;
    assert!(n.body.contains(&format!("Обращение №{id}")), "{}", n.body);
    let order = the_order(app, id).await;
    assert_eq!(order.state, "new");
    assert_eq!(order.organisation_id, organisation);

    // Accepted, and the other side follows: for a problem report on the
    // portal, for a construction check in the core.
    if plan_on_portal {
        request_act(app, &href, &[("action", "accept")]).await;
        app.run_workers().await;
        assert_eq!(appeal(app, id).await.state, "in_progress");
        assert_eq!(
            the_order(app, id).await.state,
            "accepted",
            "the order follows the portal"
        );
    } else {
        order_act(app, order.order_id, &[("action", "accept")]).await;
        app.run_workers().await;
        assert_eq!(the_order(app, id).await.state, "accepted");
        assert_eq!(
            appeal(app, id).await.state,
            "in_progress",
            "the request follows the core"
        );
    }
    let page = app.get(&format!("/pm/orders/{}", order.order_id)).await;
    assert!(
        page.body.contains(&format!("Обращение № {id}")),
        "the request is named, not a raw address"
    );
    assert!(
        page.body.contains("Обращение гражданина") && page.body.contains("request-point"),
        "its place is shown"
    );

    // The officer gives it to the executor, who is told.
    let r = app
        .submit(
            &format!("/pm/orders/{}", order.order_id),
            &format!("/pm/orders/{}/assign", order.order_id),
            &[("executor_id", &executor.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.run_workers().await;
    got(
        app,
        "worker@org.example",
        &format!("Вам назначено поручение №{}", order.order_id),
    );

    // Planned: the request says so, and the order stays open with the
    // planned date as its deadline.
    let planned = in_days(30);
    if plan_on_portal {
        request_act(
            app,
            &href,
            &[
                ("action", "plan"),
                ("date", &iso(planned)),
                ("text", "Ремонт включён в план."),
            ],
        )
        .await;
    } else {
        turns.be(app, "worker@org.example").await;
        order_act(
            app,
            order.order_id,
            &[
                ("action", "report"),
                ("outcome", "planned"),
                ("planned_date", &iso(planned)),
                ("text", "Выезд инспекции запланирован."),
            ],
        )
        .await;
    }
    app.run_workers().await;
    let a = appeal(app, id).await;
    assert_eq!(a.state, "planned");
    assert_eq!(a.planned_date.as_deref(), Some(iso(planned).as_str()));
    let o = the_order(app, id).await;
    assert!(
        matches!(o.state.as_str(), "accepted" | "in_progress"),
        "planned work stays open in the core, not «{}»",
        o.state
    );
    assert_eq!(
        o.deadline,
        end_of(planned),
        "the planned date is the new deadline"
    );
    let mail = got(
        app,
        "olga@example.ru",
        &format!("Ответ на обращение №{id}: запланировано на {}", ru(planned)),
    );
    assert!(mail.body.contains(&ru(planned)), "{}", mail.body);
    turns.be(app, "officer@org.example").await;
    let page = app.get(&format!("/pm/orders/{}", o.order_id)).await;
    assert!(
        page.body.contains("запланировано, новый срок"),
        "{}",
        page.body
    );

    // Reported done in the core, the request is resolved on the portal
    // and the citizen is told, with the deadline to confirm or dispute.
    turns.be(app, "worker@org.example").await;
    order_act(
        app,
        o.order_id,
        &[
            ("action", "report"),
            ("outcome", "resolved"),
            ("text", "Работы выполнены, акт приложен."),
        ],
    )
    .await;
    app.run_workers().await;
    assert_eq!(the_order(app, id).await.state, "done");
    let a = appeal(app, id).await;
    assert_eq!(a.state, "resolved");
    assert_eq!(
        a.reaction_text.as_deref(),
        Some("Работы выполнены, акт приложен.")
    );
    let subject = match kind {
        k if k == veche::issues::PROBLEM => format!("Ответ на обращение №{id}: решено"),
        k if k == veche::construction::CHECK => {
            format!("Результат проверки по обращению №{id}: работы выполнены, акт приложен")
        }
        other => panic!("the story is of kinds ordered on publication, not {other:?}"),
    };
    let mail = got(app, "olga@example.ru", &subject);
    assert!(
        mail.body
            .contains(&format!("оспорьте решение до {}", ru(in_days(14)))),
        "{}",
        mail.body
    );

    // Confirmed by the citizen: closed as fixed; the order stays done.
    turns.be(app, "olga@example.ru").await;
    request_act(app, &href, &[("action", "confirm")]).await;
    app.run_workers().await;
    let a = appeal(app, id).await;
    assert_eq!(a.state, "closed");
    assert_eq!(a.close_reason.as_deref(), Some("fixed"));
    assert_eq!(the_order(app, id).await.state, "done");
    let mine = app.get("/account/requests").await;
    assert!(
        mine.body.contains(&format!("href=\"{href}\"")),
        "{}",
        mine.body
    );
}

both_backends!(a_problem_report_goes_round_the_whole_loop, |app| {
    story(&app, veche::issues::PROBLEM, "admin-krasnodar", true).await;
});

both_backends!(a_construction_check_goes_round_the_whole_loop, |app| {
    story(
        &app,
        veche::construction::CHECK,
        "dep-construction-supervision",
        false,
    )
    .await;
});

both_backends!(a_person_who_chose_the_site_only_gets_no_mail, |app| {
    set(&app, "premoderation", "off").await;
    let officer = citizen(&app, "quiet@org.example", "Тихий Сотрудник").await;
    app.make_officer(officer, "admin-krasnodar").await;
    sign_in_as(&app, "quiet@org.example").await;
    let r = app
        .submit(
            "/account/notifications",
            "/account/notifications/settings",
            &[("mail", "off")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(r.location()).await;
    assert!(page.body.contains("Сохранено"), "{}", page.body);
    assert!(
        page.body.contains("value=\"off\" checked"),
        "the choice is shown: {}",
        page.body
    );
    let bad = app
        .submit(
            "/account/notifications",
            "/account/notifications/settings",
            &[("mail", "pigeon")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    citizen(&app, "olga@example.ru", "Ольга Смирнова").await;
    sign_in_as(&app, "olga@example.ru").await;
    let id = id_from(
        &file(
            &app,
            "road-pothole",
            KRASNODAR,
            "Яма у остановки, машины объезжают.",
            &[],
        )
        .await,
    );
    app.run_workers().await;
    // (The mail that confirmed the address came before the choice.)
    let about_requests: Vec<String> = subjects(&app, "quiet@org.example")
        .into_iter()
        .filter(|s| s.contains('№'))
        .collect();
    assert!(
        about_requests.is_empty(),
        "site only: no mail, got {about_requests:?}"
    );
    sign_in_as(&app, "quiet@org.example").await;
    let n = app.get("/account/notifications").await;
    assert!(
        n.body.contains(&format!("Обращение №{id}")),
        "still told in the site: {}",
        n.body
    );
    // The citizen, who kept mail on, has the receipt, published at once.
    let receipt = got(&app, "olga@example.ru", &format!("Обращение №{id} принято"));
    assert!(receipt.body.contains("опубликовано"), "{}", receipt.body);
});

both_backends!(
    a_failed_action_comes_back_on_its_page_with_the_text_kept,
    |app| {
        set(&app, "premoderation", "off").await;
        let officer = citizen(&app, "officer@org.example", "Начальник Отдела").await;
        app.make_officer(officer, "admin-krasnodar").await;
        citizen(&app, "olga@example.ru", "Ольга Смирнова").await;
        sign_in_as(&app, "olga@example.ru").await;
        let id = id_from(
            &file(
                &app,
                "road-pothole",
                KRASNODAR,
                "Яма у остановки, машины объезжают.",
                &[],
            )
            .await,
        );
        sign_in_as(&app, "officer@org.example").await;
        let href = format!("/problems/{id}");
        // A planned date that is not in the future: refused, and the page the
        // form came from returns with what was typed and why, signed in.
        let typed = "Ремонт включён в план на следующий сезон, смета готова.";
        let yesterday = iso(in_days(-1));
        let r = post_form(
            &app,
            &href,
            &format!("{href}/action"),
            &[
                ("action", "plan"),
                ("date", &yesterday),
                ("budget", "Программа «Дороги»"),
                ("text", typed),
            ],
            &[("photos", "yama.jpg", crate::problems::jpeg(320, 240))],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("Запланированная дата должна быть в будущем."),
            "{}",
            r.body
        );
        assert!(r.body.contains(typed), "the text is kept");
        assert!(
            r.body.contains(&format!("value=\"{yesterday}\"")),
            "the date is kept"
        );
        assert!(r.body.contains("Программа «Дороги»"), "the budget is kept");
        assert!(
            r.body.contains("приложите их снова"),
            "lost photos are said plainly"
        );
        assert!(
            r.body.contains("<details class=\"action\" open"),
            "the form is open"
        );
        assert!(
            r.body.contains("Выйти") && !r.body.contains("/auth/login?"),
            "the header is the signed-in one"
        );
        assert_eq!(appeal(&app, id).await.state, "published", "nothing changed");
        // An unknown organisation for a referral: the same.
        let r = post_form(
            &app,
            &href,
            &format!("{href}/action"),
            &[
                ("action", "refer"),
                ("organisation_id", "nowhere"),
                ("text", "Не наш участок дороги."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Не наш участок дороги."), "{}", r.body);
    }
);
