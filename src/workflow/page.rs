//! The page of a citizen's request of any kind (a problem report, a
//! construction check request): its facts, photos, support, the actions of
//! the viewer's role and the timeline; and the handlers of those actions.
//! Each feature routes its own paths here with its `Kind`.

use axum::response::Response;
use maud::{Markup, PreEscaped, html};

use super::acting::ActionForm;
pub use super::acting::{Acted, Kept, action_of, parse_action};
use super::lifecycle::{Action, CloseReason, State as St};
use super::page_cache::{self, AnonymousPages, Found, Rendered};
use super::queries::{self, AppealRow};
use super::views::{self, IssueTexts, headline_named, municipality_name, state_badge};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::media;
use crate::texts;
use crate::web::components::{FieldErrors, Select, datetime};
use crate::web::layout::{Page, PageCtx, json_script, login_href};
pub use crate::workflow::support::{follow_of, support_of, support_routes, unsupport_of};
use crate::workflow::{self, Kind};

texts!(pub ReportTexts {
    filed: "Спасибо! Обращение принято.", "Thank you! Your report has been received.";
    filed_moderation: "Оно появится на сайте после проверки модератором.", "It appears on the site after a moderator checks it.";
    supported: "Вы поддержали обращение и будете получать уведомления о нём.", "You support this report and will be notified about it.";
    description: "Описание", "Description";
    photos: "Фотографии", "Photos";
    location: "Место", "Place";
    open_map: "Открыть на карте OpenStreetMap", "Open on the OpenStreetMap map";
    reaction: "Официальный ответ", "Official answer";
    planned_for: "Срок выполнения", "Planned for";
    budget: "Источник финансирования", "Budget line";
    close_reason: "Причина закрытия", "Reason for closing";
    awaiting: "Ведомство должно ответить до", "The department must answer by";
    overdue_text: "Срок ответа прошёл, ответа нет.", "The deadline has passed without an answer.";
    timeline: "Ход рассмотрения", "Timeline";
    internal: "видно только сотрудникам", "staff only";
    support: "Поддержать", "Support";
    supported_already: "Вы поддержали это обращение", "You support this report";
    sign_in_to_support: "Войдите, чтобы поддержать", "Sign in to support";
    unsupport: "Отозвать поддержку", "Withdraw support";
    support_closed: "Обращение решено или закрыто: поддержка больше не собирается.", "The request is resolved or closed: support is no longer collected.";
    follow: "Следить за обращением", "Follow this report";
    unfollow: "Не следить", "Stop following";
    following: "Вы получаете уведомления об изменениях.", "You are notified of changes.";
    actions: "Действия", "Actions";
    text: "Текст", "Text";
    approve: "Опубликовать", "Publish";
    ask: "Запросить уточнение", "Ask for a clarification";
    question: "Вопрос заявителю", "Question to the reporter";
    answer: "Ответить на вопрос", "Answer the question";
    your_answer: "Ваш ответ", "Your answer";
    reject: "Отклонить", "Reject";
    reject_reason: "Причина отклонения (увидит только заявитель)", "Reason (only the reporter sees it)";
    accept: "Взять в работу", "Start work";
    refer: "Передать в другую организацию", "Refer to another organisation";
    refer_to: "Организация", "Organisation";
    refer_reason: "Причина передачи", "Reason for the referral";
    resolve: "Решено", "Resolved";
    resolve_text: "Что сделано", "What was done";
    plan: "Запланировать", "Plan";
    plan_date: "Дата выполнения", "Date of completion";
    plan_budget: "Источник финансирования (необязательно)", "Budget line (optional)";
    plan_text: "Что и когда будет сделано", "What will be done and when";
    close: "Закрыть", "Close";
    close_text: "Пояснение", "Explanation";
    dispute: "Оспорить решение", "Dispute the resolution";
    dispute_text: "Что не так", "What is wrong";
    dispute_hint: "Оспорить решение можно в течение 14 дней.", "A resolution can be disputed within 14 days.";
    confirm: "Подтвердить, что решено", "Confirm it is fixed";
    hide: "Скрыть", "Hide";
    hide_reason: "Причина (видна сотрудникам и заявителю)", "Reason (staff and the reporter see it)";
    unhide: "Вернуть на сайт", "Show again";
    attach: "Фотографии (необязательно)", "Photos (optional)";
    approximate_place: "Место указано приблизительно: центр населённого пункта из адреса (метку на карте не ставили).", "The place is approximate: the centre of the town named in the address (no pin was dropped).";
    attach_again: "Приложенные фотографии не сохранены: приложите их снова.", "The attached photos were not kept: attach them again.";
    submit: "Выполнить", "Submit";
    choose: "— выберите —", "— choose —";
    contact: "Контакт заявителя", "Reporter's contact";
    map_label: "Место на карте", "Place on the map";
});

