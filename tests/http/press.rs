//! Mass-media tracking through HTTP, with feeds served by a local HTTP
//! server started in the test (it counts requests and honours
//! `If-None-Match` / `If-Modified-Since`); no real site is contacted.
//! Here: conditional GET, deduplication across sources, polite polling
//! (one host at a time, backoff), hostile feeds, and feed addresses that
//! production refuses. Mentions, spikes, digests and the tone are in
//! press_news.rs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, sign_in_as};

pub const KEEPER: &str = "press@krasnodar.ru";

/// One feed the server serves: its answer, and the validators of its
/// current version.
#[derive(Clone, Default)]
struct Feed {
    status: u16,
    body: Vec<u8>,
    version: u64,
    location: Option<String>,
}

/// A request the server received.
#[derive(Clone, Debug)]
pub struct Hit {
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub at: Instant,
    pub answered: u16,
}

#[derive(Default)]
struct Served {
    feeds: HashMap<String, Feed>,
    log: HashMap<String, Vec<Hit>>,
}

/// The feeds' server on 127.0.0.1.
pub struct FeedServer {
    pub base: String,
    served: Arc<Mutex<Served>>,
}

fn etag(version: u64) -> String {
    format!("\"v{version}\"")
}

fn modified(version: u64) -> String {
    httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000 + version * 3600),
    )
}

