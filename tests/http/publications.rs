//! Publications through HTTP: an officer's news and a resident's post in
//! the list, on their pages, in the municipality's and the author's Atom
//! and RSS feeds, in the API, the search and the open dataset; a comment;
//! a moderator hides the post (and a comment) and restores it; who may
//! publish what; bad input gets 4xx, never 500.

use axum::http::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, sign_in_as};

const ORG: &str = "admin-sochi";
const DATASET: &str = "/opendata/2309189066-publications/table.json?_shape=objects";

fn roomy(c: &mut veche::config::Config) {
    c.server.login_attempts_per_minute = 1000;
    c.server.account_actions_per_minute = 1000;
    c.server.account_mails_per_minute = 1000;
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

/// Publishes through the form as the signed-in person: its id.
async fn publish(app: &TestApp, fields: &[(&str, &str)]) -> i64 {
    let r = app
        .submit("/publications/new", "/publications", fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/publications/")
        .parse()
        .unwrap()
}

async fn decide(app: &TestApp, kind: &str, id: i64, action: &str) {
    let page = format!("/moderation/social/{kind}/{id}");
    let r = app
        .submit(&page, &page, &[("action", action), ("reason", "Реклама")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn atom_titles(body: &str) -> Vec<String> {
    let feed = atom_syndication::Feed::read_from(body.as_bytes()).unwrap();
    feed.entries()
        .iter()
        .map(|e| e.title().as_str().to_owned())
        .collect()
}

fn rss_titles(body: &str) -> Vec<String> {
    let channel = rss::Channel::read_from(body.as_bytes()).unwrap();
    channel
        .items()
        .iter()
        .map(|i| i.title().unwrap_or_default().to_owned())
        .collect()
}

/// Where the post is seen by the public: (list, page, municipality's Atom,
/// RSS, author's Atom and RSS, API list and one, search, dataset).
async fn seen_everywhere(app: &TestApp, id: i64, author: i64, title: &str) -> [bool; 10] {
    let saved = app.jar();
    app.clear_cookies();
    app.run_workers().await;
    app.state.catalogue.invalidate();
    let list = app.get("/publications?municipality=sochi").await;
    assert_eq!(list.status, StatusCode::OK);
    let page = app.get(&format!("/publications/{id}")).await;
    assert!(
        page.status == StatusCode::OK || page.status == StatusCode::NOT_FOUND,
        "{}",
        page.status
    );
    let in_atom = |b: &str| atom_titles(b).iter().any(|t| t.contains(title));
    let in_rss = |b: &str| rss_titles(b).iter().any(|t| t.contains(title));
    let atom = app.get("/publications.atom?municipality=sochi").await;
    let rss = app.get("/publications.rss?municipality=sochi").await;
    let author_atom = app
        .get(&format!("/people/{author}/publications.atom"))
        .await;
    let author_rss = app.get(&format!("/people/{author}/publications.rss")).await;
    let api = app
        .get("/api/v1/publications?municipality=sochi")
        .await
        .json();
    let one = app.get(&format!("/api/v1/publications/{id}")).await;
    let search = app.get("/search?q=фонари").await;
    let data = app.get(DATASET).await;
    let in_data = data.status == StatusCode::OK
        && data.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["publication_id"] == id);
    app.restore_jar(saved);
    [
        list.body.contains(title),
        page.status == StatusCode::OK,
        in_atom(&atom.body),
        in_rss(&rss.body),
        in_atom(&author_atom.body),
        in_rss(&author_rss.body),
        api["publications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id),
        one.status == StatusCode::OK,
        search.body.contains(&format!("/publications/{id}\"")),
        in_data,
    ]
}

both_backends!(
    news_and_posts_are_published_read_everywhere_and_moderated,
    config = roomy,
    |app| {
        let officer = citizen(&app, "officer@sochi.example", "Сотрудник Администрации").await;
        app.make_officer(officer, ORG).await;
        sign_in_as(&app, "officer@sochi.example").await;
        let form = app.get("/publications/new").await;
        assert!(form.body.contains("news:admin-sochi"), "{}", form.body);
        let news = publish(
            &app,
            &[
                ("publish_as", "news:admin-sochi"),
                ("municipality_id", "sochi"),
                ("title", "Ремонт набережной в Сочи"),
                ("body", "Первый абзац.\n\nВторой абзац."),
            ],
        )
        .await;

        let olga = citizen(&app, "olga@sochi.example", "Ольга Жительница").await;
        sign_in_as(&app, "olga@sochi.example").await;
        let form = app.get("/publications/new").await;
        assert!(
            !form.body.contains("news:"),
            "a citizen speaks for no organisation"
        );
        let post = publish(
            &app,
            &[
                ("publish_as", "post"),
                ("municipality_id", "sochi"),
                ("title", "Фонари на Курортном проспекте"),
                (
                    "body",
                    "Вечером половина фонарей не горит.\nКто знает, когда починят?",
                ),
            ],
        )
        .await;

        // The list, its filters and both pages.
        let list = app.get("/publications").await;
        assert!(
            list.body.contains("Ремонт набережной в Сочи"),
            "{}",
            list.body
        );
        assert!(list.body.contains("Фонари на Курортном проспекте"));
        let posts = app.get("/publications?kind=post").await;
        assert!(!posts.body.contains("Ремонт набережной"));
        assert!(posts.body.contains("Фонари на Курортном"));
        let hers = app.get(&format!("/publications?author={olga}")).await;
        assert!(
            hers.body.contains("Фонари на Курортном") && !hers.body.contains("Ремонт набережной")
        );
        let page = app.get(&format!("/publications/{news}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("/organisations/admin-sochi"));
        assert!(
            !page.body.contains("Сотрудник Администрации"),
            "the organisation speaks"
        );
        assert!(page.body.contains("<p>Второй абзац.</p>"), "{}", page.body);
        let page = app.get(&format!("/publications/{post}")).await;
        assert!(page.body.contains(&format!("href=\"/people/{olga}\"")));
        assert!(page.body.contains("Ольга Жительница"));

        // A comment.
        let r = app
            .submit(
                &format!("/publications/{post}"),
                &format!("/publications/{post}/comments"),
                &[("comment", "Поддерживаю, у нас то же самое.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get(&format!("/publications/{post}")).await;
        assert!(page.body.contains("Поддерживаю, у нас то же самое."));

        // Feeds: both in the municipality's, the post in its author's, no names.
        app.clear_cookies();
        let atom = app.get("/publications.atom?municipality=sochi").await;
        assert_eq!(atom.status, StatusCode::OK);
        assert_eq!(atom_titles(&atom.body).len(), 2, "{}", atom.body);
        let rss = app.get("/publications.rss?municipality=sochi").await;
        assert_eq!(rss_titles(&rss.body).len(), 2, "{}", rss.body);
        assert!(
            app.get("/publications.atom?municipality=anapa")
                .await
                .body
                .matches("<entry>")
                .count()
                == 0
        );
        let mine = app.get(&format!("/people/{olga}/publications.atom")).await;
        let feed = atom_syndication::Feed::read_from(mine.body.as_bytes()).unwrap();
        assert_eq!(feed.title().as_str(), format!("Публикации автора №{olga}"));
        assert_eq!(feed.entries().len(), 1);
        for body in [&atom.body, &rss.body, &mine.body] {
            assert!(
                !body.contains("Ольга") && !body.contains("Сотрудник"),
                "{body}"
            );
        }

        // The API: the post's author by shown name, the news' by nobody.
        let api = app
            .get("/api/v1/publications?municipality=sochi&limit=10")
            .await;
        assert_eq!(api.status, StatusCode::OK);
        let api = api.json();
        assert_eq!(api["total"], 2);
        let by_id = |id: i64| -> Value {
            api["publications"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == id)
                .cloned()
                .unwrap()
        };
        assert_eq!(by_id(post)["author"]["name"], "Ольга Жительница");
        assert_eq!(by_id(news)["author"], Value::Null);
        assert_eq!(by_id(news)["organisation"]["id"], ORG);
        let one = app
            .get(&format!("/api/v1/publications/{post}"))
            .await
            .json();
        assert_eq!(one["comments"].as_array().unwrap().len(), 1);
        assert!(
            !one.to_string().contains("@sochi.example"),
            "no e-mail: {one}"
        );

        // The dataset: no author of a citizen's post.
        app.run_workers().await;
        app.state.catalogue.invalidate();
        let data = app.get(DATASET).await;
        assert_eq!(data.status, StatusCode::OK, "{}", data.body);
        let rows = data.json()["rows"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 2);
        let row = rows.iter().find(|r| r["publication_id"] == post).unwrap();
        assert_eq!(row["kind"], "post");
        assert_eq!(row["comment_count"], 1);
        assert!(!data.body.contains("Ольга"));

        assert_eq!(
            seen_everywhere(&app, post, olga, "Фонари на Курортном").await,
            [true; 10]
        );

        // A moderator hides the post: gone everywhere, marked on its page
        // for moderators.
        moderator(&app, "mod@sochi.example").await;
        sign_in_as(&app, "mod@sochi.example").await;
        decide(&app, "publication", post, "hide").await;
        assert_eq!(
            seen_everywhere(&app, post, olga, "Фонари на Курортном").await,
            [false; 10]
        );
        let page = app.get(&format!("/publications/{post}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Скрыто модератором") && page.body.contains("Реклама"));
        assert!(page.body.contains("Журнал модерации"));
        let r = app
            .submit(
                &format!("/publications/{news}"),
                &format!("/publications/{post}/comments"),
                &[("comment", "Под скрытой нельзя")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        // Restored: back everywhere.
        decide(&app, "publication", post, "restore").await;
        assert_eq!(
            seen_everywhere(&app, post, olga, "Фонари на Курортном").await,
            [true; 10]
        );

        // A hidden comment keeps its place, not its text.
        let comment = app
            .scalar(&format!(
                "select max(comment_id) from publication_comment where publication_id = {post}"
            ))
            .await;
        decide(&app, "comment", comment, "hide").await;
        app.clear_cookies();
        let page = app.get(&format!("/publications/{post}")).await;
        assert!(page.body.contains("Скрыто модератором"), "{}", page.body);
        assert!(!page.body.contains("Поддерживаю, у нас то же самое."));
        let one = app
            .get(&format!("/api/v1/publications/{post}"))
            .await
            .json();
        assert_eq!(one["comments"].as_array().unwrap().len(), 0);
    }
);

both_backends!(
    who_may_publish_and_what_bad_input_gets,
    config = roomy,
    |app| {
        citizen(&app, "ivan@sochi.example", "Иван Житель").await;
        sign_in_as(&app, "ivan@sochi.example").await;
        // A citizen does not speak for an organisation, whatever they post.
        let r = app
            .submit(
                "/publications/new",
                "/publications",
                &[
                    ("publish_as", "news:admin-sochi"),
                    ("title", "Официально"),
                    ("body", "Текст"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let long_title = "Я".repeat(201);
        let long_body = "б".repeat(10_001);
        let cases: [(&[(&str, &str)], &str); 6] = [
            (
                &[
                    ("publish_as", "post"),
                    ("municipality_id", "sochi"),
                    ("title", ""),
                    ("body", "Текст, что остаётся"),
                ],
                "f-title",
            ),
            (
                &[
                    ("publish_as", "post"),
                    ("municipality_id", "sochi"),
                    ("title", &long_title),
                    ("body", "Текст, что остаётся"),
                ],
                "f-title",
            ),
            (
                &[
                    ("publish_as", "post"),
                    ("municipality_id", "sochi"),
                    ("title", "Заголовок"),
                    ("body", &long_body),
                ],
                "f-body",
            ),
            (
                &[
                    ("publish_as", "post"),
                    ("title", "Заголовок"),
                    ("body", "Текст, что остаётся"),
                ],
                "f-municipality_id",
            ),
            (
                &[
                    ("publish_as", "post"),
                    ("municipality_id", "atlantis"),
                    ("title", "Заголовок"),
                    ("body", "Текст, что остаётся"),
                ],
                "f-municipality_id",
            ),
            (
                &[
                    ("publish_as", "blog"),
                    ("municipality_id", "sochi"),
                    ("title", "Заголовок"),
                    ("body", "Текст, что остаётся"),
                ],
                "f-publish_as",
            ),
        ];
        for (fields, field) in cases {
            let r = app
                .submit("/publications/new", "/publications", fields)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{fields:?}: {}",
                r.body
            );
            assert!(
                r.body.contains(&format!("href=\"#{field}\"")),
                "{field}: {}",
                r.body
            );
            if fields.iter().any(|(_, v)| *v == "Текст, что остаётся") {
                assert!(
                    r.body.contains("Текст, что остаётся"),
                    "what was typed is kept"
                );
            }
        }
        assert_eq!(app.scalar("select count(*) from publication").await, 0);

        let id = publish(
            &app,
            &[
                ("publish_as", "post"),
                ("municipality_id", "sochi"),
                ("title", "Пост"),
                ("body", "Текст"),
            ],
        )
        .await;
        let r = app
            .submit(
                &format!("/publications/{id}"),
                &format!("/publications/{id}/comments"),
                &[("comment", "  ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app
            .submit(
                &format!("/publications/{id}"),
                &format!("/publications/{}/comments", id + 100),
                &[("comment", "Куда?")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        for (path, status) in [
            ("/publications?kind=blog", StatusCode::BAD_REQUEST),
            ("/publications?author=abc", StatusCode::BAD_REQUEST),
            ("/publications?page=-5", StatusCode::OK),
            ("/publications?page=99999999999", StatusCode::OK),
            ("/publications/abc", StatusCode::NOT_FOUND),
            ("/publications/999999", StatusCode::NOT_FOUND),
            ("/people/abc/publications.atom", StatusCode::NOT_FOUND),
            ("/publications.rss?kind=nope", StatusCode::BAD_REQUEST),
            ("/api/v1/publications?limit=1000", StatusCode::BAD_REQUEST),
            ("/api/v1/publications?limit=0", StatusCode::BAD_REQUEST),
            ("/api/v1/publications?author=x", StatusCode::BAD_REQUEST),
            ("/api/v1/publications?page=0", StatusCode::BAD_REQUEST),
            ("/api/v1/publications?kind=", StatusCode::BAD_REQUEST),
            ("/api/v1/publications/abc", StatusCode::NOT_FOUND),
            ("/api/v1/publications/999999", StatusCode::NOT_FOUND),
        ] {
            let r = app.get(path).await;
            assert_eq!(r.status, status, "{path}: {}", r.body);
            if path.starts_with("/api/") {
                assert!(r.json()["error"]["code"].is_string(), "{path}: {}", r.body);
            }
        }
        let api = app.get("/api/v1/publications?limit=1&page=1").await.json();
        assert_eq!(api["total"], 1);
        assert_eq!(api["publications"][0]["id"], id);

        // Banned, refused with the reason.
        moderator(&app, "mod@sochi.example").await;
        sign_in_as(&app, "mod@sochi.example").await;
        let ivan = app.account_id("ivan@sochi.example").await;
        let r = app
            .submit(
                "/moderation/social",
                "/moderation/bans",
                &[
                    ("account_id", &ivan.to_string()),
                    ("days", "3"),
                    ("reason", "Оскорбления"),
                ],
            )
            .await;
        assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
        sign_in_as(&app, "ivan@sochi.example").await;
        let r = app
            .submit(
                "/publications/new",
                "/publications",
                &[
                    ("publish_as", "post"),
                    ("municipality_id", "sochi"),
                    ("title", "Ещё пост"),
                    ("body", "Текст"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(r.body.contains("Оскорбления"));
    }
);
