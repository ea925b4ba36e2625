//! The Atom feed of official answers: to suggestions (accepted into a
//! plan, under study with a text, done, declined) and to the feedback of
//! low service ratings.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::queries;
use crate::config::Config;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::feeds::{Entry, Feed};
use crate::web::i18n::Locale;
use crate::workflow::{self};

/// How many entries the feed carries.
const ENTRIES: i64 = 50;

crate::texts!(FeedTexts {
    title: "Официальные ответы на предложения и отзывы об услугах", "Official answers to suggestions and service feedback";
});

/// `GET /participation/answers.atom`
pub async fn answers(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(feed(&db, &config, &headers).await?.atom())
}

/// `GET /participation/answers.rss`
pub async fn answers_rss(
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let l = Locale::from_headers(&headers);
    Ok(feed(&db, &config, &headers)
        .await?
        .rss(FeedTexts::get(l).title))
}

async fn feed(db: &Db, config: &Config, headers: &HeaderMap) -> AppResult<Feed> {
    let l = Locale::from_headers(headers);
    let base = config.base_url();
    let mut entries = Vec::new();
    for id in queries::answered(db, ENTRIES).await? {
        let Some(a) = workflow::queries::appeal(db, id).await? else {
            continue;
        };
        if !a.state().is_public() {
            continue;
        }
        let kind = workflow::kind_of(&a);
        let title = match (kind, queries::suggestion(db, id).await?) {
            (k, Some(s)) if k == super::SUGGESTION => {
                format!("{}: {}", super::views::answer_label(l, &a), s.title)
            }
            _ => format!("{} №{}", kind.label(l), a.appeal_id),
        };
        let url = format!("{base}{}", kind.path(a.appeal_id));
        entries.push(Entry {
            id: url.clone(),
            guid: url.clone(),
            title,
            url,
            at: a.reacted_at.unwrap_or(a.updated_at),
            summary: workflow::views::excerpt(a.reaction_text.as_deref().unwrap_or(""), 500),
        });
    }
    Ok(Feed {
        title: FeedTexts::get(l).title.to_owned(),
        self_url: format!("{base}/participation/answers.atom"),
        list_url: format!("{base}/participation/suggestions"),
        locale: l,
        entries,
    })
}
