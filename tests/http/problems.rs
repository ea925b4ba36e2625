//! Citizens' problem reports through HTTP: reporting with photos, the
//! lifecycle with every role, routing, the SLA with reminders and
//! escalations, votes, follows and notifications, lists, the map's
//! GeoJSON, feeds, search and the open dataset, and bad input.

use axum::http::StatusCode;
use serde_json::Value;
use time::Duration;
use veche::workflow::queries::{self, AppealRow};

use crate::both_backends;
use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery";
/// Krasnaya Street, Krasnodar.
pub const KRASNODAR: (&str, &str) = ("45.0355", "38.9753");

pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "veche-problems-boundary-41c2";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (field, name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form found on `page`, with the page's CSRF token as its
/// first field (as the form carries it).
pub async fn post_form(
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> crate::helpers::TestResponse {
    // As a browser sends the page's form: the token is its first field,
    // never in the address.
    let token = app.get(page).await.csrf_token();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, files);
    app.post_bytes(action, &ct, body, &[]).await
}

/// Files a report as the signed-in user.
pub async fn file(
    app: &TestApp,
    category: &str,
    (lat, lon): (&str, &str),
    description: &str,
    files: &[(&str, &str, Vec<u8>)],
) -> crate::helpers::TestResponse {
    post_form(
        app,
        "/problems/new",
        "/problems/new",
        &[
            ("category", category),
            ("lat", lat),
            ("lon", lon),
            ("address", "Краснодар, ул. Красная, 122"),
            ("description", description),
            ("not_duplicate", "on"),
        ],
        files,
    )
    .await
}

pub fn id_from(r: &crate::helpers::TestResponse) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location();
    loc.trim_start_matches("/problems/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no id in {loc}"))
}

