//! RSS 2.0 and Atom feeds of new and of resolved reports, for the whole krai
//! or per municipality and per category (`?municipality=…&category=…`),
//! built with the `rss` and `atom_syndication` crates.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use time::format_description::well_known::{Rfc2822, Rfc3339};

use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::issues::pages::ListQuery;
use crate::texts;
use crate::web::extract::{Path, Query};
use crate::web::i18n::Locale;
use crate::workflow::Kind;
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
    let cats = Categories::load(&db, Kind::Problem).await?;
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
    struct Entry {
        id: i64,
        title: String,
        url: String,
        at: time::OffsetDateTime,
        summary: String,
    }
    let entries: Vec<Entry> = rows
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
            Entry {
                id: a.appeal_id,
                title: format!("№{}. {}", a.appeal_id, headline(l, &cats, a)),
                url: format!("{base}{}", Kind::Problem.path(a.appeal_id)),
                at,
                summary,
            }
        })
        .collect();
    let newest = entries
        .iter()
        .map(|e| e.at)
        .max()
        .unwrap_or_else(crate::db::now);
    let (body, content_type) = if format == "rss" {
        let items: Vec<rss::Item> = entries
            .iter()
            .map(|e| {
                rss::ItemBuilder::default()
                    .title(Some(e.title.clone()))
                    .link(Some(e.url.clone()))
                    .guid(Some(rss::Guid {
                        value: format!("{}#{which}", e.url),
                        permalink: false,
                    }))
                    .pub_date(e.at.format(&Rfc2822).ok())
                    .description(Some(e.summary.clone()))
                    .build()
            })
            .collect();
        let channel = rss::ChannelBuilder::default()
            .title(title)
            .link(list_url)
            .description(match l {
                Locale::Ru => {
                    "Обращения граждан о проблемах в городах и посёлках Краснодарского края"
                }
                Locale::En => {
                    "Citizens' reports of problems in the towns and villages of Krasnodar Krai"
                }
            })
            .language(Some(l.code().to_owned()))
            .last_build_date(newest.format(&Rfc2822).ok())
            .items(items)
            .build();
        (channel.to_string(), "application/rss+xml; charset=utf-8")
    } else {
        let date = |t: time::OffsetDateTime| {
            atom_syndication::FixedDateTime::parse_from_rfc3339(
                &t.format(&Rfc3339).unwrap_or_default(),
            )
            .unwrap_or_default()
        };
        let entries: Vec<atom_syndication::Entry> = entries
            .iter()
            .map(|e| atom_syndication::Entry {
                id: format!("{}#{which}-{}", e.url, e.id),
                title: atom_syndication::Text::plain(e.title.clone()),
                updated: date(e.at),
                published: Some(date(e.at)),
                links: vec![atom_syndication::Link {
                    href: e.url.clone(),
                    ..Default::default()
                }],
                summary: Some(atom_syndication::Text::plain(e.summary.clone())),
                ..Default::default()
            })
            .collect();
        let feed = atom_syndication::Feed {
            id: self_url.clone(),
            title: atom_syndication::Text::plain(title),
            updated: date(newest),
            links: vec![
                atom_syndication::Link {
                    href: self_url,
                    rel: "self".into(),
                    ..Default::default()
                },
                atom_syndication::Link {
                    href: list_url,
                    ..Default::default()
                },
            ],
            lang: Some(l.code().to_owned()),
            entries,
            ..Default::default()
        };
        (feed.to_string(), "application/atom+xml; charset=utf-8")
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(r)
}

texts!(pub FeedTexts {
    new: "Вече: новые обращения о проблемах", "Veche: new problem reports";
    resolved: "Вече: решённые проблемы", "Veche: resolved problems";
});
