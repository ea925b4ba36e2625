//! The layout every page shares: `lang`, skip link, landmarks, navigation,
//! language switch, sign-in, footer with the map and data licences. Pages are
//! built with [`Page`], which takes the [`PageCtx`] so no page can forget the
//! language, the signed-in user or the CSRF token.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::texts;
use crate::web::assets;
use crate::web::csrf::{CSRF_FIELD, CsrfSecret};
use crate::web::i18n::Locale;

/// What a screen reader hears on the notifications link: the count in
/// words rather than a bare number in a badge.
fn unread_label(l: Locale, n: i64) -> String {
    let t = LayoutTexts::get(l);
    if n == 0 {
        return t.notifications.to_owned();
    }
    match l {
        Locale::Ru => format!(
            "{}: {n} {}",
            t.notifications,
            crate::web::i18n::plural_ru(n, "непрочитанное", "непрочитанных", "непрочитанных")
        ),
        Locale::En => format!("{}: {n} unread", t.notifications),
    }
}

/// The language switch speaks the language it leads to, so a reader who
/// cannot read the current page still finds it; that is why it is not in
/// the table below, where each language speaks for itself.
fn switch_to(other: Locale) -> &'static str {
    match other {
        Locale::En => "English",
        Locale::Ru => "Русский",
    }
}

fn switch_label(other: Locale) -> &'static str {
    match other {
        Locale::En => "Switch to English",
        Locale::Ru => "Переключить на русский",
    }
}

texts!(pub LayoutTexts {
    notifications: "Уведомления", "Notifications";
    site_name: "Вече", "Veche";
    region: "Краснодарский край", "Krasnodar Krai";
    tagline: "Открытое правительство Кубани", "Open government of the Kuban";
    skip: "Перейти к содержанию", "Skip to content";
    nav_label: "Основные разделы", "Main sections";
    nav_opendata: "Открытые данные", "Open data";
    nav_problems: "Проблемы", "Problems";
    nav_construction: "Стройка", "Construction";
    nav_participation: "Участие", "Participation";
    nav_municipalities: "Муниципалитеты", "Municipalities";
    nav_search: "Поиск", "Search";
    sign_in: "Войти", "Sign in";
    register: "Регистрация", "Register";
    sign_out: "Выйти", "Sign out";
    report_problem: "Сообщить о проблеме", "Report a problem";
    done: "Готово: изменения сохранены.", "Done: your changes are saved.";
    menu: "Меню", "Menu";
    scroll_table: "Таблица, прокручивается вбок", "Table, scrolls sideways";
    demo_banner: "Демонстрационный регион: организации, обращения, стройки и поручения вымышлены.",
                 "A demo region: the organisations, reports, construction and orders are made up.";
    demo_link: "Войти в любой роли", "Sign in as any role";
    account: "Личный кабинет", "My account";
    feed: "Лента", "Feed";
    workspace: "Рабочее место", "Workspace";
    admin: "Администрирование", "Administration";
    footer_osm: "Картографические данные", "Map data";
    footer_osm_credit: "© участники OpenStreetMap", "© OpenStreetMap contributors";
    footer_licences: "Источники и лицензии данных", "Data sources and licences";
    footer_api: "API для разработчиков", "API for developers";
    footer_about: "Портал открытого правительства Краснодарского края. Данные публикуются по открытым лицензиям.",
                  "The open-government portal of Krasnodar Krai. Data is published under open licences.";
    breadcrumbs: "Навигационная цепочка", "Breadcrumbs";
    home: "Главная", "Home";
});

/// What every page needs to know about the request.
pub struct PageCtx {
    pub locale: Locale,
    pub user: Option<CurrentUser>,
    csrf: Option<CsrfSecret>,
    /// Path and query of the current request, for "come back here" links.
    pub here: String,
    pub tile_url: String,
    /// Unread notifications of the signed-in person (the header's badge).
    pub unread: i64,
    /// The demo content is on: every page says so.
    pub demo: bool,
}

