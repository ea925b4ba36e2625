//! Dictated orders (docs/VOICE.md): `/pm/orders/dictate` records or takes a
//! recording (or a typed transcript), the server's recogniser turns it into
//! text, the parser into a draft, and the order form comes back filled in.
//! Nothing is created until the speaker gives the order from that form;
//! the recording then becomes the order's attachment.

use super::*;
use crate::db::Db;
use crate::pm::dictations;
use crate::pm::orders::dictation::{self, Context, Org, Person};
use crate::speech::{Availability, Speech};
use crate::texts;

/// A sample transcript the demo offers, so the page shows what it does
/// without a recogniser.
const DEMO_SAMPLE: &str = "Департаменту контроля до пятницы подготовить справку об исполнении \
                           поручений по капитальному ремонту школ. Срочно.";

/// The largest upload: a recording at the photo limit and the text.
pub const MAX_DICTATION_UPLOAD: usize = crate::media::MAX_BYTES + 1024 * 1024;

/// `GET /pm/orders/dictate`: works standalone (the planner links here).
pub async fn dictate_page(
    ctx: PageCtx,
    Core(_user): Core,
    State(speech): State<Speech>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = DictateTexts::get(l);
    let availability = speech.availability();
    let ready = matches!(availability, Availability::Offline | Availability::Http);
    let errors = crate::web::components::FieldErrors::new();
    let sample = if ctx.demo { DEMO_SAMPLE } else { "" };
    let max = speech.config().max_seconds.to_string();
    Ok(Page::new(&ctx, t.title)
        .crumb(PmTexts::get(l).crumb_orders, "/pm")
        .script("js/dictate.js")
        .render(html! {
            h1 { (t.title) }
            (nav(l))
            p { (t.how) }
            @match availability {
                Availability::NotInstalled => div.notice role="note" {
                    p { (t.not_installed) }
                    p { code { "veche speech install" } " " (t.or_http) }
                }
                Availability::Off => p.notice role="note" { (t.off) },
                _ => p { (t.private) },
            }
            @if ready {
                form #dictate-form method="post" action="/pm/orders/dictate" enctype="multipart/form-data" {
                    (ctx.csrf_field())
                    div #dictate-recorder hidden data-max-seconds=(max) data-recording=(t.recording) data-sending=(t.sending) data-denied=(t.denied) {
                        button.button type="button" data-start { (t.record) }
                        " "
                        button.button type="button" data-stop disabled { (t.stop) }
                        p role="status" aria-live="polite" {}
                    }
                    noscript { p { (t.no_script) } }
                    div.field {
                        label for="dictation-file" { (t.file) }
                        input #dictation-file type="file" name="file" accept="audio/*,.webm,.ogg,.opus,.wav,.mp3,.m4a,.flac";
                        p.hint { (t.limits) " " (max) " " (t.seconds) }
                    }
                    button.button type="submit" { (t.recognise) }
                }
            }
            h2 { (t.typed) }
            form method="post" action="/pm/orders/dictate" enctype="multipart/form-data" {
                (ctx.csrf_field())
                @if ctx.demo { p.notice { (t.demo_sample) } }
                (crate::web::components::Input::new("transcript", t.transcript, sample).kind("textarea").render(l, &errors))
                button.button type="submit" { (t.parse) }
            }
        }))
}

/// `POST /pm/orders/dictate`: a recording (`file`) or a typed transcript
/// (`transcript`) → the order form, filled in. Only a recording is kept
/// (as a pending dictation) until the order is given.
pub async fn dictate(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let mut typed = String::new();
    let files = crate::media::upload::read_multipart(multipart, "file", |k, v| {
        if k == "transcript" {
            typed = v;
        }
    })
    .await?;
    if let Some(m) = files.error {
        return Err(AppError::client(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            m,
        ));
    }
    let (transcript, dictation) = match files.files.into_iter().next() {
        Some((_, bytes)) => {
            let audio = state.speech.check(bytes)?;
            let heard = state.speech.transcribe(&audio).await?;
            let text = heard.text.trim().to_owned();
            if text.is_empty() {
                return Err(AppError::unprocessable(
                    "nothing_heard",
                    Msg::new(
                        "В записи не распознано ни слова: запишите ещё раз ближе к микрофону или введите текст.",
                        "No words were recognised in the recording: record again closer to the microphone or type the text.",
                    ),
                ));
            }
            tracing::info!(
                audio_seconds = heard.audio_seconds.unwrap_or_default(),
                processing_seconds = heard.processing_seconds,
                "dictation recognised"
            );
            let id = keep(&state, &user, &audio, &text).await?;
            (text, Some(id))
        }
        None if !typed.trim().is_empty() => {
            if typed.chars().count() > 8000 {
                return Err(AppError::invalid(
                    "Текст длиннее 8000 символов.",
                    "The text is longer than 8,000 characters.",
                ));
            }
            (typed.trim().to_owned(), None)
        }
        None => {
            return Err(AppError::invalid(
                "Запишите поручение, выберите звукозапись или введите текст.",
                "Record the order, choose a recording or type the text.",
            ));
        }
    };
    draft_page(&ctx, &user, &state.db, &transcript, dictation).await
}

