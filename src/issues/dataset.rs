//! The open dataset of problem reports (`2312823003-problems`): every public
//! report with its category, place, responsible organisation, state, SLA
//! dates and official answer. No personal data: reporters are not named
//! (not even those who allowed it), contacts and internal notes are left
//! out. Republished whenever a report changes (`workflow` asks for it in
//! the same transaction).

use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};

pub const SOURCE: &str = "problems";

fn date(t: Option<time::OffsetDateTime>) -> String {
    t.map(|t| {
        let d = t.to_offset(crate::workflow::sla::MSK).date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    })
    .unwrap_or_default()
}

pub async fn table(state: &AppState) -> anyhow::Result<Table> {
    let mut t = Table::with_fields(vec![
        field(
            "id",
            "Report number",
            "Номер обращения",
            FieldFormat::Integer,
        ),
        field("category", "Category", "Категория", TEXT),
        field(
            "category_name",
            "Category name",
            "Наименование категории",
            TEXT,
        ),
        field(
            "municipality_id",
            "Municipality",
            "Муниципальное образование",
            TEXT,
        ),
        field(
            "organisation_id",
            "Responsible organisation",
            "Ответственная организация",
            TEXT,
        ),
        field("state", "State", "Состояние", TEXT),
        field("address", "Address", "Адрес", TEXT),
        field("lat", "Latitude", "Широта", FieldFormat::Float),
        field("lon", "Longitude", "Долгота", FieldFormat::Float),
        field(
            "location_approximate",
            "Approximate location: the centre of the town named in the address",
            "Место приблизительное: центр населённого пункта из адреса",
            FieldFormat::Boolean,
        ),
        field("description", "Description", "Описание проблемы", TEXT),
        field(
            "published",
            "Published on",
            "Дата публикации",
            FieldFormat::Date,
        ),
        field("due", "Answer due by", "Срок ответа", FieldFormat::Date),
        field(
            "reacted",
            "Answered on",
            "Дата официального ответа",
            FieldFormat::Date,
        ),
        field("reaction", "Official answer", "Официальный ответ", TEXT),
        field(
            "planned_date",
            "Planned date",
            "Запланированная дата",
            FieldFormat::Date,
        ),
        field(
            "close_reason",
            "Reason for closing",
            "Причина закрытия",
            TEXT,
        ),
        field("url", "Page", "Страница обращения", TEXT),
    ]);
    let cats = crate::workflow::queries::categories(&state.db, "problem").await?;
    let rows = crate::workflow::queries::public_appeals(&state.db, "problem").await?;
    let base = state.config.base_url();
    for a in rows {
        let name = cats
            .iter()
            .find(|c| c.category_id == a.category_id)
            .map(|c| c.name_ru.clone())
            .unwrap_or_default();
        t.rows.push(vec![
            a.appeal_id.to_string(),
            a.category_id.clone(),
            name,
            a.municipality_id.clone(),
            a.organisation_id.clone().unwrap_or_default(),
            a.state.clone(),
            a.address.clone(),
            format!("{:.6}", a.lat),
            format!("{:.6}", a.lon),
            a.approximate.to_string(),
            a.description.clone(),
            date(a.published_at),
            date(a.due_at),
            date(a.reacted_at),
            a.reaction_text.clone().unwrap_or_default(),
            a.planned_date.clone().unwrap_or_default(),
            a.close_reason.clone().unwrap_or_default(),
            format!("{base}/problems/{}", a.appeal_id),
        ]);
    }
    Ok(t)
}

/// The registry as a live open dataset (`datasets`).
pub struct Problems;

#[async_trait::async_trait]
impl LiveDataset for Problems {
    fn source(&self) -> &'static str {
        SOURCE
    }
    fn structure_stamp(&self) -> &'static str {
        // 20261130: `location_approximate` added.
        "20261130"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table(state).await
    }
}