impl PageCtx {
    pub fn t(&self) -> &'static LayoutTexts {
        LayoutTexts::get(self.locale)
    }

    /// A fresh masked CSRF token for a form.
    pub fn csrf_token(&self) -> String {
        self.csrf
            .as_ref()
            .map(CsrfSecret::masked_token)
            .unwrap_or_default()
    }

    /// The hidden CSRF input every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name=(CSRF_FIELD) value=(self.csrf_token()); }
    }

    /// The context of an error page: the person and the CSRF secret of
    /// the request when a handler got as far as reading them (`PageSlot`),
    /// so the page keeps the signed-in header and a working sign-out.
    pub fn for_error(locale: Locale, here: String, slot: &PageSlot) -> PageCtx {
        let mut ctx = PageCtx::bare(locale, here);
        if let Some((user, csrf)) = slot.0.get() {
            ctx.user = user.clone();
            ctx.csrf = csrf.clone();
        }
        ctx
    }

    /// A minimal context for error pages rendered outside a handler.
    pub fn bare(locale: Locale, here: String) -> PageCtx {
        PageCtx {
            locale,
            user: None,
            csrf: None,
            here,
            tile_url: String::new(),
            unread: 0,
            demo: false,
        }
    }
}

/// Where a handler's page context is left for the error renderer
/// (`web::errors` puts one in each request; `PageCtx` fills it when it is
/// extracted). Empty when the request failed before that (an unknown
/// address): such a page shows the signed-out header.
#[derive(Clone, Default)]
pub struct PageSlot(std::sync::Arc<std::sync::OnceLock<(Option<CurrentUser>, Option<CsrfSecret>)>>);

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let locale = Locale::from_headers(&parts.headers);
        let user = Option::<CurrentUser>::from_request_parts(parts, state).await?;
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let csrf = parts.extensions.get::<CsrfSecret>().cloned();
        if let Some(slot) = parts.extensions.get::<PageSlot>() {
            let _ = slot.0.set((user.clone(), csrf.clone()));
        }
        let unread = match &user {
            Some(u) => crate::workflow::queries::unread_count(&state.db, u.account_id).await?,
            None => 0,
        };
        Ok(PageCtx {
            locale,
            user,
            csrf,
            here,
            tile_url: state.config.server.tile_url.clone(),
            unread,
            demo: state.config.server.demo,
        })
    }
}

/// A page under construction by a handler.
pub struct Page<'a> {
    ctx: &'a PageCtx,
    title: String,
    crumbs: Vec<(String, String)>,
    head: Option<Markup>,
    scripts: Vec<&'static str>,
    status: StatusCode,
    /// The web app manifest the page installs as (`web/pwa.rs` by default).
    manifest: &'static str,
}

impl<'a> Page<'a> {
    pub fn new(ctx: &'a PageCtx, title: impl Into<String>) -> Page<'a> {
        Page {
            ctx,
            title: title.into(),
            crumbs: Vec::new(),
            head: None,
            scripts: Vec::new(),
            status: StatusCode::OK,
            manifest: "/manifest.webmanifest",
        }
    }

    /// Adds a breadcrumb before the current page (which is always last).
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push((label.into(), href.into()));
        self
    }

    /// Extra elements for `<head>` (alternate links, JSON-LD).
    pub fn head(mut self, markup: Markup) -> Self {
        self.head = Some(markup);
        self
    }

    /// Loads the map library and the site's map script.
    pub fn with_map(mut self) -> Self {
        self.scripts.push("vendor/leaflet/leaflet.js");
        self.scripts.push("js/map.js");
        self
    }

    /// Loads the map library with marker clustering (its styles and its
    /// script) and the page's own map `script`, in that order.
    pub fn with_cluster_map(mut self, script: &'static str) -> Self {
        self.head = Some(html! {
            link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet.markercluster/MarkerCluster.css"));
            link rel="stylesheet" href=(crate::web::assets::url("vendor/leaflet.markercluster/MarkerCluster.Default.css"));
        });
        self.scripts.extend([
            "vendor/leaflet/leaflet.js",
            "vendor/leaflet.markercluster/leaflet.markercluster.js",
            script,
        ]);
        self
    }

