//! A public priority as a search document: its title, description, topic,
//! place and organisation.

use super::domain::{State, Topic};
use super::queries;
use super::views::scope_name;
use crate::db::Db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Ok(n) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(p) = queries::priority(db, n).await? else {
        return Ok(None);
    };
    if !p.state().is_public() {
        return Ok(None);
    }
    let scope = p.municipality_id.as_deref().unwrap_or(super::REGION);
    let topic = Topic::parse(&p.topic);
    Ok(Some(SearchDoc {
        kind: super::KIND,
        id: p.priority_id.to_string(),
        num: u64::try_from(p.priority_id).unwrap_or(0),
        url: format!("/participation/priorities/{}", p.priority_id),
        title_ru: format!("Приоритет: {}", p.title),
        title_en: format!("Priority: {}", p.title),
        body_ru: format!(
            "{} {} {} {}",
            p.description,
            topic.map(|t| t.label(Locale::Ru)).unwrap_or(""),
            scope_name(Locale::Ru, scope),
            p.organisation_ru
        ),
        body_en: format!(
            "{} {} {} {}",
            p.description,
            topic.map(|t| t.label(Locale::En)).unwrap_or(""),
            scope_name(Locale::En, scope),
            p.organisation_en
        ),
    }))
}

/// Every public priority, for a rebuild.
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::by_states(db, &[State::Published, State::Frozen])
        .await?
        .into_iter()
        .map(|p| p.priority_id.to_string())
        .collect())
}

crate::document_source!(Documents, super::KIND, document, all_ids);
