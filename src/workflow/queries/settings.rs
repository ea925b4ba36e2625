//! Categories, routing rules and settings.

use super::*;
use crate::exec_tx;

// ---- categories, routing, settings ---------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct CategoryRow {
    pub category_id: String,
    pub kind: String,
    pub grp: String,
    pub name_ru: String,
    pub name_en: String,
    pub description_ru: String,
    pub description_en: String,
    pub responsibility: String,
    pub default_organisation_id: Option<String>,
    pub keywords: String,
    pub sort_order: i64,
    pub active: bool,
}

pub async fn categories(db: &Db, kind: &str) -> Result<Vec<CategoryRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, CategoryRow>(
        "select category_id, kind, grp, name_ru, name_en, description_ru, description_en, responsibility,
                default_organisation_id, keywords, sort_order, active
         from category where kind = $1 order by sort_order, category_id"
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    })
}

pub async fn insert_category_if_missing(tx: &mut Tx, c: &CategoryRow) -> Result<bool, sqlx::Error> {
    let n = exec_tx!(tx, "insert into category (category_id, kind, grp, name_ru, name_en, description_ru, description_en,
             responsibility, default_organisation_id, keywords, sort_order, active)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (category_id) do nothing", &c.category_id, &c.kind, &c.grp, &c.name_ru, &c.name_en, &c.description_ru, &c.description_en, &c.responsibility, &c.default_organisation_id, &c.keywords, c.sort_order, c.active)?;
    Ok(n == 1)
}

pub async fn set_category_default(
    tx: &mut Tx,
    category_id: &str,
    organisation_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "update category set default_organisation_id = $2 where category_id = $1",
        category_id,
        organisation_id
    )?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub category_id: String,
    pub municipality_id: String,
    pub organisation_id: String,
}

pub async fn routing_rules(db: &Db) -> Result<Vec<RuleRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, RuleRow>(
        "select category_id, municipality_id, organisation_id from routing_rule order by category_id, municipality_id"
    )
    .fetch_all(pool)
    .await
    })
}

pub async fn routing_rule(
    tx: &mut Tx,
    category_id: &str,
    municipality_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, |conn| sqlx::query_scalar::<_, String>(
        "select organisation_id from routing_rule where category_id = $1 and municipality_id = $2"
    )
    .bind(category_id)
    .bind(municipality_id)
    .fetch_optional(conn)
    .await)
}

pub async fn set_routing_rule(
    tx: &mut Tx,
    category_id: &str,
    municipality_id: &str,
    organisation_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = now();
    match organisation_id {
        Some(org) => exec_tx!(tx, "insert into routing_rule (category_id, municipality_id, organisation_id, updated_at)
             values ($1, $2, $3, $4)
             on conflict (category_id, municipality_id) do update set organisation_id = excluded.organisation_id,
                 updated_at = excluded.updated_at", category_id, municipality_id, org, now)?,
        None => exec_tx!(
            tx,
            "delete from routing_rule where category_id = $1 and municipality_id = $2",
            category_id,
            municipality_id
        )?,
    };
    Ok(())
}

pub async fn setting(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(
        "select value from setting where setting_key = $1"
    )
    .bind(key)
    .fetch_optional(pool)
    .await)
}

pub async fn set_setting(tx: &mut Tx, key: &str, value: &str) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(tx, "insert into setting (setting_key, value, updated_at) values ($1, $2, $3)
         on conflict (setting_key) do update set value = excluded.value, updated_at = excluded.updated_at", key, value, now)?;
    Ok(())
}
