//! Roadmaps for features that follow a goal: a feature links its record
//! (an indicator) to a project of the internal core and shows that
//! project's overdue work, through this registry, without naming the
//! feature that keeps projects (wired in `features.rs`).

use std::sync::Arc;

use time::{Date, OffsetDateTime};

use crate::db::Db;
use crate::error::AppResult;

/// A project that may be linked.
#[derive(Debug, Clone)]
pub struct Roadmap {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub url: String,
}

/// A piece of a roadmap past its date and not done.
#[derive(Debug, Clone)]
pub struct Overdue {
    pub title: String,
    pub due: Date,
    /// `milestone` or `order`.
    pub kind: &'static str,
    pub url: String,
}

#[async_trait::async_trait]
pub trait Roadmaps: Send + Sync {
    /// Every project, by code.
    async fn list(&self, db: &Db) -> AppResult<Vec<Roadmap>>;

    /// A project's milestones and orders overdue at `now`, the oldest
    /// first; `None` when there is no such project.
    async fn overdue(
        &self,
        db: &Db,
        id: i64,
        now: OffsetDateTime,
    ) -> AppResult<Option<(Roadmap, Vec<Overdue>)>>;
}

/// The registered keeper of projects; without one, nothing links.
#[derive(Clone, Default)]
pub struct RoadmapRegistry(Option<Arc<dyn Roadmaps>>);

impl RoadmapRegistry {
    pub fn new(keeper: Arc<dyn Roadmaps>) -> RoadmapRegistry {
        RoadmapRegistry(Some(keeper))
    }

    pub async fn list(&self, db: &Db) -> AppResult<Vec<Roadmap>> {
        match &self.0 {
            Some(k) => k.list(db).await,
            None => Ok(Vec::new()),
        }
    }

    pub async fn overdue(
        &self,
        db: &Db,
        id: i64,
        now: OffsetDateTime,
    ) -> AppResult<Option<(Roadmap, Vec<Overdue>)>> {
        match &self.0 {
            Some(k) => k.overdue(db, id, now).await,
            None => Ok(None),
        }
    }
}