    /// Installs as another app than the site's (a part of the site with its
    /// own start page and scope).
    pub fn manifest(mut self, href: &'static str) -> Self {
        self.manifest = href;
        self
    }

    pub fn script(mut self, path: &'static str) -> Self {
        self.scripts.push(path);
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn render(self, main: Markup) -> Response {
        let status = self.status;
        (status, self.into_markup(main)).into_response()
    }

    pub fn into_markup(self, main: Markup) -> Markup {
        let ctx = self.ctx;
        let t = ctx.t();
        let full_title = if self.title.is_empty() {
            format!("{} — {}", t.site_name, t.region)
        } else {
            format!("{} — {}", self.title, t.site_name)
        };
        let uses_map = self.scripts.iter().any(|s| s.contains("leaflet"));
        html! {
            (DOCTYPE)
            html lang=(ctx.locale.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (full_title) }
                    meta name="description" content=(t.footer_about);
                    link rel="icon" href=(assets::url("img/favicon.svg")) type="image/svg+xml";
                    @if uses_map {
                        link rel="stylesheet" href=(assets::url("vendor/leaflet/leaflet.css"));
                    }
                    link rel="stylesheet" href=(assets::url("css/site.css"));
                    meta name="csrf-token" content=(ctx.csrf_token());
                    // The phone app (web/pwa.rs).
                    link rel="manifest" href=(self.manifest);
                    meta name="theme-color" content="#0b5394";
                    link rel="apple-touch-icon" href=(assets::url("img/icon-192.png"));
                    @if let Some(head) = &self.head { (head) }
                }
                body {
                    a.skip-link href="#main" { (t.skip) }
                    (header(ctx))
                    @if ctx.demo {
                        p.demo-banner #demo-banner { (t.demo_banner) " " a href="/demo" { (t.demo_link) } }
                    }
                    main #main tabindex="-1" {
                        @if !self.crumbs.is_empty() {
                            nav.breadcrumbs aria-label=(t.breadcrumbs) {
                                ol {
                                    li { a href="/" { (t.home) } }
                                    @for (label, href) in &self.crumbs {
                                        li { a href=(href) { (label) } }
                                    }
                                    li aria-current="page" { (self.title) }
                                }
                            }
                        }
                        // An action that redirects here with `done=1` is
                        // confirmed (`DONE`), whichever page it lands on.
                        @if ctx.here.split_once('?').is_some_and(|(_, q)| q.split('&').any(|p| p == "done=1")) {
                            div.notice.notice-success role="status" #done { (t.done) }
                        }
                        (main)
                    }
                    (footer(ctx))
                    script src=(assets::url("js/select-filter.js")) defer {}
                    script src=(assets::url("js/menu.js")) defer {}
                    script src=(assets::url("js/pwa.js")) defer {}
                    @for script in &self.scripts {
                        script src=(assets::url(script)) defer {}
                        // Every map stands on the region drawn by the
                        // browser (`js/base-map.js` hooks into Leaflet).
                        @if *script == "vendor/leaflet/leaflet.js" {
                            script src=(assets::url("js/base-map.js")) defer {}
                        }
                    }
                }
            }
        }
    }
}

