//! The social layer through HTTP: direct messages (the daily limit,
//! blocking, reports to the moderators, the mail without the text),
//! profile privacy (private activity is not on the profile, in the search
//! or in a follower's feed until the person makes it public), the personal
//! feed of follows, and moderation with a ban on posting.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{KRASNODAR, citizen, file, id_from, set, sign_in_as};

fn rules(c: &mut veche::config::Config) {
    c.server.login_attempts_per_minute = 1000;
    c.server.account_actions_per_minute = 1000;
    c.server.account_mails_per_minute = 1000;
    c.participation.messages_per_day = 2;
}

async fn moderator(app: &TestApp, email: &str) -> i64 {
    let id = citizen(app, email, "Модератор Мария").await;
    let mut tx = app.state.db.begin().await.unwrap();
    veche::auth::queries::grant_role(&mut tx, id, veche::auth::domain::GlobalRole::Moderator)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn send(app: &TestApp, to: i64, body: &str) -> crate::helpers::TestResponse {
    let page = format!("/messages/{to}");
    app.submit(&page, &page, &[("body", body)]).await
}

both_backends!(
    messages_limits_blocking_and_reports,
    config = rules,
    |app| {
        let anna = citizen(&app, "anna@krd.example", "Анна Писатель").await;
        let boris = citizen(&app, "boris@krd.example", "Борис Читатель").await;
        sign_in_as(&app, "anna@krd.example").await;
        // Writing is offered on the profile.
        let profile = app.get(&format!("/people/{boris}")).await;
        assert!(profile.body.contains(&format!("/messages/{boris}")));
        let first = "Секретная строка письма 7f3a";
        let r = send(&app, boris, first).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = send(&app, boris, "Второе сообщение").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The third in a day is over the configured limit of two.
        let r = send(&app, boris, "Третье сообщение").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.body.contains("не больше 2 сообщений"), "{}", r.body);
        assert_eq!(
            app.scalar("select count(*) from direct_message").await,
            2,
            "the refused message is not stored"
        );
        // Nobody writes to oneself; an empty message is refused with a reason.
        assert_eq!(
            send(&app, anna, "себе").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // The mail tells Boris there is a message, never what it says.
        app.run_workers().await;
        let mails: Vec<_> = app
            .mailbox()
            .into_iter()
            .filter(|m| m.to.contains("boris@") && m.subject.contains("личное сообщение"))
            .collect();
        assert_eq!(mails.len(), 2, "one mail per message");
        for m in &mails {
            assert!(
                !m.body.contains("7f3a") && !m.body.contains("Второе"),
                "{}",
                m.body
            );
            assert!(m.body.contains(&format!("/messages/{anna}")), "{}", m.body);
        }

        // Boris reads the conversation and reports the first message.
        sign_in_as(&app, "boris@krd.example").await;
        let inbox = app.get("/messages").await;
        assert!(inbox.body.contains("Анна Писатель"), "{}", inbox.body);
        let page = format!("/messages/{anna}");
        let conv = app.get(&page).await;
        assert!(conv.body.contains(first));
        assert!(
            conv.body.contains(r#"action="/flag""#),
            "a report button on received messages"
        );
        let first_id = app
            .scalar("select min(message_id) from direct_message")
            .await;
        let r = app
            .submit(
                &page,
                "/flag",
                &[
                    ("item", "message"),
                    ("id", &first_id.to_string()),
                    ("reason", "Навязчивая реклама"),
                    ("back", &page),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Only the recipient may report a message.
        sign_in_as(&app, "anna@krd.example").await;
        let r = app
            .submit(
                &format!("/messages/{boris}"),
                "/flag",
                &[
                    ("item", "message"),
                    ("id", &first_id.to_string()),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        // Boris blocks Anna: she cannot write any more, and is told why.
        sign_in_as(&app, "boris@krd.example").await;
        let r = app
            .submit(
                &format!("/people/{anna}"),
                &format!("/people/{anna}/block"),
                &[("block", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Reset Anna's day so the block, not the limit, is what refuses.
        veche::exec_db!(
            &app.state.db,
            "update direct_message set created_at = $1",
            time::OffsetDateTime::now_utc() - time::Duration::days(2)
        )
        .unwrap();
        sign_in_as(&app, "anna@krd.example").await;
        let conv = app.get(&format!("/messages/{boris}")).await;
        assert!(
            conv.body.contains("не принимает ваши сообщения"),
            "{}",
            conv.body
        );
        assert!(
            !conv.body.contains(r#"name="body""#),
            "no form when blocked"
        );
        let r = send(&app, boris, "Можно?").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // Nor may she follow him: his profile does not offer it.
        let profile = app.get(&format!("/people/{boris}")).await;
        assert!(
            !profile.body.contains(r#"action="/follow""#),
            "{}",
            profile.body
        );
        let r = app
            .submit(
                "/feed",
                "/follow",
                &[
                    ("kind", "person"),
                    ("id", &boris.to_string()),
                    ("follow", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The moderators see the reported message and hide it.
        moderator(&app, "mod@krd.example").await;
        sign_in_as(&app, "mod@krd.example").await;
        let queue = app.get("/moderation/social").await;
        assert!(queue.body.contains("Навязчивая реклама"), "{}", queue.body);
        let item = format!("/moderation/social/message/{first_id}");
        let r = app
            .submit(&item, &item, &[("action", "hide"), ("reason", "Спам")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let log = app.get(&item).await;
        assert!(log.body.contains("Спам"), "the item's log keeps the reason");
        // Decided, it leaves the queue.
        assert!(
            app.get("/moderation/social")
                .await
                .body
                .contains(r#"id="queue-empty""#)
        );
        sign_in_as(&app, "boris@krd.example").await;
        let conv = app.get(&format!("/messages/{anna}")).await;
        assert!(
            !conv.body.contains(first),
            "a hidden message's text is gone"
        );
        crate::hostile::still_healthy(&app).await;
    }
);

both_backends!(profile_privacy_and_the_feed, config = rules, |app| {
    set(&app, "premoderation", "off").await;
    let dana = citizen(&app, "dana@krd.example", "Дана Приватная").await;
    let egor = citizen(&app, "egor@krd.example", "Егор Подписчик").await;
    sign_in_as(&app, "dana@krd.example").await;
    let report = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у школы номер 9", &[]).await);
    // Egor follows Dana.
    sign_in_as(&app, "egor@krd.example").await;
    let r = app
        .submit(
            &format!("/people/{dana}"),
            "/follow",
            &[
                ("kind", "person"),
                ("id", &dana.to_string()),
                ("follow", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Private by default: not on the profile, not in the feed.
    let profile = app.get(&format!("/people/{dana}")).await;
    assert!(profile.body.contains("Дана Приватная"));
    assert!(
        !profile.body.contains(&format!("/problems/{report}")),
        "{}",
        profile.body
    );
    assert!(
        profile.body.contains("скрыта"),
        "says the activity is private"
    );
    let feed = app.get("/feed").await;
    assert!(
        !feed.body.contains(&format!("/problems/{report}")),
        "{}",
        feed.body
    );
    assert!(feed.body.contains(r#"id="feed-empty""#), "{}", feed.body);
    // ...nor in the search by her name.
    app.run_workers().await;
    let found = app.get("/search?q=Приватная").await;
    assert!(!found.body.contains(&format!("/problems/{report}")));
    assert!(
        !found.body.contains("/people/"),
        "profiles are not search documents"
    );

    // Dana sees her own activity, and makes her reports public.
    sign_in_as(&app, "dana@krd.example").await;
    let own = app.get(&format!("/people/{dana}")).await;
    assert!(
        own.body.contains(&format!("/problems/{report}")),
        "{}",
        own.body
    );
    let (ct, body) = crate::problems::multipart(
        &[
            (
                "csrf_token",
                &app.get("/account/profile").await.csrf_token(),
            ),
            ("about", "Слежу за дорогами"),
            ("public", "reports"),
        ],
        &[],
    );
    let r = app.post_bytes("/account/profile", &ct, body, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Much has happened on the site since (16,384 activities nobody
    // follows): the feed still finds what was followed, further back.
    veche::exec_db!(
        &app.state.db,
        "insert into activity (category, subject, text_ru, text_en, link, created_at)
         values (0, 'noise', 'шум', 'noise', '/', $1)",
        time::OffsetDateTime::now_utc()
    )
    .unwrap();
    for _ in 0..14 {
        veche::exec_db!(
            &app.state.db,
            "insert into activity (category, subject, text_ru, text_en, link, created_at)
             select category, subject, text_ru, text_en, link, created_at from activity
             where subject = 'noise'"
        )
        .unwrap();
    }
    sign_in_as(&app, "egor@krd.example").await;
    let profile = app.get(&format!("/people/{dana}")).await;
    assert!(
        profile.body.contains(&format!("/problems/{report}")),
        "{}",
        profile.body
    );
    assert!(profile.body.contains("Слежу за дорогами"));
    let feed = app.get("/feed").await;
    assert!(
        feed.body.contains(&format!("/problems/{report}")),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("Дана Приватная"));
    // Her supports stay private: Egor's own report, supported by Dana.
    let egor_report = id_from(&file(&app, "road-pothole", KRASNODAR, "Сломан светофор", &[]).await);
    sign_in_as(&app, "dana@krd.example").await;
    let r = app
        .submit(
            &format!("/problems/{egor_report}"),
            &format!("/problems/{egor_report}/support"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    sign_in_as(&app, "egor@krd.example").await;
    let feed = app.get("/feed").await;
    assert!(!feed.body.contains("поддержал"), "{}", feed.body);
    // The request Egor filed is followed through the request machinery:
    // its public changes are in his feed without a follow here.
    assert!(
        feed.body.contains(&format!("/problems/{egor_report}")),
        "{}",
        feed.body
    );
    // Dana withdraws her support: it is nobody's news any more, not even
    // on her own profile.
    sign_in_as(&app, "dana@krd.example").await;
    let before = app
        .scalar("select count(*) from activity where category = 2")
        .await;
    assert_eq!(before, 1);
    let r = app
        .submit(
            &format!("/problems/{egor_report}"),
            &format!("/problems/{egor_report}/unsupport"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.scalar("select count(*) from activity where category = 2")
            .await,
        0
    );
    // A moderator hides Dana's report: its activity leaves Egor's feed and
    // her profile, and comes back when it is shown again.
    moderator(&app, "mod@krd.example").await;
    moderate_then_read_as_egor(&app, report, "hide", "Проверка").await;
    let feed = app.get("/feed").await;
    assert!(
        !feed.body.contains(&format!("/problems/{report}")),
        "{}",
        feed.body
    );
    let profile = app.get(&format!("/people/{dana}")).await;
    assert!(!profile.body.contains(&format!("/problems/{report}")));
    moderate_then_read_as_egor(&app, report, "unhide", "Проверено").await;
    let feed = app.get("/feed").await;
    assert!(
        feed.body.contains(&format!("/problems/{report}")),
        "{}",
        feed.body
    );
    // Following an unknown topic is refused; following oneself too.
    let r = app
        .submit(
            "/feed",
            "/follow",
            &[("kind", "person"), ("id", "999999"), ("follow", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .submit(
            "/feed",
            "/follow",
            &[
                ("kind", "person"),
                ("id", &egor.to_string()),
                ("follow", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .submit(
            "/feed",
            "/follow",
            &[("kind", "secret"), ("id", "1"), ("follow", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    crate::hostile::still_healthy(&app).await;
});

both_backends!(
    a_ban_on_posting_is_told_and_enforced,
    config = rules,
    |app| {
        let fedor = citizen(&app, "fedor@krd.example", "Фёдор Нарушитель").await;
        let galya = citizen(&app, "galya@krd.example", "Галя").await;
        moderator(&app, "mod@krd.example").await;
        sign_in_as(&app, "mod@krd.example").await;
        let r = app
            .submit(
                "/moderation/social",
                "/moderation/bans",
                &[
                    ("account_id", &fedor.to_string()),
                    ("days", "3"),
                    ("reason", "Оскорбления в комментариях"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Out of range: a clear refusal.
        let r = app
            .submit(
                "/moderation/social",
                "/moderation/bans",
                &[
                    ("account_id", &fedor.to_string()),
                    ("days", "9999"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Citizens may not ban.
        sign_in_as(&app, "galya@krd.example").await;
        let r = app
            .submit(
                "/feed",
                "/moderation/bans",
                &[
                    ("account_id", &fedor.to_string()),
                    ("days", "3"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Fedor is told why and until when, and cannot write.
        app.run_workers().await;
        assert!(
            app.mailbox()
                .iter()
                .any(|m| m.to.contains("fedor@") && m.body.contains("Оскорбления в комментариях")),
            "the ban is told with its reason"
        );
        sign_in_as(&app, "fedor@krd.example").await;
        let conv = app.get(&format!("/messages/{galya}")).await;
        assert!(
            conv.body.contains("Оскорбления в комментариях"),
            "{}",
            conv.body
        );
        let r = send(&app, galya, "Привет").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
);

both_backends!(
    the_demo_citizen_finds_a_full_feed,
    config = |c| {
        c.server.demo_region = true;
        c.server.demo_scale = 10;
    },
    |app| {
        let accounts = veche::app::prepare_demo(&app.state, true).await.unwrap();
        let citizen = accounts
            .iter()
            .find(|a| a.email.starts_with("citizen-0@"))
            .expect("the demo citizen");
        let moderator = accounts
            .iter()
            .find(|a| a.email.starts_with("moderator-desk@"))
            .expect("the demo moderator");
        let password = veche::demo::accounts::PASSWORD;
        app.clear_cookies();
        let r = app.login(&citizen.email, password).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The feed is full on the first visit, with the news of the
        // organisations followed and what the people followed did.
        let feed = app.get("/feed").await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(
            feed.body.contains("/feed?before="),
            "a full first page: {}",
            feed.body
        );
        assert!(feed.body.contains("Инициатива «"), "{}", feed.body);
        let following = app.get("/feed/following").await;
        assert!(
            following
                .body
                .matches("name=\"follow\" value=\"0\"")
                .count()
                >= 8
        );
        let inbox = app.get("/messages").await;
        assert!(inbox.body.contains("/messages/"), "{}", inbox.body);
        assert!(inbox.body.contains("непрочитанных"), "{}", inbox.body);
        let profile = app.get("/account/profile").await;
        assert!(profile.body.contains("checked"), "{}", profile.body);
        // The moderators' queue has the reported post.
        app.clear_cookies();
        let r = app.login(&moderator.email, password).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let queue = app.get("/moderation/social").await;
        assert!(
            queue.body.contains("/moderation/social/publication/"),
            "{}",
            queue.body
        );
    }
);

/// The moderator hides or shows a report again; then Egor, who follows its
/// author, is signed in to read.
async fn moderate_then_read_as_egor(app: &TestApp, report: i64, action: &str, text: &str) {
    sign_in_as(app, "mod@krd.example").await;
    let r = crate::problems::act(app, report, &[("action", action), ("text", text)], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    sign_in_as(app, "egor@krd.example").await;
}
