//! Atom and RSS feeds of publications: of the whole region, of a
//! municipality or an organisation (`?municipality=`, `?organisation=`),
//! and of one author (`/people/{id}/publications.atom`). No person is
//! named in them (an author's feed is "author #12"); hidden publications
//! never appear.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::pages::ListQuery;
use super::queries::{self, Filter};
use super::service::Kind;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::web::extract::{Path, Query};
use crate::web::feeds::{Entry, Feed};
use crate::web::i18n::Locale;
use crate::workflow::views::{excerpt, municipality_name};

/// How many entries a feed carries.
const ENTRIES: i64 = 50;

crate::texts!(FeedTexts {
    title: "Публикации портала «Вече»", "Publications of the Veche portal";
    description: "Новости и объявления организаций и посты жителей Краснодарского края", "News and announcements of organisations and residents' posts in Krasnodar Krai";
    author: "Публикации автора №", "Publications of author #";
});

/// `GET /publications.atom`
pub async fn atom(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    Ok(region(&db, &config, &headers, &q, "atom").await?.atom())
}

/// `GET /publications.rss`
pub async fn rss(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    Ok(region(&db, &config, &headers, &q, "rss")
        .await?
        .rss(FeedTexts::get(l).description))
}

/// `GET /people/{id}/publications.atom`
pub async fn author_atom(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    Ok(author(&db, &config, &headers, &id, "atom").await?.atom())
}

/// `GET /people/{id}/publications.rss`
pub async fn author_rss(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    Ok(author(&db, &config, &headers, &id, "rss")
        .await?
        .rss(FeedTexts::get(l).description))
}

async fn region(
    db: &Db,
    config: &Config,
    headers: &HeaderMap,
    q: &ListQuery,
    ext: &str,
) -> AppResult<Feed> {
    let l = Locale::from_headers(headers);
    // The author filter has feeds of its own, which name nobody.
    let f = Filter {
        author: 0,
        ..q.filter()?
    };
    let mut title = FeedTexts::get(l).title.to_owned();
    if !f.municipality.is_empty() {
        title = format!("{title}: {}", municipality_name(l, &f.municipality));
    }
    let rows = queries::list(db, &f, ENTRIES, 0).await?;
    if !f.organisation.is_empty() {
        let name = rows
            .first()
            .and_then(|p| p.organisation_name(l))
            .unwrap_or(&f.organisation)
            .to_owned();
        title = format!("{title}: {name}");
    }
    let mut query = Vec::new();
    if !f.municipality.is_empty() {
        query.push(("municipality", f.municipality.clone()));
    }
    if !f.organisation.is_empty() {
        query.push(("organisation", f.organisation.clone()));
    }
    if !f.kind.is_empty() {
        query.push(("kind", f.kind.clone()));
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    let tail = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let base = config.base_url();
    Ok(Feed {
        title,
        self_url: format!("{base}/publications.{ext}{tail}"),
        list_url: format!("{base}/publications{tail}"),
        locale: l,
        entries: entries(l, &base, rows),
    })
}

async fn author(
    db: &Db,
    config: &Config,
    headers: &HeaderMap,
    id: &str,
    ext: &str,
) -> AppResult<Feed> {
    let l = Locale::from_headers(headers);
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let f = Filter {
        author: id,
        ..Filter::default()
    };
    let rows = queries::list(db, &f, ENTRIES, 0).await?;
    let base = config.base_url();
    Ok(Feed {
        title: format!("{}{id}", FeedTexts::get(l).author),
        self_url: format!("{base}/people/{id}/publications.{ext}"),
        list_url: format!("{base}/publications?author={id}"),
        locale: l,
        entries: entries(l, &base, rows),
    })
}

fn entries(l: Locale, base: &str, rows: Vec<queries::PublicationRow>) -> Vec<Entry> {
    rows.into_iter()
        .map(|p| {
            let url = format!("{base}/publications/{}", p.publication_id);
            Entry {
                id: url.clone(),
                guid: url.clone(),
                title: format!("{}: {}", Kind::label_of(l, &p.kind), p.title),
                url,
                at: p.created_at,
                summary: excerpt(&p.body, 500),
            }
        })
        .collect()
}
