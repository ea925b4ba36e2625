//! How a public problem report becomes a search document: its number,
//! category, place and description. Reports that are not public (awaiting
//! moderation, rejected, hidden) are removed from the index.

use crate::db::Db;
use crate::on_db;
use crate::search::SearchDoc;
use crate::web::i18n::Locale;
use crate::workflow::queries;
use crate::workflow::views::municipality_name;

pub const KIND: &str = "problem";

pub async fn document(db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>> {
    let Ok(n) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(a) = queries::appeal(db, n).await? else {
        return Ok(None);
    };
    if a.kind != crate::issues::PROBLEM.as_str() || !a.state().is_public() {
        return Ok(None);
    }
    let cats = queries::categories(db, crate::issues::PROBLEM.as_str()).await?;
    let cat = cats.iter().find(|c| c.category_id == a.category_id);
    let (cat_ru, cat_en, keywords) = cat
        .map(|c| (c.name_ru.as_str(), c.name_en.as_str(), c.keywords.as_str()))
        .unwrap_or(("", "", ""));
    let place_ru = if a.address.is_empty() {
        municipality_name(Locale::Ru, &a.municipality_id)
    } else {
        a.address.clone()
    };
    let place_en = if a.address.is_empty() {
        municipality_name(Locale::En, &a.municipality_id)
    } else {
        a.address.clone()
    };
    Ok(Some(SearchDoc {
        kind: KIND,
        id: a.appeal_id.to_string(),
        num: u64::try_from(a.appeal_id).unwrap_or(0),
        url: crate::issues::PROBLEM.path(a.appeal_id),
        title_ru: format!("Обращение №{}. {cat_ru} — {place_ru}", a.appeal_id),
        title_en: format!("Report #{}. {cat_en} — {place_en}", a.appeal_id),
        body_ru: format!(
            "{} {} {} {} {}",
            a.description,
            keywords,
            municipality_name(Locale::Ru, &a.municipality_id),
            a.reaction_text.as_deref().unwrap_or(""),
            a.state().label(Locale::Ru)
        ),
        body_en: format!(
            "{} {} {}",
            a.description,
            municipality_name(Locale::En, &a.municipality_id),
            a.state().label(Locale::En)
        ),
    }))
}

/// Every public report, for a rebuild.
pub async fn all_ids(db: &Db) -> anyhow::Result<Vec<String>> {
    let ids: Vec<i64> = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select appeal_id from appeal where kind = 'problem'
           and state in ('published', 'in_progress', 'planned', 'resolved', 'reopened', 'closed')
         order by appeal_id"
    )
    .fetch_all(pool)
    .await)?;
    Ok(ids.into_iter().map(|i| i.to_string()).collect())
}

crate::document_source!(Documents, KIND, document, all_ids);