/// Performs a lifecycle action from the report page.
pub async fn act(
    app: &TestApp,
    id: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> crate::helpers::TestResponse {
    let page = format!("/problems/{id}");
    post_form(app, &page, &format!("/problems/{id}/action"), fields, files).await
}

pub async fn appeal(app: &TestApp, id: i64) -> AppealRow {
    queries::appeal(&app.state.db, id).await.unwrap().unwrap()
}

pub async fn sign_in_as(app: &TestApp, email: &str) {
    app.clear_cookies();
    let r = app.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

pub async fn citizen(app: &TestApp, email: &str, name: &str) -> i64 {
    app.clear_cookies();
    app.register_confirmed(email, name, PASSWORD).await
}

pub async fn set(app: &TestApp, key: &str, value: &str) {
    let mut tx = app.state.db.begin().await.unwrap();
    queries::set_setting(&mut tx, key, value).await.unwrap();
    tx.commit().await.unwrap();
}

/// Moves a report's clocks, as if time had passed.
pub async fn shift(app: &TestApp, id: i64, f: impl FnOnce(&mut AppealRow)) {
    let mut a = appeal(app, id).await;
    f(&mut a);
    let mut tx = app.state.db.begin().await.unwrap();
    queries::save_appeal(&mut tx, &a).await.unwrap();
    tx.commit().await.unwrap();
}

/// Category, point, description, photos, and the message expected.
type BadCase = (
    &'static str,
    (&'static str, &'static str),
    &'static str,
    Vec<(&'static str, &'static str, Vec<u8>)>,
    &'static str,
);

async fn count(app: &TestApp) -> i64 {
    queries::count_appeals(
        &app.state.db,
        &queries::AppealFilter {
            kind: "problem".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn event_kinds(app: &TestApp, id: i64) -> Vec<String> {
    queries::events(&app.state.db, id, true)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

both_backends!(
    a_report_goes_from_the_citizen_to_the_department_and_back,
    |app| {
        // The reporter files with a photo; pre-moderation is on by default.
        citizen(&app, "olga@example.ru", "Ольга Смирнова").await;
        sign_in_as(&app, "olga@example.ru").await;
        let form = app.get("/problems/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("Яма на дороге (муниципальная)"),
            "categories are marked by responsibility"
        );
        let r = file(
            &app,
            "road-pothole",
            KRASNODAR,
            "Глубокая яма у остановки «Красная площадь», машины объезжают по встречной.",
            &[("photos", "yama.jpg", jpeg(1200, 900))],
        )
        .await;
        let id = id_from(&r);
        let page = app.get(r.location()).await;
        assert!(
            page.body.contains("Спасибо! Обращение принято."),
            "{}",
            page.body
        );
        assert!(page.body.contains("на модерации"));
        let a = appeal(&app, id).await;
        assert_eq!(a.state, "submitted");
        assert_eq!(a.municipality_id, "krasnodar");
        assert_eq!(
            a.organisation_id.as_deref(),
            Some("admin-krasnodar"),
            "a municipal category goes to the municipality's administration"
        );

        // Not public yet: others do not see it.
        app.clear_cookies();
        assert_eq!(
            app.get(&format!("/problems/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(
            !app.get("/problems")
                .await
                .body
                .contains(&format!("/problems/{id}\""))
        );

        // A moderator publishes it: the SLA clock starts.
        app.signed_in_admin().await;
        let queue = app.get("/moderation/problems").await;
        assert!(
            queue.body.contains(&format!("/problems/{id}\"")),
            "the moderators' queue lists it"
        );
        let r = act(&app, id, &[("action", "approve")], &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = appeal(&app, id).await;
        assert_eq!(a.state, "published");
        assert_eq!(
            a.due_at.unwrap() - a.published_at.unwrap(),
            Duration::days(10),
            "calendar days by default"
        );

        // The department's officer sees it in the workspace and answers.
        let officer = citizen(&app, "officer@krd.ru", "Пётр Иванов").await;
        app.make_officer(officer, "admin-krasnodar").await;
        sign_in_as(&app, "officer@krd.ru").await;
        let ws = app.get("/workspace/problems").await;
        assert_eq!(ws.status, StatusCode::OK);
        assert!(ws.body.contains(&format!("/problems/{id}\"")));
        let page = app.get(&format!("/problems/{id}")).await;
        assert!(
            page.body.contains("Ольга Смирнова") && page.body.contains("olga@example.ru"),
            "the department sees the reporter"
        );
        assert_eq!(
            act(&app, id, &[("action", "accept")], &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let r = act(
            &app,
            id,
            &[
                ("action", "resolve"),
                ("text", "Яма заделана литым асфальтом 24 ноября."),
            ],
            &[("photos", "done.jpg", jpeg(800, 600))],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = appeal(&app, id).await;
        assert_eq!(a.state, "resolved");
        assert!(a.reacted_at.is_some());

        // The public sees the answer, the timeline and both photos.
        app.clear_cookies();
        let page = app.get(&format!("/problems/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("Яма заделана литым асфальтом 24 ноября.")
        );
        for step in [
            "Обращение подано",
            "Опубликовано и направлено в ведомство",
            "Взято в работу",
            "Решено",
        ] {
            assert!(page.body.contains(step), "timeline lacks {step}");
        }
        assert_eq!(
            page.body.matches("-thumb.jpg").count(),
            2,
            "the report's photo and the answer's photo"
        );
        assert!(
            page.body.contains("Ольга Смирнова"),
            "the reporter did not ask to hide her name"
        );
        assert!(
            !page.body.contains("olga@example.ru"),
            "the public never sees the e-mail"
        );

        // The reporter was told of each public step, in the site and by mail.
        app.run_workers().await;
        let mails: Vec<_> = app
            .mailbox()
            .into_iter()
            .filter(|m| m.to == "olga@example.ru" && m.subject.contains(&format!("№{id}")))
            .collect();
        assert!(
            mails.iter().any(|m| m.body.contains("дан ответ: решено")),
            "{:?}",
            mails.iter().map(|m| &m.body).collect::<Vec<_>>()
        );
        sign_in_as(&app, "olga@example.ru").await;
        // The header shows what waits unread, on every page.
        let home = app.get("/").await;
        assert!(
            home.body.contains("class=\"badge badge-count\""),
            "{}",
            home.body
        );
        assert!(
            home.body.contains("непрочитанн"),
            "the count is said in words too"
        );
        let n = app.get("/account/notifications").await;
        assert!(n.body.contains(&format!("Обращение №{id} опубликовано")));
        assert!(n.body.contains(&format!("Обращение №{id} взято в работу")));
        assert!(!n.body.contains("badge-count"), "read now: the badge goes");
        assert!(!app.get("/").await.body.contains("badge-count"));

        // She disputes within 14 days: reopened, with a new deadline.
        let r = act(
            &app,
            id,
            &[
                ("action", "dispute"),
                ("text", "Яму засыпали щебнем, через день она вернулась."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = appeal(&app, id).await;
        assert_eq!(a.state, "reopened");
        assert!(a.due_at.unwrap() > crate::helpers::now_plus(Duration::days(9)));

        // The officer plans the repair: a reaction with a date and a budget line.
        sign_in_as(&app, "officer@krd.ru").await;
        let date = (time::OffsetDateTime::now_utc() + Duration::days(40)).date();
        let date = format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        );
        let r = act(
            &app,
            id,
            &[
                ("action", "plan"),
                ("date", &date),
                ("budget", "Муниципальная программа «Дороги», 2027"),
                ("text", "Участок включён в план капитального ремонта."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get(&format!("/problems/{id}")).await;
        // The date as people write it (ДД.ММ.ГГГГ), not the form's ISO.
        let shown = format!("{}.{}.{}", &date[8..10], &date[5..7], &date[0..4]);
        assert!(
            page.body.contains(&shown)
                && page.body.contains("Муниципальная программа «Дороги», 2027"),
            "{}",
            page.body
        );
        assert_eq!(appeal(&app, id).await.state, "planned");
    }
);

both_backends!(transitions_not_allowed_change_nothing, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "author@example.ru", "Автор").await;
    sign_in_as(&app, "author@example.ru").await;
    let id = id_from(
        &file(
            &app,
            "street-lighting",
            KRASNODAR,
            "Не горит фонарь во дворе дома 5.",
            &[],
        )
        .await,
    );
    assert_eq!(
        appeal(&app, id).await.state,
        "published",
        "without pre-moderation a report is public at once"
    );
    let before = event_kinds(&app, id).await;

    // The reporter cannot answer for the department or moderate.
    let r = act(
        &app,
        id,
        &[("action", "resolve"), ("text", "Сам починил")],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.contains("Это действие выполняет другая сторона"),
        "{}",
        r.body
    );
    assert_eq!(
        act(&app, id, &[("action", "hide"), ("text", "не хочу")], &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Another citizen cannot either.
    citizen(&app, "other@example.ru", "Другой").await;
    sign_in_as(&app, "other@example.ru").await;
    assert_eq!(
        act(&app, id, &[("action", "accept")], &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&app, id, &[("action", "dispute"), ("text", "x")], &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The officer of another organisation may not touch it.
    let stranger = citizen(&app, "stranger@kuban.ru", "Чужой").await;
    app.make_officer(stranger, "min-health").await;
    sign_in_as(&app, "stranger@kuban.ru").await;
    assert_eq!(
        act(&app, id, &[("action", "resolve"), ("text", "Не наше")], &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The right officer, but a move the state does not allow, or bad input.
    let org = appeal(&app, id).await.organisation_id.unwrap();
    let officer = citizen(&app, "officer@example.ru", "Сотрудник").await;
    app.make_officer(officer, &org).await;
    sign_in_as(&app, "officer@example.ru").await;
    let r = act(&app, id, &[("action", "approve")], &[]).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "publishing is a moderator's job"
    );
    let r = act(&app, id, &[("action", "dispute"), ("text", "x")], &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = act(&app, id, &[("action", "resolve"), ("text", "   ")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Заполните поле «что сделано»"),
        "{}",
        r.body
    );
    let r = act(
        &app,
        id,
        &[
            ("action", "plan"),
            ("date", "2020-01-01"),
            ("text", "Когда-нибудь"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("должна быть в будущем"));
    let r = act(
        &app,
        id,
        &[("action", "close"), ("reason", "because"), ("text", "x")],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = act(
        &app,
        id,
        &[
            ("action", "refer"),
            ("organisation_id", "no-such-org"),
            ("text", "x"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        act(&app, id, &[("action", "teleport")], &[]).await.status,
        StatusCode::BAD_REQUEST
    );
    let r = act(
        &app,
        id,
        &[("action", "resolve"), ("text", "Починили")],
        &[("photos", "x.pdf", b"%PDF-1.4".to_vec())],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bad photo refuses the whole answer"
    );
    assert_eq!(appeal(&app, id).await.state, "published");
    assert_eq!(event_kinds(&app, id).await, before, "nothing was recorded");

    // Now a real closure, then a move from a closed state: 409.
    let r = act(
        &app,
        id,
        &[
            ("action", "close"),
            ("reason", "duplicate"),
            ("text", "Дубликат обращения №1"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = act(&app, id, &[("action", "resolve"), ("text", "Поздно")], &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body
            .contains("недоступно, пока обращение в состоянии «закрыто»"),
        "{}",
        r.body
    );
    assert_eq!(appeal(&app, id).await.state, "closed");
});

both_backends!(bad_reports_get_clear_errors_and_nothing_is_stored, |app| {
    citizen(&app, "bad@example.ru", "Проверяющий").await;
    sign_in_as(&app, "bad@example.ru").await;
    let cases: Vec<BadCase> = vec![
        (
            "road-pothole",
            ("55.7558", "37.6173"),
            "Яма в Москве",
            vec![],
            "далеко за пределами Краснодарского края",
        ),
        (
            "road-pothole",
            ("44.6", "40.1"),
            "Яма в Майкопе",
            vec![],
            "не входит ни в один из 44 муниципалитетов",
        ),
        (
            "flying-saucers",
            KRASNODAR,
            "НЛО",
            vec![],
            "Такой категории нет",
        ),
        (
            "road-pothole",
            KRASNODAR,
            "   ",
            vec![],
            "Заполните поле «описание проблемы»",
        ),
        (
            "road-pothole",
            KRASNODAR,
            "Яма",
            vec![("photos", "report.pdf", b"%PDF-1.7 not an image".to_vec())],
            "не является фотографией в формате JPEG, PNG или WebP",
        ),
        (
            "road-pothole",
            KRASNODAR,
            "Яма",
            vec![(
                "photos",
                "huge.png",
                crate::helpers::png_header(20_000, 10_000),
            )],
            "слишком большая: 20000×10000 пикселей",
        ),
        ("road-pothole", ("", ""), "Яма", vec![], "Укажите место"),
    ];
    for (category, point, description, files, message) in cases {
        let (lat, lon) = point;
        let r = post_form(
            &app,
            "/problems/new",
            "/problems/new",
            &[
                ("category", category),
                ("lat", lat),
                ("lon", lon),
                ("description", description),
                ("not_duplicate", "on"),
            ],
            &files,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}: {}",
            r.status
        );
        assert!(r.body.contains(message), "expected «{message}» in the page");
        assert!(
            r.body.contains("role=\"alert\""),
            "the error summary is announced"
        );
    }
    let too_many: Vec<(&str, &str, Vec<u8>)> =
        (0..6).map(|_| ("photos", "p.jpg", jpeg(20, 20))).collect();
    let r = file(&app, "road-pothole", KRASNODAR, "Шесть фото", &too_many).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("не больше 5 фотографий"));
    assert_eq!(count(&app).await, 0, "no report was created");
    let photos = app.dir.path().join("media").join("photos");
    assert!(
        std::fs::read_dir(&photos).map(|d| d.count()).unwrap_or(0) == 0,
        "no photo file was kept"
    );

    // Signed out: the form asks to sign in.
    app.clear_cookies();
    let r = app.get("/problems/new").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/auth/login"));
});

both_backends!(a_citizen_supports_a_report_once, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "author@example.ru", "Автор").await;
    sign_in_as(&app, "author@example.ru").await;
    let id = id_from(
        &file(
            &app,
            "waste-containers",
            KRASNODAR,
            "Контейнеры не вывозят неделю.",
            &[],
        )
        .await,
    );
    let r = app
        .submit(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/support"),
            &[],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "one's own report needs no support"
    );

    // Signed out: refused, nothing counted.
    app.clear_cookies();
    let r = app
        .submit("/auth/login", &format!("/problems/{id}/support"), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body.contains("Войти") || r.body.contains("войдите"),
        "{}",
        r.body
    );
    assert_eq!(appeal(&app, id).await.support_count, 0);

    let neighbour = citizen(&app, "neighbour@example.ru", "Сосед").await;
    sign_in_as(&app, "neighbour@example.ru").await;
    let r = app
        .submit(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/support"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(r.location()).await;
    assert!(page.body.contains("Вы поддержали обращение"));
    assert!(
        page.body.contains("id=\"support-count\">1<"),
        "the count is shown"
    );
    let r = app
        .submit(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/support"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Вы уже поддержали это обращение"));
    assert_eq!(appeal(&app, id).await.support_count, 1);

    // While it is open the support can be withdrawn, and given again.
    let page = app.get(&format!("/problems/{id}")).await;
    assert!(page.body.contains("Отозвать поддержку"));
    let r = app
        .submit(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/unsupport"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(appeal(&app, id).await.support_count, 0);
    let page = app.get(&format!("/problems/{id}")).await;
    assert!(
        page.body.contains("id=\"support-count\">0<"),
        "the count follows"
    );
    let r = app
        .submit(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/unsupport"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "nothing to withdraw");
    let r = app
        .submit(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/support"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(appeal(&app, id).await.support_count, 1);

    // The database itself refuses a second support, whatever the code does.
    let mut tx = app.state.db.begin().await.unwrap();
    let dup = veche::on_tx!(&mut tx, |conn| sqlx::query(
        "insert into appeal_support (appeal_id, account_id, created_at) values ($1, $2, $3)"
    )
    .bind(id)
    .bind(neighbour)
    .bind(time::OffsetDateTime::now_utc())
    .execute(conn)
    .await
    .map(|r| r.rows_affected()));
    assert!(dup.is_err(), "the primary key forbids a second support");
    drop(tx);

    // Supporters follow: they hear of the answer.
    let org = appeal(&app, id).await.organisation_id.unwrap();
    let officer = citizen(&app, "officer@example.ru", "Сотрудник").await;
    app.make_officer(officer, &org).await;
    sign_in_as(&app, "officer@example.ru").await;
    act(
        &app,
        id,
        &[("action", "resolve"), ("text", "Вывезли.")],
        &[],
    )
    .await;
    app.run_workers().await;
    assert!(
        app.mailbox()
            .iter()
            .any(|m| m.to == "neighbour@example.ru" && m.body.contains("решено"))
    );

    // Resolved: support is no longer given or withdrawn, and the page says so.
    sign_in_as(&app, "neighbour@example.ru").await;
    let page = app.get(&format!("/problems/{id}")).await;
    assert!(
        page.body.contains("поддержка больше не собирается"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("/problems/{id}/unsupport")));
    for path in ["support", "unsupport"] {
        let r = app
            .submit(
                &format!("/problems/{id}"),
                &format!("/problems/{id}/{path}"),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}");
        assert!(r.body.contains("только пока оно открыто"), "{}", r.body);
    }
    assert_eq!(appeal(&app, id).await.support_count, 1);
    // Signed out, a closed request does not invite to sign in and support.
    let cookie = app.cookie("veche_session").unwrap();
    app.clear_cookies();
    let page = app.get(&format!("/problems/{id}")).await;
    assert!(page.body.contains("поддержка больше не собирается"));
    assert!(
        !page.body.contains("Войдите, чтобы поддержать"),
        "{}",
        page.body
    );
    app.set_cookie("veche_session", &cookie);

    // The list sorts by support.
    sign_in_as(&app, "author@example.ru").await;
    let other = id_from(
        &file(
            &app,
            "street-lighting",
            ("45.04", "38.98"),
            "Темно на улице.",
            &[],
        )
        .await,
    );
    let list = app.get("/problems?sort=support").await.body;
    let (a, b) = (
        list.find(&format!("/problems/{id}\"")).unwrap(),
        list.find(&format!("/problems/{other}\"")).unwrap(),
    );
    assert!(a < b, "the supported report comes first");
    // The count reads as a label, whatever the number («0 поддержали» read
    // wrong).
    assert!(
        list.contains("Поддержали: 1") && list.contains("Поддержали: 0"),
        "{list}"
    );
    assert!(!list.contains(" поддержали<") && !list.contains("0 поддержали"));
});

both_backends!(
    routing_follows_the_table_and_referrals_are_recorded,
    |app| {
        set(&app, "premoderation", "off").await;
        // The administrator sends lighting in Sochi to the regional energy ministry.
        app.signed_in_admin().await;
        let r = app
            .submit(
                "/admin/problems/routing",
                "/admin/problems/routing/rule",
                &[
                    ("category", "street-lighting"),
                    ("municipality", "sochi"),
                    ("organisation_id", "min-energy-housing"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = app.get("/admin/problems/routing").await;
        assert!(page.body.contains("Сочи"));
        let r = app
            .submit(
                "/admin/problems/routing",
                "/admin/problems/routing/rule",
                &[
                    ("category", "street-lighting"),
                    ("municipality", "atlantis"),
                    ("organisation_id", "min-energy-housing"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        citizen(&app, "sochi@example.ru", "Житель Сочи").await;
        sign_in_as(&app, "sochi@example.ru").await;
        let sochi = ("43.5855", "39.7231");
        let id = id_from(
            &file(
                &app,
                "street-lighting",
                sochi,
                "Не горят фонари на Курортном проспекте.",
                &[],
            )
            .await,
        );
        assert_eq!(
            appeal(&app, id).await.organisation_id.as_deref(),
            Some("min-energy-housing")
        );
        let id2 = id_from(
            &file(
                &app,
                "street-lighting",
                KRASNODAR,
                "Не горят фонари на Красной.",
                &[],
            )
            .await,
        );
        assert_eq!(
            appeal(&app, id2).await.organisation_id.as_deref(),
            Some("admin-krasnodar"),
            "no rule: the municipality's administration"
        );
        let id3 = id_from(
            &file(
                &app,
                "regional-road",
                KRASNODAR,
                "Разрушено ограждение на трассе.",
                &[],
            )
            .await,
        );
        assert_eq!(
            appeal(&app, id3).await.organisation_id.as_deref(),
            Some("min-transport"),
            "a regional category goes to its default department"
        );

        // The ministry refers it to the city with a reason.
        let officer = citizen(&app, "energy@kuban.ru", "Энергетик").await;
        app.make_officer(officer, "min-energy-housing").await;
        sign_in_as(&app, "energy@kuban.ru").await;
        let r = act(
            &app,
            id,
            &[
                ("action", "refer"),
                ("organisation_id", "admin-sochi"),
                ("text", "Сети уличного освещения — муниципальные."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = appeal(&app, id).await;
        assert_eq!(a.organisation_id.as_deref(), Some("admin-sochi"));
        assert_eq!(a.state, "published", "a referral does not change the state");
        let page = app.get(&format!("/problems/{id}")).await;
        assert!(
            page.body.contains("Передано в другую организацию")
                && page
                    .body
                    .contains("Сети уличного освещения — муниципальные.")
        );
        // The ministry no longer handles it; the city does.
        assert_eq!(
            act(&app, id, &[("action", "accept")], &[]).await.status,
            StatusCode::FORBIDDEN
        );
        let city = citizen(&app, "city@sochi.ru", "Горадминистрация").await;
        app.make_officer(city, "admin-sochi").await;
        sign_in_as(&app, "city@sochi.ru").await;
        assert!(
            app.get("/workspace/problems")
                .await
                .body
                .contains(&format!("/problems/{id}\""))
        );
    }
);

both_backends!(deadlines_remind_escalate_and_show_overdue, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "driver@example.ru", "Водитель").await;
    sign_in_as(&app, "driver@example.ru").await;
    let id = id_from(
        &file(
            &app,
            "regional-road",
            KRASNODAR,
            "Провал асфальта на трассе А-146.",
            &[],
        )
        .await,
    );
    let officer = citizen(&app, "transport@kuban.ru", "Минтранс").await;
    app.make_officer(officer, "min-transport").await;
    let supervisor = citizen(&app, "vice@kuban.ru", "Вице-губернатор").await;
    app.make_officer(supervisor, "vg-infrastructure").await;

    // Nothing is due yet: the sweep does nothing.
    assert_eq!(
        veche::workflow::sweeper::sweep(&app.state).await.unwrap(),
        0
    );
    // A day before the deadline: the department is reminded, once.
    shift(&app, id, |a| {
        a.due_at = Some(time::OffsetDateTime::now_utc() + Duration::days(1))
    })
    .await;
    assert_eq!(
        veche::workflow::sweeper::sweep(&app.state).await.unwrap(),
        1
    );
    assert_eq!(
        veche::workflow::sweeper::sweep(&app.state).await.unwrap(),
        0,
        "a reminder is sent once"
    );
    app.run_workers().await;
    assert!(
        app.mailbox()
            .iter()
            .any(|m| m.to == "transport@kuban.ru" && m.body.contains("Напоминание"))
    );
    assert!(
        !app.mailbox()
            .iter()
            .any(|m| m.to == "vice@kuban.ru" && m.body.contains("Просрочен")),
        "no escalation before the deadline"
    );

    // The deadline passes without a reaction: overdue everywhere, escalated.
    shift(&app, id, |a| {
        a.due_at = Some(time::OffsetDateTime::now_utc() - Duration::hours(1))
    })
    .await;
    assert_eq!(
        veche::workflow::sweeper::sweep(&app.state).await.unwrap(),
        1
    );
    app.run_workers().await;
    assert!(
        app.mailbox()
            .iter()
            .any(|m| m.to == "vice@kuban.ru" && m.body.contains("Просрочен ответ"))
    );
    let kinds = event_kinds(&app, id).await;
    assert!(kinds.contains(&"reminded".to_owned()) && kinds.contains(&"escalated".to_owned()));
    app.clear_cookies();
    let page = app.get(&format!("/problems/{id}")).await;
    assert!(page.body.contains("Срок ответа прошёл, ответа нет."));
    assert!(
        !page.body.contains("Ведомству отправлено напоминание"),
        "internal events stay internal"
    );
    // Staff see them on the same page, in the timeline.
    app.signed_in_admin().await;
    let staff = app.get(&format!("/problems/{id}")).await.body;
    let (timeline, reminded) = (
        staff.find("class=\"timeline\"").expect("a timeline"),
        staff
            .find("Ведомству отправлено напоминание о сроке")
            .expect("staff see the internal reminder"),
    );
    assert!(timeline < reminded, "{staff}");
    app.clear_cookies();
    let overdue = app.get("/problems?overdue=on").await;
    assert!(overdue.body.contains(&format!("/problems/{id}\"")));
    let stats = app.get("/problems/departments/min-transport").await;
    assert!(
        stats.body.contains("id=\"fig-overdue\">1<"),
        "the department's page counts it"
    );
    let krai = app.get("/problems/stats").await;
    assert!(krai.body.contains("Министерство транспорта"));

    // A late answer ends the overdue state; the figures show it was late.
    sign_in_as(&app, "transport@kuban.ru").await;
    act(
        &app,
        id,
        &[("action", "resolve"), ("text", "Провал заделан.")],
        &[],
    )
    .await;
    app.clear_cookies();
    let stats = app.get("/problems/departments/min-transport").await;
    assert!(stats.body.contains("id=\"fig-overdue\">0<"));
    assert!(
        stats.body.contains("id=\"fig-on-time\">0 %<"),
        "answered, but late"
    );

    // Working days: ten of them span at least twelve calendar days.
    app.signed_in_admin().await;
    let r = app
        .submit(
            "/admin/problems",
            "/admin/problems",
            &[("premoderation", "on"), ("sla_mode", "working")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    set(&app, "premoderation", "off").await;
    sign_in_as(&app, "driver@example.ru").await;
    let id2 = id_from(
        &file(
            &app,
            "regional-road",
            ("45.05", "38.99"),
            "Ещё один провал.",
            &[],
        )
        .await,
    );
    let a = appeal(&app, id2).await;
    assert!(a.due_at.unwrap() - a.published_at.unwrap() >= Duration::days(12));
});

both_backends!(clarifications_go_back_and_forth_and_expire, |app| {
    citizen(&app, "vague@example.ru", "Неясный").await;
    sign_in_as(&app, "vague@example.ru").await;
    let id = id_from(&file(&app, "road-pothole", KRASNODAR, "Там яма.", &[]).await);
    app.signed_in_admin().await;
    let r = act(
        &app,
        id,
        &[
            ("action", "ask"),
            ("text", "Укажите, пожалуйста, номер дома."),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(appeal(&app, id).await.state, "needs_clarification");
    sign_in_as(&app, "vague@example.ru").await;
    let page = app.get(&format!("/problems/{id}")).await;
    assert!(page.body.contains("Укажите, пожалуйста, номер дома."));
    let r = act(
        &app,
        id,
        &[("action", "answer"), ("text", "Напротив дома 15.")],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        appeal(&app, id).await.state,
        "submitted",
        "back where the question was asked"
    );

    // Asked again and not answered in 3 days: rejected, the reporter told.
    app.signed_in_admin().await;
    act(
        &app,
        id,
        &[("action", "ask"), ("text", "Приложите фото.")],
        &[],
    )
    .await;
    shift(&app, id, |a| {
        a.clarification_due_at = Some(time::OffsetDateTime::now_utc() - Duration::minutes(1))
    })
    .await;
    assert_eq!(
        veche::workflow::sweeper::sweep(&app.state).await.unwrap(),
        1
    );
    assert_eq!(appeal(&app, id).await.state, "rejected");
    sign_in_as(&app, "vague@example.ru").await;
    assert!(
        app.get("/account/notifications")
            .await
            .body
            .contains("отклонено")
    );
});

both_backends!(lists_filter_and_the_map_gets_geojson, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "many@example.ru", "Активист").await;
    sign_in_as(&app, "many@example.ru").await;
    let krd = id_from(
        &file(
            &app,
            "road-pothole",
            KRASNODAR,
            "Яма в Краснодаре.",
            &[("photos", "a.jpg", jpeg(300, 200))],
        )
        .await,
    );
    let sochi = id_from(
        &file(
            &app,
            "street-lighting",
            ("43.5855", "39.7231"),
            "Темно в Сочи.",
            &[],
        )
        .await,
    );
    app.clear_cookies();
    let by_mun = app.get("/problems?municipality=sochi").await.body;
    assert!(
        by_mun.contains(&format!("/problems/{sochi}\""))
            && !by_mun.contains(&format!("/problems/{krd}\""))
    );
    let by_cat = app.get("/problems?category=road-pothole").await.body;
    assert!(
        by_cat.contains(&format!("/problems/{krd}\""))
            && !by_cat.contains(&format!("/problems/{sochi}\""))
    );
    assert!(
        app.get("/problems?state=resolved")
            .await
            .body
            .contains("Обращений не найдено.")
    );
    assert_eq!(
        app.get("/problems?category=nonsense").await.status,
        StatusCode::BAD_REQUEST
    );

    // A view around Krasnodar has only the Krasnodar report.
    let r = app
        .get("/api/v1/problems.geojson?bbox=38.9,45.0,39.1,45.1")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/geo+json");
    let j = r.json();
    let ids: Vec<i64> = j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![krd]);
    let p = &j["features"][0]["properties"];
    assert_eq!(p["state"], "published");
    assert!(p["thumbnail"].as_str().unwrap().ends_with("-thumb.jpg"));
    assert!(
        j.to_string().find("many@example.ru").is_none() && !j.to_string().contains("Активист"),
        "no personal data"
    );
    assert_eq!(
        app.get("/api/v1/problems.geojson?bbox=39,45").await.status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        app.get("/api/v1/problems.geojson?bbox=a,b,c,d")
            .await
            .json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("min_lon")
    );

    // Nearby, for the form's duplicate check.
    let near = app
        .get(&format!(
            "/api/v1/problems/nearby?lat={}&lon={}&category=road-pothole",
            "45.0356", "38.9754"
        ))
        .await
        .json();
    assert_eq!(near["reports"][0]["id"], krd);
    assert!(near["reports"][0]["distance_m"].as_f64().unwrap() < 30.0);
    let far = app
        .get("/api/v1/problems/nearby?lat=45.2&lon=38.9&category=road-pothole")
        .await
        .json();
    assert_eq!(far["reports"].as_array().unwrap().len(), 0);

    // The form offers the nearby report instead of a duplicate.
    sign_in_as(&app, "many@example.ru").await;
    let r = post_form(
        &app,
        "/problems/new",
        "/problems/new",
        &[
            ("category", "road-pothole"),
            ("lat", "45.0356"),
            ("lon", "38.9754"),
            ("description", "Та же яма"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Рядом уже сообщили о похожей проблеме")
            && r.body.contains(&format!("/problems/{krd}/support"))
    );
    assert_eq!(
        count(&app).await,
        2,
        "nothing filed until the citizen confirms"
    );

    // Many reports in view: clusters from the server.
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..2100 {
        queries::insert_appeal(
            &mut tx,
            &queries::NewAppeal {
                kind: "problem",
                state: "published",
                category_id: "road-pothole",
                municipality_id: "krasnodar",
                organisation_id: Some("admin-krasnodar"),
                author_id: 1,
                hide_name: false,
                description: "Яма",
                address: "",
                lat: 45.0 + (i % 50) as f64 * 0.002,
                lon: 38.9 + (i / 50) as f64 * 0.002,
                approximate: false,
                published_at: Some(time::OffsetDateTime::now_utc()),
                due_at: None,
                client_key: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let j = app
        .get("/api/v1/problems.geojson?bbox=38.8,44.9,39.2,45.3")
        .await
        .json();
    assert_eq!(j["clustered"], true);
    assert_eq!(j["total"], 2101);
    let sum: i64 = j["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["count"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 2101, "every report is in one cluster");
    assert!(j["features"].as_array().unwrap().len() > 10);
});

both_backends!(feeds_search_and_the_open_dataset_follow_reports, |app| {
    set(&app, "premoderation", "off").await;
    citizen(&app, "feeds@example.ru", "Скрытный Заявитель").await;
    sign_in_as(&app, "feeds@example.ru").await;
    let r = post_form(
        &app,
        "/problems/new",
        "/problems/new",
        &[
            ("category", "road-pothole"),
            ("lat", KRASNODAR.0),
            ("lon", KRASNODAR.1),
            ("address", "ул. Северная, 300"),
            ("description", "Выбоина на пешеходном переходе у школы."),
            ("hide_name", "on"),
            ("not_duplicate", "on"),
        ],
        &[],
    )
    .await;
    let id = id_from(&r);
    app.clear_cookies();
    let page = app.get(&format!("/problems/{id}")).await.body;
    assert!(
        !page.contains("Скрытный Заявитель") && page.contains("имя скрыто по просьбе заявителя")
    );

    // Feeds: RSS and Atom parse and carry the report, per municipality.
    let rss = app
        .get("/problems/feeds/new.rss?municipality=krasnodar")
        .await;
    assert_eq!(
        rss.headers["content-type"],
        "application/rss+xml; charset=utf-8"
    );
    let channel = rss::Channel::read_from(rss.body.as_bytes()).unwrap();
    assert!(channel.items().iter().any(|i| {
        i.link()
            .is_some_and(|l| l.ends_with(&format!("/problems/{id}")))
    }));
    let other = rss::Channel::read_from(
        app.get("/problems/feeds/new.rss?municipality=sochi")
            .await
            .body
            .as_bytes(),
    )
    .unwrap();
    assert!(other.items().is_empty());
    let atom = atom_syndication::Feed::read_from(
        app.get("/problems/feeds/new.atom?category=road-pothole")
            .await
            .body
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(atom.entries().len(), 1);
    let resolved = atom_syndication::Feed::read_from(
        app.get("/problems/feeds/resolved.atom")
            .await
            .body
            .as_bytes(),
    )
    .unwrap();
    assert!(resolved.entries().is_empty(), "nothing resolved yet");
    assert_eq!(
        app.get("/problems/feeds/new.pdf").await.status,
        StatusCode::NOT_FOUND
    );

    // Search finds it once indexed.
    app.run_workers().await;
    let s = app.get("/search?q=выбоина").await.body;
    assert!(
        s.contains(&format!("/problems/{id}")),
        "search finds the report"
    );

    // The open dataset has it, without the reporter.
    let csv = app
        .get(&latest_data_csv(&app, "2312823003-problems").await)
        .await
        .body;
    assert!(
        csv.contains("Выбоина на пешеходном переходе у школы."),
        "{csv}"
    );
    assert!(!csv.contains("Скрытный") && !csv.contains("feeds@example.ru"));
});

/// The path of a dataset's newest data file in CSV, from its passport.
pub async fn latest_data_csv(app: &TestApp, identifier: &str) -> String {
    let meta: Value = app
        .get(&format!("/opendata/{identifier}/meta.json"))
        .await
        .json();
    let url = meta["data"][0]["source"]
        .as_str()
        .expect("a data version in the passport")
        .replace(".json", ".csv");
    url[url.find("/opendata").unwrap()..].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_stored_upright_and_without_metadata() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    set(&app, "premoderation", "off").await;
    citizen(&app, "photo@example.ru", "Фотограф").await;
    sign_in_as(&app, "photo@example.ru").await;
    // A 300 × 200 photo whose EXIF says "rotate 90° clockwise" and carries
    // the place it was taken.
    let photo = crate::helpers::with_exif(&jpeg(300, 200), 6, (45.0355, 38.9753));
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    let id = id_from(
        &file(
            &app,
            "road-pothole",
            KRASNODAR,
            "Яма.",
            &[("photos", "IMG_0001.JPG", photo)],
        )
        .await,
    );
    let key = queries::photos(&app.state.db, id).await.unwrap()[0]
        .media_key
        .clone();
    for size in ["full", "thumb"] {
        let r = app.get(&format!("/media/{key}-{size}.jpg")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "image/jpeg");
        let bytes = std::fs::read(
            app.dir
                .path()
                .join("media")
                .join("photos")
                .join(format!("{key}-{size}.jpg")),
        )
        .unwrap();
        let jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes.clone().into()).unwrap();
        assert!(
            img_parts::ImageEXIF::exif(&jpeg).is_none(),
            "no EXIF in the stored {size}"
        );
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif") && !bytes.windows(3).any(|w| w == b"GPS"),
            "no trace of the metadata"
        );
        let img = image::load_from_memory(&bytes).unwrap();
        assert!(
            img.height() > img.width(),
            "turned upright: portrait, {}×{}",
            img.width(),
            img.height()
        );
    }
    let full = image::load_from_memory(
        &std::fs::read(
            app.dir
                .path()
                .join("media/photos")
                .join(format!("{key}-full.jpg")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!((full.width(), full.height()), (200, 300));
    assert_eq!(
        app.get(&format!("/media/{}-full.jpg", "0".repeat(32)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/media/../../etc/passwd").await.status,
        StatusCode::NOT_FOUND
    );
}

// The actions a report's page offers are exactly those the rules allow:
// for an administrator, a moderator and the routed department's officer, on
// a published report, every action is tried on a fresh report; it goes
// through if and only if the page offered it.
both_backends!(
    the_page_offers_exactly_the_actions_the_rules_allow,
    // 26 reporters sign up and in within a minute.
    config = |c| {
        c.server.login_attempts_per_minute = 1000;
        c.server.account_actions_per_minute = 1000;
        c.server.account_mails_per_minute = 1000;
    },
    |app| {
        const ALL: &[&str] = &[
            "approve", "ask", "answer", "reject", "accept", "refer", "resolve", "plan", "close",
            "dispute", "confirm", "hide", "unhide",
        ];
        let officer = citizen(&app, "officer@krd.ru", "Пётр Иванов").await;
        app.make_officer(officer, "admin-krasnodar").await;
        let d = (time::OffsetDateTime::now_utc() + Duration::days(10)).date();
        let date = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        let offered = |body: &str| -> Vec<String> {
            ALL.iter()
                .filter(|a| body.contains(&format!("name=\"action\" value=\"{a}\"")))
                .map(|a| (*a).to_owned())
                .collect()
        };
        let moderator = citizen(&app, "moderator@krd.ru", "Модератор").await;
        let mut tx = app.state.db.begin().await.unwrap();
        veche::auth::queries::grant_role(
            &mut tx,
            moderator,
            veche::auth::domain::GlobalRole::Moderator,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut seen = std::collections::BTreeMap::new();
        for (who, email) in [
            ("administrator", None),
            ("moderator", Some("moderator@krd.ru")),
            ("officer", Some("officer@krd.ru")),
        ] {
            for action in ALL {
                let reporter = format!("{who}-{action}@example.ru");
                citizen(&app, &reporter, "Житель").await;
                sign_in_as(&app, &reporter).await;
                let id = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма", &[]).await);
                app.clear_cookies();
                app.signed_in_admin().await;
                let r = act(&app, id, &[("action", "approve")], &[]).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
                if let Some(email) = email {
                    sign_in_as(&app, email).await;
                }
                let page = app.get(&format!("/problems/{id}")).await;
                let offers = offered(&page.body);
                let r = act(
                    &app,
                    id,
                    &[
                        ("action", action),
                        ("text", "Текст действия"),
                        ("organisation_id", "min-transport"),
                        ("date", &date),
                        ("reason", "duplicate"),
                    ],
                    &[],
                )
                .await;
                let done = r.status == StatusCode::SEE_OTHER;
                assert_eq!(
                    done,
                    offers.iter().any(|o| o == action),
                    "{who}, {action}: offered {offers:?}, answered {} {}",
                    r.status,
                    r.body
                );
                seen.insert(who, offers);
            }
        }
        // What each is offered on a published report, as a person would check.
        assert_eq!(
            seen["administrator"],
            ["ask", "accept", "refer", "resolve", "plan", "close", "hide"]
        );
        assert_eq!(seen["moderator"], ["ask", "refer", "hide"]);
        assert_eq!(
            seen["officer"],
            ["ask", "accept", "refer", "resolve", "plan", "close"]
        );
    }
);

both_backends!(
    administrators_are_warned_when_the_production_calendar_ends_soon,
    |app| {
        app.signed_in_admin().await;
        let page = app.get("/admin/problems").await;
        assert_eq!(page.status, StatusCode::OK);
        let cal = veche::workflow::sla::russia();
        let last = cal.last.expect("the embedded calendar has days");
        let shown = format!(
            "{:02}.{:02}.{}",
            last.day(),
            u8::from(last.month()),
            last.year()
        );
        assert!(
            page.body.contains(&format!("— {shown}")),
            "the period covered, in ДД.ММ.ГГГГ"
        );
        // The rule (unit-tested at its edges in workflow::sla): within 32 days
        // of the calendar's last day the page warns, naming the day in the
        // Russian spelling and the file to extend.
        let today = time::OffsetDateTime::now_utc().date();
        let near = (last - today).whole_days() <= veche::workflow::sla::WARN_DAYS;
        assert_eq!(
            page.body.contains("id=\"calendar-warning\""),
            near,
            "{}",
            page.body
        );
        if near {
            assert!(
                page.body.contains(&format!("<strong>{shown}</strong>")),
                "{}",
                page.body
            );
            assert!(page.body.contains("production-calendar-ru.csv"));
        }
    }
);

both_backends!(
    a_form_that_comes_back_says_the_photo_must_be_attached_again,
    |app| {
        citizen(&app, "photo@example.ru", "Фото").await;
        sign_in_as(&app, "photo@example.ru").await;
        // An error elsewhere in the form: the page comes back with the text
        // kept and says plainly that the photo must be attached again (a
        // browser cannot refill a file input), rather than dropping it silently.
        let r = file(
            &app,
            "no-such-category",
            KRASNODAR,
            "Яма у подъезда, третий месяц.",
            &[("photos", "yama.jpg", jpeg(800, 600))],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("Прикрепите фотографии ещё раз"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("Яма у подъезда, третий месяц."),
            "the text is kept"
        );
        // Without a photo there is nothing to say about photos.
        let r = file(&app, "no-such-category", KRASNODAR, "Яма у подъезда.", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!r.body.contains("Прикрепите фотографии ещё раз"));
    }
);

both_backends!(
    an_address_only_report_is_marked_approximate_and_is_no_duplicate,
    |app| {
        set(&app, "premoderation", "off").await;
        citizen(&app, "olga@example.ru", "Ольга Смирнова").await;
        sign_in_as(&app, "olga@example.ru").await;
        // No pin: the town named in the address places it, at its centre.
        let first = file(
            &app,
            "road-pothole",
            ("", ""),
            "Яма на Красной у дома 122.",
            &[],
        )
        .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let first = id_from(&first);
        assert!(appeal(&app, first).await.approximate);
        // A second one in the same town and category is not taken for a
        // duplicate of the first: both sit at the town's centre.
        let second = file(
            &app,
            "road-pothole",
            ("", ""),
            "Яма на Северной у рынка.",
            &[],
        )
        .await;
        assert_eq!(
            second.status,
            StatusCode::SEE_OTHER,
            "not offered as a duplicate: {}",
            second.body
        );
        // Nor is an exact report near the centre offered the approximate one.
        let a = appeal(&app, first).await;
        let exact = file(
            &app,
            "road-pothole",
            (&format!("{:.6}", a.lat), &format!("{:.6}", a.lon)),
            "Яма точно здесь, на площади.",
            &[],
        )
        .await;
        assert_eq!(exact.status, StatusCode::SEE_OTHER, "{}", exact.body);
        assert!(!appeal(&app, id_from(&exact)).await.approximate);
        // The page says so, and the map draws an area.
        let page = app.get(&format!("/problems/{first}")).await;
        assert!(
            page.body.contains("Место указано приблизительно"),
            "{}",
            page.body
        );
        assert!(page.body.contains("\"approximate\":true"));
        let exact_page = app.get(&format!("/problems/{}", id_from(&exact))).await;
        assert!(!exact_page.body.contains("Место указано приблизительно"));
        // The open dataset carries the flag.
        app.run_workers().await;
        let rows = app
            .get("/opendata/2312823003-problems/table.json?location_approximate=true&_sort=id")
            .await
            .json();
        let ids: Vec<i64> = rows["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["id"]
                    .as_i64()
                    .unwrap_or_else(|| r["id"].as_str().unwrap().parse().unwrap())
            })
            .collect();
        assert_eq!(ids, [first, id_from(&second)], "{rows}");
    }
);

both_backends!(
    the_form_opens_on_the_citizens_municipality_and_says_who_answers,
    |app| {
        citizen(&app, "olga@example.ru", "Ольга Смирнова").await;
        sign_in_as(&app, "olga@example.ru").await;
        // She lives in Krasnodar (her registration): the map opens there.
        let b = veche::geo::geography().by_id("krasnodar").unwrap().bbox;
        let bbox: Vec<String> = b.iter().map(|x| format!("{x:.5}")).collect();
        let form = app.get("/problems/new").await;
        assert!(
            form.body
                .contains(&format!("data-bbox=\"{}\"", bbox.join(","))),
            "{}",
            form.body
        );
        assert!(form.body.contains("id=\"pick-place\""));
        // A pin in Sochi: the line under the map names the place and who answers.
        let r = app
            .get("/api/v1/problems/nearby?lat=43.5855&lon=39.7231&category=road-pothole")
            .await
            .json();
        assert_eq!(r["place"]["municipality"], "Сочи", "{r}");
        assert_eq!(r["place"]["answers"], "Администрация Сочи", "{r}");
        // In English (the language cookie), without a category.
        app.set_cookie("veche_lang", "en");
        let r = app
            .get("/api/v1/problems/nearby?lat=43.5855&lon=39.7231")
            .await
            .json();
        assert_eq!(
            r["place"]["answers"],
            serde_json::Value::Null,
            "no category, no answerer: {r}"
        );
        assert!(
            r["place"]["municipality"]
                .as_str()
                .unwrap()
                .contains("Sochi"),
            "{r}"
        );
    }
);

both_backends!(long_lists_offer_a_search_box, |app| {
    // The 44 municipalities of the list's filter: a search box is added by
    // the page's script, labelled with what it searches.
    let page = app.get("/problems").await;
    assert!(
        page.body.contains("data-filter=\"Найти в списке «"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("/js/select-filter."),
        "the script is on every page"
    );
    // Short lists stay plain.
    let form = app.get("/auth/register").await;
    assert!(
        !form.body.contains("data-filter=\"Найти в списке «Язык"),
        "{}",
        form.body
    );
});
