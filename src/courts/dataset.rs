//! Court statistics as an open dataset (`2308371192-court-statistics`),
//! published only when an administrator turns it on
//! (`VECHE_COURTS_PUBLISH_STATS`): per organisation and outcome, the
//! number of cases and the amounts claimed and awarded. Sums only: no
//! party, no case number, no subject, so a private person in a case is
//! never in it.

use std::collections::BTreeMap;

use super::queries;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};
use crate::web::i18n::Locale;

fn fields() -> Vec<crate::datasets::FieldDef> {
    vec![
        field(
            "organisation_id",
            "Organisation id",
            "Идентификатор организации",
            TEXT,
        ),
        field("organisation", "Organisation", "Организация", TEXT),
        field("outcome", "Outcome", "Итог", TEXT),
        field("cases", "Cases", "Дел", FieldFormat::Integer),
        field(
            "claimed",
            "Amount claimed, roubles",
            "Сумма исков, руб.",
            FieldFormat::Float,
        ),
        field(
            "awarded",
            "Amount awarded, roubles",
            "Присуждено, руб.",
            FieldFormat::Float,
        ),
    ]
}

pub async fn table(state: &AppState) -> anyhow::Result<Table> {
    let mut t = Table::with_fields(fields());
    if !state.config.courts.publish_stats {
        return Ok(t);
    }
    let orgs: BTreeMap<String, String> = crate::directory::queries::list(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id, o.name_ru))
        .collect();
    for r in queries::stats(&state.db).await? {
        t.rows.push(vec![
            r.organisation_id.clone(),
            orgs.get(&r.organisation_id).cloned().unwrap_or_default(),
            super::views::outcome_label(Locale::Ru, &r.outcome).to_owned(),
            r.cases.to_string(),
            format!("{:.2}", r.claimed / 100.0),
            format!("{:.2}", r.awarded / 100.0),
        ]);
    }
    Ok(t)
}

/// The statistics as a live open dataset (`datasets`).
pub struct Statistics;

#[async_trait::async_trait]
impl LiveDataset for Statistics {
    fn source(&self) -> &'static str {
        super::SOURCE
    }
    fn structure_stamp(&self) -> &'static str {
        "20261130"
    }
    fn published(&self, config: &crate::config::Config) -> bool {
        config.courts.publish_stats
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table(state).await
    }
}
