//! The personal agenda of a member of staff: what the core already knows
//! is due for a person (their orders' deadlines, the orders they gave,
//! their projects' milestones, their cases' hearings, the reports their
//! organisations owe), gathered through this registry so that the planner
//! that shows it names no feature that keeps those things (wired in
//! `features.rs`). Each source reads its own tables.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::db::Db;
use crate::error::AppResult;

/// Whose agenda: an account and the organisations it belongs to.
#[derive(Debug, Clone)]
pub struct Person {
    pub account_id: i64,
    /// Every organisation the person is a member of.
    pub organisations: Vec<String>,
    /// The ones where the person is an officer.
    pub officer_of: Vec<String>,
}

/// One dated thing on a person's agenda.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    /// What it is, stable and unique with its id (`order:12`,
    /// `project:3`, `hearing:5`, `report:F-1:org:2026-11`): a personal
    /// item links to one by this key.
    pub key: String,
    /// The kind, for its label and style (`order`, `delegated`,
    /// `milestone`, `hearing`, `report`).
    pub kind: &'static str,
    pub title: String,
    /// When it is due or starts.
    pub at: OffsetDateTime,
    /// A date without a time of day (a milestone).
    pub all_day: bool,
    pub url: String,
    /// How it stands, in both languages (the state of an order, the
    /// executor of a delegated one, the courtroom).
    pub note: (String, String),
    pub overdue: bool,
}

/// How an order a person gave stands (the delegated task control).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Open, its deadline ahead.
    InTime,
    /// Open past its deadline.
    Overdue,
    DoneOnTime,
    DoneLate,
}

/// An order a person gave: to whom, and how it stands.
#[derive(Debug, Clone)]
pub struct Given {
    pub title: String,
    pub url: String,
    /// The executor, or the organisation when nobody is named.
    pub executor: String,
    pub deadline: OffsetDateTime,
    pub standing: Standing,
}

#[async_trait::async_trait]
pub trait AgendaSource: Send + Sync {
    /// The kinds it gives, with their labels (Russian, English).
    fn kinds(&self) -> &'static [(&'static str, &'static str, &'static str)];

    /// The person's items due or starting in `[from, to)`.
    async fn items(
        &self,
        db: &Db,
        person: &Person,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> AppResult<Vec<AgendaItem>>;

    /// The orders the person gave (cancelled ones left out); a source
    /// that keeps no orders gives none.
    async fn given(
        &self,
        _db: &Db,
        _person: &Person,
        _now: OffsetDateTime,
    ) -> AppResult<Vec<Given>> {
        Ok(Vec::new())
    }
}

/// The registered sources, asked in order.
#[derive(Clone, Default)]
pub struct AgendaRegistry(Vec<Arc<dyn AgendaSource>>);

impl AgendaRegistry {
    pub fn new(sources: Vec<Arc<dyn AgendaSource>>) -> AgendaRegistry {
        AgendaRegistry(sources)
    }

    /// Every source's items in `[from, to)`, by time.
    pub async fn items(
        &self,
        db: &Db,
        person: &Person,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> AppResult<Vec<AgendaItem>> {
        // Stored times are UTC; on SQLite they compare as text, so a
        // bound time must be UTC too.
        let (from, to) = (
            from.to_offset(time::UtcOffset::UTC),
            to.to_offset(time::UtcOffset::UTC),
        );
        let mut all = Vec::new();
        for s in &self.0 {
            all.extend(s.items(db, person, from, to).await?);
        }
        all.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
        Ok(all)
    }

    /// Every order the person gave.
    pub async fn given(
        &self,
        db: &Db,
        person: &Person,
        now: OffsetDateTime,
    ) -> AppResult<Vec<Given>> {
        let mut all = Vec::new();
        for s in &self.0 {
            all.extend(s.given(db, person, now).await?);
        }
        Ok(all)
    }

    /// The label of a kind, (Russian, English); the kind itself when no
    /// source gives it.
    pub fn label(&self, kind: &str) -> (&'static str, &'static str) {
        self.0
            .iter()
            .flat_map(|s| s.kinds().iter())
            .find(|k| k.0 == kind)
            .map_or(("—", "—"), |k| (k.1, k.2))
    }

    /// Every kind registered (for the test that nothing is registered
    /// twice).
    pub fn kinds(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .flat_map(|s| s.kinds().iter().map(|k| k.0))
            .collect()
    }
}
