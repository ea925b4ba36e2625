//! The directory as a tree: every organisation by id, and the portfolio
//! (a vice-governor's, or the governor's office) an organisation belongs
//! to. The core's dashboards and staff completeness group by it.

use std::collections::BTreeMap;

use super::queries::{self, OrgRow};
use crate::db::Db;

/// Every organisation, by id.
pub async fn org_map(db: &Db) -> Result<BTreeMap<String, OrgRow>, sqlx::Error> {
    Ok(queries::list(db)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id.clone(), o))
        .collect())
}

/// The portfolio an organisation belongs to: the nearest portfolio (or the
/// governor's office) at or above it.
pub fn portfolio_of<'a>(orgs: &'a BTreeMap<String, OrgRow>, id: &str) -> Option<&'a OrgRow> {
    let mut current = orgs.get(id);
    let mut fallback = None;
    for _ in 0..20 {
        let o = current?;
        if o.kind == "portfolio" {
            return Some(o);
        }
        if o.kind == "governor_office" && fallback.is_none() {
            fallback = Some(o);
        }
        current = o.parent_id.as_deref().and_then(|p| orgs.get(p));
    }
    fallback
}

/// Whether `ancestor` is `id` or above it.
pub fn is_within(orgs: &BTreeMap<String, OrgRow>, id: &str, ancestor: &str) -> bool {
    let mut current = orgs.get(id);
    for _ in 0..20 {
        let Some(o) = current else { return false };
        if o.organisation_id == ancestor {
            return true;
        }
        current = o.parent_id.as_deref().and_then(|p| orgs.get(p));
    }
    false
}

/// Whether `user` is an officer of `org` or of a body above it (its
/// department's portfolio, the governor's office): who may read an
/// organisation's internal records (staff names, court parties).
pub async fn oversees(
    db: &Db,
    user: &crate::auth::CurrentUser,
    org: &str,
) -> Result<bool, sqlx::Error> {
    let mut at = Some(org.to_owned());
    for _ in 0..20 {
        let Some(id) = at else { break };
        if user.is_officer_of(&id) {
            return Ok(true);
        }
        at = queries::by_id(db, &id).await?.and_then(|o| o.parent_id);
    }
    Ok(false)
}
