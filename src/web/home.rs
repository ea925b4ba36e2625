//! The home page, the language switch, the data-sources page and the landing
//! pages of the sections.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::app::AppState;

use crate::auth::domain::safe_next;
use crate::error::{AppError, AppResult, Msg};
use crate::geo::geography;
use crate::texts;
use crate::web::extract::{Path, Query};
use crate::web::i18n::{LANG_COOKIE, Locale};
use crate::web::layout::{Page, PageCtx};

texts!(pub HomeTexts {
    hero_title: "Открытое правительство Краснодарского края", "Open government of Krasnodar Krai";
    hero_lead: "Сообщайте о проблемах в своём городе и следите за ответом, смотрите открытые данные, стройки и участвуйте в решениях края.",
               "Report problems in your town and follow the answer, explore open data and construction, and take part in the decisions of the krai.";
    opendata_text: "Наборы данных органов власти с паспортами, в таблицах и на карте, с API для разработчиков.",
                   "Datasets of the authorities with passports, as tables and maps, with APIs for developers.";
    problems_text: "Ямы, свет, мусор, опасные здания: сообщите с телефона за минуту, ведомство обязано ответить публично за 10 дней.",
                   "Potholes, lights, rubbish, dangerous buildings: report from your phone in a minute; the department must answer in public within 10 days.";
    construction_text: "Реестр строек на карте, проверки по запросам жителей и их результаты.",
                       "The registry of construction on the map, checks requested by residents and their results.";
    participation_text: "Приоритеты муниципалитетов, оценки госуслуг, обсуждение законопроектов и предложения.",
                        "Priorities of the municipalities, ratings of public services, draft laws and suggestions.";
    municipalities_title: "44 муниципалитета края", "The 44 municipalities of the krai";
    municipalities_text: "Выберите свой муниципалитет на карте или в списке.", "Choose your municipality on the map or in the list.";
    all_municipalities: "Все муниципалитеты", "All municipalities";
    live_title: "Край сегодня", "The krai today";
    report_button: "Сообщить о проблеме", "Report a problem";
    directory: "Органы власти и организации", "Authorities and organisations";
    sources_title: "Источники и лицензии данных", "Data sources and licences";
    src_bounds: "Границы муниципальных образований", "Municipal boundaries";
    src_bounds_text: "Границы 44 муниципальных образований — данные OpenStreetMap (уровень admin_level=6, около 2020 года), © участники OpenStreetMap, лицензия",
                     "The boundaries of the 44 municipalities are OpenStreetMap data (admin_level=6, about 2020), © OpenStreetMap contributors, licensed under";
    src_osm_copyright: "Подробнее об авторских правах OpenStreetMap", "About OpenStreetMap copyright";
    src_tiles: "Картографическая подложка", "Map tiles";
    src_tiles_text: "Тайлы карты загружаются вашим браузером с сервера OpenStreetMap, © участники OpenStreetMap.",
                    "Map tiles are loaded by your browser from the OpenStreetMap tile server, © OpenStreetMap contributors.";
    src_towns: "Города края", "Towns of the krai";
    src_towns_text: "Сведения о городах — проект HFLabs", "Town data: HFLabs";
    src_towns_licence: "лицензия CC BY-SA 4.0.", "licensed under CC BY-SA 4.0.";
    src_orgs: "Справочник организаций", "Organisation directory";
    src_orgs_text: "Демонстрационный справочник; ИНН и контакты не проверены.", "A demo directory; INNs and contacts are unverified.";
    src_portal: "Данные портала", "Portal data";
    src_portal_text: "Наборы данных, которые публикует «Вече», распространяются по лицензии CC BY 4.0, если в паспорте набора не указано иное. Персональные данные в открытые наборы не попадают.",
                     "Datasets published by Veche are licensed under CC BY 4.0 unless their passport says otherwise. Personal data never enters open datasets.";
});

/// A live figure a feature shows on the home page.
pub struct Figure {
    /// The element id (tests and styles find it by this).
    pub id: &'static str,
    pub label: Msg,
    pub value: String,
    pub href: String,
}

/// What a feature adds to the home page: live figures, and a block below
/// them (the latest reports).
#[async_trait::async_trait]
pub trait HomeSection: Send + Sync {
    async fn figures(&self, state: &AppState) -> AppResult<Vec<Figure>>;
    async fn block(&self, _state: &AppState, _l: Locale) -> AppResult<Option<Markup>> {
        Ok(None)
    }
}