/// Who is looking at a report.
struct Viewer<'a> {
    user: Option<&'a CurrentUser>,
    author: bool,
    officer: bool,
    moderator: bool,
}

impl<'a> Viewer<'a> {
    fn of(a: &AppealRow, user: Option<&'a CurrentUser>) -> Viewer<'a> {
        Viewer {
            user,
            author: user.is_some_and(|u| u.account_id == a.author_id),
            officer: user.is_some_and(|u| {
                a.organisation_id
                    .as_deref()
                    .is_some_and(|o| u.is_officer_of(o))
                    || u.is_admin()
            }),
            moderator: user.is_some_and(|u| u.is_moderator()),
        }
    }

    fn staff(&self) -> bool {
        self.officer || self.moderator
    }

    fn may_see(&self, a: &AppealRow) -> bool {
        a.state().is_public() || self.author || self.staff()
    }
}

/// A request of `kind` the user may see (404 for any other).
pub async fn visible_kind(
    db: &Db,
    kind: Kind,
    id: &str,
    user: Option<&CurrentUser>,
) -> AppResult<AppealRow> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let a = queries::appeal(db, id)
        .await?
        .filter(|a| a.kind == kind.as_str())
        .ok_or_else(AppError::not_found)?;
    if !Viewer::of(&a, user).may_see(&a) {
        return Err(AppError::not_found());
    }
    Ok(a)
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    pub filed: Option<String>,
    #[serde(default)]
    pub supported: Option<String>,
}

/// The page of a request of any kind: its facts, photos, support, the
/// actions of the viewer's role and the timeline. `extra` is what the
/// feature adds (the registry object and verification of a check request).
pub async fn request_page(
    ctx: PageCtx,
    db: &Db,
    kind: Kind,
    id: String,
    q: ReportQuery,
    extra: Option<Markup>,
) -> AppResult<Response> {
    let (r, _) = RequestView::load(db, kind, &id, &ctx, q.filed.is_some(), None).await?;
    Ok(request_markup(&ctx, kind, &r, &q, extra, None))
}

/// The page of a request with the blocks other features add to requests of
/// its kind (`sections`), given the request as the page read it, so that
/// no block reads it again.
///
/// The page as those not signed in see it at its own address is kept in
/// `pages` until the next commit (`workflow::page_cache`).
pub async fn request_page_with(
    ctx: PageCtx,
    db: &Db,
    kind: Kind,
    id: String,
    q: ReportQuery,
    sections: &super::sections::RequestSections,
    pages: &AnonymousPages,
) -> AppResult<Response> {
    let key = id
        .parse::<i64>()
        .ok()
        .filter(|n| ctx.user.is_none() && ctx.here == kind.path(*n))
        .map(|n| (kind.as_str(), n, ctx.locale));
    // One instant for what the page shows and how long it is right.
    let at = now();
    // The counter is read before the request, so a commit after it is noticed.
    let version = match &key {
        None => None,
        Some(k) => match pages.get(k, at) {
            Found::Kept(p) => {
                return Ok(request_layout(
                    &ctx,
                    kind,
                    p.title,
                    PreEscaped(p.main),
                    None,
                ));
            }
            Found::Render(v) => v,
        },
    };
    let (r, extra) =
        RequestView::load(db, kind, &id, &ctx, q.filed.is_some(), Some(sections)).await?;
    let (title, main) = request_main(&ctx, kind, &r, &q, extra, None, at);
    if let (Some(k), Some(v)) = (key, version) {
        let a = &r.appeal;
        // The page says "overdue" once the deadline passes, with no commit.
        let until = page_cache::right_until(a.state().awaits_reaction(), a.due_at, at);
        let page = Rendered {
            title: title.clone(),
            main: main.0.clone(),
        };
        pages.keep(k, v, page, until);
    }
    Ok(request_layout(&ctx, kind, title, main, None))
}

