//! Law-making's open datasets, republished when an initiative moves:
//! initiatives with their stages and outcomes
//! (`2309189066-initiatives`), and the expert conclusions
//! (`2309189066-initiative-conclusions`). No personal data: no initiator
//! who is a citizen, no group's name, no expert, no comment; an
//! organisation appears only acting in its role (responsible, or proposing).

use std::collections::HashMap;

use super::queries;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};

pub const INITIATIVES: &str = "lawmaking_initiatives";
pub const CONCLUSIONS: &str = "lawmaking_conclusions";

fn stamp(t: Option<time::OffsetDateTime>) -> String {
    t.and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_default()
}

pub async fn initiatives(state: &AppState) -> anyhow::Result<Table> {
    let int = FieldFormat::Integer;
    let mut t = Table::with_fields(vec![
        field("initiative_id", "Number", "Номер", int),
        field("title", "Title", "Название", TEXT),
        field(
            "level",
            "Level (region, municipality)",
            "Уровень (region, municipality)",
            TEXT,
        ),
        field("municipality_id", "Municipality", "Муниципалитет", TEXT),
        field(
            "initiator_kind",
            "Initiator (citizen, group, organisation)",
            "Инициатор (citizen, group, organisation)",
            TEXT,
        ),
        field(
            "initiator_organisation_id",
            "Proposing organisation",
            "Организация-инициатор",
            TEXT,
        ),
        field(
            "organisation_id",
            "Responsible organisation",
            "Ответственная организация",
            TEXT,
        ),
        field(
            "stage",
            "Stage (concept, discussion, text, expertise, reaction, closed)",
            "Этап (concept, discussion, text, expertise, reaction, closed)",
            TEXT,
        ),
        field(
            "outcome",
            "Outcome (not_enough_support, adopted, sent_to_assembly, rejected)",
            "Итог (not_enough_support, adopted, sent_to_assembly, rejected)",
            TEXT,
        ),
        field("supports", "Supports", "Поддержали", int),
        field("supports_needed", "Supports needed", "Нужно поддержек", int),
        field("stage_started_at", "Stage started", "Начало этапа", TEXT),
        field(
            "act_due_at",
            "Official act due",
            "Срок официального действия",
            TEXT,
        ),
        field("overdue", "Overdue", "Срок нарушен", FieldFormat::Boolean),
        field("versions", "Versions of the text", "Редакций текста", int),
        field(
            "conclusions",
            "Expert conclusions",
            "Заключений экспертизы",
            int,
        ),
        field("decision_number", "The act's number", "Номер акта", TEXT),
        field("decision_date", "The act's date", "Дата акта", TEXT),
        field("decision_link", "Link to the act", "Ссылка на акт", TEXT),
        field("url", "Page", "Страница", TEXT),
    ]);
    let at = crate::db::now();
    let base = state.config.base_url();
    let mut conclusions: HashMap<i64, i64> = HashMap::new();
    for c in queries::all_conclusions(&state.db).await? {
        *conclusions.entry(c.initiative_id).or_default() += 1;
    }
    let versions: HashMap<i64, i64> = queries::version_counts(&state.db)
        .await?
        .into_iter()
        .collect();
    for i in queries::public(&state.db).await? {
        let id = i.initiative_id;
        t.rows.push(vec![
            id.to_string(),
            i.title.clone(),
            i.level.clone(),
            i.municipality_id.clone().unwrap_or_default(),
            i.initiator_kind.clone(),
            i.initiator_organisation_id.clone().unwrap_or_default(),
            i.organisation_id.clone(),
            i.stage.clone(),
            i.outcome.clone().unwrap_or_default(),
            i.support_count.to_string(),
            i.supports_needed.to_string(),
            stamp(Some(i.stage_started_at)),
            stamp(i.act_due_at),
            i.overdue(at).to_string(),
            versions.get(&id).copied().unwrap_or(0).to_string(),
            conclusions.get(&id).copied().unwrap_or(0).to_string(),
            i.decision_number.clone(),
            i.decision_date.clone().unwrap_or_default(),
            i.decision_link.clone(),
            format!("{base}/participation/lawmaking/{id}"),
        ]);
    }
    Ok(t)
}

pub async fn conclusions(state: &AppState) -> anyhow::Result<Table> {
    let mut t = Table::with_fields(vec![
        field(
            "initiative_id",
            "Initiative",
            "Инициатива",
            FieldFormat::Integer,
        ),
        field(
            "kind",
            "Expertise (legal, anti_corruption, financial)",
            "Экспертиза (legal, anti_corruption, financial)",
            TEXT,
        ),
        field(
            "verdict",
            "Verdict (supports, remarks, opposes)",
            "Вывод (supports, remarks, opposes)",
            TEXT,
        ),
        field("summary", "Summary", "Кратко", TEXT),
        field("published_at", "Published", "Опубликовано", TEXT),
        field(
            "organisation_id",
            "Responsible organisation",
            "Ответственная организация",
            TEXT,
        ),
    ]);
    let public: HashMap<i64, String> = queries::public(&state.db)
        .await?
        .into_iter()
        .map(|i| (i.initiative_id, i.organisation_id))
        .collect();
    for c in queries::all_conclusions(&state.db).await? {
        let Some(org) = public.get(&c.initiative_id) else {
            continue;
        };
        t.rows.push(vec![
            c.initiative_id.to_string(),
            c.kind,
            c.verdict,
            c.summary,
            stamp(Some(c.created_at)),
            org.clone(),
        ]);
    }
    Ok(t)
}

/// Initiatives as a live open dataset.
pub struct Initiatives;

#[async_trait::async_trait]
impl LiveDataset for Initiatives {
    fn source(&self) -> &'static str {
        INITIATIVES
    }
    fn structure_stamp(&self) -> &'static str {
        "20261202"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        initiatives(state).await
    }
}

/// Expert conclusions as a live open dataset.
pub struct Conclusions;

#[async_trait::async_trait]
impl LiveDataset for Conclusions {
    fn source(&self) -> &'static str {
        CONCLUSIONS
    }
    fn structure_stamp(&self) -> &'static str {
        "20261202"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        conclusions(state).await
    }
}
