//! What other features add to a request's page: a registry, so that the
//! feature that owns a kind of request shows, say, the suggestions made for
//! a problem report without naming the feature that keeps them (features
//! are wired in `features.rs`).

use std::sync::Arc;

use maud::{Markup, html};

use super::Kind;
use super::queries::AppealRow;
use crate::db::{Conn, Db};
use crate::error::AppResult;
use crate::web::layout::PageCtx;

/// A block on the page of requests of one kind.
#[async_trait::async_trait]
pub trait RequestSection: Send + Sync {
    /// The kind of request whose page shows it (`Kind::as_str`).
    fn kind(&self) -> &'static str;

    /// The block for the request, or nothing. The page has read the
    /// request already (and checked the viewer may see it): a block does
    /// not read it again, and reads what it needs on the page's connection
    /// (`db::Conn`: acquiring another while it is held could wait forever).
    ///
    /// For readers not signed in the block is kept with the page until the
    /// next commit (`workflow::page_cache`): it must be made of what is in
    /// the database and the reader's language only, not of the clock.
    async fn section(
        &self,
        ctx: &PageCtx,
        c: &mut Conn,
        report: &AppealRow,
    ) -> AppResult<Option<Markup>>;
}

/// The registered blocks, in the order shown.
#[derive(Clone, Default)]
pub struct RequestSections(Arc<Vec<Arc<dyn RequestSection>>>);

impl RequestSections {
    pub fn new(sections: Vec<Arc<dyn RequestSection>>) -> RequestSections {
        RequestSections(Arc::new(sections))
    }

    /// The blocks for the request `report` (as the page read it), together;
    /// `None` when none has anything to show.
    pub async fn render(
        &self,
        ctx: &PageCtx,
        c: &mut Conn,
        report: &AppealRow,
    ) -> AppResult<Option<Markup>> {
        let mut blocks = Vec::new();
        for s in self.0.iter().filter(|s| s.kind() == report.kind) {
            if let Some(m) = s.section(ctx, c, report).await? {
                blocks.push(m);
            }
        }
        Ok((!blocks.is_empty()).then(|| html! { @for b in blocks { (b) } }))
    }

    /// The blocks for the request `id` of `kind`, reading it first (the page
    /// again after a failed action); `None` when none has anything to show,
    /// or the id names no request of the kind (the page answers 404).
    pub async fn render_id(
        &self,
        ctx: &PageCtx,
        db: &Db,
        kind: Kind,
        id: &str,
    ) -> AppResult<Option<Markup>> {
        let Ok(appeal_id) = id.parse::<i64>() else {
            return Ok(None);
        };
        match super::queries::appeal(db, appeal_id).await? {
            Some(a) if a.kind == kind.as_str() => self.render(ctx, &mut db.conn().await?, &a).await,
            _ => Ok(None),
        }
    }
}
