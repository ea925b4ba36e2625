use axum::http::StatusCode;

use crate::both_backends;

both_backends!(pages_are_protected_by_role, |app| {
    // Signed out: sent to sign in, and brought back afterwards.
    let r = app.get("/workspace").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/auth/login?next=%2Fworkspace");
    // An API client gets JSON, never a redirect.
    let r = app
        .get_with("/admin", &[("accept", "application/json")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");

    // A citizen is refused the officer's and the administrator's pages.
    app.signed_in_citizen("citizen@example.ru").await;
    for path in [
        "/workspace",
        "/admin",
        "/admin/accounts",
        "/admin/organisations/new",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(r.body.contains("нет прав"), "{path}: {}", r.body);
    }
    let r = app
        .submit(
            "/",
            "/admin/organisations/new",
            &[("id", "x-test"), ("kind", "department")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both_backends!(
    an_administrator_makes_a_citizen_a_department_officer,
    |app| {
        let citizen = app
            .register_confirmed("officer@example.ru", "Ольга", "correct horse battery")
            .await;
        app.signed_in_admin().await;
        let page = format!("/admin/accounts/{citizen}");
        let r = app.get(&page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Ольга"));

        let action = format!("/admin/accounts/{citizen}/roles");
        // An officer needs an organisation.
        let r = app
            .submit(
                &page,
                &action,
                &[
                    ("action", "grant"),
                    ("role", "officer"),
                    ("organisation_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .submit(
                &page,
                &action,
                &[
                    ("action", "grant"),
                    ("role", "officer"),
                    ("organisation_id", "min-transport"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .submit(
                &page,
                &action,
                &[("action", "grant"), ("role", "moderator")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Each role reads apart from its «Снять» button (once «МодераторСнять»).
        let shown = app.get(&page).await;
        let text = visible_text(&shown.body);
        assert!(text.contains("Модератор Снять"), "{text}");
        assert!(!text.contains("модераторСнять") && !text.contains("МодераторСнять"));
        // The list of accounts has a roles column.
        let list = app.get("/admin/accounts").await.body;
        let row = list
            .split(&format!("href=\"/admin/accounts/{citizen}\""))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("{list}"));
        assert!(
            row.contains("<td class=\"roles\">модератор, сотрудник ведомства</td>"),
            "{row}"
        );

        app.clear_cookies();
        app.login("officer@example.ru", "correct horse battery")
            .await;
        let r = app.get("/workspace").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Министерство транспорта"), "{}", r.body);
        assert!(r.body.contains("модератор"));
        assert_eq!(
            app.get("/admin").await.status,
            StatusCode::FORBIDDEN,
            "an officer is not an administrator"
        );
    }
);

both_backends!(the_last_administrator_cannot_lose_the_role, |app| {
    let admin = app.signed_in_admin().await;
    let page = format!("/admin/accounts/{admin}");
    let r = app
        .submit(
            &page,
            &format!("/admin/accounts/{admin}/roles"),
            &[("action", "revoke"), ("role", "administrator")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("последнего администратора"));
    assert_eq!(
        app.get("/admin").await.status,
        StatusCode::OK,
        "still an administrator"
    );
});

/// The text a reader sees: tags dropped, runs of white space made one.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

both_backends!(error_pages_keep_the_signed_in_header, |app| {
    app.register_confirmed("citizen@example.ru", "Вера", "correct horse battery")
        .await;
    app.login("citizen@example.ru", "correct horse battery")
        .await;
    // A page the person may not open: 403, still shown as signed in (it
    // once showed «Войти / Регистрация»), with a sign-out that works.
    let r = app.get("/admin").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let text = visible_text(&r.body);
    assert!(
        text.contains("Выйти") && !text.contains("Регистрация"),
        "{text}"
    );
    let token = r.csrf_token();
    assert!(!token.is_empty(), "the sign-out form carries a token");
    let out = app
        .post_form_raw("/auth/logout", &[("csrf_token", &token)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(
        app.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    // Signed out, the same address leads to the sign-in page.
    let r = app.get("/admin").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/auth/login"), "{}", r.location());
});