/// The home page's registry, with the rendered live part kept for a short
/// while: the home page is the most visited one, and its figures need not
/// be newer than half a minute.
pub struct HomeSections {
    sections: Vec<Arc<dyn HomeSection>>,
    cache: tokio::sync::Mutex<HashMap<Locale, (Instant, Markup)>>,
}

/// How long the live part of the home page is reused.
const LIVE_FOR: Duration = Duration::from_secs(30);

impl HomeSections {
    pub fn new(sections: Vec<Arc<dyn HomeSection>>) -> HomeSections {
        HomeSections {
            sections,
            cache: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The figures and blocks in `l`, from the cache when fresh. One request
    /// computes them while the others wait for its result.
    async fn live(&self, state: &AppState, l: Locale) -> AppResult<Markup> {
        let mut cache = self.cache.lock().await;
        if let Some((at, m)) = cache.get(&l)
            && at.elapsed() < LIVE_FOR
        {
            return Ok(m.clone());
        }
        let mut figures = Vec::new();
        let mut blocks = Vec::new();
        for s in &self.sections {
            figures.extend(s.figures(state).await?);
            blocks.extend(s.block(state, l).await?);
        }
        let t = HomeTexts::get(l);
        let m = html! {
            section.live aria-labelledby="live-h" {
                h2 #live-h { (t.live_title) }
                dl.figures.home-figures {
                    @for f in &figures {
                        div { dt { (f.label.get(l)) } dd { a #(f.id) href=(f.href) { (f.value) } } }
                    }
                }
            }
            @for b in blocks { (b) }
        };
        cache.insert(l, (Instant::now(), m.clone()));
        Ok(m)
    }
}

/// `GET /`
pub async fn home(
    ctx: PageCtx,
    State(state): State<AppState>,
    reads: crate::db::replica::LagTolerant,
) -> AppResult<Response> {
    let t = HomeTexts::get(ctx.locale);
    let lt = ctx.t();
    let l = ctx.locale;
    // Figures a minute old are as good as new: read from the replica.
    let live = state.home.live(&reads.state(&state), l).await?;
    Ok(Page::new(&ctx, "").with_map().render(html! {
        section.hero {
            h1 { (t.hero_title) }
            p.lead { (t.hero_lead) }
            p { a.button.button-large #home-report href="/problems/new" { (t.report_button) } }
        }
        (live)
        ul.cards {
            (card("/opendata", lt.nav_opendata, t.opendata_text))
            (card("/problems", lt.nav_problems, t.problems_text))
            (card("/construction", lt.nav_construction, t.construction_text))
            (card("/participation", lt.nav_participation, t.participation_text))
        }
        section {
            h2 { (t.municipalities_title) }
            p { (t.municipalities_text) }
            (crate::geo::views::overview_map(&ctx, t.municipalities_title))
            ul.columns {
                @for m in geography().all() {
                    li { a href={ "/municipalities/" (m.id) } { (m.name(l)) } }
                }
            }
            p { a href="/organisations" { (t.directory) } }
        }
    }))
}

fn card(href: &str, title: &str, text: &str) -> Markup {
    html! {
        li.card {
            h2 { a href=(href) { (title) } }
            p { (text) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// `GET /lang/{code}?next=…`: remembers the language for a year and goes
/// back to the page the visitor was on.
pub async fn switch_language(
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    let locale = Locale::parse(&code).ok_or_else(AppError::not_found)?;
    let jar = axum_extra::extract::CookieJar::new().add(crate::web::i18n::year_cookie(
        LANG_COOKIE,
        locale.code().to_owned(),
    ));
    Ok((jar, Redirect::to(&safe_next(q.next.as_deref()))).into_response())
}

/// `GET /about/data`: where the data comes from and under which licences.
pub async fn data_sources(ctx: PageCtx) -> Response {
    let t = HomeTexts::get(ctx.locale);
    Page::new(&ctx, t.sources_title).render(html! {
        h1 { (t.sources_title) }
        h2 { (t.src_bounds) }
        p { (t.src_bounds_text) " "
            a href="https://opendatacommons.org/licenses/odbl/1-0/" { "ODbL 1.0" } ". " a href="https://www.openstreetmap.org/copyright" { (t.src_osm_copyright) } "." }
        h2 { (t.src_tiles) }
        p { (t.src_tiles_text) }
        h2 { (t.src_towns) }
        p { (t.src_towns_text) " " code { "hflabs/city" } ", " (t.src_towns_licence) }
        h2 { (t.src_orgs) }
        p { (t.src_orgs_text) }
        h2 { (t.src_portal) }
        p { (t.src_portal_text) }
    })
}
