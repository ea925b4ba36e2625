//! The staff queues cover every kind of citizens' request (issue 12's
//! blocker): a construction check under pre-moderation reaches the
//! moderators' queue, is published from there, and lands in the
//! supervision authority's workspace; both queues filter by kind.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{KRASNODAR, act, citizen, file, id_from, post_form, set, sign_in_as};

const AUTHORITY: &str = "dep-construction-supervision";

/// Files a construction check ("not in the registry") as the signed-in
/// citizen and returns its id.
pub(crate) async fn file_check(app: &TestApp, text: &str) -> i64 {
    let r = post_form(
        app,
        "/construction/checks/new",
        "/construction/checks/new",
        &[
            ("category", "check-not-in-registry"),
            ("lat", "45.0501"),
            ("lon", "38.9802"),
            ("address", "Краснодар, ул. Пустая, 4"),
            ("description", text),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/construction/checks/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn lists(body: &str, href: &str) -> bool {
    body.contains(&format!("href=\"{href}\""))
}

both_backends!(every_kind_of_request_reaches_the_staff_queues, |app| {
    set(&app, "premoderation", "on").await;
    citizen(&app, "zhitel@example.ru", "Анна Житель").await;
    sign_in_as(&app, "zhitel@example.ru").await;
    let check = file_check(&app, "Строят без таблички, четвёртый этаж.").await;
    let problem = id_from(
        &file(
            &app,
            "road-pothole",
            KRASNODAR,
            "Яма у остановки, машины объезжают по встречной.",
            &[],
        )
        .await,
    );
    let check_href = format!("/construction/checks/{check}");
    let problem_href = format!("/problems/{problem}");
    assert_eq!(
        crate::problems::appeal(&app, check).await.state,
        "submitted"
    );

    // The moderators' queue holds both kinds, and its filter narrows it.
    app.signed_in_admin().await;
    let queue = app.get("/moderation/problems").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        lists(&queue.body, &check_href) && lists(&queue.body, &problem_href),
        "both kinds wait for a moderator: {}",
        queue.body
    );
    assert!(queue.body.contains("Проверка стройки"), "the kind is named");
    let checks = app
        .get("/moderation/problems?kind=construction_check")
        .await;
    assert!(lists(&checks.body, &check_href) && !lists(&checks.body, &problem_href));
    let problems = app.get("/moderation/problems?kind=problem").await;
    assert!(lists(&problems.body, &problem_href) && !lists(&problems.body, &check_href));
    let bad = app.get("/moderation/problems?kind=nonsense").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Неизвестный вид обращения"));

    // Published from the queue's link, the check goes to the authority.
    let r = post_form(
        &app,
        &check_href,
        &format!("{check_href}/action"),
        &[("action", "approve")],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        crate::problems::appeal(&app, check).await.state,
        "published"
    );
    assert_eq!(
        act(&app, problem, &[("action", "approve")], &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let queue = app.get("/moderation/problems").await;
    assert!(!lists(&queue.body, &check_href), "no longer waiting");

    // The supervision officer finds it in the workspace, not only in /pm.
    let officer = citizen(&app, "nadzor@krasnodar.example", "Инспектор Надзора").await;
    app.make_officer(officer, AUTHORITY).await;
    sign_in_as(&app, "nadzor@krasnodar.example").await;
    let ws = app.get("/workspace/problems").await;
    assert_eq!(ws.status, StatusCode::OK);
    assert!(lists(&ws.body, &check_href), "{}", ws.body);
    assert!(
        !lists(&ws.body, &problem_href),
        "the problem went to the municipality"
    );
    let ws = app.get("/workspace/problems?kind=problem").await;
    assert!(!lists(&ws.body, &check_href));
});

both_backends!(my_requests_lists_every_kind_with_its_state, |app| {
    set(&app, "premoderation", "on").await;
    citizen(&app, "zhitel@example.ru", "Анна Житель").await;
    sign_in_as(&app, "zhitel@example.ru").await;
    let check = file_check(&app, "Строят без таблички.").await;
    let problem = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у школы.", &[]).await);
    let account = app.get("/account").await;
    assert!(
        account.body.contains("href=\"/account/requests\""),
        "linked from the account"
    );

    // Both kinds, not yet public, with their state (once only problem
    // reports, through the public list).
    let page = app.get("/account/requests").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        lists(&page.body, &format!("/construction/checks/{check}")),
        "{}",
        page.body
    );
    assert!(lists(&page.body, &format!("/problems/{problem}")));
    assert!(page.body.contains("Проверка стройки") && page.body.contains("на модерации"));
    assert!(page.body.contains("id=\"mine-count\">2<"));
    let checks = app.get("/account/requests?kind=construction_check").await;
    assert!(checks.body.contains("id=\"mine-count\">1<"));

    // Someone else's page shows only their own; signed out, the sign-in page.
    citizen(&app, "drugoy@example.ru", "Другой").await;
    sign_in_as(&app, "drugoy@example.ru").await;
    let other = app.get("/account/requests").await;
    assert!(
        other.body.contains("id=\"mine-count\">0<"),
        "{}",
        other.body
    );
    assert!(!lists(&other.body, &format!("/problems/{problem}")));
    app.clear_cookies();
    let r = app.get("/account/requests").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/auth/login"));
});

both_backends!(
    a_production_start_without_the_demo_routes_nothing_and_says_so,
    // A production install: no demo directory, so no organisation yet.
    config = |c| c.server.demo = false,
    |app| {
        // veche started (the categories named demo organisations, which
        // stopped a fresh start with a foreign key error) and knows the
        // municipalities and the categories.
        assert_eq!(app.get("/problems/new").await.status, StatusCode::SEE_OTHER);
        set(&app, "premoderation", "off").await;
        citizen(&app, "first@example.ru", "Первая Жительница").await;
        sign_in_as(&app, "first@example.ru").await;
        let id = id_from(
            &file(
                &app,
                "road-pothole",
                KRASNODAR,
                "Яма у остановки, первая в новой установке.",
                &[],
            )
            .await,
        );
        let a = crate::problems::appeal(&app, id).await;
        assert_eq!(a.state, "published");
        assert_eq!(a.organisation_id, None, "nobody to route it to yet");
        // It waits in the moderators' queue with a clear note, not lost.
        app.signed_in_admin().await;
        let queue = app.get("/moderation/problems").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains("Ждут маршрутизации"), "{}", queue.body);
        assert!(
            lists(&queue.body, &format!("/problems/{id}")),
            "{}",
            queue.body
        );
        assert!(queue.body.contains("нет правила маршрутизации"));
    }
);
