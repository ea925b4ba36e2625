//! How a dataset becomes a search document: its passport in both languages,
//! its keywords, its owner, and the descriptions of its fields (people search
//! for "population" and expect the table that has it).

use crate::db::Db;
use crate::opendata::queries;
use crate::search::SearchDoc;

pub const KIND: &str = "dataset";

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Some(d) = queries::dataset_by_key(db, id).await? else {
        return Ok(None);
    };
    let org = crate::directory::queries::by_id(db, &d.organisation_id).await?;
    let versions = queries::published_versions(db, d.dataset_id).await?;
    let fields = match versions.first() {
        Some(v) => queries::structure_by_id(db, v.structure_id)
            .await?
            .map(|s| s.fields())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let ru_fields: Vec<&str> = fields.iter().map(|f| f.ru.as_str()).collect();
    let en_fields: Vec<&str> = fields.iter().map(|f| f.en.as_str()).collect();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    Ok(Some(SearchDoc {
        kind: KIND,
        num: u64::try_from(d.dataset_id).unwrap_or(0),
        id: d.identifier_norm.clone(),
        url: format!("/opendata/{}", d.identifier),
        title_ru: d.title.clone(),
        title_en: if d.title_en.is_empty() {
            d.title.clone()
        } else {
            d.title_en.clone()
        },
        body_ru: format!(
            "{} {} {} {} {} {}",
            d.description,
            d.subject,
            org.as_ref().map(|o| o.name_ru.as_str()).unwrap_or(""),
            d.identifier,
            ru_fields.join(" "),
            names.join(" ")
        ),
        body_en: format!(
            "{} {} {} {}",
            d.description_en,
            org.as_ref().map(|o| o.name_en.as_str()).unwrap_or(""),
            en_fields.join(" "),
            names.join(" ")
        ),
    }))
}

pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(queries::list_datasets(db)
        .await?
        .into_iter()
        .map(|d| d.identifier_norm)
        .collect())
}

crate::document_source!(Documents, KIND, document, all_ids);
