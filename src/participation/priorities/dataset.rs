//! The closed quarters' priority ranks as an open dataset
//! (`2309189066-priority-ranks`), republished when a quarter closes. Counts
//! only: no supporter is named or can be singled out (a municipality's
//! counts are of everyone there who took part).

use super::queries;
use super::views::scope_name;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};
use crate::web::i18n::Locale;

pub async fn table(state: &AppState) -> anyhow::Result<Table> {
    let int = FieldFormat::Integer;
    let float = FieldFormat::Float;
    let mut t = Table::with_fields(vec![
        field("quarter", "Quarter", "Квартал", TEXT),
        field(
            "scope",
            "Scope (region or municipality id)",
            "Охват (край или идентификатор муниципалитета)",
            TEXT,
        ),
        field("scope_name", "Scope name", "Наименование территории", TEXT),
        field("position", "Position", "Место", int),
        field("priority_id", "Priority number", "Номер приоритета", int),
        field("title", "Priority", "Приоритет", TEXT),
        field("topic", "Topic", "Тема", TEXT),
        field(
            "organisation_id",
            "Responsible organisation",
            "Ответственная организация",
            TEXT,
        ),
        field(
            "score",
            "Score (share of participants)",
            "Оценка (доля участников)",
            float,
        ),
        field(
            "supporters_verified",
            "Supporters with verified residence",
            "Поддержавшие с подтверждённым проживанием",
            int,
        ),
        field(
            "supporters_declared",
            "Supporters with declared residence",
            "Поддержавшие с заявленным проживанием",
            int,
        ),
        field(
            "participants_verified",
            "Participants with verified residence",
            "Участники с подтверждённым проживанием",
            int,
        ),
        field(
            "participants_declared",
            "Participants with declared residence",
            "Участники с заявленным проживанием",
            int,
        ),
        field(
            "wilson_lower",
            "Lower bound of the 95% Wilson interval (verified share)",
            "Нижняя граница 95-процентного интервала Уилсона (доля подтверждённых)",
            float,
        ),
        field("url", "Page", "Страница приоритета", TEXT),
    ]);
    let base = state.config.base_url();
    let priorities: std::collections::BTreeMap<i64, queries::PriorityRow> = queries::by_states(
        &state.db,
        &[
            super::domain::State::Published,
            super::domain::State::Frozen,
        ],
    )
    .await?
    .into_iter()
    .map(|p| (p.priority_id, p))
    .collect();
    for r in queries::all_ranks(&state.db).await? {
        let p = priorities.get(&r.priority_id);
        t.rows.push(vec![
            r.quarter.clone(),
            r.scope.clone(),
            scope_name(Locale::Ru, &r.scope),
            r.position.to_string(),
            r.priority_id.to_string(),
            p.map(|p| p.title.clone()).unwrap_or_default(),
            p.map(|p| p.topic.clone()).unwrap_or_default(),
            p.map(|p| p.organisation_id.clone()).unwrap_or_default(),
            format!("{:.6}", r.score),
            r.supporters_verified.to_string(),
            r.supporters_declared.to_string(),
            r.participants_verified.to_string(),
            r.participants_declared.to_string(),
            format!("{:.6}", r.wilson_lower),
            format!("{base}/participation/priorities/{}", r.priority_id),
        ]);
    }
    Ok(t)
}

/// The snapshots as a live open dataset (`datasets`).
pub struct Ranks;

#[async_trait::async_trait]
impl LiveDataset for Ranks {
    fn source(&self) -> &'static str {
        super::SOURCE
    }
    fn structure_stamp(&self) -> &'static str {
        "20261130"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table(state).await
    }
}
