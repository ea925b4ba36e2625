//! A visible publication as a search document: its kind, title, text,
//! municipality and organisation. No author's name is part of it; a
//! hidden publication has no document.

use super::queries;
use super::service::Kind;
use crate::db::Db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;
use crate::workflow::views::municipality_name;

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Ok(n) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(p) = queries::publication(db, n).await?.filter(|p| !p.hidden) else {
        return Ok(None);
    };
    let title = |l: Locale| format!("{}: {}", Kind::label_of(l, &p.kind), p.title);
    let body = |l: Locale| {
        format!(
            "{} {} {}",
            p.body,
            p.municipality_id
                .as_deref()
                .map(|m| municipality_name(l, m))
                .unwrap_or_default(),
            p.organisation_name(l).unwrap_or_default()
        )
    };
    Ok(Some(SearchDoc {
        kind: super::KIND,
        id: p.publication_id.to_string(),
        num: u64::try_from(p.publication_id).unwrap_or(0),
        url: format!("/publications/{}", p.publication_id),
        title_ru: title(Locale::Ru),
        title_en: title(Locale::En),
        body_ru: body(Locale::Ru),
        body_en: body(Locale::En),
    }))
}

/// Every publication, for a rebuild (`document` leaves out hidden ones).
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::all_ids(db)
        .await?
        .into_iter()
        .map(|id| id.to_string())
        .collect())
}

crate::document_source!(Documents, super::KIND, document, all_ids);
