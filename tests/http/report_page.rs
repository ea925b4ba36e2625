//! A report's page reads only what its viewer is shown (docs/PROBLEMS.md,
//! "Performance"): the author's name only when it is not hidden or the
//! viewer is staff, the pre-moderation setting only for the thanks after
//! filing, the blocks other features add from the request the page read.
//! These check that each viewer still sees what is theirs.

use axum::http::StatusCode;

use veche::web::i18n::Locale;

use crate::both_backends;
use crate::problems::{KRASNODAR, act, citizen, file, id_from, post_form, set, shift, sign_in_as};

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

// Readers not signed in get the page kept since the last commit
// (`workflow::page_cache`, SQLite only); this is what may end its life.
both_backends!(
    a_kept_page_changes_with_every_commit_and_its_deadline,
    |app| {
        citizen(&app, "kept@example.ru", "Автор Страницы").await;
        sign_in_as(&app, "kept@example.ru").await;
        let id = id_from(
            &file(
                &app,
                "road-pothole",
                KRASNODAR,
                "Провал асфальта у остановки.",
                &[],
            )
            .await,
        );
        app.signed_in_admin().await;
        let r = act(&app, id, &[("action", "approve")], &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.clear_cookies();
        let path = format!("/problems/{id}");
        let support_count = |page: &str| {
            let at = page.find("id=\"support-count\">").expect("the count") + 19;
            page[at..].split('<').next().unwrap().to_owned()
        };

        // Whether the page in Russian is kept: after a read on SQLite, never
        // on PostgreSQL (no commit counter).
        let sqlite = app.state.db.backend() == veche::db::Backend::Sqlite;
        let kept = || {
            let key = (veche::issues::PROBLEM.as_str(), id, Locale::Ru);
            app.state.request_pages.holds(&key)
        };

        // Read twice: the second from what was kept.
        for _ in 0..2 {
            let page = app.get(&path).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("Провал асфальта у остановки."));
            assert_eq!(support_count(&page.body), "0");
            assert_eq!(kept(), sqlite);
        }

        // A change straight in the database, behind every service's back (as
        // another process or the command line would make it).
        let mut tx = app.state.db.begin().await.unwrap();
        veche::on_tx!(&mut tx, |conn| sqlx::query(
            "update appeal set description = $1 where appeal_id = $2"
        )
        .bind("Провал асфальта у остановки, уже огорожен.")
        .bind(id)
        .execute(conn)
        .await
        .unwrap()
        .rows_affected());
        tx.commit().await.unwrap();
        assert!(!kept(), "a commit ends what was kept");
        let page = app.get(&path).await.body;
        assert!(page.contains("уже огорожен"), "{page}");
        assert_eq!(kept(), sqlite);

        // A change through the site: a neighbour's support is counted at once.
        citizen(&app, "kept-neighbour@example.ru", "Сосед").await;
        sign_in_as(&app, "kept-neighbour@example.ru").await;
        let r = app.submit(&path, &format!("{path}/support"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.clear_cookies();
        assert_eq!(support_count(&app.get(&path).await.body), "1");

        // The signed-in never get the page kept for the others: staff see the
        // reporter's contact right after a reader who is not signed in.
        assert!(!app.get(&path).await.body.contains("mailto:"));
        app.signed_in_admin().await;
        let staff = app.get(&path).await.body;
        assert!(staff.contains("mailto:kept@example.ru"), "{staff}");
        app.clear_cookies();
        assert!(!app.get(&path).await.body.contains("mailto:"));

        // Another address is another page: its sign-in link comes back to it.
        let plain = app.get(&path).await.body;
        let from_news = app.get(&format!("{path}?from=news")).await.body;
        assert!(plain.contains(&format!("/auth/login?next=%2Fproblems%2F{id}\"")));
        assert!(
            from_news.contains(&format!(
                "/auth/login?next=%2Fproblems%2F{id}%3Ffrom%3Dnews\""
            )),
            "{from_news}"
        );
        // And each language its own.
        app.set_cookie("veche_lang", "en");
        assert!(app.get(&path).await.body.contains("Pothole"));
        app.clear_cookies();
        assert!(app.get(&path).await.body.contains("Яма на дороге"));

        // The deadline passes with no commit: the page says it is overdue.
        // Four seconds leave time for the reads on a loaded machine.
        let due = veche::db::now() + time::Duration::seconds(4);
        shift(&app, id, |a| a.due_at = Some(due)).await;
        for _ in 0..2 {
            let page = app.get(&path).await.body;
            assert!(page.contains("id=\"support-count\"") && !page.contains("badge-overdue"));
        }
        assert_eq!(kept(), sqlite);
        let wait = due - veche::db::now() + time::Duration::milliseconds(1100);
        tokio::time::sleep(wait.try_into().unwrap()).await;
        let page = app.get(&path).await.body;
        assert!(page.contains("badge-overdue"), "{page}");
    }
);
