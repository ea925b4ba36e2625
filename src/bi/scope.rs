//! Whose rows a person may read in the reporting schema. Administrators,
//! the governor's office and the organisations named in
//! `VECHE_BI_WHOLE_REGION` (the Department of Control by default) read the
//! whole region; everyone else in the core reads the portfolios of the
//! organisations they belong to, and an organisation outside every
//! portfolio (a municipality's administration) only its own rows. The
//! scope becomes a clause of the query (and of Superset's row-level
//! security), never a filter of what a page shows.

use crate::auth::CurrentUser;
use crate::db::Db;
use crate::directory::tree::{org_map, portfolio_of};
use crate::error::AppResult;

/// The organisations that read the whole region besides the governor's
/// office: `VECHE_BI_WHOLE_REGION`, comma-separated directory ids.
pub fn whole_region() -> Vec<String> {
    std::env::var("VECHE_BI_WHOLE_REGION")
        .unwrap_or_else(|_| "dep-control".into())
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Within {
        portfolios: Vec<String>,
        organisations: Vec<String>,
    },
}

impl Scope {
    pub async fn of(db: &Db, user: &CurrentUser) -> AppResult<Scope> {
        if user.is_admin() {
            return Ok(Scope::All);
        }
        let orgs = org_map(db).await?;
        let whole = whole_region();
        let mut portfolios = Vec::new();
        let mut organisations = Vec::new();
        for m in &user.memberships {
            let id = m.organisation_id.as_str();
            let kind = orgs.get(id).map(|o| o.kind.as_str());
            if kind == Some("governor_office") || whole.iter().any(|w| w == id) {
                return Ok(Scope::All);
            }
            match portfolio_of(&orgs, id) {
                Some(p) if p.kind == "portfolio" => portfolios.push(p.organisation_id.clone()),
                _ => organisations.push(id.to_owned()),
            }
        }
        portfolios.sort();
        portfolios.dedup();
        organisations.sort();
        organisations.dedup();
        Ok(Scope::Within {
            portfolios,
            organisations,
        })
    }

    /// The clause over a scoped relation's `portfolio_id` and
    /// `organisation_id`; `None` for the whole region. Directory ids are
    /// checked slugs; anything else is dropped rather than quoted, so the
    /// clause is safe to hand to Superset as text.
    pub fn clause(&self) -> Option<String> {
        let Scope::Within {
            portfolios,
            organisations,
        } = self
        else {
            return None;
        };
        let list = |ids: &[String]| {
            ids.iter()
                .filter(|id| is_slug(id))
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        let p = list(portfolios);
        if !p.is_empty() {
            parts.push(format!("portfolio_id in ({p})"));
        }
        let o = list(organisations);
        if !o.is_empty() {
            parts.push(format!("organisation_id in ({o})"));
        }
        Some(if parts.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", parts.join(" or "))
        })
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clause_names_only_slugs() {
        let s = Scope::Within {
            portfolios: vec!["vg-economy".into(), "x') or 1=1 --".into()],
            organisations: vec!["adm-sochi".into()],
        };
        assert_eq!(
            s.clause().as_deref(),
            Some("(portfolio_id in ('vg-economy') or organisation_id in ('adm-sochi'))")
        );
        let none = Scope::Within {
            portfolios: vec![],
            organisations: vec![],
        };
        assert_eq!(none.clause().as_deref(), Some("1 = 0"));
        assert_eq!(Scope::All.clause(), None);
    }
}
