//! A federated installation (docs/FEDERATION.md): several `veche`
//! processes, each with its own database, that share one description of
//! the region's instances, `deploy/federation.toml`:
//!
//! - the **portal** (the public site and the directory's master),
//! - one **core** per vice-governor's portfolio (the orders of the
//!   organisations in it),
//! - the **Department of Control** (`control`: a read-only replica of every
//!   core's orders and the region's dashboards).
//!
//! Without the file (`VECHE_FEDERATION` unset) one process is everything,
//! as before. This module only reads the file and answers who owns what;
//! what moves between instances goes through `integration`'s signed
//! messages, to the partners [`keys::register_partners`] keeps in step
//! with the file. It names no feature.

pub mod cli;
pub mod config;
pub mod keys;

use std::collections::BTreeSet;
use std::path::Path;

pub use config::{Instance, Role};

use crate::db::Db;

/// The largest file accepted: a region has a few dozen instances, each a
/// few lines; anything larger is a mistake (or not this file).
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// At most this many instances.
pub const MAX_INSTANCES: usize = 64;
/// At most this many portfolios per core.
pub const MAX_PORTFOLIOS: usize = 64;

/// The region's instances, read once at start, and which one this process is.
#[derive(Debug, Clone)]
pub struct Federation {
    instances: Vec<Instance>,
    this: String,
    /// This process's private key (`VECHE_FEDERATION_KEY`); absent only in
    /// a federation built by a test or a command that signs nothing.
    key: Option<keys::PrivateKey>,
}

impl Federation {
    /// Reads the file named by `VECHE_FEDERATION` (none: `Ok(None)`, the
    /// single-instance mode) for the instance `this_id` (`VECHE_INSTANCE_ID`).
    pub fn from_env(this_id: &str) -> anyhow::Result<Option<Federation>> {
        match std::env::var_os("VECHE_FEDERATION").filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(path) => {
                let mut f = Federation::load(Path::new(&path), this_id)?;
                f.key = Some(keys::load_own(&f)?);
                Ok(Some(f))
            }
        }
    }

    /// This process's private key, which signs what it sends to the
    /// other instances.
    pub fn key(&self) -> Option<&keys::PrivateKey> {
        self.key.as_ref()
    }

    /// Reads and checks `path`; `this_id` must be one of its instances.
    pub fn load(path: &Path, this_id: &str) -> anyhow::Result<Federation> {
        let text = config::read_limited(path)?;
        let instances =
            config::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Federation::new(instances, this_id).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// A federation of checked instances (tests build one without a file).
    pub fn new(instances: Vec<Instance>, this_id: &str) -> Result<Federation, String> {
        if !instances.iter().any(|i| i.id == this_id) {
            let ids: Vec<&str> = instances.iter().map(|i| i.id.as_str()).collect();
            return Err(format!(
                "this process is “{this_id}” (VECHE_INSTANCE_ID), which the file does not name; \
                 it names {}",
                ids.join(", ")
            ));
        }
        Ok(Federation {
            instances,
            this: this_id.to_owned(),
            key: None,
        })
    }

    /// This process's instance.
    pub fn this(&self) -> &Instance {
        self.get(&self.this)
            .expect("checked by Federation::new: this instance is in the file")
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// Every instance but this one.
    pub fn others(&self) -> impl Iterator<Item = &Instance> {
        self.instances.iter().filter(|i| i.id != self.this)
    }

    pub fn get(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    pub fn portal(&self) -> &Instance {
        self.instances
            .iter()
            .find(|i| i.role == Role::Portal)
            .expect("checked by config::parse: exactly one portal")
    }

    /// The Department of Control's instance, when the region runs one.
    pub fn control(&self) -> Option<&Instance> {
        self.instances.iter().find(|i| i.role == Role::Control)
    }

    pub fn cores(&self) -> impl Iterator<Item = &Instance> {
        self.instances.iter().filter(|i| i.role == Role::Core)
    }

    /// The core that owns a portfolio (a directory id such as `vg-economy`).
    pub fn owner_of_portfolio(&self, portfolio: &str) -> Option<&Instance> {
        self.cores()
            .find(|i| i.portfolios.iter().any(|p| p == portfolio))
    }

    /// The core that takes organisations outside every listed portfolio
    /// (municipalities, the governor's office).
    pub fn fallback_core(&self) -> Option<&Instance> {
        self.cores().find(|i| i.fallback)
    }

    /// The core that owns an organisation: the owner of its portfolio
    /// (`directory::tree::portfolio_of`), else the fallback core. `None`
    /// for an organisation the directory does not know, or when no core
    /// takes it.
    pub async fn owner_of_organisation(
        &self,
        db: &Db,
        organisation_id: &str,
    ) -> Result<Option<&Instance>, sqlx::Error> {
        let orgs = crate::directory::tree::org_map(db).await?;
        if !orgs.contains_key(organisation_id) {
            return Ok(None);
        }
        Ok(self.owner_in(&orgs, organisation_id))
    }

    /// [`owner_of_organisation`](Self::owner_of_organisation) over a
    /// directory already read.
    pub fn owner_in(
        &self,
        orgs: &std::collections::BTreeMap<String, crate::directory::queries::OrgRow>,
        organisation_id: &str,
    ) -> Option<&Instance> {
        crate::directory::tree::portfolio_of(orgs, organisation_id)
            .and_then(|p| self.owner_of_portfolio(&p.organisation_id))
            .or_else(|| self.fallback_core())
    }

    /// [`owner_of_organisation`](Self::owner_of_organisation) inside a
    /// transaction: the organisation's chain up the directory, read
    /// through `tx` (a change's own transaction sees its own directory).
    pub async fn owner_of_organisation_tx(
        &self,
        tx: &mut crate::db::Tx,
        organisation_id: &str,
    ) -> Result<Option<&Instance>, sqlx::Error> {
        let mut orgs = std::collections::BTreeMap::new();
        let mut at = Some(organisation_id.to_owned());
        // The directory is a few levels deep; the bound stops a cycle.
        for _ in 0..20 {
            let Some(id) = at else { break };
            let Some(o) = crate::directory::queries::by_id_tx(tx, &id).await? else {
                break;
            };
            at = o.parent_id.clone();
            orgs.insert(id, o);
        }
        if !orgs.contains_key(organisation_id) {
            return Ok(None);
        }
        Ok(self.owner_in(&orgs, organisation_id))
    }

    /// The instance other than this one that owns `organisation_id`'s
    /// orders, if any: where an order given to it is carried out.
    pub async fn elsewhere(
        &self,
        tx: &mut crate::db::Tx,
        organisation_id: &str,
    ) -> Result<Option<&Instance>, sqlx::Error> {
        Ok(self
            .owner_of_organisation_tx(tx, organisation_id)
            .await?
            .filter(|i| i.id != self.this))
    }

    /// Whether this process owns `organisation_id`'s orders (always, with
    /// no core owning it: nothing to send it to).
    pub async fn owns(&self, db: &Db, organisation_id: &str) -> Result<bool, sqlx::Error> {
        Ok(self
            .owner_of_organisation(db, organisation_id)
            .await?
            .is_none_or(|i| i.id == self.this))
    }

    /// Every portfolio a core owns.
    pub fn portfolios(&self) -> BTreeSet<&str> {
        self.cores()
            .flat_map(|i| i.portfolios.iter().map(String::as_str))
            .collect()
    }
}