/// The request page again after an action failed: the form it came from
/// open, what was typed in it, and why it failed beside it, with the
/// error's status.
pub async fn request_page_kept(
    ctx: PageCtx,
    db: &Db,
    kind: Kind,
    id: String,
    extra: Option<Markup>,
    kept: Kept,
) -> AppResult<Response> {
    let (r, _) = RequestView::load(db, kind, &id, &ctx, false, None).await?;
    Ok(request_markup(
        &ctx,
        kind,
        &r,
        &ReportQuery::default(),
        extra,
        Some(&kept),
    ))
}

/// The handler of `POST …/{id}/action` for a kind: the action performed
/// (`action_of`), or, when the person can fix what failed, the page again
/// with what was typed and the feature's `extra` block (read only then,
/// from the page's context, the state and the id as given).
pub async fn act_on_page(
    ctx: PageCtx,
    user: CurrentUser,
    state: AppState,
    kind: Kind,
    id: String,
    multipart: axum::extract::Multipart,
    extra: impl AsyncFnOnce(&PageCtx, &AppState, &str) -> AppResult<Option<Markup>>,
) -> AppResult<Response> {
    match action_of(kind, user, state.clone(), id.clone(), multipart).await? {
        Acted::Done(r) => Ok(r),
        Acted::Kept(k) => {
            let extra = extra(&ctx, &state, &id).await?;
            request_page_kept(ctx, &state.db, kind, id, extra, k).await
        }
    }
}

/// What the request page shows, read in one place.
struct RequestView {
    appeal: AppealRow,
    /// Its category's name, in Russian and English (none when the category
    /// is gone: the page shows its id).
    category: Option<(String, String)>,
    /// The timeline; staff also see the internal events.
    events: Vec<queries::EventRow>,
    photos: Vec<queries::PhotoRow>,
    /// The author's name, unless hidden from this viewer, and address, to
    /// staff only.
    author_name: Option<String>,
    author_email: Option<String>,
    /// Its organisation's name, in Russian and English.
    org: Option<(String, String)>,
    /// Whether the viewer supports and follows it.
    supports: bool,
    follows: bool,
    /// Every organisation, for staff who refer a request (empty for others).
    orgs: Vec<crate::directory::queries::OrgRow>,
    premoderation: bool,
}

impl RequestView {
    /// `filed`: the page thanks its author for a request just filed (and
    /// then says whether a moderator checks it first); `sections`: the
    /// blocks other features add, rendered with what was read. Only what
    /// the viewer is shown is read, and what everyone is shown on one held
    /// connection (`db::Conn`): each query is a round trip to the
    /// database's thread, and the page is read far more than anything else.
    async fn load(
        db: &Db,
        kind: Kind,
        id: &str,
        ctx: &PageCtx,
        filed: bool,
        sections: Option<&super::sections::RequestSections>,
    ) -> AppResult<(RequestView, Option<Markup>)> {
        let user = ctx.user.as_ref();
        let mut c = db.conn().await?;
        // The request with its names, timeline and photos in one query
        // (`queries::appeal_page`); the same 404 as `visible_kind`.
        let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
        let page = queries::appeal_page(&mut c, id)
            .await?
            .filter(|p| p.named.appeal.kind == kind.as_str())
            .ok_or_else(AppError::not_found)?;
        let viewer = Viewer::of(&page.named.appeal, user);
        if !viewer.may_see(&page.named.appeal) {
            return Err(AppError::not_found());
        }
        let staff = viewer.staff();
        let named = page.named;
        let appeal = named.appeal;
        // The internal events are staff's only.
        let events = page
            .events
            .into_iter()
            .filter(|e| e.public || staff)
            .collect();
        let photos = page.photos;
        let extra = match sections {
            Some(s) => s.render(ctx, &mut c, &appeal).await?,
            None => None,
        };
        // Back to the pool before reading anything on the pool.
        drop(c);
        let category = named.category_ru.zip(named.category_en);
        let org = named.organisation_ru.zip(named.organisation_en);
        // A hidden name is shown to staff only, and the contact always so.
        let author_name = named.author_name.filter(|_| !appeal.hide_name || staff);
        let author_email = named.author_email.filter(|_| staff);
        let (supports, follows) = match user {
            Some(u) => (
                queries::supports(db, appeal.appeal_id, u.account_id).await?,
                queries::follows(db, appeal.appeal_id, u.account_id).await?,
            ),
            None => (false, false),
        };
        let orgs = if staff {
            crate::directory::queries::list(db).await?
        } else {
            Vec::new()
        };
        let premoderation = filed && viewer.author && workflow::settings(db).await?.premoderation;
        let view = RequestView {
            appeal,
            category,
            events,
            photos,
            author_name,
            author_email,
            org,
            supports,
            follows,
            orgs,
            premoderation,
        };
        Ok((view, extra))
    }
}

