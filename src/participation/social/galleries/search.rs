//! A shown album as a search document: its title, description, place and
//! the captions of its shown photos. Nobody's name is part of it; a hidden
//! album has no document (moderation enqueues it, so hiding removes it).

use super::{KIND, domain, queries};
use crate::db::Db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Ok(n) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(a) = queries::album(db, n)
        .await?
        .filter(|a| domain::may_see_album(None, &a.access()))
    else {
        return Ok(None);
    };
    let access = a.access();
    let captions: Vec<String> = queries::photos(db, n)
        .await?
        .into_iter()
        .filter(|p| domain::may_see_photo(None, &access, p.hidden))
        .map(|p| p.caption)
        .filter(|c| !c.is_empty())
        .collect();
    let body = |l: Locale| {
        let place = a
            .municipality_id
            .as_deref()
            .map(|m| crate::workflow::views::municipality_name(l, m))
            .unwrap_or_default();
        format!("{} {} {}", a.description, place, captions.join(" "))
    };
    Ok(Some(SearchDoc {
        kind: KIND,
        id: a.album_id.to_string(),
        num: u64::try_from(a.album_id).unwrap_or(0),
        url: super::service::album_path(a.album_id),
        title_ru: format!("Альбом: {}", a.title),
        title_en: format!("Album: {}", a.title),
        body_ru: body(Locale::Ru),
        body_en: body(Locale::En),
    }))
}

/// Every shown album, for a rebuild.
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::public_ids(db)
        .await?
        .into_iter()
        .map(|i| i.to_string())
        .collect())
}

crate::document_source!(Documents, KIND, document, all_ids);
