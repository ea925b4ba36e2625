//! The closed months' results of service ratings as an open dataset
//! (`2309189066-service-ratings`), republished when a month closes.
//! Aggregates only: no rating, no rater, no comment.

use std::collections::BTreeMap;

use super::queries;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};

pub async fn table(state: &AppState) -> anyhow::Result<Table> {
    let int = FieldFormat::Integer;
    let float = FieldFormat::Float;
    let mut fields = vec![
        field("month", "Month (YYYY-MM)", "Месяц (ГГГГ-ММ)", TEXT),
        field(
            "subject_kind",
            "Service or organisation",
            "Услуга или организация",
            TEXT,
        ),
        field("subject_id", "Identifier", "Идентификатор", TEXT),
        field("name", "Name", "Наименование", TEXT),
        field(
            "service_group",
            "Group of comparable services",
            "Группа сопоставимых услуг",
            TEXT,
        ),
        field("organisation_id", "Provider", "Организация", TEXT),
        field("channel", "Channel", "Канал", TEXT),
        field(
            "municipality_id",
            "Municipality (empty: the whole krai)",
            "Муниципалитет (пусто — весь край)",
            TEXT,
        ),
        field("n", "Number of ratings", "Число оценок", int),
    ];
    for (scale, en, ru) in [
        ("quality", "quality", "качество"),
        ("convenience", "convenience", "удобство"),
        ("speed", "speed", "скорость"),
        ("overall", "overall", "итог"),
    ] {
        fields.push(field(
            &format!("{scale}_mean"),
            &format!("Mean, {en}"),
            &format!("Среднее, {ru}"),
            float,
        ));
        fields.push(field(
            &format!("{scale}_low"),
            &format!("95% interval, lower bound, {en}"),
            &format!("Нижняя граница 95-процентного интервала, {ru}"),
            float,
        ));
        fields.push(field(
            &format!("{scale}_high"),
            &format!("95% interval, upper bound, {en}"),
            &format!("Верхняя граница 95-процентного интервала, {ru}"),
            float,
        ));
    }
    fields.push(field(
        "position",
        "Position among comparable ones",
        "Место среди сопоставимых",
        int,
    ));
    fields.push(field(
        "compared",
        "How many were compared",
        "Сколько сравнивалось",
        int,
    ));
    let mut t = Table::with_fields(fields);
    let services: BTreeMap<String, queries::ServiceRow> = queries::services(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.service_id.clone(), s))
        .collect();
    let orgs: BTreeMap<String, String> = crate::directory::queries::list(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id, o.name_ru))
        .collect();
    let f = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_default();
    for r in queries::all_results(&state.db).await? {
        let s = services
            .get(&r.subject_id)
            .filter(|_| r.subject_kind == "service");
        let name = match s {
            Some(s) => s.name_ru.clone(),
            None => orgs.get(&r.subject_id).cloned().unwrap_or_default(),
        };
        t.rows.push(vec![
            r.month.clone(),
            r.subject_kind.clone(),
            r.subject_id.clone(),
            name,
            r.grp.clone(),
            s.map_or_else(|| r.subject_id.clone(), |s| s.organisation_id.clone()),
            s.map(|s| s.channel.clone()).unwrap_or_default(),
            s.and_then(|s| s.municipality_id.clone())
                .unwrap_or_default(),
            r.n.to_string(),
            f(r.quality_mean),
            f(r.quality_low),
            f(r.quality_high),
            f(r.convenience_mean),
            f(r.convenience_low),
            f(r.convenience_high),
            f(r.speed_mean),
            f(r.speed_low),
            f(r.speed_high),
            f(r.overall_mean),
            f(r.overall_low),
            f(r.overall_high),
            r.position.map(|p| p.to_string()).unwrap_or_default(),
            r.compared.to_string(),
        ]);
    }
    Ok(t)
}

/// The closed months as a live open dataset (`datasets`).
pub struct Results;

#[async_trait::async_trait]
impl LiveDataset for Results {
    fn source(&self) -> &'static str {
        super::SOURCE
    }
    fn structure_stamp(&self) -> &'static str {
        "20261201"
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table(state).await
    }
}
