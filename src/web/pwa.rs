//! The citizens' phone app: veche installs as a progressive web app. The
//! manifest names it and its icons; the service worker (`web/js/sw.js`,
//! served from the root so it covers the whole site) keeps the pages a
//! citizen needs without a signal and the reports written offline
//! (docs/ARCHITECTURE.md, "The phone app").

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::error::{AppError, AppResult};
use crate::texts;
use crate::web::assets::{self, Assets};
use crate::web::layout::{Page, PageCtx};

texts!(pub PwaTexts {
    name: "Вече — открытое правительство Краснодарского края", "Veche — open government of Krasnodar Krai";
    short_name: "Вече", "Veche";
    description: "Сообщайте о проблемах, следите за ответами, смотрите стройки и открытые данные.",
                 "Report problems, follow the answers, explore construction and open data.";
    offline_title: "Нет связи", "You are offline";
    offline_text: "Эта страница ещё не сохранена на телефоне. Открыты без связи: ваши обращения, обращения, за которыми вы следите, и форма нового обращения — написанное без связи отправится само, когда связь появится.",
                  "This page is not saved on the phone yet. Available offline: your reports, the reports you follow, and the new report form — a report written offline is sent by itself when the signal returns.";
    my_reports: "Мои обращения", "My reports";
    new_report: "Сообщить о проблеме", "Report a problem";
});

/// `GET /manifest.webmanifest`, in the visitor's language.
pub async fn manifest(ctx: PageCtx) -> Response {
    let t = PwaTexts::get(ctx.locale);
    let icon = |size: u32| {
        serde_json::json!({
            "src": assets::url(&format!("img/icon-{size}.png")),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": "any maskable",
        })
    };
    let body = serde_json::json!({
        "name": t.name,
        "short_name": t.short_name,
        "description": t.description,
        "lang": ctx.locale.code(),
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [icon(192), icon(512)],
        "shortcuts": [
            { "name": t.new_report, "url": "/problems/new" },
            { "name": t.my_reports, "url": "/account/requests" },
        ],
    });
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/manifest+json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `GET /sw.js`: the service worker, from the root so its scope is the whole
/// site. Never cached by HTTP, so a new version reaches phones at once.
pub async fn service_worker() -> AppResult<Response> {
    let file = Assets::get("js/sw.js").ok_or_else(AppError::not_found)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        file.data.into_owned(),
    )
        .into_response())
}

/// `GET /offline`: what the service worker shows for a page it has not
/// kept when there is no signal.
pub async fn offline(ctx: PageCtx) -> Response {
    let t = PwaTexts::get(ctx.locale);
    Page::new(&ctx, t.offline_title).render(html! {
        h1 { (t.offline_title) }
        p { (t.offline_text) }
        ul {
            li { a href="/account/requests" { (t.my_reports) } }
            li { a href="/problems/new" { (t.new_report) } }
        }
    })
}
