//! Voice orders through HTTP (docs/VOICE.md): a recording uploaded to the
//! dictation page is recognised by an outside recogniser (a loopback
//! stand-in speaking the OpenAI-compatible `/v1/audio/transcriptions`
//! shape, reached through the real HTTP client and the outbound rules),
//! read into the order form, and becomes an order only when the speaker
//! gives it, with the recording as an attachment open to the order's
//! sides only. Hostile uploads are refused; without a recogniser the page
//! explains and a typed text still works. The offline recogniser is run
//! end to end on speech synthesised by espeak-ng when it is installed (and
//! installed under CI=true).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, sign_in_as};

const SAID: &str =
    "Министерству транспорта до пятницы подготовить план ремонта дорог в Анапе. Срочно.";
const KEY: &str = "test-key-Zx81";

/// A recording's first bytes as a browser's WebM starts (the stand-in
/// does not decode it; veche only sniffs it).
fn webm(len: usize) -> Vec<u8> {
    let mut b = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01];
    b.resize(len, 0x55);
    b
}

/// The stand-in recogniser: answers `{"text": SAID}` to a well-formed
/// multipart request with the key, counting them.
async fn stand_in() -> (String, Arc<AtomicUsize>) {
    use axum::extract::{Multipart, State};
    use axum::http::HeaderMap;
    let calls = Arc::new(AtomicUsize::new(0));
    async fn transcribe(
        State(calls): State<Arc<AtomicUsize>>,
        headers: HeaderMap,
        mut form: Multipart,
    ) -> Result<axum::Json<serde_json::Value>, StatusCode> {
        if headers.get("authorization").and_then(|v| v.to_str().ok())
            != Some(&format!("Bearer {KEY}"))
        {
            return Err(StatusCode::UNAUTHORIZED);
        }
        let (mut file, mut model, mut language) = (0usize, String::new(), String::new());
        while let Some(f) = form
            .next_field()
            .await
            .map_err(|_| StatusCode::BAD_REQUEST)?
        {
            match f.name().unwrap_or("") {
                "file" => file = f.bytes().await.map_err(|_| StatusCode::BAD_REQUEST)?.len(),
                "model" => model = f.text().await.unwrap_or_default(),
                "language" => language = f.text().await.unwrap_or_default(),
                _ => {}
            }
        }
        if file == 0 || model.is_empty() || language != "ru" {
            return Err(StatusCode::BAD_REQUEST);
        }
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(axum::Json(serde_json::json!({ "text": SAID })))
    }
    let router = axum::Router::new()
        .route("/v1/audio/transcriptions", axum::routing::post(transcribe))
        .layer(axum::extract::DefaultBodyLimit::max(32 << 20))
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), calls)
}

/// The app with the stand-in as its recogniser (loopback allowed, as an
/// administrator allows a recogniser on the region's network).
async fn with_stand_in(app: TestApp) -> (TestApp, Arc<AtomicUsize>) {
    let (url, calls) = stand_in().await;
    let speech = veche::speech::Speech::new(
        veche::speech::SpeechConfig::with(
            veche::speech::Backend::Http {
                url,
                key: Some(KEY.into()),
            },
            app.dir.path().join("speech"),
        ),
        vec!["127.0.0.1".parse().unwrap()],
    )
    .unwrap();
    (app.with_speech(speech), calls)
}

fn value_after(body: &str, marker: &str) -> Option<String> {
    let at = body.find(marker)?;
    let rest = &body[at..];
    let start = rest.find("value=\"")? + 7;
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_owned())
}

