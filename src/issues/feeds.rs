//! RSS 2.0 and Atom feeds of new and of resolved reports, for the whole krai
//! or per municipality and per category (`?municipality=…&category=…`),
//! written by `web::feeds`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::issues::pages::ListQuery;
use crate::texts;
use crate::web::extract::{Path, Query};
use crate::web::feeds::{Entry, Feed};
use crate::web::i18n::Locale;
use crate::workflow::queries::{self, AppealSort};
use crate::workflow::views::{Categories, excerpt, headline, municipality_name};

#[derive(Debug, serde::Deserialize, Default)]
pub struct FeedQuery {
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    category: String,
}

/// How many entries a feed carries.
const ENTRIES: i64 = 50;

/// `GET /problems/feeds/{new|resolved}.{rss|atom}`
pub async fn feed(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let (which, format) = file.split_once('.').ok_or_else(AppError::not_found)?;
    if !matches!(which, "new" | "resolved") || !matches!(format, "rss" | "atom") {
        return Err(AppError::not_found());
    }
    let l = Locale::from_headers(&headers);
    let cats = Categories::load(&db, crate::issues::PROBLEM).await?;
    let lq = ListQuery {
        category: q.category.clone(),
        municipality: q.municipality.clone(),
        ..Default::default()
    };
    let mut f = lq.filter(&cats)?;
    f.limit = ENTRIES;
    f.offset = 0;
    if which == "resolved" {
        f.resolved_only = true;
        f.sort = AppealSort::Resolved;
    } else {
        f.sort = AppealSort::Published;
    }
    let rows = queries::list_appeals(&db, &f).await?;
    let base = config.base_url();
    let mut scope = Vec::new();
    if !q.municipality.is_empty() {
        scope.push(municipality_name(l, &q.municipality));
    }
    if !q.category.is_empty() {
        scope.push(cats.name(l, &q.category));
    }
    let title = {
        let t = FeedTexts::get(l);
        match which {
            "new" => t.new,
            _ => t.resolved,
        }
    };
    let title = if scope.is_empty() {
        title.to_owned()
    } else {
        format!("{title} — {}", scope.join(", "))
    };
    let list_url = format!("{base}/problems?{}", lq.base());
    let self_url = format!("{base}/problems/feeds/{file}{}", {
        let qs = lq.base();
        if qs.is_empty() {
            String::new()
        } else {
            format!("?{qs}")
        }
    });
    let entries = rows
        .iter()
        .map(|a| {
            let at = if which == "resolved" {
                a.resolved_at
            } else {
                a.published_at
            }
            .unwrap_or(a.created_at);
            let summary = if which == "resolved" {
                a.reaction_text.clone().unwrap_or_default()
            } else {
                format!("{} — {}", a.state().label(l), excerpt(&a.description, 500))
            };
            let url = format!("{base}{}", crate::issues::PROBLEM.path(a.appeal_id));
            Entry {
                id: format!("{url}#{which}-{}", a.appeal_id),
                guid: format!("{url}#{which}"),
                title: format!("№{}. {}", a.appeal_id, headline(l, &cats, a)),
                url,
                at,
                summary,
            }
        })
        .collect();
    let feed = Feed {
        title,
        self_url,
        list_url,
        locale: l,
        entries,
    };
    Ok(if format == "rss" {
        feed.rss(match l {
            Locale::Ru => "Обращения граждан о проблемах в городах и посёлках Краснодарского края",
            Locale::En => {
                "Citizens' reports of problems in the towns and villages of Krasnodar Krai"
            }
        })
    } else {
        feed.atom()
    })
}

texts!(pub FeedTexts {
    new: "Вече: новые обращения о проблемах", "Veche: new problem reports";
    resolved: "Вече: решённые проблемы", "Veche: resolved problems";
});