/// Stores the recording and its pending dictation; sweeps those nobody
/// confirmed within a day.
async fn keep(
    state: &AppState,
    user: &CurrentUser,
    audio: &crate::speech::Audio,
    text: &str,
) -> AppResult<i64> {
    for key in dictations::expire(&state.db).await? {
        let _ = state.media.delete(&crate::media::file_key(&key)).await;
    }
    let key = uuid::Uuid::new_v4().simple().to_string();
    state
        .media
        .put(&crate::media::file_key(&key), audio.bytes.clone())
        .await
        .map_err(AppError::Internal)?;
    match dictations::insert(
        &state.db,
        user.account_id,
        &key,
        audio.format.content_type(),
        audio.bytes.len() as i64,
        text,
    )
    .await
    {
        Ok(id) => Ok(id),
        Err(e) => {
            let _ = state.media.delete(&crate::media::file_key(&key)).await;
            Err(e.into())
        }
    }
}

async fn draft_page(
    ctx: &PageCtx,
    user: &CurrentUser,
    db: &Db,
    transcript: &str,
    dictation: Option<i64>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = DictateTexts::get(l);
    let directory = super::super::dashboard::org_map(db).await?;
    let orgs: Vec<Org> = directory
        .values()
        .map(|o| Org {
            id: o.organisation_id.clone(),
            names: vec![o.name_ru.clone(), o.short_name_ru.clone()],
        })
        .collect();
    let rows = dictations::staff(db).await?;
    let mut people: Vec<Person> = Vec::new();
    for r in &rows {
        match people.iter_mut().find(|p| p.account_id == r.account_id) {
            Some(p) => p.organisations.push(r.organisation_id.clone()),
            None => people.push(Person {
                account_id: r.account_id,
                name: r.display_name.clone(),
                organisations: vec![r.organisation_id.clone()],
            }),
        }
    }
    let staff: Vec<(String, String)> = rows
        .iter()
        .filter(|r| {
            people
                .iter()
                .any(|p| p.account_id == r.account_id && p.organisations[0] == r.organisation_id)
        })
        .map(|r| {
            let org = directory
                .get(&r.organisation_id)
                .map(|o| l.pick(&o.short_name_ru, &o.short_name_en).to_owned())
                .unwrap_or_default();
            (
                r.account_id.to_string(),
                format!("{} — {org}", r.display_name),
            )
        })
        .collect();
    let d = dictation::parse(
        transcript,
        &Context {
            today: crate::web::components::today_msk(),
            calendar: crate::workflow::sla::russia(),
            orgs: &orgs,
            people: &people,
        },
    );
    let prefill = super::Prefill {
        title: d.title.clone(),
        description: d.description.clone(),
        organisation_id: d.organisation_id.clone().unwrap_or_default(),
        executor_id: d.executor_id.map(|e| e.to_string()).unwrap_or_default(),
        deadline: d
            .deadline
            .map(crate::web::i18n::iso_date)
            .unwrap_or_default(),
        priority: d.priority.as_str().to_owned(),
        ..Default::default()
    };
    let hidden = html! {
        @if let Some(id) = dictation { input type="hidden" name="dictation" value=(id); }
    };
    let form =
        super::order_form(ctx, user, db, &prefill, "/pm/orders", hidden, Some(&staff)).await?;
    let missing: Vec<&str> = [
        (d.organisation_id.is_none(), t.missing_executor),
        (d.deadline.is_none(), t.missing_deadline),
    ]
    .into_iter()
    .filter_map(|(m, s)| m.then_some(s))
    .collect();
    Ok(Page::new(ctx, t.check)
        .crumb(PmTexts::get(l).crumb_orders, "/pm")
        .render(html! {
            h1 { (t.check) }
            (nav(l))
            p.notice role="status" { (t.not_yet) }
            h2 { (t.heard) }
            blockquote #transcript { (transcript) }
            @if dictation.is_some() { p { (t.audio_kept) } }
            @if !missing.is_empty() {
                p { (t.fill_in) " " (missing.join(", ")) "." }
            }
            (form)
            p { a href="/pm/orders/dictate" { (t.again) } }
        }))
}

