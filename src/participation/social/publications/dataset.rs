//! The open dataset of publications' metadata (`2309189066-publications`),
//! republished whenever one is published, commented, hidden or restored.
//! No personal data: no author of a resident's post (an organisation
//! appears only for its own news and announcements), no text.

use super::queries;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};

pub async fn table(state: &AppState) -> anyhow::Result<Table> {
    let int = FieldFormat::Integer;
    let mut t = Table::with_fields(vec![
        field("publication_id", "Number", "Номер", int),
        field(
            "kind",
            "Kind (news, announcement, post)",
            "Вид (news, announcement, post)",
            TEXT,
        ),
        field("title", "Title", "Заголовок", TEXT),
        field(
            "organisation_id",
            "Publishing organisation (empty for a resident's post)",
            "Организация (пусто для поста жителя)",
            TEXT,
        ),
        field("municipality_id", "Municipality", "Муниципалитет", TEXT),
        field("published_at", "Published", "Опубликовано", TEXT),
        field("comment_count", "Comments", "Комментариев", int),
    ]);
    for p in queries::all_visible(&state.db).await? {
        t.rows.push(vec![
            p.publication_id.to_string(),
            p.kind,
            p.title,
            p.organisation_id.unwrap_or_default(),
            p.municipality_id.unwrap_or_default(),
            p.created_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            p.comment_count.to_string(),
        ]);
    }
    Ok(t)
}

/// Publications as a live open dataset.
pub struct Publications;

#[async_trait::async_trait]
impl LiveDataset for Publications {
    fn source(&self) -> &'static str {
        super::DATASET
    }
    fn structure_stamp(&self) -> &'static str {
        "20261203"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table(state).await
    }
}
