//! A public initiative as a search document: its title, concept, stage and
//! place, and the text of its latest version. Nobody's name is part of it.

use super::queries;
use crate::db::Db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;

pub const KIND: &str = "initiative";

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Ok(n) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(i) = queries::initiative(db, n)
        .await?
        .filter(|i| super::service::visible(i, &super::domain::Viewer::default()))
    else {
        return Ok(None);
    };
    let text = super::drafts::versions(db, n)
        .await?
        .last()
        .map(|v| v.body.clone())
        .unwrap_or_default();
    let body = |l: Locale| {
        format!(
            "{} {} {} {} {}",
            i.problem,
            i.idea,
            i.stage().label(l),
            super::views::scope(l, &i),
            text
        )
    };
    Ok(Some(SearchDoc {
        kind: KIND,
        id: i.initiative_id.to_string(),
        num: u64::try_from(i.initiative_id).unwrap_or(0),
        url: format!("/participation/lawmaking/{}", i.initiative_id),
        title_ru: format!("Инициатива №{}: {}", i.initiative_id, i.title),
        title_en: format!("Initiative #{}: {}", i.initiative_id, i.title),
        body_ru: body(Locale::Ru),
        body_en: body(Locale::En),
    }))
}

/// Every public initiative, for a rebuild.
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::public(db)
        .await?
        .into_iter()
        .map(|i| i.initiative_id.to_string())
        .collect())
}

crate::document_source!(Documents, KIND, document, all_ids);
