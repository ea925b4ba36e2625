//! A report's page reads only what its viewer is shown (docs/PROBLEMS.md,
//! "Performance"): the author's name only when it is not hidden or the
//! viewer is staff, the pre-moderation setting only for the thanks after
//! filing, the blocks other features add from the request the page read.
//! These check that each viewer still sees what is theirs.

use axum::http::StatusCode;

use crate::both_backends;
use crate::problems::{KRASNODAR, act, citizen, id_from, post_form, set, sign_in_as};

const HIDDEN: &str = "имя скрыто по просьбе заявителя";

both_backends!(a_report_page_shows_each_viewer_what_is_theirs, |app| {
    citizen(&app, "hidden@example.ru", "Скрытный Заявитель").await;
    sign_in_as(&app, "hidden@example.ru").await;
    let file = |address: &'static str| {
        let app = &app;
        async move {
            post_form(
                app,
                "/problems/new",
                "/problems/new",
                &[
                    ("category", "road-pothole"),
                    ("lat", KRASNODAR.0),
                    ("lon", KRASNODAR.1),
                    ("address", address),
                    ("description", "Выбоина на пешеходном переходе у школы."),
                    ("hide_name", "on"),
                    ("not_duplicate", "on"),
                ],
                &[],
            )
            .await
        }
    };

    // Pre-moderation is on by default: the thanks say a moderator checks it.
    let r = file("ул. Северная, 301").await;
    let id = id_from(&r);
    let page = app.get(r.location()).await.body;
    assert!(page.contains("Спасибо! Обращение принято."), "{page}");
    assert!(
        page.contains("Оно появится на сайте после проверки модератором."),
        "{page}"
    );
    // Its author does not see their own hidden name as staff would.
    assert!(!page.contains("Скрытный Заявитель") && page.contains(HIDDEN));
    // Nobody else sees it before a moderator has.
    app.clear_cookies();
    assert_eq!(
        app.get(&format!("/problems/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Staff see the hidden name and the contact, and publish it.
    app.signed_in_admin().await;
    let staff = app.get(&format!("/problems/{id}")).await.body;
    assert!(
        staff.contains("Скрытный Заявитель")
            && staff.contains("Контакт заявителя")
            && staff.contains("mailto:hidden@example.ru"),
        "{staff}"
    );
    let r = act(&app, id, &[("action", "approve")], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The public page: no name, no contact, and the suggestions block that
    // participation adds to a published problem report.
    app.clear_cookies();
    let public = app.get(&format!("/problems/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        !public.body.contains("Скрытный Заявитель")
            && !public.body.contains("hidden@example.ru")
            && public.body.contains(HIDDEN),
        "{}",
        public.body
    );
    // The names read with the request: its category in the title and the
    // facts, its organisation with a link, in the reader's language.
    assert!(
        public
            .body
            .contains(&format!("№{id}. Яма на дороге — ул. Северная, 301"))
            && public.body.contains(
                "href=\"/problems/departments/admin-krasnodar\">Администрация муниципального образования город Краснодар<"
            ),
        "{}",
        public.body
    );
    app.set_cookie("veche_lang", "en");
    let english = app.get(&format!("/problems/{id}")).await.body;
    app.clear_cookies();
    assert!(
        english.contains(&format!("№{id}. Pothole — ул. Северная, 301"))
            && english.contains(">Administration of the City of Krasnodar<")
            && english.contains("name hidden at the reporter's request"),
        "{english}"
    );
    assert!(
        public.body.contains("id=\"report-suggestions\"")
            && public
                .body
                .contains(&format!("/participation/suggestions/new?problem={id}")),
        "{}",
        public.body
    );

    // Without pre-moderation the thanks do not promise a check.
    set(&app, "premoderation", "off").await;
    sign_in_as(&app, "hidden@example.ru").await;
    let r = file("ул. Северная, 302").await;
    let page = app.get(r.location()).await.body;
    assert!(page.contains("Спасибо! Обращение принято."), "{page}");
    assert!(
        !page.contains("Оно появится на сайте после проверки модератором."),
        "{page}"
    );
});
