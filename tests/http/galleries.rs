//! Galleries through HTTP: a citizen's album with a photo carrying camera
//! metadata (stripped), its page, map and report buttons, the API and the
//! search; refusals (a place outside the krai, another person's album,
//! hostile input); an officer's album for their organisation; and a
//! moderator hiding a photo and an album.

use axum::http::StatusCode;
use veche::participation::social::moderation::{self, Item};

use crate::both_backends;
use crate::helpers::{TestApp, TestResponse, with_exif};
use crate::problems::{KRASNODAR, citizen, jpeg, post_form, sign_in_as};

async fn create_album(app: &TestApp, fields: &[(&str, &str)]) -> TestResponse {
    app.submit("/galleries/new", "/galleries", fields).await
}

fn album_id(r: &TestResponse) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/galleries/")
        .split(['#', '?'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no album in {}", r.location()))
}

async fn upload(
    app: &TestApp,
    album: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> TestResponse {
    let page = format!("/galleries/{album}");
    post_form(app, &page, &format!("{page}/photos"), fields, files).await
}

async fn moderator(app: &TestApp) -> veche::auth::CurrentUser {
    let id = citizen(app, "moderator@krd.example", "Модератор Мария").await;
    let mut tx = app.state.db.begin().await.unwrap();
    veche::auth::queries::grant_role(&mut tx, id, veche::auth::domain::GlobalRole::Moderator)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    veche::auth::CurrentUser::for_account(&app.state.db, id)
        .await
        .unwrap()
        .unwrap()
}

/// The path of an absolute URL the API gives.
fn path_of(url: &str) -> String {
    url[url.find("/media/").unwrap()..].to_owned()
}

both_backends!(a_citizens_album_with_a_photo, |app| {
    citizen(&app, "anna@krd.example", "Анна Фотограф").await;
    sign_in_as(&app, "anna@krd.example").await;
    let album = album_id(
        &create_album(
            &app,
            &[
                ("title", "Сквер у реки: до и после"),
                ("description", "Как менялся сквер за лето."),
                ("municipality_id", "krasnodar"),
            ],
        )
        .await,
    );
    // A phone photo: EXIF with the camera's orientation and GPS position.
    let photo = with_exif(&jpeg(300, 200), 6, (45.0355, 38.9753));
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    let r = upload(
        &app,
        album,
        &[
            ("caption_1", "Новая аллея с фонарями"),
            ("lat_1", KRASNODAR.0),
            ("lon_1", KRASNODAR.1),
            ("taken_on_1", "2025-06-01"),
        ],
        &[("photo_1", "IMG_0001.JPG", photo)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().contains("#photo-"), "{}", r.location());

    // The page, signed out: the photo with its caption, date and place
    // (as text, a link to OpenStreetMap and a map marker), report buttons
    // on the album and on the photo, and no upload form.
    app.clear_cookies();
    let page = app.get(&format!("/galleries/{album}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(b.contains("Сквер у реки: до и после"));
    assert!(b.contains("Новая аллея с фонарями"));
    assert!(b.contains("01.06.2025"));
    assert!(b.contains("45.03550, 38.97530"));
    assert!(b.contains("openstreetmap.org/?mlat=45.0355"));
    assert!(b.contains("data-geojson-inline=\"album-places\""));
    assert!(b.contains("Анна Фотограф") && b.contains("/people/"));
    let photo_id: i64 = app
        .scalar(&format!(
            "select photo_id from album_photo where album_id = {album}"
        ))
        .await;
    assert!(
        b.contains(&format!(
            "name=\"item\" value=\"photo\"><input type=\"hidden\" name=\"id\" value=\"{photo_id}\""
        )),
        "{b}"
    );
    assert!(b.contains("name=\"item\" value=\"album\""));
    assert!(
        b.contains(&format!("id=\"photo-{photo_id}\"")),
        "the photo's anchor"
    );
    assert!(
        b.contains("<label for=\"flag-photo-"),
        "the report form is labelled"
    );
    assert!(!b.contains("/photos\""), "no upload form for a reader");

    // The list and the API.
    let list = app.get("/galleries").await;
    assert!(list.body.contains(&format!("/galleries/{album}")));
    assert!(list.body.contains("1 фотография"));
    let filtered = app.get("/galleries?municipality=sochi").await;
    assert!(!filtered.body.contains(&format!("/galleries/{album}")));
    let api = app
        .get("/api/v1/albums?municipality=krasnodar&limit=5")
        .await
        .json();
    assert_eq!(api["albums"][0]["id"], album);
    assert_eq!(api["albums"][0]["photo_count"], 1);
    let one = app.get(&format!("/api/v1/albums/{album}")).await.json();
    let p = &one["photos"][0];
    assert_eq!(p["caption"], "Новая аллея с фонарями");
    assert_eq!(p["taken_on"], "2025-06-01");
    assert!((p["lat"].as_f64().unwrap() - 45.0355).abs() < 1e-6);
    assert!(
        one.to_string().find("Анна").is_none(),
        "the API names nobody"
    );
    assert_eq!(
        app.get("/api/v1/albums?limit=1000").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let doc = app.get("/api/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/albums/{id}"].is_object());

    // The served photo: upright, without any metadata.
    for size in ["full", "thumb"] {
        let url = p[size].as_str().unwrap();
        let r = app.get(&path_of(url)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.bytes.windows(4).any(|w| w == b"Exif") && !r.bytes.windows(3).any(|w| w == b"GPS")
        );
        let img = image::load_from_memory(&r.bytes).unwrap();
        assert!(img.height() > img.width(), "turned upright");
    }

    // The search finds it by a caption; nobody's name is in it.
    app.run_workers().await;
    let found = app.get("/search?q=аллея").await;
    assert!(
        found.body.contains(&format!("/galleries/{album}")),
        "{}",
        found.body
    );
    let by_name = app.get("/search?q=Фотограф").await;
    assert!(!by_name.body.contains(&format!("/galleries/{album}")));
});

both_backends!(refusals_and_hostile_input, |app| {
    citizen(&app, "owner@krd.example", "Олег Владелец").await;
    sign_in_as(&app, "owner@krd.example").await;
    let album = album_id(&create_album(&app, &[("title", "Мой двор")]).await);

    // A place outside the krai: 422, nothing stored.
    let r = upload(
        &app,
        album,
        &[
            ("caption_1", "Москва"),
            ("lat_1", "55.7558"),
            ("lon_1", "37.6173"),
        ],
        &[("photo_1", "a.jpg", jpeg(64, 48))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Прикрепите фотографии ещё раз"));
    // A caption too long, a date in the future, a caption without a photo.
    let long = "я".repeat(501);
    let r = upload(
        &app,
        album,
        &[
            ("caption_1", &long),
            ("taken_on_2", "2999-01-01"),
            ("caption_3", "без файла"),
        ],
        &[
            ("photo_1", "a.jpg", jpeg(64, 48)),
            ("photo_2", "b.jpg", jpeg(64, 48)),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("длиннее 500"));
    // No photo at all; a file that is not an image.
    let r = upload(&app, album, &[("caption_1", "")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(
        &app,
        album,
        &[],
        &[("photo_1", "x.jpg", b"not an image".to_vec())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(app.scalar("select count(*) from album_photo").await, 0);
    let stored = std::fs::read_dir(app.dir.path().join("media").join("photos"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "files of a refused upload are not kept");

    // A broken multipart body: a 4xx, not a 500.
    let token = app.get(&format!("/galleries/{album}")).await.csrf_token();
    let body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--b\r\nContent-Disposition: form-data; name=\"photo_1\"; filename=\"a.jpg\"\r\n\r\ntrunc"
    );
    let r = app
        .post_bytes(
            &format!("/galleries/{album}/photos"),
            "multipart/form-data; boundary=b",
            body.into_bytes(),
            &[],
        )
        .await;
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    // Bad album forms and addresses.
    let r = create_album(&app, &[("title", ""), ("municipality_id", "atlantis")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = create_album(
        &app,
        &[
            ("title", "Чужое ведомство"),
            ("organisation_id", "min-construction"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.get("/galleries/abc").await.status.is_client_error());
    assert_eq!(
        app.get("/galleries/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.get("/galleries?page=x").await.status.is_client_error());

    // Somebody else's album: 403, and no upload form on its page.
    citizen(&app, "other@krd.example", "Ольга Другая").await;
    sign_in_as(&app, "other@krd.example").await;
    let page = app.get(&format!("/galleries/{album}")).await;
    assert!(!page.body.contains("/photos\""));
    let r = upload(&app, album, &[], &[("photo_1", "a.jpg", jpeg(64, 48))]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Signed out: sent to sign in, nothing written.
    app.clear_cookies();
    let r = upload(&app, album, &[], &[("photo_1", "a.jpg", jpeg(64, 48))]).await;
    assert!(
        r.status.is_redirection() || r.status.is_client_error(),
        "{}",
        r.status
    );
    assert_eq!(app.scalar("select count(*) from album_photo").await, 0);
});

both_backends!(an_officers_album_and_moderation, |app| {
    let officer = citizen(&app, "builder@krd.example", "Прораб Пётр").await;
    app.make_officer(officer, "min-construction").await;
    sign_in_as(&app, "builder@krd.example").await;
    assert!(
        app.get("/galleries/new")
            .await
            .body
            .contains("name=\"organisation_id\"")
    );
    let album = album_id(
        &create_album(
            &app,
            &[
                ("title", "Стройка школы"),
                ("organisation_id", "min-construction"),
            ],
        )
        .await,
    );
    let r = upload(
        &app,
        album,
        &[("caption_1", "Котлован"), ("caption_2", "Фундамент")],
        &[
            ("photo_1", "a.jpg", jpeg(64, 48)),
            ("photo_2", "b.jpg", jpeg(64, 48)),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&format!("/galleries/{album}")).await;
    assert!(page.body.contains("/organisations/min-construction"));
    assert_eq!(
        page.body.matches("name=\"item\" value=\"photo\"").count(),
        2
    );

    let (hidden, kept): (i64, i64) = (
        app.scalar(&format!(
            "select min(photo_id) from album_photo where album_id = {album}"
        ))
        .await,
        app.scalar(&format!(
            "select max(photo_id) from album_photo where album_id = {album}"
        ))
        .await,
    );
    let key = |id: i64| format!("select media_key from album_photo where photo_id = {id}");
    let mut tx = app.state.db.begin().await.unwrap();
    let hidden_key: String = veche::on_tx!(&mut tx, |c| sqlx::query_scalar::<_, String>(
        sqlx::AssertSqlSafe(key(hidden))
    )
    .fetch_one(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    let moderator = moderator(&app).await;
    moderation::decide(
        &app.state,
        &moderator,
        Item::Photo,
        hidden,
        true,
        "Посторонние люди в кадре",
    )
    .await
    .unwrap();

    // The public: the photo's file is gone, and so is it from the page and the API.
    app.clear_cookies();
    assert_eq!(
        app.get(&format!("/media/{hidden_key}-full.jpg"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = app.get(&format!("/galleries/{album}")).await;
    assert!(!page.body.contains("Котлован") && page.body.contains("Фундамент"));
    assert!(!page.body.contains(&hidden_key));
    let one = app.get(&format!("/api/v1/albums/{album}")).await.json();
    assert_eq!(one["photos"].as_array().unwrap().len(), 1);
    assert_eq!(one["photos"][0]["id"], kept);
    assert_eq!(one["organisation"], "min-construction");
    // The keeper sees it hidden, with the reason, and its file.
    sign_in_as(&app, "builder@krd.example").await;
    let page = app.get(&format!("/galleries/{album}")).await;
    assert!(page.body.contains("Посторонние люди в кадре") && page.body.contains("Котлован"));
    assert_eq!(
        app.get(&format!("/media/{hidden_key}-full.jpg"))
            .await
            .status,
        StatusCode::OK
    );

    // The whole album hidden: 404 to others, its reason to the keeper, the
    // log to moderators; gone from the list, the API and the search.
    moderation::decide(
        &app.state,
        &moderator,
        Item::Album,
        album,
        true,
        "Нарушение правил",
    )
    .await
    .unwrap();
    app.run_workers().await;
    let page = app.get(&format!("/galleries/{album}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Нарушение правил"));
    assert!(
        !page.body.contains("/photos\""),
        "no uploads to a hidden album"
    );
    sign_in_as(&app, "moderator@krd.example").await;
    let page = app.get(&format!("/galleries/{album}")).await;
    assert!(
        page.body.contains("Журнал модерации") && page.body.contains("Посторонние люди в кадре")
    );
    app.clear_cookies();
    assert_eq!(
        app.get(&format!("/galleries/{album}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/albums/{album}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get("/galleries")
            .await
            .body
            .contains(&format!("/galleries/{album}"))
    );
    assert!(
        !app.get("/search?q=школы")
            .await
            .body
            .contains(&format!("/galleries/{album}"))
    );
});

both_backends!(
    the_demo_writes_albums_through_the_service,
    config = |c| {
        c.server.demo_region = true;
        c.server.demo_scale = 10;
    },
    |app| {
        veche::app::prepare_demo(&app.state, true).await.unwrap();
        assert_eq!(app.scalar("select count(*) from album").await, 4);
        assert!(app.scalar("select count(*) from album_photo").await >= 15);
        assert!(
            app.scalar("select count(*) from album where organisation_id is not null")
                .await
                == 1
        );
        // Every photo's place is inside the krai, dated no later than added.
        assert_eq!(
            app.scalar("select count(*) from album_photo where lat is null")
                .await,
            0
        );
        let api = app.get("/api/v1/albums").await.json();
        for a in api["albums"].as_array().unwrap() {
            let page = app.get(&format!("/galleries/{}", a["id"])).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("album-places"));
        }
        assert!(
            app.scalar("select count(*) from activity where subject like 'album:%'")
                .await
                >= 4
        );
    }
);
