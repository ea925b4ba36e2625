use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn count_accounts(app: &TestApp) -> i64 {
    veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, i64>(
        "select count(*) from account"
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

both_backends!(register_confirm_by_mail_sign_in_and_out, |app| {
    let r = app
        .submit(
            "/auth/register",
            "/auth/register",
            &[
                ("email", "Ivan.Petrov@Example.RU"),
                ("display_name", "Иван Петров"),
                ("password", "correct horse battery"),
                ("municipality_id", "sochi"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Проверьте почту"));

    // Not confirmed yet: sign-in is refused and a fresh link is sent.
    let r = app
        .login("ivan.petrov@example.ru", "correct horse battery")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("подтвердите адрес"), "{}", r.body);

    app.run_workers().await;
    let mails = app.mailbox();
    assert_eq!(mails.len(), 2, "registration and the resent link");
    assert_eq!(mails[0].to, "Ivan.Petrov@Example.RU");
    assert!(
        mails[0].subject.contains("Подтвердите адрес"),
        "{}",
        mails[0].subject
    );
    // The resent link does not break the first one: a person who opens
    // the first mail is confirmed (it once answered «Ссылка недействительна»).
    let link = mails[0].link("/auth/confirm/");
    let r = app.get(&link).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Адрес подтверждён"));
    // Once confirmed, every link is spent: the first used, the second ended.
    assert_eq!(app.get(&link).await.status, StatusCode::GONE);
    assert_eq!(
        app.get(&mails[1].link("/auth/confirm/")).await.status,
        StatusCode::GONE
    );

    let r = app
        .login("IVAN.PETROV@example.ru", "correct horse battery")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/");
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("veche_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    let r = app.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Иван Петров"));
    assert!(
        r.body.contains("Сочи (указан вами)"),
        "declared residence: {}",
        r.body
    );
    assert!(r.body.contains("Выйти"));

    let r = app.submit("/account", "/auth/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get("/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/auth/login?next=%2Faccount");
});

both_backends!(
    registration_errors_are_explained_and_nothing_is_saved,
    |app| {
        let r = app
            .submit(
                "/auth/register",
                "/auth/register",
                &[
                    ("email", "not-an-email"),
                    ("display_name", " "),
                    ("password", "short"),
                    ("municipality_id", "atlantis"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for msg in [
            "имя@домен.ru",
            "Укажите имя",
            "не короче 10 символов",
            "Выберите муниципалитет",
            "Без согласия",
        ] {
            assert!(r.body.contains(msg), "missing «{msg}»");
        }
        assert!(
            r.body.contains(r#"value="not-an-email""#),
            "what was typed is kept"
        );
        assert!(!r.body.contains("short"), "the password is never echoed");
        assert_eq!(count_accounts(&app).await, 0);
        app.run_workers().await;
        assert!(app.mailbox().is_empty());
    }
);

both_backends!(
    registering_a_taken_address_reveals_nothing_but_tells_the_owner,
    |app| {
        app.register_confirmed("owner@example.ru", "Owner", "correct horse battery")
            .await;
        let before = app.mailbox().len();
        let r = app
            .submit(
                "/auth/register",
                "/auth/register",
                &[
                    ("email", "OWNER@example.ru"),
                    ("display_name", "Someone"),
                    ("password", "another password"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Проверьте почту"),
            "same answer as a new registration"
        );
        assert_eq!(count_accounts(&app).await, 1);
        app.run_workers().await;
        let mails = app.mailbox();
        assert_eq!(mails.len(), before + 1);
        assert!(
            mails
                .last()
                .unwrap()
                .body
                .contains("учётная запись с ним уже есть")
        );
        // The owner's password still works.
        assert_eq!(
            app.login("owner@example.ru", "correct horse battery")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
);

both_backends!(
    wrong_password_is_refused_without_saying_which_part_was_wrong,
    |app| {
        app.register_confirmed("a@example.ru", "A", "correct horse battery")
            .await;
        for (email, password) in [
            ("a@example.ru", "wrong horse battery"),
            ("nobody@example.ru", "correct horse battery"),
        ] {
            let r = app.login(email, password).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("Неверный адрес или пароль"));
        }
        assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER);
    }
);

both_backends!(sign_in_attempts_are_rate_limited, |app| {
    app.register_confirmed("victim@example.ru", "V", "correct horse battery")
        .await;
    let page = app.get("/auth/login").await;
    let token = page.csrf_token();
    for _ in 0..5 {
        let r = app
            .post_form_raw(
                "/auth/login",
                &[
                    ("csrf_token", &token),
                    ("email", "victim@example.ru"),
                    ("password", "guess guess guess"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .post_form_raw(
            "/auth/login",
            &[
                ("csrf_token", &token),
                ("email", "victim@example.ru"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    assert!(r.body.contains("Слишком много попыток"), "{}", r.body);
});

both_backends!(forms_without_a_valid_csrf_token_are_refused, |app| {
    app.register_confirmed("c@example.ru", "C", "correct horse battery")
        .await;
    // No token at all.
    let r = app
        .post_form_raw(
            "/auth/login",
            &[
                ("email", "c@example.ru"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Форма устарела"), "{}", r.body);
    // A token minted for another browser.
    let other = app.get("/auth/login").await.csrf_token();
    app.clear_cookies();
    app.get("/").await;
    let r = app
        .post_form_raw(
            "/auth/login",
            &[
                ("csrf_token", &other),
                ("email", "c@example.ru"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "not signed in"
    );
    // The same form with this browser's token goes through.
    assert_eq!(
        app.login("c@example.ru", "correct horse battery")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
});

both_backends!(password_reset_by_mail_ends_other_sessions, |app| {
    app.register_confirmed("r@example.ru", "R", "correct horse battery")
        .await;
    app.login("r@example.ru", "correct horse battery").await;
    let old_session = app.cookie("veche_session").unwrap();

    // Another browser asks for a reset.
    app.clear_cookies();
    let r = app
        .submit("/auth/forgot", "/auth/forgot", &[("email", "r@example.ru")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("Если учётная запись с этим адресом существует")
    );
    // An unknown address gets the same answer and no mail.
    let r = app
        .submit(
            "/auth/forgot",
            "/auth/forgot",
            &[("email", "ghost@example.ru")],
        )
        .await;
    assert!(
        r.body
            .contains("Если учётная запись с этим адресом существует")
    );
    app.run_workers().await;
    let mails = app.mailbox();
    assert!(mails.iter().all(|m| m.to != "ghost@example.ru"));
    let link = mails.last().unwrap().link("/auth/reset/");

    let r = app.get(&link).await;
    assert_eq!(r.status, StatusCode::OK);
    let token = r.csrf_token();
    let r = app
        .post_form_raw(&link, &[("csrf_token", &token), ("password", "short")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a weak new password is refused"
    );
    let r = app
        .post_form_raw(
            &link,
            &[("csrf_token", &token), ("password", "a brand new password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Пароль изменён"));
    assert_eq!(
        app.get(&link).await.status,
        StatusCode::GONE,
        "the link works once"
    );

    // The session from before the reset no longer works.
    app.clear_cookies();
    app.set_cookie("veche_session", &old_session);
    assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER);
    app.clear_cookies();
    assert_eq!(
        app.login("r@example.ru", "correct horse battery")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login("r@example.ru", "a brand new password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
});

both_backends!(
    a_citizen_declares_a_residence_and_edits_the_profile,
    |app| {
        app.signed_in_citizen("p@example.ru").await;
        let r = app
            .submit(
                "/account",
                "/account",
                &[
                    ("display_name", "Пётр"),
                    ("municipality_id", "anapa"),
                    ("hide_name", "on"),
                    ("locale", "en"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app.get("/account?saved=1").await;
        assert!(r.body.contains("Изменения сохранены"));
        assert!(r.body.contains("Анапа (указан вами)"), "{}", r.body);
        assert!(r.body.contains(r#"value="Пётр""#));
        let account = veche::auth::queries::account_by_email(&app.state.db, "p@example.ru")
            .await
            .unwrap()
            .unwrap();
        assert!(account.hide_name);
        assert_eq!(account.locale, "en");
        assert_eq!(account.municipality_status.as_deref(), Some("declared"));

        let r = app
            .submit(
                "/account",
                "/account",
                &[
                    ("display_name", ""),
                    ("municipality_id", "atlantis"),
                    ("locale", "xx"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let account = veche::auth::queries::account_by_email(&app.state.db, "p@example.ru")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.display_name, "Пётр", "nothing changed");
    }
);

/// `veche create-admin` run as a separate process on the same store.
async fn create_admin_cli(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_veche"));
    cmd.args([
        "--data-dir",
        app.dir.path().to_str().unwrap(),
        "create-admin",
        "--email",
        "chief@veche.test",
        "--name",
        "Chief",
    ])
    .env("VECHE_ADMIN_PASSWORD", "a strong admin password")
    .env("VECHE_LOG", "warn");
    match &app.database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("administrator account"));

    assert_eq!(
        app.login("chief@veche.test", "a strong admin password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let r = app.get("/admin").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Учётные записи"));

    // Running it again grants the role instead of failing or duplicating.
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("already existed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_admin_command_sqlite() {
    create_admin_cli(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_admin_command_postgres() {
    create_admin_cli(Backend::Postgres).await;
}

both_backends!(
    a_signed_in_person_changes_the_password_in_the_account,
    |app| {
        app.register_confirmed("p@example.ru", "P", "correct horse battery")
            .await;
        // A session on another device.
        app.login("p@example.ru", "correct horse battery").await;
        let other_device = app.cookie("veche_session").unwrap();
        app.clear_cookies();
        app.login("p@example.ru", "correct horse battery").await;
        let page = app.get("/account").await;
        assert!(
            page.body.contains("Сменить пароль")
                && page.body.contains("autocomplete=\"current-password\"")
        );

        // A wrong current password or a short new one: the page again, the
        // message beside the field, nothing changed, still signed in.
        // Someone asked for a reset link before the change (from anywhere).
        let here_before = app.cookie("veche_session").unwrap();
        app.clear_cookies();
        app.submit("/auth/forgot", "/auth/forgot", &[("email", "p@example.ru")])
            .await;
        app.set_cookie("veche_session", &here_before);
        let r = app
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", "not my password"),
                    ("new_password", "a brand new password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Текущий пароль введён неверно"),
            "{}",
            r.body
        );
        let r = app
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", "correct horse battery"),
                    ("new_password", "short"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Выйти"), "still signed in: {}", r.body);

        let r = app
            .submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", "correct horse battery"),
                    ("new_password", "a brand new password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get(r.location()).await;
        assert_eq!(page.status, StatusCode::OK, "this session goes on");
        assert!(page.body.contains("Пароль изменён"));
        // That earlier reset link no longer works: it cannot undo the change.
        app.run_workers().await;
        let reset = app
            .mailbox()
            .into_iter()
            .rev()
            .find(|m| m.to == "p@example.ru" && m.body.contains("/auth/reset/"))
            .expect("the reset mail");
        assert_eq!(
            app.get(&reset.link("/auth/reset/")).await.status,
            StatusCode::GONE
        );

        // The other device is signed out; only the new password opens the account.
        let here = app.cookie("veche_session").unwrap();
        app.clear_cookies();
        app.set_cookie("veche_session", &other_device);
        assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER);
        app.clear_cookies();
        app.set_cookie("veche_session", &here);
        assert_eq!(app.get("/account").await.status, StatusCode::OK);
        app.clear_cookies();
        assert_eq!(
            app.login("p@example.ru", "correct horse battery")
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.login("p@example.ru", "a brand new password")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
);

both_backends!(
    upload_forms_carry_their_token_in_the_body_not_the_address,
    |app| {
        use crate::problems::{KRASNODAR, multipart};
        crate::problems::citizen(&app, "u@example.ru", "U").await;
        crate::problems::sign_in_as(&app, "u@example.ru").await;
        // No page puts a token in an address: addresses end up in logs and in
        // `Referer` headers.
        let form = app.get("/problems/new").await;
        assert!(form.body.contains("enctype=\"multipart/form-data\""));
        for page in ["/problems/new", "/construction/checks/new"] {
            let body = app.get(page).await.body;
            assert!(
                !body.contains("csrf_token="),
                "{page} puts the token in an address"
            );
        }
        let token = form.csrf_token();
        let fields = |t: &'static str| {
            vec![
                ("category", "road-pothole"),
                ("lat", KRASNODAR.0),
                ("lon", KRASNODAR.1),
                ("address", "Краснодар, ул. Красная, 122"),
                ("description", t),
            ]
        };
        // Without a token, or with one that is not the first field, nothing is
        // filed.
        let (ct, body) = multipart(&fields("Без ключа формы, не должно пройти."), &[]);
        let r = app.post_bytes("/problems/new", &ct, body, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut late = fields("Ключ не первым полем, не должно пройти.");
        late.push(("csrf_token", token.as_str()));
        let (ct, body) = multipart(&late, &[]);
        assert_eq!(
            app.post_bytes("/problems/new", &ct, body, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        // As the form sends it, with a photo after the token: filed, photo kept.
        let mut first = vec![("csrf_token", token.as_str())];
        first.extend(fields("Яма у остановки, ключ в теле формы."));
        let (ct, body) = multipart(
            &first,
            &[("photos", "yama.jpg", crate::problems::jpeg(640, 480))],
        );
        let r = app.post_bytes("/problems/new", &ct, body, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = crate::problems::id_from(&r);
        let page = app.get(&format!("/problems/{id}")).await;
        assert!(page.body.contains("ключ в теле формы"));
        assert!(
            page.body.contains("photo-list"),
            "the photo streamed through"
        );
    }
);
