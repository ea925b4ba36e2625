//! A government service as a search document: its name, provider,
//! channel and territory.

use super::domain::Channel;
use super::queries;
use super::views::territory;
use crate::db::Db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Some(s) = queries::service(db, id).await? else {
        return Ok(None);
    };
    let channel = |l| Channel::parse(&s.channel).map_or("", |c| c.label(l));
    Ok(Some(SearchDoc {
        kind: super::KIND,
        id: s.service_id.clone(),
        num: 0,
        url: format!("/participation/services/{}", s.service_id),
        title_ru: format!("Госуслуга: {}", s.name_ru),
        title_en: format!("Government service: {}", s.name_en),
        body_ru: format!(
            "{} {} {}",
            s.organisation_ru,
            channel(Locale::Ru),
            territory(Locale::Ru, s.municipality_id.as_deref())
        ),
        body_en: format!(
            "{} {} {}",
            s.organisation_en,
            channel(Locale::En),
            territory(Locale::En, s.municipality_id.as_deref())
        ),
    }))
}

/// Every service, for a rebuild.
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::services(db)
        .await?
        .into_iter()
        .map(|s| s.service_id)
        .collect())
}

crate::document_source!(Documents, super::KIND, document, all_ids);
