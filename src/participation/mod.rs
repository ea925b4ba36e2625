//! Participation (docs/PARTICIPATION.md): the tools through which residents
//! take part in decisions. Each is a folder of its own:
//!
//! - `priorities/`: quarterly priority ranks by municipality and for the
//!   region.

pub mod lawmaking;
pub mod mart;
pub mod priorities;
pub mod services;
pub mod social;
pub mod suggestions;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participation", axum::routing::get(landing))
        .merge(lawmaking::router())
        .merge(priorities::router())
        .merge(services::router())
        .merge(suggestions::router())
        .merge(social::router())
}

crate::texts!(LandingTexts {
    services_lead: "Оцените госуслугу, которую получили: итоги месяца с доверительными интервалами и местами среди сопоставимых услуг.", "Rate a government service you received: monthly results with confidence intervals and positions among comparable services.";
    suggestions_lead: "Предложите решение проблемы из сообщения, приоритета или своей: организация ответит публично в течение 10 дней.", "Suggest a solution for a reported problem, a priority or your own idea: the organisation answers publicly within 10 days.";
    publications: "Публикации", "Publications";
    publications_lead: "Новости и объявления ведомств и муниципалитетов, заметки жителей о своём городе с комментариями; RSS и Atom по муниципалитету и автору.", "News and announcements of departments and municipalities, residents' posts about their town with comments; RSS and Atom by municipality and author.";
    galleries: "Фотоальбомы", "Photo albums";
    galleries_lead: "Стройка по месяцам, парк до и после, городские события: фотографии с подписями и местом на карте.", "A construction site month by month, a park before and after, town events: photos with captions and places on the map.";
    feed: "Моя лента и сообщения", "My feed and messages";
    feed_lead: "Подпишитесь на людей, инициативы, приоритеты, обращения и организации; пишите личные сообщения; решите в профиле, что показывать другим.", "Follow people, initiatives, priorities, requests and organisations; write direct messages; choose in your profile what others see.";
    lawmaking_lead: "Предложите концепцию регионального или муниципального акта и проведите её через обсуждение, работу над текстом, экспертизу и решение правительства.", "Propose the concept of a regional or municipal act and take it through discussion, work on the text, expertise and the government's decision.";
});

/// `GET /participation`: one block per tool.
async fn landing(
    ctx: crate::web::layout::PageCtx,
    axum::extract::State(state): axum::extract::State<AppState>,
) -> crate::error::AppResult<axum::response::Response> {
    let l = ctx.locale;
    let t = priorities::views::T::get(l);
    let lt = LandingTexts::get(l);
    let st = services::views::T::get(l);
    let gt = suggestions::views::T::get(l);
    let priorities = priorities::pages::landing_section(&ctx, &state).await?;
    // Every other tool: its block's id, its page, its name and what it is for.
    let tools = [
        (
            "services-block",
            "/participation/services",
            st.title,
            lt.services_lead,
        ),
        (
            "suggestions-block",
            "/participation/suggestions",
            gt.title,
            lt.suggestions_lead,
        ),
        (
            "lawmaking-block",
            "/participation/lawmaking",
            lawmaking::views::T::get(l).title,
            lt.lawmaking_lead,
        ),
        (
            "publications-block",
            "/publications",
            lt.publications,
            lt.publications_lead,
        ),
        (
            "galleries-block",
            "/galleries",
            lt.galleries,
            lt.galleries_lead,
        ),
        ("feed-block", "/feed", lt.feed, lt.feed_lead),
    ];
    Ok(
        crate::web::layout::Page::new(&ctx, t.participation).render(maud::html! {
            h1 { (t.participation) }
            p.lead { (t.lead) }
            (priorities)
            @for (id, href, title, lead) in tools {
                section id=(id) {
                    h2 { a href=(href) { (title) } }
                    p { (lead) }
                }
            }
        }),
    )
}

/// The feature's scheduled work (the server runs it hourly and once at
/// start; each step is safe to run any time).
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    // Each job runs even when the other fails; the first error is reported.
    let quarters = priorities::service::close_quarters(state).await;
    let months = services::service::close_months(state).await;
    let stages = lawmaking::sweep::sweep(state).await;
    quarters?;
    months?;
    stages?;
    Ok(())
}

/// A point that stands for a municipality (the krai's capital for the
/// region), inside it: its administrative centre, else its centroid.
/// Requests about a whole municipality (a service's feedback, a suggestion
/// for a priority) are placed there and marked approximate.
pub fn centre_of(municipality_id: Option<&str>) -> crate::geo::GeoPoint {
    use crate::geo::{GeoPoint, geocode, geography};
    let g = geography();
    let Some(m) = g
        .by_id(municipality_id.unwrap_or(CAPITAL))
        .or_else(|| g.by_id(CAPITAL))
    else {
        return KRASNODAR;
    };
    let inside = |p: &GeoPoint| g.locate(*p).is_ok_and(|found| found.id == m.id);
    geocode::by_address(&m.admin_centre_ru)
        .map(|(p, _)| p)
        .filter(inside)
        .or_else(|| {
            GeoPoint::parse(m.centroid.0, m.centroid.1)
                .ok()
                .filter(inside)
        })
        .unwrap_or(KRASNODAR)
}

/// A moderator's two-way decision as a form sends it: `yes` is true, `no`
/// false, anything else a 422 with `code` that names both.
pub(crate) fn decision(
    value: &str,
    yes: &str,
    no: &str,
    code: &'static str,
) -> crate::error::AppResult<bool> {
    match value {
        v if v == yes => Ok(true),
        v if v == no => Ok(false),
        _ => Err(crate::error::AppError::unprocessable(
            code,
            crate::error::Msg::new(
                format!("Решение: {yes} или {no}."),
                format!("The decision is {yes} or {no}."),
            ),
        )),
    }
}

/// The municipality of the krai's capital.
const CAPITAL: &str = "krasnodar";
const KRASNODAR: crate::geo::GeoPoint = crate::geo::GeoPoint {
    lat: 45.0355,
    lon: 38.9753,
};

/// The comments a person may add to a discussion while the server runs: a
/// burst of five, then one every twelve seconds (a discussion, not a flood
/// for the moderators), keyed by account as sign-in's limit is by address.
#[derive(Clone)]
pub struct CommentLimiter(std::sync::Arc<governor::DefaultKeyedRateLimiter<i64>>);

impl Default for CommentLimiter {
    fn default() -> CommentLimiter {
        CommentLimiter(std::sync::Arc::new(governor::RateLimiter::keyed(
            governor::Quota::per_minute(
                std::num::NonZeroU32::new(5).unwrap_or(std::num::NonZeroU32::MIN),
            ),
        )))
    }
}

impl CommentLimiter {
    /// Takes one comment from the account's allowance, or says when to
    /// come back.
    pub fn check(&self, account_id: i64) -> crate::error::AppResult<()> {
        self.0
            .check_key(&account_id)
            .map_err(|_| crate::error::AppError::RateLimited {
                retry_after_secs: 12,
            })
    }
}
