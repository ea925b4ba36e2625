//! Suggestions through HTTP: a resident suggests a solution for a problem
//! report; it goes to the report's organisation; neighbours support it and
//! comment (published by a moderator); the organisation accepts it into a
//! plan, which makes an order in the project-management core; the core's
//! report of execution comes back as the suggestion's answer, in its page,
//! the API and the feed of official answers.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{KRASNODAR, citizen, file, id_from, post_form, set, sign_in_as};

fn roomy(c: &mut veche::config::Config) {
    c.server.login_attempts_per_minute = 1000;
    c.server.account_actions_per_minute = 1000;
    c.server.account_mails_per_minute = 1000;
}

fn in_days(n: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(n)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn suggest(app: &TestApp, fields: &[(&str, &str)]) -> crate::helpers::TestResponse {
    app.submit(
        "/participation/suggestions/new",
        "/participation/suggestions/new",
        fields,
    )
    .await
}

both_backends!(
    a_suggestion_for_a_report_becomes_an_order_and_the_answer_flows_back,
    config = roomy,
    |app| {
        set(&app, "premoderation", "off").await;
        citizen(&app, "olga@krd.example", "Ольга").await;
        sign_in_as(&app, "olga@krd.example").await;
        let report = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у остановки.", &[]).await);
        app.run_workers().await;
        let report_org = veche::workflow::queries::appeal(&app.state.db, report)
            .await
            .unwrap()
            .unwrap()
            .organisation_id
            .unwrap();

        // A neighbour suggests a solution for it.
        citizen(&app, "ivan@krd.example", "Иван Предлагающий").await;
        sign_in_as(&app, "ivan@krd.example").await;
        let form = app
            .get(&format!("/participation/suggestions/new?problem={report}"))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("id=\"form-target\""));
        let target = report.to_string();
        // Hostile input: an overlong title is refused beside the field, and
        // nothing is written.
        let long = "Ж".repeat(201);
        let r = suggest(
            &app,
            &[
                ("title", &long),
                ("text", "Текст"),
                ("topic", "suggestion-roads-transport"),
                ("target_kind", "problem"),
                ("target_id", &target),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(app.scalar("select count(*) from suggestion").await, 0);
        // A target that does not exist.
        let r = suggest(
            &app,
            &[
                ("title", "Заголовок"),
                ("text", "Текст"),
                ("topic", "suggestion-roads-transport"),
                ("target_kind", "problem"),
                ("target_id", "999999"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields = [
            ("title", "Ремонтировать картами"),
            (
                "text",
                "Снять покрытие по всей ширине полосы и уложить новое.",
            ),
            ("topic", "suggestion-roads-transport"),
            ("target_kind", "problem"),
            ("target_id", &target),
            ("client_key", "draft-7f3a"),
        ];
        let r = suggest(&app, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The phone app sends the same draft again: the same suggestion.
        let again = suggest(&app, &fields).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        assert_eq!(again.location(), r.location());
        assert_eq!(app.scalar("select count(*) from suggestion").await, 1);
        let id: i64 = r
            .location()
            .trim_start_matches("/participation/suggestions/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let a = veche::workflow::queries::appeal(&app.state.db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.kind, "suggestion");
        assert_eq!(a.organisation_id.as_deref(), Some(report_org.as_str()));
        assert!(a.due_at.is_some(), "an answer is owed");
        // Not an order yet: a suggestion is a proposal until it is accepted.
        app.run_workers().await;
        assert!(
            veche::pm::queries::orders_for_appeal(&app.state.db, id)
                .await
                .unwrap()
                .is_empty()
        );
        let page = app.get(&format!("/participation/suggestions/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ремонтировать картами"));
        assert!(
            page.body.contains(&format!("href=\"/problems/{report}\"")),
            "{}",
            page.body
        );
        // And the report's page shows the suggestions made for it, with the
        // way to make another.
        let report_page = app.get(&format!("/problems/{report}")).await.body;
        let block = report_page
            .split("id=\"report-suggestions\"")
            .nth(1)
            .expect("the report's suggestions");
        assert!(
            block.contains("Ремонтировать картами")
                && block.contains(&format!("/participation/suggestions/{id}"))
                && block.contains(&format!("/participation/suggestions/new?problem={report}")),
            "{block}"
        );

        // Another resident supports it and comments; the comment waits for
        // a moderator.
        citizen(&app, "petr@krd.example", "Пётр Комментатор").await;
        sign_in_as(&app, "petr@krd.example").await;
        let page = format!("/participation/suggestions/{id}");
        let r = app.submit(&page, &format!("{page}/support"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .submit(
                &page,
                &format!("{page}/comments"),
                &[("body", "Поддерживаю, сделайте летом.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .submit(&page, &format!("{page}/comments"), &[("body", "   ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.clear_cookies();
        let public = app.get(&page).await.body;
        assert!(
            !public.contains("сделайте летом"),
            "unmoderated comment shown"
        );
        assert!(public.contains("id=\"support-count\">1<"), "{public}");
        let m = citizen(&app, "moder@krd.example", "Модератор").await;
        {
            let mut tx = app.state.db.begin().await.unwrap();
            veche::auth::queries::grant_role(
                &mut tx,
                m,
                veche::auth::domain::GlobalRole::Moderator,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        sign_in_as(&app, "moder@krd.example").await;
        let queue = app.get("/moderation/suggestion-comments").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains("сделайте летом"));
        let comment: i64 = app
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
        // The same decision again: already made; a comment that does not
        // exist: not found.
        let again = app
            .submit(
                "/moderation/suggestion-comments",
                &format!("/moderation/suggestion-comments/{comment}"),
                &[("decision", "reject")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        let missing = app
            .submit(
                "/moderation/suggestion-comments",
                "/moderation/suggestion-comments/999999",
                &[("decision", "publish")],
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
        app.clear_cookies();
        assert!(app.get(&page).await.body.contains("сделайте летом"));
        // A citizen cannot moderate.
        sign_in_as(&app, "petr@krd.example").await;
        assert_eq!(
            app.get("/moderation/suggestion-comments").await.status,
            StatusCode::FORBIDDEN
        );
        // A discussion, not a flood: five comments in a burst, then 429.
        for n in 0..4 {
            let r = app
                .submit(
                    &page,
                    &format!("{page}/comments"),
                    &[("body", &format!("Ещё одно замечание {n}."))],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let r = app
            .submit(&page, &format!("{page}/comments"), &[("body", "И ещё.")])
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);

        // The organisation accepts it into a plan: the core gets an order,
        // due on the planned day.
        let officer = citizen(&app, "head@krd.example", "Начальник").await;
        app.make_officer(officer, &report_org).await;
        sign_in_as(&app, "head@krd.example").await;
        // «Решено» is not offered on a suggestion's page (it is done when
        // the core reports its order executed), and a hand-made one is
        // refused the same.
        assert!(!app.get(&page).await.body.contains("value=\"resolve\""));
        let r = post_form(
            &app,
            &page,
            &format!("{page}/action"),
            &[("action", "resolve"), ("text", "Сделано")],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let date = in_days(30);
        let r = post_form(
            &app,
            &page,
            &format!("{page}/action"),
            &[
                ("action", "plan"),
                ("date", &date),
                ("text", "Принято: ремонт картами в плане на лето."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let planned = app.get(&page).await.body;
        assert!(planned.contains("Принято в план"), "{planned}");
        app.run_workers().await;
        let orders = veche::pm::queries::orders_for_appeal(&app.state.db, id)
            .await
            .unwrap();
        assert_eq!(orders.len(), 1, "one order for the accepted suggestion");
        let order = orders[0].clone();
        assert_eq!(order.organisation_id, report_org);
        assert!(
            order.title.starts_with(&format!("Предложение № {id}")),
            "{}",
            order.title
        );
        assert_eq!(
            order
                .deadline
                .to_offset(veche::workflow::sla::MSK)
                .date()
                .to_string(),
            date
        );

        // The core reports it done; the suggestion gets the answer.
        let o = format!("/pm/orders/{}", order.order_id);
        for fields in [
            vec![("action", "accept")],
            vec![
                ("action", "report"),
                ("text", "Участок отремонтирован картами."),
                ("outcome", "resolved"),
            ],
        ] {
            let r = post_form(&app, &o, &format!("{o}/act"), &fields, &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        app.run_workers().await;
        let a = veche::workflow::queries::appeal(&app.state.db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.state, "resolved", "the core's report is the answer");
        assert_eq!(
            a.reaction_text.as_deref(),
            Some("Участок отремонтирован картами.")
        );
        app.clear_cookies();
        let done = app.get(&page).await.body;
        assert!(done.contains("Выполнено") && done.contains("Участок отремонтирован"));
        let api = app.get(&format!("/api/v1/suggestions/{id}")).await;
        assert_eq!(api.status, StatusCode::OK);
        let v = api.json();
        assert_eq!(v["state"], "resolved");
        assert_eq!(v["target"]["kind"], "problem");
        assert!(!api.body.contains("Иван"), "the author is not in the API");
        let feed = app.get("/participation/answers.atom").await.body;
        assert!(feed.contains("Ремонтировать картами"), "{feed}");
        let list = app.get("/participation/suggestions").await.body;
        assert!(list.contains("Ремонтировать картами"));
        // The author disputes the result: reopened, planned again, a new
        // order in the core (a new round), not the finished one.
        sign_in_as(&app, "ivan@krd.example").await;
        let r = post_form(
            &app,
            &page,
            &format!("{page}/action"),
            &[
                ("action", "dispute"),
                ("text", "Ямы вернулись через неделю."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        sign_in_as(&app, "head@krd.example").await;
        let r = post_form(
            &app,
            &page,
            &format!("{page}/action"),
            &[
                ("action", "plan"),
                ("date", &in_days(20)),
                ("text", "Переделаем за счёт подрядчика по гарантии."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.run_workers().await;
        let orders = veche::pm::queries::orders_for_appeal(&app.state.db, id)
            .await
            .unwrap();
        assert_eq!(orders.len(), 2, "a new order for the new plan");
        assert!(orders.iter().any(|o| o.state != "done"), "one of them open");
        crate::hostile::still_healthy(&app).await;
    }
);
