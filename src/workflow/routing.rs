//! Routing: the point gives the municipality, the category says whether the
//! region or the municipality answers, and the routing table (category ×
//! municipality, editable by administrators, with a default per category)
//! names the organisation.

use sqlx::FromRow;

use crate::db::Tx;
use crate::on_tx;
use crate::workflow::queries::{self, CategoryRow};

pub async fn category(tx: &mut Tx, id: &str) -> Result<Option<CategoryRow>, sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query_as::<_, CategoryRow>(
        "select category_id, kind, grp, name_ru, name_en, description_ru, description_en, responsibility,
                default_organisation_id, keywords, sort_order, active
         from category where category_id = $1"
    )
    .bind(id)
    .fetch_optional(conn)
    .await
    })
}

#[derive(FromRow)]
struct OrgId {
    organisation_id: String,
}

/// The organisation that answers requests of `category` in `municipality`:
/// an explicit rule, else the municipality's administration for municipal
/// categories, else the category's default department.
pub async fn route(
    tx: &mut Tx,
    category: &CategoryRow,
    municipality_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    if let Some(org) = queries::routing_rule(tx, &category.category_id, municipality_id).await? {
        return Ok(Some(org));
    }
    if category.responsibility == "municipal" {
        let admin = on_tx!(tx, |conn| sqlx::query_as::<_, OrgId>(
            "select organisation_id from organisation
             where municipality_id = $1 and kind = 'municipal_administration'
             order by organisation_id limit 1"
        )
        .bind(municipality_id)
        .fetch_optional(conn)
        .await)?;
        if let Some(o) = admin {
            return Ok(Some(o.organisation_id));
        }
    }
    Ok(category.default_organisation_id.clone())
}

/// Who would answer a request of `category_id` in `municipality_id`, for
/// the form to say before it is sent («Сочи · ответит: …»). Reads only.
pub async fn who_answers(
    db: &crate::db::Db,
    category_id: &str,
    municipality_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let org = match category(&mut tx, category_id).await? {
        Some(c) if c.active => route(&mut tx, &c, municipality_id).await?,
        _ => None,
    };
    // Read only: dropped, it rolls back.
    drop(tx);
    Ok(org)
}

const DEMO_CATEGORIES: &str = include_str!("../../datasets/categories.csv");

#[derive(serde::Deserialize)]
struct SeedRow {
    id: String,
    kind: String,
    group: String,
    name_ru: String,
    name_en: String,
    description_ru: String,
    description_en: String,
    responsibility: String,
    default_organisation: String,
    keywords: String,
}

/// Loads the catalogue of categories; existing ones are left as edited.
pub async fn seed_categories(tx: &mut Tx) -> anyhow::Result<usize> {
    let mut added = 0;
    for (i, row) in csv::Reader::from_reader(DEMO_CATEGORIES.as_bytes())
        .deserialize::<SeedRow>()
        .enumerate()
    {
        let r = row?;
        // Without the demo directory, the named default organisation may
        // not exist yet: the category routes nowhere until an administrator
        // sets it (requests wait in the moderators' queue meanwhile).
        let default = match r.default_organisation.as_str() {
            "" => None,
            o if queries::organisation_exists(tx, o).await? => Some(o.to_owned()),
            _ => None,
        };
        let c = CategoryRow {
            category_id: r.id,
            kind: r.kind,
            grp: r.group,
            name_ru: r.name_ru,
            name_en: r.name_en,
            description_ru: r.description_ru,
            description_en: r.description_en,
            responsibility: r.responsibility,
            default_organisation_id: default,
            keywords: r.keywords,
            sort_order: i as i64,
            active: true,
        };
        if queries::insert_category_if_missing(tx, &c).await? {
            added += 1;
        }
    }
    Ok(added)
}
