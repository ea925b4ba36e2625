//! A public suggestion as a search document: its title, text, topic and
//! place. Its author is not part of it.

use super::queries;
use crate::db::Db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;
use crate::workflow::views::municipality_name;
use crate::workflow::{self};

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Ok(n) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(a) = workflow::queries::appeal(db, n)
        .await?
        .filter(|a| a.kind == super::SUGGESTION.as_str() && a.state().is_public())
    else {
        return Ok(None);
    };
    let Some(s) = queries::suggestion(db, n).await? else {
        return Ok(None);
    };
    Ok(Some(SearchDoc {
        kind: super::KIND,
        id: a.appeal_id.to_string(),
        num: u64::try_from(a.appeal_id).unwrap_or(0),
        url: super::SUGGESTION.path(a.appeal_id),
        title_ru: format!("Предложение №{}: {}", a.appeal_id, s.title),
        title_en: format!("Suggestion #{}: {}", a.appeal_id, s.title),
        body_ru: format!(
            "{} {} {}",
            a.description,
            a.address,
            municipality_name(Locale::Ru, &a.municipality_id)
        ),
        body_en: format!(
            "{} {} {}",
            a.description,
            a.address,
            municipality_name(Locale::En, &a.municipality_id)
        ),
    }))
}

/// Every suggestion, for a rebuild (`document` leaves out the ones that
/// are not public).
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::all(db)
        .await?
        .into_iter()
        .map(|s| s.appeal_id.to_string())
        .collect())
}

crate::document_source!(Documents, super::KIND, document, all_ids);
