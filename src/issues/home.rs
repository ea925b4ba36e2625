//! What problem reports add to the home page: this month's reports, the
//! share answered within ten days, the overdue ones, and the latest public
//! reports on a map and in a list.

use maud::{Markup, PreEscaped, html};
use time::OffsetDateTime;

use crate::app::AppState;
use crate::db::now;
use crate::error::{AppResult, Msg};
use crate::texts;
use crate::web::home::{Figure, HomeSection};
use crate::web::i18n::Locale;
use crate::workflow::queries::{self, AppealFilter, AppealSort};
use crate::workflow::views::{self, Categories};

texts!(pub HomeReportsTexts {
    latest: "Последние обращения", "Latest reports";
    map: "Карта последних обращений", "Map of the latest reports";
    all: "Все обращения на карте", "All reports on the map";
});

pub struct Live;

/// Midnight of the first day of `at`'s month in Moscow.
fn month_start(at: OffsetDateTime) -> OffsetDateTime {
    let msk = at.to_offset(crate::workflow::sla::MSK);
    msk.replace_day(1)
        .map(|d| d.replace_time(time::Time::MIDNIGHT))
        .unwrap_or(msk)
}

fn public_problems() -> AppealFilter {
    AppealFilter {
        kind: crate::issues::PROBLEM.as_str().to_owned(),
        public_only: true,
        ..AppealFilter::default()
    }
}

#[async_trait::async_trait]
impl HomeSection for Live {
    async fn figures(&self, state: &AppState) -> AppResult<Vec<Figure>> {
        let at = now();
        let month = queries::count_appeals(
            &state.db,
            &AppealFilter {
                created_from: Some(month_start(at)),
                ..public_problems()
            },
        )
        .await?;
        let sla = queries::sla_figures(&state.db, crate::issues::PROBLEM.as_str(), None, None, at)
            .await?;
        Ok(vec![
            Figure {
                id: "fig-month",
                label: Msg::new("Обращений в этом месяце", "Reports this month"),
                value: month.to_string(),
                href: "/problems".into(),
            },
            Figure {
                id: "fig-on-time",
                label: Msg::new("Отвечено в течение 10 дней", "Answered within 10 days"),
                value: sla
                    .on_time_percent()
                    .map(|p| format!("{p:.0} %"))
                    .unwrap_or_else(|| "—".into()),
                href: "/problems/stats".into(),
            },
            Figure {
                id: "fig-overdue",
                label: Msg::new("Просрочено сейчас", "Overdue now"),
                value: sla.overdue_now.to_string(),
                href: "/problems/stats".into(),
            },
        ])
    }

    async fn block(&self, state: &AppState, l: Locale) -> AppResult<Option<Markup>> {
        let t = HomeReportsTexts::get(l);
        let latest = queries::list_appeals(
            &state.db,
            &AppealFilter {
                sort: AppealSort::Newest,
                limit: 6,
                ..public_problems()
            },
        )
        .await?;
        if latest.is_empty() {
            return Ok(None);
        }
        let cats = Categories::load(&state.db, crate::issues::PROBLEM).await?;
        let ids: Vec<i64> = latest.iter().map(|a| a.appeal_id).collect();
        let photos = queries::first_photos(&state.db, &ids).await?;
        let at = now();
        // The points as inline GeoJSON for `js/map.js`; `</` cannot end the
        // script element early because serde_json escapes nothing, so it is
        // escaped here.
        let features: Vec<serde_json::Value> = latest
            .iter()
            .map(|a| {
                serde_json::json!({
                    "type": "Feature",
                    "geometry": { "type": "Point", "coordinates": [a.lon, a.lat] },
                    "properties": {
                        "name": cats.name(l, &a.category_id),
                        "url": crate::issues::PROBLEM.path(a.appeal_id),
                        "approximate": a.approximate,
                    },
                })
            })
            .collect();
        let geojson = serde_json::json!({ "type": "FeatureCollection", "features": features })
            .to_string()
            .replace("</", "<\\/");
        Ok(Some(html! {
            section.latest aria-labelledby="latest-h" {
                h2 #latest-h { (t.latest) }
                div.latest-grid {
                    div.map #latest-map role="region" aria-label=(t.map) data-geojson-inline="latest-geojson" data-tiles=(state.config.server.tile_url) {}
                    script type="application/geo+json" #latest-geojson { (PreEscaped(geojson)) }
                    ul.report-list #latest-reports {
                        @for a in &latest { (views::card(l, &cats, a, photos.get(&a.appeal_id), at)) }
                    }
                }
                p { a href="/problems/map" { (t.all) } }
            }
        }))
    }
}
