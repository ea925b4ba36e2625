//! The directory as a tree: every organisation by id, and the portfolio
//! (a vice-governor's, or the governor's office) an organisation belongs
//! to. The core's dashboards and staff completeness group by it.

use std::collections::BTreeMap;

use super::queries::{self, OrgRow};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult};

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

/// What a person may do with an organisation's internal records (staff
/// names, court parties): everyone in the core reads figures; the
/// organisation's officers, those of the bodies above it (its portfolio,
/// the governor's office) and administrators see the people in them; the
/// organisation's officers and administrators change them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    pub see_internal: bool,
    pub edit: bool,
}

pub async fn access(db: &Db, user: &CurrentUser, org: &str) -> Result<Access, sqlx::Error> {
    if user.is_admin() {
        return Ok(Access {
            see_internal: true,
            edit: true,
        });
    }
    // The organisation itself, then the bodies above it (a cycle in a bad
    // directory stops after 20 steps).
    let mut see_internal = false;
    let mut at = Some(org.to_owned());
    for _ in 0..20 {
        let Some(id) = at else { break };
        if user.is_officer_of(&id) {
            see_internal = true;
            break;
        }
        at = queries::by_id(db, &id).await?.and_then(|o| o.parent_id);
    }
    Ok(Access {
        see_internal,
        edit: user.is_officer_of(org),
    })
}

/// Refuses unless `org` is in the directory (404) and `user` may change
/// its internal records (403).
pub async fn may_edit(db: &Db, user: &CurrentUser, org: &str) -> AppResult<()> {
    if queries::by_id(db, org).await?.is_none() {
        return Err(AppError::not_found());
    }
    if access(db, user, org).await?.edit {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}