fn header(ctx: &PageCtx) -> Markup {
    let t = ctx.t();
    let other = ctx.locale.other();
    let switch_href = format!(
        "/lang/{}?next={}",
        other.code(),
        url::form_urlencoded::byte_serialize(ctx.here.as_bytes()).collect::<String>()
    );
    html! {
        header.site-header {
            div.header-inner {
                a.brand href="/" {
                    img src=(assets::url("img/logo.svg")) alt="" width="36" height="36";
                    span.brand-text {
                        span.brand-name { (t.site_name) }
                        span.brand-region { (t.region) }
                    }
                }
                // Reporting a problem is one tap from every page, also on a
                // phone where the rest folds into the menu.
                a.button-small.header-report #header-report href="/problems/new" { (t.report_problem) }
                // Shown by `js/menu.js` on narrow screens; without scripts the
                // menu simply stays open.
                button.menu-toggle #menu-toggle type="button" aria-controls="site-menu" aria-expanded="false" hidden { (t.menu) }
                div.site-menu #site-menu {
                nav.main-nav aria-label=(t.nav_label) {
                    ul {
                        (nav_link(ctx, "/opendata", t.nav_opendata))
                        (nav_link(ctx, "/problems", t.nav_problems))
                        (nav_link(ctx, "/construction", t.nav_construction))
                        (nav_link(ctx, "/participation", t.nav_participation))
                        (nav_link(ctx, "/municipalities", t.nav_municipalities))
                    }
                }
                div.header-tools {
                    a.search-link href="/search" { (t.nav_search) }
                    a.lang-switch href=(switch_href) hreflang=(other.code()) lang=(other.code())
                        aria-label=(switch_label(other)) { (switch_to(other)) }
                    @if let Some(user) = &ctx.user {
                        @if user.is_staff() {
                            a href="/workspace" { (t.workspace) }
                        }
                        @if user.is_admin() {
                            a href="/admin" { (t.admin) }
                        }
                        a href="/account" { (t.account) }
                        a href="/feed" { (t.feed) }
                        a #notifications-link href="/account/notifications"
                            aria-label=(unread_label(ctx.locale, ctx.unread)) {
                            (t.notifications)
                            @if ctx.unread > 0 { " " span.badge.badge-count aria-hidden="true" { (ctx.unread.min(99)) } }
                        }
                        form.inline method="post" action="/auth/logout" {
                            (ctx.csrf_field())
                            button.link-button type="submit" { (t.sign_out) }
                        }
                    } @else {
                        a href=(login_href(&ctx.here)) { (t.sign_in) }
                        a.button-small href="/auth/register" { (t.register) }
                    }
                }
                }
            }
        }
    }
}

/// The sign-in link that brings the visitor back to `here` afterwards.
pub fn login_href(here: &str) -> String {
    if here.starts_with("/auth/") || here == "/" {
        "/auth/login".to_owned()
    } else {
        format!(
            "/auth/login?next={}",
            url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        )
    }
}

fn nav_link(ctx: &PageCtx, href: &str, label: &str) -> Markup {
    let path = ctx.here.split('?').next().unwrap_or("");
    let current = path == href || path.starts_with(&format!("{href}/"));
    html! {
        li {
            a href=(href) aria-current=[current.then_some("page")] { (label) }
        }
    }
}

fn footer(ctx: &PageCtx) -> Markup {
    let t = ctx.t();
    html! {
        footer.site-footer {
            div.footer-inner {
                p { (t.footer_about) }
                p {
                    (t.footer_osm) ": "
                    a href="https://www.openstreetmap.org/copyright" rel="license" { (t.footer_osm_credit) }
                    " (ODbL 1.0)."
                }
                ul.footer-links {
                    li { a href="/about/data" { (t.footer_licences) } }
                    li { a href="/api/docs/" { (t.footer_api) } }
                }
            }
        }
    }
}

/// Embeds a value as JSON for scripts, safe inside `<script>`: `<` can only
/// occur inside JSON strings, where `\u003c` means the same, so neither
/// `</script>` nor `<!--` can appear in the element.
pub fn json_script(id: &str, value: &serde_json::Value) -> Markup {
    let json = value.to_string().replace('<', "\\u003c");
    html! { script type="application/json" id=(id) { (PreEscaped(json)) } }
}

/// A JSON-LD block (schema.org) with the same escaping.
pub fn json_ld(value: &serde_json::Value) -> Markup {
    let json = value.to_string().replace('<', "\\u003c");
    html! { script type="application/ld+json" { (PreEscaped(json)) } }
}
