use axum::http::StatusCode;

use crate::both_backends;

both_backends!(
    home_page_is_russian_by_default_with_the_shared_layout,
    |app| {
        let r = app.get("/").await;
        assert_eq!(r.status, StatusCode::OK);
        let b = &r.body;
        assert!(b.contains(r#"<html lang="ru""#), "{b}");
        for label in ["Открытые данные", "Проблемы", "Стройка", "Участие", "Войти"]
        {
            assert!(b.contains(label), "missing {label}");
        }
        assert!(b.contains("© участники OpenStreetMap"));
        assert!(b.contains("https://www.openstreetmap.org/copyright"));
        assert!(b.contains(r##"href="#main""##), "a skip link");
        assert!(b.contains(r#"name="viewport""#), "usable on a phone");
        assert!(
            b.contains("/municipalities/krasnodar"),
            "links to the municipalities"
        );
    }
);

both_backends!(english_is_one_click_away_and_remembered, |app| {
    let r = app.get("/municipalities").await;
    assert!(
        r.body.contains(r#"href="/lang/en?next=%2Fmunicipalities""#),
        "the switch returns to this page"
    );
    let r = app.get("/lang/en?next=%2Fmunicipalities").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/municipalities");
    assert_eq!(app.cookie("veche_lang").as_deref(), Some("en"));

    let r = app.get("/").await;
    assert!(r.body.contains(r#"<html lang="en""#));
    for label in [
        "Open data",
        "Problems",
        "Construction",
        "Participation",
        "Sign in",
        "© OpenStreetMap contributors",
    ] {
        assert!(r.body.contains(label), "missing {label}");
    }
    assert!(r.body.contains("Русский"), "the switch back");

    app.get("/lang/ru?next=%2F").await;
    assert!(app.get("/").await.body.contains(r#"<html lang="ru""#));
});

both_backends!(language_switch_never_redirects_to_another_site, |app| {
    for next in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let r = app.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(r.location(), "/", "{next}");
    }
    assert_eq!(app.get("/lang/de").await.status, StatusCode::NOT_FOUND);
});

both_backends!(
    unknown_pages_get_a_page_for_people_and_json_for_programs,
    |app| {
        let r = app.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(r.body.contains("Такой страницы нет"), "{}", r.body);
        assert!(r.body.contains("Открытые данные"), "inside the layout");

        let r = app.get("/api/v1/no-such-thing").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["error"]["code"], "not_found");

        let r = app.post_form_raw("/api/v1/municipalities", &[]).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.json()["error"]["code"], "method_not_allowed");
    }
);

both_backends!(section_pages_and_static_assets_are_served, |app| {
    for (path, title) in [
        ("/opendata", "Открытые данные"),
        ("/problems", "Проблемы"),
        ("/construction", "Стройка"),
        ("/participation", "Участие"),
        ("/about/data", "ODbL"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.body.contains(title), "{path}");
    }
    let home = app.get("/").await;
    let css = home
        .body
        .split("href=\"/static/css/site.css?v=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = app.get(&format!("/static/css/site.css?v={css}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let r = app.get("/static/vendor/leaflet/leaflet.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.get("/static/nope.js").await.status,
        StatusCode::NOT_FOUND
    );
    // Browsers ask for /favicon.ico whatever the page links: they are sent
    // to the icon the pages use, and it is served.
    let r = app.get("/favicon.ico").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    let icon = r.location().to_owned();
    assert!(home.body.contains(&format!("href=\"{icon}\"")), "{icon}");
    let r = app.get(&icon).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
});

both_backends!(reporting_a_problem_is_one_tap_from_every_page, |app| {
    for page in ["/", "/opendata", "/construction", "/municipalities/sochi"] {
        let body = app.get(page).await.body;
        let at = body.find("id=\"header-report\"").expect(page);
        let tag = &body[body[..at].rfind('<').unwrap()..at + body[at..].find('>').unwrap()];
        assert!(tag.contains("href=\"/problems/new\""), "{page}: {tag}");
    }
});