fn answer(served: &Mutex<Served>, path: &str, headers: &HeaderMap) -> Response {
    let mut s = served.lock().unwrap();
    let feed = s.feeds.get(path).cloned().unwrap_or(Feed {
        status: 404,
        ..Default::default()
    });
    let value = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (inm, ims) = (
        value(header::IF_NONE_MATCH),
        value(header::IF_MODIFIED_SINCE),
    );
    let unchanged = feed.status == 200
        && match (&inm, &ims) {
            (Some(tag), _) => *tag == etag(feed.version),
            (None, Some(since)) => *since == modified(feed.version),
            _ => false,
        };
    let status = if unchanged { 304 } else { feed.status };
    s.log.entry(path.to_owned()).or_default().push(Hit {
        if_none_match: inm,
        if_modified_since: ims,
        at: Instant::now(),
        answered: status,
    });
    let mut r = Response::builder().status(status);
    if feed.status == 200 {
        r = r
            .header(header::ETAG, etag(feed.version))
            .header(header::LAST_MODIFIED, modified(feed.version))
            .header(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8");
    }
    if let Some(l) = &feed.location {
        r = r.header(header::LOCATION, l);
    }
    let body = if status == 200 { feed.body } else { Vec::new() };
    r.body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

impl FeedServer {
    pub async fn start() -> FeedServer {
        let served = Arc::new(Mutex::new(Served::default()));
        let shared = served.clone();
        let app = axum::Router::new().fallback(move |req: Request| {
            let served = shared.clone();
            async move { answer(&served, req.uri().path(), req.headers()) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FeedServer {
            base: format!("http://127.0.0.1:{port}"),
            served,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves `body` at `path` as a new version (new validators).
    pub fn set(&self, path: &str, body: impl Into<Vec<u8>>) {
        let mut s = self.served.lock().unwrap();
        let f = s.feeds.entry(path.to_owned()).or_default();
        f.status = 200;
        f.body = body.into();
        f.version += 1;
        f.location = None;
    }

    /// Answers `path` with `status` (and a `Location`, for redirects).
    pub fn fail(&self, path: &str, status: u16, location: Option<&str>) {
        let mut s = self.served.lock().unwrap();
        let f = s.feeds.entry(path.to_owned()).or_default();
        f.status = status;
        f.location = location.map(str::to_owned);
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.served
            .lock()
            .unwrap()
            .log
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}

/// An RSS 2.0 feed of (title, link, pubDate, description) items.
pub fn rss(items: &[(&str, &str, Option<&str>, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Лента</title><link>https://news.example.ru/</link>",
    );
    for (title, link, date, text) in items {
        out.push_str(&format!(
            "<item><title>{title}</title><link>{}</link>{}<description>{text}</description></item>",
            link.replace('&', "&amp;"),
            date.map(|d| format!("<pubDate>{d}</pubDate>"))
                .unwrap_or_default()
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// Tests reach the feed server on loopback, and poll without spacing
/// unless they test it.
pub fn config(c: &mut veche::config::Config) {
    crate::helpers::allow_loopback(c);
    c.press.host_spacing_ms = 0;
}

/// The keeper of media tracking, signed in.
pub async fn keeper(app: &TestApp) -> i64 {
    let id = citizen(app, KEEPER, "Медиа Хранитель").await;
    app.make_officer(id, "dep-information-policy").await;
    sign_in_as(app, KEEPER).await;
    id
}

/// Adds a source with its feed through the form; the feed's id.
pub async fn source(app: &TestApp, name: &str, kind: &str, feed: &str) -> i64 {
    let r = app
        .submit(
            "/pm/press/sources",
            "/pm/press/sources",
            &[
                ("name", name),
                ("kind", kind),
                ("municipality_id", ""),
                ("website", ""),
                ("feed_url", feed),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.scalar("select max(feed_id) from press_feed").await
}

/// The keeper's "poll now"; the health page after it.
pub async fn poll(app: &TestApp, feed: i64) -> String {
    let r = app
        .submit(
            "/pm/press/health",
            &format!("/pm/press/feeds/{feed}/poll"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/pm/press/health").await;
    assert_eq!(page.status, StatusCode::OK);
    row(&page.body, &format!("data-feed=\"{feed}\"")).to_owned()
}

/// The table row carrying `marker`.
pub fn row<'a>(body: &'a str, marker: &str) -> &'a str {
    let at = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {body}"));
    let start = body[..at].rfind("<tr").unwrap();
    let end = at + body[at..].find("</tr>").unwrap();
    &body[start..end]
}

/// The text of the cell of class `class` in a row.
pub fn cell<'a>(row: &'a str, class: &str) -> &'a str {
    let at = row
        .find(&format!("{class}\">"))
        .unwrap_or_else(|| panic!("no {class} in {row}"));
    let rest = &row[at + class.len() + 2..];
    &rest[..rest.find("</td>").unwrap()]
}

both_backends!(
    conditional_get_fetches_nothing_new_the_second_time,
    config = config,
    |app| {
        let server = FeedServer::start().await;
        server.set(
            "/rss",
            rss(&[
                (
                    "Открыт новый мост через Кубань",
                    "https://news.example.ru/1",
                    None,
                    "Мост длиной 300 метров",
                ),
                (
                    "Дороги края отремонтируют к лету",
                    "https://news.example.ru/2",
                    None,
                    "",
                ),
            ]),
        );
        keeper(&app).await;
        let feed = source(&app, "Вести Кубани", "regional", &server.url("/rss")).await;
        let first = poll(&app, feed).await;
        assert_eq!(cell(&first, "status"), "200", "{first}");
        assert_eq!(cell(&first, "found"), "2");
        assert_eq!(cell(&first, "errors"), "0");
        // The first request had nothing to send back.
        let hits = server.hits("/rss");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].if_none_match, None);
        // The second sends the validators; the server answers 304 and nothing
        // is stored anew.
        let second = poll(&app, feed).await;
        let hits = server.hits("/rss");
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[1].if_none_match.as_deref(), Some("\"v1\""));
        assert_eq!(
            hits[1].if_modified_since.as_deref(),
            Some(modified(1).as_str())
        );
        assert_eq!(hits[1].answered, 304);
        assert_eq!(cell(&second, "status"), "304", "{second}");
        assert_eq!(cell(&second, "found"), "2");
        assert_eq!(app.scalar("select count(*) from press_story").await, 2);
        assert_eq!(app.scalar("select count(*) from press_appearance").await, 2);
        // A new version is fetched in full: one new story, the old two seen again.
        server.set(
            "/rss",
            rss(&[
                (
                    "Открыт новый мост через Кубань",
                    "https://news.example.ru/1",
                    None,
                    "Мост длиной 300 метров",
                ),
                (
                    "Дороги края отремонтируют к лету",
                    "https://news.example.ru/2",
                    None,
                    "",
                ),
                (
                    "В Сочи прошёл фестиваль уличной музыки",
                    "https://news.example.ru/3",
                    None,
                    "",
                ),
            ]),
        );
        let third = poll(&app, feed).await;
        assert_eq!(cell(&third, "status"), "200");
        assert_eq!(cell(&third, "found"), "3");
        assert_eq!(server.hits("/rss")[2].answered, 200);
        // A 304 to validators from Last-Modified alone counts too: the feed
        // now sends no ETag back.
        assert_eq!(app.scalar("select count(*) from press_story").await, 3);
        let stories = app.get("/pm/press/stories").await;
        assert!(stories.body.contains("Открыт новый мост через Кубань"));
        assert!(
            stories.body.contains("эвристика"),
            "the tone says what it is"
        );
    }
);

both_backends!(
    one_story_under_several_sources_is_one_story,
    config = config,
    |app| {
        let server = FeedServer::start().await;
        let title = "Губернатор открыл школу на 1100 мест в Краснодаре";
        let yesterday = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap();
        server.set(
            "/a",
            rss(&[
                (
                    title,
                    "https://news.example.ru/school/1?utm_source=rss&utm_medium=feed",
                    None,
                    "Школа построена по нацпроекту",
                ),
                (
                    "Аграрии края собрали рекордный урожай пшеницы",
                    "https://news.example.ru/harvest",
                    None,
                    "",
                ),
            ]),
        );
        server.set(
            "/b",
            rss(&[
                // The same link in other clothes: case, www, a slash, a fragment, a tracker.
                (
                    title,
                    "https://WWW.News.Example.ru/school/1/?fbclid=xyz#comments",
                    None,
                    "Другой анонс",
                ),
                // Another link, the same title, a day later: the same story.
                (
                    "Аграрии края собрали рекордный урожай пшеницы!",
                    "https://agro.example.ru/news/77",
                    Some(yesterday.as_str()),
                    "",
                ),
                (
                    "Совсем другая новость о погоде на выходные",
                    "https://agro.example.ru/news/78",
                    None,
                    "",
                ),
            ]),
        );
        keeper(&app).await;
        let a = source(&app, "Краевые новости", "regional", &server.url("/a")).await;
        let b = source(&app, "Агроновости страны", "federal", &server.url("/b")).await;
        poll(&app, a).await;
        let after_b = poll(&app, b).await;
        assert_eq!(
            cell(&after_b, "found"),
            "1",
            "only one story was new to the store"
        );
        assert_eq!(app.scalar("select count(*) from press_story").await, 3);
        assert_eq!(app.scalar("select count(*) from press_appearance").await, 5);
        let id = app
            .scalar("select story_id from press_story where url_key = 'news.example.ru/school/1'")
            .await;
        let card = app.get(&format!("/pm/press/stories/{id}")).await;
        assert_eq!(card.status, StatusCode::OK);
        assert!(card.body.contains("Появления: 2"), "{}", card.body);
        assert!(card.body.contains("Краевые новости") && card.body.contains("Агроновости страны"));
        // The link kept is cleaned of trackers.
        assert!(
            card.body
                .contains("href=\"https://news.example.ru/school/1\""),
            "{}",
            card.body
        );
        // Only the title, the snippet and the link are kept.
        assert!(card.body.contains("Школа построена по нацпроекту"));
        let list = app.get("/pm/press/stories").await;
        assert_eq!(
            list.body.matches(title).count(),
            1,
            "one story, listed once"
        );
        assert!(list.body.contains("+1 источник"), "{}", list.body);
    }
);

both_backends!(
    polling_is_polite_and_backs_off,
    config = |c| {
        config(c);
        c.press.host_spacing_ms = 300;
        c.press.poll_minutes = 30;
    },
    |app| {
        let server = FeedServer::start().await;
        server.set(
            "/one",
            rss(&[(
                "Первая лента: новость дня о ремонте",
                "https://one.example.ru/1",
                None,
                "",
            )]),
        );
        server.set(
            "/two",
            rss(&[(
                "Вторая лента: новость дня о дорогах",
                "https://two.example.ru/1",
                None,
                "",
            )]),
        );
        server.fail("/down", 503, None);
        keeper(&app).await;
        for (name, path) in [
            ("Лента один", "/one"),
            ("Лента два", "/two"),
            ("Лента недоступна", "/down"),
        ] {
            source(&app, name, "municipal", &server.url(path)).await;
        }
        // The worker's round: every due feed, one host at a time.
        let fetcher = veche::press::fetch::Fetcher::new(&app.state.config);
        let polled = veche::press::poller::poll_due(&app.state, &fetcher)
            .await
            .unwrap();
        assert_eq!(polled, 3);
        let mut times: Vec<Instant> = ["/one", "/two", "/down"]
            .iter()
            .map(|p| server.hits(p)[0].at)
            .collect();
        times.sort();
        for pair in times.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(gap.as_millis() >= 280, "requests to one host {gap:?} apart");
        }
        // Nothing is due again before its time.
        assert_eq!(
            veche::press::poller::poll_due(&app.state, &fetcher)
                .await
                .unwrap(),
            0
        );
        // The failing feed waits twice the interval, then four times.
        let down = app
            .scalar("select feed_id from press_feed where url like '%/down'")
            .await;
        let health = app.get("/pm/press/health").await;
        let r = row(&health.body, &format!("data-feed=\"{down}\""));
        assert_eq!(cell(r, "errors"), "1");
        assert_eq!(cell(r, "status"), "503");
        assert!(r.contains("ошибка сервера (503)"), "{r}");
        let minutes = if app.backend == crate::helpers::Backend::Sqlite {
            "cast(round((julianday(next_poll_at) - julianday(last_polled_at)) * 1440) as integer)"
        } else {
            "cast(round(extract(epoch from (next_poll_at - last_polled_at)) / 60) as bigint)"
        };
        let wait = format!("select {minutes} from press_feed where feed_id = {down}");
        assert_eq!(app.scalar(&wait).await, 60);
        let r = poll(&app, down).await;
        assert_eq!(cell(&r, "errors"), "2");
        assert_eq!(app.scalar(&wait).await, 120);
        // Back up: the errors are forgotten and the interval is the usual.
        server.set(
            "/down",
            rss(&[(
                "Лента снова работает и пишет новости",
                "https://down.example.ru/1",
                None,
                "",
            )]),
        );
        let r = poll(&app, down).await;
        assert_eq!(cell(&r, "errors"), "0");
        assert!(!r.contains("ошибка сервера"));
        assert_eq!(app.scalar(&wait).await, 30);
        // Demo sources are never polled, even when due.
        server.set(
            "/demo",
            rss(&[(
                "Демо-лента не опрашивается никогда",
                "https://d.example.ru/1",
                None,
                "",
            )]),
        );
        let mut tx = app.state.db.begin().await.unwrap();
        let s = veche::press::queries::NewSource {
            name: "Демо-источник",
            kind: "regional",
            municipality_id: None,
            website: "",
            demo: true,
        };
        let now = time::OffsetDateTime::now_utc();
        let id = veche::press::queries::insert_source(&mut tx, &s, now)
            .await
            .unwrap()
            .unwrap();
        veche::press::queries::insert_feed(&mut tx, id, &server.url("/demo"), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            veche::press::poller::poll_due(&app.state, &fetcher)
                .await
                .unwrap(),
            0
        );
        assert!(server.hits("/demo").is_empty());
    }
);

both_backends!(
    hostile_feeds_are_refused_with_a_reason,
    config = |c| {
        config(c);
        c.press.max_feed_kb = 64;
        c.press.max_redirects = 2;
    },
    |app| {
        let server = FeedServer::start().await;
        let huge = rss(&[(
            "Огромная лента",
            "https://e.example.ru/1",
            None,
            &"слово ".repeat(20_000),
        )]);
        server.set("/huge", huge);
        let deep = format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>{}{}</item></channel></rss>",
            "<a>".repeat(2_000),
            "</a>".repeat(2_000)
        );
        server.set("/deep", deep);
        server.set("/garbage", vec![0xff_u8, 0xfe, 0x00, 0x13, 0x37]);
        server.set("/html", "<html><body><p>Это не лента</p></body></html>");
        server.fail("/loop", 302, Some("/loop"));
        keeper(&app).await;
        for (path, shown) in [
            ("/huge", "ответ больше предела (&gt; 64 KiB)"),
            ("/deep", "XML вложен слишком глубоко"),
            ("/garbage", "не XML"),
            ("/html", "не RSS и не Atom"),
            ("/loop", "слишком много перенаправлений"),
        ] {
            let feed = source(&app, &format!("Лента {path}"), "federal", &server.url(path)).await;
            let r = poll(&app, feed).await;
            assert!(r.contains(shown), "{path}: {r}");
            assert_eq!(cell(&r, "errors"), "1", "{path}");
        }
        // Three hops at most were asked for the loop: the first and two redirects.
        assert_eq!(server.hits("/loop").len(), 3);
        assert_eq!(app.scalar("select count(*) from press_story").await, 0);
        // The site is well.
        assert_eq!(app.get("/pm/press").await.status, StatusCode::OK);
    }
);

both_backends!(production_refuses_feeds_at_private_addresses, |app| {
    keeper(&app).await;
    for url in [
        "http://127.0.0.1:9/rss",
        "http://10.1.2.3/feed.xml",
        "http://[::1]/rss",
        "http://169.254.169.254/latest",
    ] {
        let r = app
            .submit(
                "/pm/press/sources",
                "/pm/press/sources",
                &[
                    ("name", "Внутренний сайт"),
                    ("kind", "regional"),
                    ("feed_url", url),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.body
        );
        assert!(r.body.contains("VECHE_OUTBOUND_ALLOW_HOSTS"), "{}", r.body);
    }
    let r = app
        .submit(
            "/pm/press/sources",
            "/pm/press/sources",
            &[
                ("name", "Проверочный источник"),
                ("kind", "regional"),
                ("feed_url", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().to_owned();
    for url in [
        "ftp://example.ru/rss",
        "javascript:alert(1)",
        "",
        "http://192.168.0.10/rss",
    ] {
        let r = app
            .submit(&page, &format!("{page}/feeds"), &[("url", url)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.body
        );
    }
    assert_eq!(app.scalar("select count(*) from press_source").await, 1);
    assert_eq!(app.scalar("select count(*) from press_feed").await, 0);
    // A feed stored at such an address (say, before the rules changed) is
    // refused when polled: the server is never asked.
    let server = FeedServer::start().await;
    server.set(
        "/rss",
        rss(&[(
            "Не должно быть прочитано",
            "https://x.example.ru/1",
            None,
            "",
        )]),
    );
    let now = time::OffsetDateTime::now_utc();
    let mut tx = app.state.db.begin().await.unwrap();
    let s = veche::press::queries::NewSource {
        name: "Старый источник",
        kind: "regional",
        municipality_id: None,
        website: "",
        demo: false,
    };
    let id = veche::press::queries::insert_source(&mut tx, &s, now)
        .await
        .unwrap()
        .unwrap();
    veche::press::queries::insert_feed(&mut tx, id, &server.url("/rss"), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let feed = app.scalar("select max(feed_id) from press_feed").await;
    let r = poll(&app, feed).await;
    assert!(r.contains("адрес не публичный"), "{r}");
    assert!(server.hits("/rss").is_empty());
});

both_backends!(only_the_keeper_keeps_the_media, config = config, |app| {
    let server = FeedServer::start().await;
    server.set(
        "/rss",
        rss(&[(
            "Новость для проверки прав доступа",
            "https://r.example.ru/1",
            None,
            "",
        )]),
    );
    keeper(&app).await;
    let feed = source(&app, "Источник хранителя", "regional", &server.url("/rss")).await;
    let other = citizen(&app, "analyst@krasnodar.ru", "Другой Сотрудник").await;
    app.make_officer(other, "min-culture").await;
    sign_in_as(&app, "analyst@krasnodar.ru").await;
    // Everyone in the core reads; only the keeper sees the forms and acts.
    let page = app.get("/pm/press/sources").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("action=\"/pm/press/sources\""));
    let health = app.get("/pm/press/health").await;
    assert!(!health.body.contains("/poll\""));
    let token = health.csrf_token();
    for (path, fields) in [
        (format!("/pm/press/feeds/{feed}/poll"), vec![]),
        (
            "/pm/press/sources".to_owned(),
            vec![("name", "Чужой"), ("kind", "federal")],
        ),
        (
            "/pm/press/officials".to_owned(),
            vec![("name", "Кто-то Другой")],
        ),
    ] {
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend(fields);
        let r = app.post_form_raw(&path, &all).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(server.hits("/rss").is_empty());
    // A citizen outside the core sees nothing.
    citizen(&app, "someone@example.ru", "Житель Края").await;
    sign_in_as(&app, "someone@example.ru").await;
    assert_eq!(app.get("/pm/press").await.status, StatusCode::FORBIDDEN);
});