texts!(DictateTexts {
    title: "Продиктовать поручение", "Dictate an order";
    how: "Скажите, кому, что и к какому сроку поручается, например: «Министерству транспорта до пятницы подготовить план ремонта дорог, срочно». Из текста получится черновик поручения: вы проверите и исправите его, прежде чем дать.", "Say who is to do what by when, e.g. (in Russian) \u{201c}Ministry of Transport, by Friday, prepare the road repair plan, urgently\u{201d}. The text becomes a draft order that you check and correct before giving it.";
    private: "Запись распознаётся на серверах региона и хранится только с поручением, доступная его сторонам.", "The recording is recognised on the region's servers and kept only with the order, open to its sides.";
    not_installed: "Распознавание речи на этом сервере не установлено, поэтому кнопка диктовки недоступна. Администратор сервера включает его командой", "Speech recognition is not installed on this server, so the dictate button is not available. The server's administrator enables it with the command";
    or_http: "(распознаватель на этом сервере) или настройками VECHE_SPEECH=http и VECHE_SPEECH_URL (свой сервер распознавания). Текст поручения можно ввести ниже.", "(a recogniser on this server) or with VECHE_SPEECH=http and VECHE_SPEECH_URL (a recognition server of your own). The order's text can be typed below.";
    off: "Распознавание речи выключено администратором сервера. Текст поручения можно ввести ниже.", "Speech recognition is turned off by the server's administrator. The order's text can be typed below.";
    record: "Диктовать", "Dictate";
    stop: "Остановить и распознать", "Stop and recognise";
    recording: "Идёт запись:", "Recording:";
    sending: "Запись отправлена, идёт распознавание…", "Recording sent, recognising…";
    denied: "Нет доступа к микрофону: разрешите его в браузере или выберите файл записи.", "No access to the microphone: allow it in the browser or choose a recording file.";
    no_script: "Без JavaScript запишите поручение диктофоном телефона и выберите файл записи.", "Without JavaScript, record the order with the phone's recorder and choose the file.";
    file: "Файл звукозаписи", "Recording file";
    limits: "WebM, Ogg, WAV, MP3, M4A или FLAC, до 10 МБ и не длиннее", "WebM, Ogg, WAV, MP3, M4A or FLAC, up to 10 MB and at most";
    seconds: "секунд.", "seconds.";
    recognise: "Распознать", "Recognise";
    typed: "Или введите текст", "Or type the text";
    transcript: "Текст поручения", "The order's text";
    demo_sample: "Демо: пример расшифровки диктовки. Нажмите «Разобрать текст», чтобы увидеть черновик без распознавателя.", "Demo: a sample transcript of a dictation. Press \u{201c}Read the text\u{201d} to see the draft without a recogniser.";
    parse: "Разобрать текст", "Read the text";
    check: "Проверьте поручение", "Check the order";
    not_yet: "Поручение ещё не создано: проверьте и исправьте поля и нажмите «Дать поручение».", "The order is not given yet: check and correct the fields, then press \u{201c}Give the order\u{201d}.";
    heard: "Распознанный текст", "The text recognised";
    audio_kept: "Запись будет приложена к поручению.", "The recording will be attached to the order.";
    fill_in: "Не удалось определить, заполните вручную:", "Could not tell, fill in by hand:";
    missing_executor: "исполнитель", "executor";
    missing_deadline: "срок", "deadline";
    again: "Продиктовать заново", "Dictate again";
});
