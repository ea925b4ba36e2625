//! How an organisation becomes a search document.

use crate::db::Db;
use crate::directory::OrgKind;
use crate::directory::queries;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;

pub const KIND: &str = "organisation";

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Some(o) = queries::by_id(db, id).await? else {
        return Ok(None);
    };
    let kind = OrgKind::parse(&o.kind);
    Ok(Some(SearchDoc {
        kind: KIND,
        num: 0,
        id: o.organisation_id.clone(),
        url: format!("/organisations/{}", o.organisation_id),
        title_ru: o.name_ru.clone(),
        title_en: o.name_en.clone(),
        body_ru: format!(
            "{} {} {}",
            o.short_name_ru,
            kind.map(|k| k.label(Locale::Ru)).unwrap_or(""),
            o.inn.as_deref().unwrap_or("")
        ),
        body_en: format!(
            "{} {}",
            o.short_name_en,
            kind.map(|k| k.label(Locale::En)).unwrap_or("")
        ),
    }))
}

pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::list(db)
        .await?
        .into_iter()
        .map(|o| o.organisation_id)
        .collect())
}

crate::document_source!(Documents, KIND, document, all_ids);
