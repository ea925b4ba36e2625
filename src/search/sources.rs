//! The kinds of document in the index. `search` does not know them: each
//! feature with searchable things registers a `DocumentSource` (wired in
//! `features.rs`), and the index asks it for a document by id when the
//! outbox says it changed, and for all of them when the index is rebuilt.

use std::sync::Arc;

use async_trait::async_trait;

use super::SearchDoc;
use crate::db::Db;

#[async_trait]
pub trait DocumentSource: Send + Sync {
    /// The kind, as `enqueue(tx, kind, id)` names it and results show it.
    fn kind(&self) -> &'static str;
    /// The current document, or `None` when it is gone (or not public).
    async fn document(&self, db: &Db, id: &str) -> anyhow::Result<Option<SearchDoc>>;
    /// Every id that may have a document, for a rebuild.
    async fn all_ids(&self, db: &Db) -> anyhow::Result<Vec<String>>;
}

/// The registered sources.
#[derive(Clone, Default)]
pub struct Sources(Arc<Vec<Arc<dyn DocumentSource>>>);

impl Sources {
    pub fn new(sources: Vec<Arc<dyn DocumentSource>>) -> Sources {
        Sources(Arc::new(sources))
    }

    /// The registered kinds, in order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.0.iter().map(|s| s.kind()).collect()
    }

    fn get(&self, kind: &str) -> Option<&Arc<dyn DocumentSource>> {
        self.0.iter().find(|s| s.kind() == kind)
    }

    /// The current document of `kind:id`, or `None` when it no longer
    /// exists (or its kind is unknown: logged, for a job left by code that
    /// is gone).
    pub async fn document(
        &self,
        db: &Db,
        kind: &str,
        id: &str,
    ) -> anyhow::Result<Option<SearchDoc>> {
        match self.get(kind) {
            Some(s) => s.document(db, id).await,
            None => {
                tracing::warn!(kind, "search job of an unknown kind dropped");
                Ok(None)
            }
        }
    }

    /// Every document that should be in the index, for a rebuild.
    pub async fn all(&self, db: &Db) -> anyhow::Result<Vec<SearchDoc>> {
        let mut docs = Vec::new();
        for s in self.0.iter() {
            for id in s.all_ids(db).await? {
                if let Some(d) = s.document(db, &id).await? {
                    docs.push(d);
                }
            }
        }
        Ok(docs)
    }
}

/// A source whose documents are two async functions of the feature's
/// `search.rs`: `document(db, id)` and `all_ids(db)`.
#[macro_export]
macro_rules! document_source {
    ($name:ident, $kind:expr, $document:path, $all_ids:path) => {
        /// This feature's documents in the site search (`search::sources`).
        pub struct $name;

        #[async_trait::async_trait]
        impl $crate::search::DocumentSource for $name {
            fn kind(&self) -> &'static str {
                $kind
            }
            async fn document(
                &self,
                db: &$crate::db::Db,
                id: &str,
            ) -> anyhow::Result<Option<$crate::search::SearchDoc>> {
                $document(db, id).await
            }
            async fn all_ids(&self, db: &$crate::db::Db) -> anyhow::Result<Vec<String>> {
                $all_ids(db).await
            }
        }
    };
}