fn request_markup(
    ctx: &PageCtx,
    kind: Kind,
    r: &RequestView,
    q: &ReportQuery,
    extra: Option<Markup>,
    kept: Option<&Kept>,
) -> Response {
    let (title, main) = request_main(ctx, kind, r, q, extra, kept, now());
    request_layout(ctx, kind, title, main, kept)
}

/// The layout around a request's page.
fn request_layout(
    ctx: &PageCtx,
    kind: Kind,
    title: String,
    main: Markup,
    kept: Option<&Kept>,
) -> Response {
    let (crumb, crumb_href) = kind.section(ctx.locale);
    Page::new(ctx, title)
        .crumb(crumb, crumb_href)
        .with_map()
        .status(kept.map_or(axum::http::StatusCode::OK, |k| k.error.status()))
        .render(main)
}

/// A request's page without its layout: its title and its main part.
fn request_main(
    ctx: &PageCtx,
    kind: Kind,
    r: &RequestView,
    q: &ReportQuery,
    extra: Option<Markup>,
    kept: Option<&Kept>,
    at: time::OffsetDateTime,
) -> (String, Markup) {
    let a = &r.appeal;
    let v = Viewer::of(a, ctx.user.as_ref());
    let RequestView {
        category,
        events,
        photos,
        author_name,
        author_email,
        org,
        supports,
        follows,
        orgs,
        premoderation,
        ..
    } = r;
    let (supports, follows, premoderation) = (*supports, *follows, *premoderation);
    let l = ctx.locale;
    let t = ReportTexts::get(l);
    let it = IssueTexts::get(l);
    let category_name = category
        .as_ref()
        .map_or(a.category_id.as_str(), |(ru, en)| l.pick(ru, en));
    let title = format!("№{}. {}", a.appeal_id, headline_named(l, category_name, a));
    let point = serde_json::json!({
        "type": "FeatureCollection",
        "features": [{ "type": "Feature", "geometry": { "type": "Point", "coordinates": [a.lon, a.lat] },
                       "properties": { "name": headline_named(l, category_name, a), "approximate": a.approximate } }]
    });
    let main = html! {
        @if q.filed.is_some() && v.author {
            (crate::web::components::notice("success", html! {
                (t.filed) @if a.state() == St::Submitted && premoderation { " " (t.filed_moderation) }
            }))
        }
        @if q.supported.is_some() && supports { (crate::web::components::notice("success", html! { (t.supported) })) }
        h1 { (title) }
        p.report-meta {
            (state_badge(l, a, at))
            " · "
            @if let Some(href) = kind.spec().municipality_href {
                a href={ (href) (a.municipality_id) } { (municipality_name(l, &a.municipality_id)) }
            } @else { (municipality_name(l, &a.municipality_id)) }
            @if let (Some(o), Some((ru, en))) = (&a.organisation_id, &org) { " · " a href={ (kind.spec().organisation_href) (o) } { (l.pick(ru, en)) } }
        }
        dl.facts {
            dt { (it.author) }
            dd { @match &author_name { Some(n) => { (n) @if a.hide_name { " (" (it.hidden_name) ")" } }, None => { (it.hidden_name) } } }
            @if v.staff() {
                @if let Some(email) = author_email { dt { (t.contact) } dd { a href={ "mailto:" (email) } { (email) } } }
            }
            dt { (it.category) } dd { (category_name) }
            dt { (it.created_on) } dd { (datetime(l, a.created_at)) }
            @if let Some(p) = a.published_at { dt { (it.published_on) } dd { (datetime(l, p)) } }
            @if let (Some(d), true) = (a.due_at, a.state().awaits_reaction()) {
                dt { (t.awaiting) }
                dd { (datetime(l, d)) @if a.is_overdue(at) { " — " strong.overdue-text { (t.overdue_text) } } }
            }
            dt { (it.supporters) } dd #support-count { (a.support_count) }
        }
        h2 { (t.description) }
        p.report-text { (a.description) }
        @if a.reaction_text.is_some() {
            section.reaction aria-labelledby="reaction-title" {
                h2 #reaction-title { (t.reaction) }
                p.report-text { (a.reaction_text.as_deref().unwrap_or("")) }
                dl.facts {
                    @if let Some(d) = &a.planned_date { dt { (t.planned_for) } dd { (crate::web::i18n::parse_iso_date(d).map(|d| crate::web::components::date(l, d)).unwrap_or_else(|| d.clone())) } }
                    @if let Some(b) = &a.planned_budget { dt { (t.budget) } dd { (b) } }
                    @if let Some(r) = a.close_reason.as_deref().and_then(CloseReason::parse) { dt { (t.close_reason) } dd { (r.label(l)) } }
                }
            }
        }
        @let first: Vec<_> = photos.iter().filter(|p| p.event_id.is_none()).collect();
        @if !first.is_empty() {
            h2 { (t.photos) }
            (photo_list(&first))
        }
        h2 { (t.location) }
        @if a.approximate { p.notice #place-approximate { (t.approximate_place) } }
        p { @if !a.address.is_empty() { (a.address) " · " } (format!("{:.5}, {:.5}", a.lat, a.lon)) " · "
            a href={ "https://www.openstreetmap.org/?mlat=" (a.lat) "&mlon=" (a.lon) "#map=17/" (a.lat) "/" (a.lon) } { (t.open_map) } }
        div.map.small-map role="region" aria-label=(t.map_label) data-geojson-inline="report-point" data-tiles=(ctx.tile_url) {}
        (json_script("report-point", &point))
        @if let Some(extra) = &extra { (extra) }
        (support_box(ctx, a, &v, supports, follows))
        (actions(ctx, a, &v, orgs, kept))
        h2 #timeline { (t.timeline) }
        ol.timeline {
            @for e in events {
                li.internal[!e.public] {
                    p.timeline-head {
                        strong { (views::event_label(l, &e.kind)) }
                        " · " (crate::workflow::Role::label(&e.actor_role, l))
                        " · " time datetime=(e.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()) { (datetime(l, e.created_at)) }
                        @if !e.public { " · " em { (t.internal) } }
                    }
                    @if e.kind == "referred" {
                        @if let Some(o) = orgs.iter().find(|o| Some(&o.organisation_id) == e.organisation_id.as_ref()) {
                            p { "→ " (l.pick(&o.name_ru, &o.name_en)) }
                        }
                    }
                    @if !e.note.is_empty() { p.report-text { (e.note) } }
                    @let ph: Vec<_> = photos.iter().filter(|p| p.event_id == Some(e.event_id)).collect();
                    @if !ph.is_empty() { (photo_list(&ph)) }
                }
            }
        }
    };
    (title, main)
}

fn photo_list(photos: &[&queries::PhotoRow]) -> Markup {
    html! {
        ul.photo-list {
            @for p in photos {
                li { a href=(media::url(&p.media_key, "full")) { img src=(media::url(&p.media_key, "thumb")) alt="" loading="lazy"; } }
            }
        }
    }
}

fn support_box(
    ctx: &PageCtx,
    a: &AppealRow,
    v: &Viewer<'_>,
    supports: bool,
    follows: bool,
) -> Markup {
    let t = ReportTexts::get(ctx.locale);
    if !a.state().is_public() {
        return html! {};
    }
    html! {
        div.support-box {
            @if !a.state().is_open() {
                p.hint { (t.support_closed) }
            } @else if v.user.is_none() {
                a.button href=(login_href(&ctx.here)) { (t.sign_in_to_support) }
            } @else if supports {
                p { (t.supported_already) " "
                    form.inline method="post" action={ (workflow::kind_of(a).path(a.appeal_id)) "/unsupport" } {
                        (ctx.csrf_field())
                        button.link-button type="submit" { (t.unsupport) }
                    }
                }
            } @else if !v.author {
                form.inline method="post" action={ (workflow::kind_of(a).path(a.appeal_id)) "/support" } {
                    (ctx.csrf_field())
                    button.button type="submit" { (t.support) }
                }
            }
            @if v.user.is_some() {
                @if follows {
                    p { (t.following) " "
                        form.inline method="post" action={ (workflow::kind_of(a).path(a.appeal_id)) "/unfollow" } {
                            (ctx.csrf_field())
                            button.link-button type="submit" { (t.unfollow) }
                        }
                    }
                } @else {
                    form.inline method="post" action={ (workflow::kind_of(a).path(a.appeal_id)) "/follow" } {
                        (ctx.csrf_field())
                        " " button.button.button-secondary type="submit" { (t.follow) }
                    }
                }
            }
        }
    }
}

/// One action form: a `<details>` that opens to the fields it needs.
fn action_form(
    ctx: &PageCtx,
    a: &AppealRow,
    action: &str,
    label: &str,
    body: Markup,
    photos: bool,
    kept: Option<&Kept>,
) -> Markup {
    let t = ReportTexts::get(ctx.locale);
    let href = format!("{}/action", workflow::kind_of(a).path(a.appeal_id));
    let failed = kept.filter(|k| k.form.action == action);
    html! {
        details.action open[failed.is_some()] {
            summary { (label) }
            form.stack method="post" action=(href) enctype="multipart/form-data" { (ctx.csrf_field())
                input type="hidden" name="action" value=(action);
                @if let Some(k) = failed {
                    div.notice.notice-error #action-error role="alert" {
                        (k.error.message().get(ctx.locale))
                        @if k.form.photos_sent { " " (t.attach_again) }
                    }
                }
                (body)
                @if photos {
                    div.field {
                        label for={ "f-photos-" (action) } { (t.attach) }
                        input id={ "f-photos-" (action) } type="file" name="photos" multiple accept="image/jpeg,image/png,image/webp";
                    }
                }
                div.actions { button.button type="submit" { (label) } }
            }
        }
    }
}

