//! What other features add to a request's page: a registry, so that the
//! feature that owns a kind of request shows, say, the suggestions made for
//! a problem report without naming the feature that keeps them (features
//! are wired in `features.rs`).

use std::sync::Arc;

use maud::{Markup, html};

use super::Kind;
use crate::db::Db;
use crate::error::AppResult;
use crate::web::layout::PageCtx;

/// A block on the page of requests of one kind.
#[async_trait::async_trait]
pub trait RequestSection: Send + Sync {
    /// The kind of request whose page shows it (`Kind::as_str`).
    fn kind(&self) -> &'static str;

    /// The block for the request, or nothing.
    async fn section(&self, ctx: &PageCtx, db: &Db, appeal_id: i64) -> AppResult<Option<Markup>>;
}

/// The registered blocks, in the order shown.
#[derive(Clone, Default)]
pub struct RequestSections(Arc<Vec<Arc<dyn RequestSection>>>);

impl RequestSections {
    pub fn new(sections: Vec<Arc<dyn RequestSection>>) -> RequestSections {
        RequestSections(Arc::new(sections))
    }

    /// The blocks for a request of `kind`, together; `None` when none has
    /// anything to show (or the id is not a number: the page answers 404).
    pub async fn render(
        &self,
        ctx: &PageCtx,
        db: &Db,
        kind: Kind,
        id: &str,
    ) -> AppResult<Option<Markup>> {
        let Ok(appeal_id) = id.parse::<i64>() else {
            return Ok(None);
        };
        let mut blocks = Vec::new();
        for s in self.0.iter().filter(|s| s.kind() == kind.as_str()) {
            if let Some(m) = s.section(ctx, db, appeal_id).await? {
                blocks.push(m);
            }
        }
        Ok((!blocks.is_empty()).then(|| html! { @for b in blocks { (b) } }))
    }
}