/// Next Friday after today in the krai, as the form writes dates.
fn next_friday() -> String {
    let mut d = (time::OffsetDateTime::now_utc() + time::Duration::hours(3)).date();
    loop {
        d = d.next_day().unwrap();
        if d.weekday() == time::Weekday::Friday {
            break;
        }
    }
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn officer(app: &TestApp, email: &str, org: &str) -> i64 {
    let id = citizen(app, email, "Сотрудник Тестовый").await;
    app.make_officer(id, org).await;
    sign_in_as(app, email).await;
    id
}

async fn orders(app: &TestApp) -> i64 {
    app.scalar("select count(*) from pm_order").await
}

both_backends!(a_dictation_becomes_an_order_only_when_confirmed, |app| {
    let (app, calls) = with_stand_in(app).await;
    officer(&app, "giver@veche.test", "dep-control").await;
    let page = app.get("/pm/orders/dictate").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("data-start"),
        "the dictate button is offered"
    );
    assert!(page.body.contains("js/dictate.js"));
    assert!(
        page.body.contains("name=\"file\""),
        "an uploaded file is accepted too"
    );
    let token = page.csrf_token();
    let before = orders(&app).await;
    let recording = webm(40_000);
    let draft = app
        .post_multipart(
            "/pm/orders/dictate",
            "dictation.webm",
            &recording,
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the stand-in heard it once"
    );
    // The order form, filled in from what was said.
    assert!(draft.body.contains(SAID), "the transcript is shown");
    assert_eq!(
        value_after(&draft.body, "name=\"title\"").as_deref(),
        Some("Подготовить план ремонта дорог в Анапе")
    );
    assert!(
        draft.body.contains("value=\"min-transport\" selected"),
        "the executor organisation"
    );
    assert!(
        draft.body.contains("value=\"high\" selected"),
        "«срочно» is high priority"
    );
    let deadline = next_friday();
    assert_eq!(
        value_after(&draft.body, "name=\"deadline\"").as_deref(),
        Some(deadline.as_str())
    );
    let dictation = value_after(&draft.body, "name=\"dictation\"").expect("the dictation's id");
    // Nothing is created before confirmation.
    assert_eq!(orders(&app).await, before);
    assert_eq!(app.scalar("select count(*) from pm_attachment").await, 0);
    // The speaker corrects the title and gives the order.
    let token = draft.csrf_token();
    let fields = [
        ("csrf_token", token.as_str()),
        (
            "title",
            "Подготовить план ремонта дорог в Анапе на 2027 год",
        ),
        ("description", SAID),
        ("organisation_id", "min-transport"),
        ("executor_id", ""),
        ("deadline", deadline.as_str()),
        ("priority", "high"),
        ("source", "manual"),
        ("required", "on"),
        ("dictation", dictation.as_str()),
    ];
    let given = app.post_form_raw("/pm/orders", &fields).await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    let order_id: i64 = given
        .location()
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    assert_eq!(orders(&app).await, before + 1);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from pm_order where order_id = {order_id} and organisation_id = 'min-transport' and priority = 'high'"
        ))
        .await,
        1
    );
    let attachment = app
        .scalar(&format!(
            "select attachment_id from pm_attachment where order_id = {order_id} and content_type = 'audio/webm'"
        ))
        .await;
    // The giver hears the recording back; so do the responsible
    // organisation's officers.
    let r = app.get(&format!("/pm/attachments/{attachment}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes, recording);
    assert_eq!(r.headers["content-type"], "audio/webm");
    // The order's page plays it in place.
    let page = app.get(&format!("/pm/orders/{order_id}")).await;
    assert!(
        page.body.contains(&format!(
            "<audio controls preload=\"none\" src=\"/pm/attachments/{attachment}\""
        )),
        "{}",
        page.body
    );
    // Confirming the same dictation again gives no second order.
    let again = app.post_form_raw("/pm/orders", &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(orders(&app).await, before + 1);
    officer(&app, "transport@veche.test", "min-transport").await;
    let r = app.get(&format!("/pm/attachments/{attachment}")).await;
    assert_eq!(r.status, StatusCode::OK, "the assignee reads it");
    // Another organisation's staff get what they get for any attachment
    // of an order not theirs (403 not_your_order); the signed-out, the
    // sign-in page; the recording is never public.
    officer(&app, "culture@veche.test", "min-culture").await;
    let r = app.get(&format!("/pm/attachments/{attachment}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let page = app.get(&format!("/pm/orders/{order_id}")).await;
    assert!(
        !page.body.contains("<audio"),
        "no player for who may not read the files"
    );
    assert!(
        !r.bytes
            .windows(recording.len())
            .any(|w| w == recording.as_slice())
    );
    app.clear_cookies();
    let r = app.get(&format!("/pm/attachments/{attachment}")).await;
    assert_ne!(r.status, StatusCode::OK);
    assert_ne!(r.bytes, recording);
});

both_backends!(hostile_uploads_are_refused, |app| {
    let (app, calls) = with_stand_in(app).await;
    officer(&app, "giver@veche.test", "dep-control").await;
    let token = app.get("/pm/orders/dictate").await.csrf_token();
    let post = |name: &'static str, bytes: Vec<u8>| {
        let token = token.clone();
        let app = &app;
        async move {
            app.post_multipart(
                "/pm/orders/dictate",
                name,
                &bytes,
                &[("csrf_token", &token)],
            )
            .await
        }
    };
    // Larger than the recogniser's limit (10 MB).
    let r = post("long.webm", webm(11 << 20)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // Larger than the upload itself may be: refused as it streams.
    let r = post("huge.webm", webm(17 << 20)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // Not a recording, whatever its name says.
    let r = post("speech.webm", b"%PDF-1.7 not a recording".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let r = post("photo.ogg", crate::helpers::png_header(10, 10)).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    // Empty: neither a recording nor a text.
    let r = post("empty.webm", Vec::new()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // A WAV longer than two minutes, told by its header.
    let mut wav =
        b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0data"
            .to_vec();
    let data = 16_000 * 2 * 130;
    wav.extend_from_slice(&(data as u32).to_le_bytes());
    wav.resize(wav.len() + data, 0);
    let r = post("long.wav", wav).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("130"),
        "the message says how long: {}",
        r.body
    );
    // Without the CSRF token: refused before anything is read.
    let r = app
        .post_multipart("/pm/orders/dictate", "d.webm", &webm(1000), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "nothing reached the recogniser"
    );
    assert_eq!(app.scalar("select count(*) from pm_dictation").await, 0);
    assert_eq!(orders(&app).await, 0);
    // Citizens cannot dictate orders.
    citizen(&app, "citizen@veche.test", "Гражданин").await;
    sign_in_as(&app, "citizen@veche.test").await;
    assert_eq!(
        app.get("/pm/orders/dictate").await.status,
        StatusCode::FORBIDDEN
    );
    // The server is still up after the hostile uploads.
    assert_eq!(app.get("/health").await.status, StatusCode::OK);
});

both_backends!(
    without_a_recogniser_the_page_explains_and_text_still_works,
    |app| {
        // The test app has no recogniser installed: offline is the default
        // and `<data>/speech` is empty.
        officer(&app, "giver@veche.test", "dep-control").await;
        let page = app.get("/pm/orders/dictate").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("veche speech install"), "{}", page.body);
        assert!(
            !page.body.contains("data-start"),
            "no dictate button without a recogniser"
        );
        let token = page.csrf_token();
        // A recording cannot be recognised: a clear 503, nothing kept.
        let r = app
            .post_multipart(
                "/pm/orders/dictate",
                "d.webm",
                &webm(2000),
                &[("csrf_token", &token)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
        assert!(r.body.contains("введите текст"), "{}", r.body);
        assert_eq!(app.scalar("select count(*) from pm_dictation").await, 0);
        // A typed text is read into the form the same way.
        let draft = app
            .post_multipart(
                "/pm/orders/dictate",
                "",
                &[],
                &[
                    ("csrf_token", &token),
                    (
                        "transcript",
                        "Минздраву в течение пяти рабочих дней проверить готовность больниц к зиме",
                    ),
                ],
            )
            .await;
        assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
        assert_eq!(
            value_after(&draft.body, "name=\"title\"").as_deref(),
            Some("Проверить готовность больниц к зиме")
        );
        assert!(draft.body.contains("value=\"min-health\" selected"));
        let expected = veche::workflow::sla::russia().add_working_days(
            (time::OffsetDateTime::now_utc() + time::Duration::hours(3)).date(),
            5,
        );
        assert_eq!(
            value_after(&draft.body, "name=\"deadline\"").as_deref(),
            Some(veche::web::i18n::iso_date(expected).as_str())
        );
        assert!(
            value_after(&draft.body, "name=\"dictation\"").is_none(),
            "no recording to keep"
        );
        assert_eq!(orders(&app).await, 0, "nothing created before confirmation");
    }
);

/// The offline recogniser's folder for tests: kept between runs in the
/// target folder (installing takes a while), or `VECHE_TEST_SPEECH_DIR`.
fn offline_dir() -> std::path::PathBuf {
    std::env::var("VECHE_TEST_SPEECH_DIR")
        .map(Into::into)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/speech-test")
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_recogniser_hears_synthesised_russian() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let dir = offline_dir();
    if !veche::speech::offline::installed(&dir) {
        if !ci {
            eprintln!(
                "SKIPPED the offline recogniser's end-to-end test: not installed in {} (run `veche speech install --dir {}`; CI=true installs it)",
                dir.display(),
                dir.display()
            );
            return;
        }
        let started = std::time::Instant::now();
        let (ok, out) = crate::helpers::output_of(
            std::process::Command::new(env!("CARGO_BIN_EXE_veche"))
                .args(["speech", "install", "--dir"])
                .arg(&dir),
        );
        assert!(ok, "`veche speech install` failed under CI=true: {out}");
        eprintln!(
            "veche speech install took {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let espeak = std::process::Command::new("espeak-ng")
        .arg("--version")
        .output();
    if espeak.is_err() {
        assert!(
            !ci,
            "espeak-ng is missing (Debian package espeak-ng; .ci/run installs it)"
        );
        eprintln!("SKIPPED the offline recogniser's end-to-end test: espeak-ng is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("said.wav");
    let (ok, out) = crate::helpers::output_of(
        std::process::Command::new("espeak-ng")
            .args(["-v", "ru", "-s", "130", "-w"])
            .arg(&wav)
            .arg("Срочно. Подготовить отчёт о ремонте дорог через десять дней."),
    );
    assert!(ok, "espeak-ng: {out}");
    let speech = veche::speech::Speech::new(
        veche::speech::SpeechConfig::with(veche::speech::Backend::Offline, dir),
        Vec::new(),
    )
    .unwrap();
    assert_eq!(speech.availability(), veche::speech::Availability::Offline);
    let audio = speech.check(std::fs::read(&wav).unwrap()).unwrap();
    let heard = speech.transcribe(&audio).await.unwrap();
    let seconds = heard.audio_seconds.unwrap();
    eprintln!(
        "offline recogniser: «{}», {:.1} s of audio in {:.1} s ({:.2} s per second of audio, the model's load included)",
        heard.text,
        seconds,
        heard.processing_seconds,
        heard.processing_seconds / seconds
    );
    // Synthetic Russian is recognised poorly: what can honestly be asserted
    // is Russian text of a few words.
    let cyrillic = heard
        .text
        .chars()
        .filter(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(' ')))
        .count();
    assert!(
        cyrillic >= 10,
        "Russian text expected, heard «{}»",
        heard.text
    );
    assert!(
        heard.text.split_whitespace().count() >= 3,
        "heard «{}»",
        heard.text
    );
    // And through the page: the draft shows what was heard.
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap()
        .with_speech(speech);
    officer(&app, "giver@veche.test", "dep-control").await;
    let token = app.get("/pm/orders/dictate").await.csrf_token();
    let draft = app
        .post_multipart(
            "/pm/orders/dictate",
            "said.wav",
            &std::fs::read(&wav).unwrap(),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    assert!(draft.body.contains("id=\"transcript\""));
    assert!(value_after(&draft.body, "name=\"dictation\"").is_some());
}