fn text_field(action: &str, label: &str, required: bool, kept: Option<&Kept>) -> Markup {
    let id = format!("f-text-{action}");
    let value = kept.map_or("", |k| k.value(action, |f| f.text.as_str()));
    html! {
        div.field {
            label for=(id) { (label) }
            textarea id=(id) name="text" rows="3" maxlength="4000" required[required] { (value) }
        }
    }
}

/// The forms of the actions the viewer may take now.
fn actions(
    ctx: &PageCtx,
    a: &AppealRow,
    v: &Viewer<'_>,
    orgs: &[crate::directory::queries::OrgRow],
    kept: Option<&Kept>,
) -> Markup {
    let l = ctx.locale;
    let t = ReportTexts::get(l);
    let mut forms: Vec<Markup> = Vec::new();
    // Whether the failed action's form is on the page to show its error.
    let mut shown = false;
    let kv = |action: &str, f: fn(&ActionForm) -> &str| -> String {
        kept.map_or(String::new(), |k| k.value(action, f).to_owned())
    };
    let org_select = || {
        let options: Vec<(String, String)> = orgs
            .iter()
            .filter(|o| Some(&o.organisation_id) != a.organisation_id.as_ref())
            .map(|o| o.option(l))
            .collect();
        Select {
            name: "organisation_id",
            label: t.refer_to,
            options: &options,
            selected: &kv("refer", |f| f.organisation_id.as_str()),
            placeholder: Some(t.choose),
            disabled: false,
        }
        .render(l, &FieldErrors::new())
    };
    let Some(user) = v.user else {
        return html! {};
    };
    // Every action the rules allow this person now, and only those: the
    // page asks `workflow::may`, the check `perform` makes, with a stand-in
    // for what the form will carry (a text, a future date, another
    // organisation), so what is offered is what is authorised.
    let at = now();
    let text = || "·".to_owned();
    let may = |action: &Action| workflow::may(a, user, action, at);
    let tomorrow = (at + time::Duration::days(2)).date();
    // The planned day is after today in the krai (the rule refuses today).
    let first_day = crate::web::components::today_msk()
        .next_day()
        .unwrap_or(tomorrow);
    let plan_range = crate::web::components::date_range(first_day, 5);
    let close_reasons: Vec<(String, String)> = [
        CloseReason::NotResponsible,
        CloseReason::Duplicate,
        CloseReason::NoActionNeeded,
    ]
    .into_iter()
    .map(|r| (r.as_str().to_owned(), r.label(l).to_owned()))
    .collect();
    let candidates: Vec<(Action, &str, &str, Markup, bool)> = vec![
        (
            Action::AnswerClarification { answer: text() },
            "answer",
            t.answer,
            text_field("answer", t.your_answer, true, kept),
            true,
        ),
        (
            Action::Dispute { text: text() },
            "dispute",
            t.dispute,
            html! { p.hint { (t.dispute_hint) } (text_field("dispute", t.dispute_text, true, kept)) },
            true,
        ),
        (Action::ConfirmFixed, "confirm", t.confirm, html! {}, false),
        (Action::Approve, "approve", t.approve, html! {}, false),
        (
            Action::Reject { reason: text() },
            "reject",
            t.reject,
            text_field("reject", t.reject_reason, true, kept),
            false,
        ),
        (Action::Unhide, "unhide", t.unhide, html! {}, false),
        (
            Action::Hide { reason: text() },
            "hide",
            t.hide,
            text_field("hide", t.hide_reason, true, kept),
            false,
        ),
        (Action::Accept, "accept", t.accept, html! {}, false),
        (
            Action::Resolve { text: text() },
            "resolve",
            t.resolve,
            text_field("resolve", t.resolve_text, true, kept),
            true,
        ),
        (
            Action::Plan {
                date: tomorrow,
                budget: None,
                text: text(),
            },
            "plan",
            t.plan,
            html! {
                div.field { label for="f-date" { (t.plan_date) } input #f-date type="date" name="date" min=(plan_range.0) max=(plan_range.1) value=(kv("plan", |f| f.date.as_str())) required; }
                div.field { label for="f-budget" { (t.plan_budget) } input #f-budget type="text" name="budget" maxlength="300" value=(kv("plan", |f| f.budget.as_str())); }
                (text_field("plan", t.plan_text, true, kept))
            },
            true,
        ),
        (
            Action::Close {
                reason: CloseReason::NotResponsible,
                text: text(),
            },
            "close",
            t.close,
            html! {
                (Select { name: "reason", label: t.close_reason, options: &close_reasons, selected: &kv("close", |f| f.reason.as_str()), placeholder: Some(t.choose), disabled: false }.render(l, &FieldErrors::new()))
                (text_field("close", t.close_text, true, kept))
            },
            false,
        ),
        (
            Action::AskClarification { question: text() },
            "ask",
            t.ask,
            text_field("ask", t.question, true, kept),
            false,
        ),
        // Any organisation but the current one: the rules refuse a referral
        // to where the request already is.
        (
            Action::Refer {
                organisation_id: "\u{0}another".to_owned(),
                reason: text(),
            },
            "refer",
            t.refer,
            html! { (org_select()) (text_field("refer", t.refer_reason, true, kept)) },
            false,
        ),
    ];
    for (action, name, label, fields, photos) in candidates {
        if name == "resolve" && !workflow::kind_of(a).resolved_on_page() {
            continue;
        }
        if may(&action) {
            shown |= kept.is_some_and(|k| k.form.action == name);
            forms.push(action_form(ctx, a, name, label, fields, photos, kept));
        }
    }
    // An action no longer offered (the request moved on meanwhile) still
    // says why it failed.
    let unplaced = kept.filter(|_| !shown);
    if forms.is_empty() && unplaced.is_none() {
        return html! {};
    }
    html! {
        section.report-actions aria-labelledby="actions-title" {
            h2 #actions-title { (t.actions) }
            @if let Some(k) = unplaced {
                div.notice.notice-error #action-error role="alert" { (k.error.message().get(l)) }
            }
            @for f in forms { (f) }
        }
    }
}
