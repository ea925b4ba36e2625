//! The Atom feed of newly published priorities.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::domain::State as PState;
use super::queries;
use super::views::{T, scope_name};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::feeds::{Entry, Feed};
use crate::web::i18n::Locale;

/// How many entries the feed carries.
const ENTRIES: usize = 50;

/// `GET /participation/priorities/feed.atom`
pub async fn new_priorities(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(feed(&db, &config, &headers).await?.atom())
}

/// `GET /participation/priorities/feed.rss`
pub async fn new_priorities_rss(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    Ok(feed(&db, &config, &headers).await?.rss(T::get(l).ranks))
}

async fn feed(db: &Db, config: &Config, headers: &HeaderMap) -> AppResult<Feed> {
    let l = Locale::from_headers(headers);
    let base = config.base_url();
    let mut rows = queries::by_states(db, &[PState::Published, PState::Frozen]).await?;
    rows.sort_by_key(|p| std::cmp::Reverse(p.published_at));
    let entries = rows
        .iter()
        .take(ENTRIES)
        .map(|p| {
            let url = format!("{base}/participation/priorities/{}", p.priority_id);
            Entry {
                id: url.clone(),
                guid: url.clone(),
                title: p.title.clone(),
                url,
                at: p.published_at.unwrap_or(p.created_at),
                summary: format!(
                    "{} — {}",
                    scope_name(l, p.municipality_id.as_deref().unwrap_or(super::REGION)),
                    crate::workflow::views::excerpt(&p.description, 500)
                ),
            }
        })
        .collect();
    Ok(Feed {
        title: T::get(l).ranks.to_owned(),
        self_url: format!("{base}/participation/priorities/feed.atom"),
        list_url: format!("{base}/participation/priorities"),
        locale: l,
        entries,
    })
}
