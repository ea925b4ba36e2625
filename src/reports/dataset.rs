//! Accepted values of public forms as open datasets, one per form
//! (`<INN>-report-<code>`, the owner's INN or the nearest body above it
//! with one): every accepted report's values with the plan, by
//! organisation and period. A new version comes with every acceptance, so
//! each period adds one. Values only: comments, follow-up marks, drafts
//! and returned reports stay inside.

use std::collections::BTreeMap;

use serde_json::json;

use super::queries;
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, Member, TEXT, Table, field};
use crate::directory::queries::OrgRow;

fn fields() -> Vec<crate::datasets::FieldDef> {
    vec![
        field(
            "organisation_id",
            "Organisation id",
            "Идентификатор организации",
            TEXT,
        ),
        field("organisation", "Organisation", "Организация", TEXT),
        field("period", "Period", "Период", TEXT),
        field("item_code", "Item code", "Код показателя", TEXT),
        field("item", "Item", "Показатель", TEXT),
        field("unit", "Unit", "Единица измерения", TEXT),
        field("plan", "Plan", "План", FieldFormat::Float),
        field("value", "Value", "Значение", FieldFormat::Float),
    ]
}

/// The owner's INN, or the nearest body's above it.
fn inn_of<'a>(orgs: &'a BTreeMap<String, OrgRow>, id: &str) -> Option<(&'a OrgRow, &'a str)> {
    let mut at = orgs.get(id);
    for _ in 0..10 {
        let o = at?;
        if let Some(inn) = o.inn.as_deref() {
            return Some((o, inn));
        }
        at = o.parent_id.as_deref().and_then(|p| orgs.get(p));
    }
    None
}

const PREFIX: &str = "-report-";

pub struct Reports;

#[async_trait::async_trait]
impl LiveDataset for Reports {
    fn source(&self) -> &'static str {
        super::SOURCE
    }
    fn structure_stamp(&self) -> &'static str {
        "20261207"
    }
    async fn table(&self, _state: &AppState) -> anyhow::Result<Table> {
        Ok(Table::with_fields(fields()))
    }
    async fn members(&self, state: &AppState) -> anyhow::Result<Vec<Member>> {
        let orgs = crate::directory::tree::org_map(&state.db).await?;
        let mut out = Vec::new();
        for f in queries::forms(&state.db)
            .await?
            .into_iter()
            .filter(|f| f.public)
        {
            let Some((owner, inn)) = inn_of(&orgs, &f.organisation_id) else {
                continue;
            };
            let identifier = format!("{inn}{PREFIX}{}", f.code);
            let period =
                super::views::period_type_label(crate::web::i18n::Locale::Ru, &f.period_type);
            out.push(Member {
                passport: json!({
                    "identifier": identifier,
                    "title": format!("Отчётность: {}", f.name_ru),
                    "title_en": format!("Periodic reports: {}", f.name_en),
                    "description": format!(
                        "Принятые значения формы отчётности «{}» ({period}) по организациям и периодам, с планом. \
                         Публикуются после принятия отчёта владельцем формы; комментарии и черновики не публикуются.",
                        f.name_ru
                    ),
                    "description_en": format!(
                        "Accepted values of the report form “{}” by organisation and period, with the plan. \
                         Published once the form's owner accepts a report; comments and drafts are not published.",
                        f.name_en
                    ),
                    "owner": owner.organisation_id,
                    "publisher": {
                        "name": owner.name_ru,
                        "phone": owner.phone.clone().unwrap_or_default(),
                        "mbox": owner.email.clone().unwrap_or_default(),
                    },
                    "format": "CSV",
                    "subject": "отчётность, показатели, план, факт",
                    "topic": "government",
                    "license": "cc-by-4.0",
                    "frequency": period,
                    "source": super::SOURCE,
                    "provenance": "Портал «Вече», периодическая отчётность: принятые отчёты организаций",
                }),
                identifier,
            });
        }
        Ok(out)
    }
    async fn table_of(&self, state: &AppState, identifier: &str) -> anyhow::Result<Table> {
        let mut t = Table::with_fields(fields());
        let Some((_, code)) = identifier.split_once(PREFIX) else {
            return Ok(t);
        };
        let Some(form) = queries::form(&state.db, code).await?.filter(|f| f.public) else {
            return Ok(t);
        };
        let orgs = crate::directory::tree::org_map(&state.db).await?;
        let items = queries::items(&state.db, form.form_id).await?;
        let plans = queries::plans(&state.db, form.form_id, "").await?;
        let values = queries::values(&state.db, form.form_id, 0).await?;
        for s in queries::submissions(&state.db, form.form_id)
            .await?
            .into_iter()
            .filter(|s| s.state == "accepted")
        {
            for i in &items {
                let Some(v) = values
                    .iter()
                    .find(|v| v.submission_id == s.submission_id && v.item_id == i.item_id)
                    .and_then(|v| v.value)
                else {
                    continue;
                };
                let plan = plans
                    .iter()
                    .find(|p| {
                        p.item_id == i.item_id
                            && p.organisation_id == s.organisation_id
                            && p.period == s.period
                    })
                    .map_or(String::new(), |p| p.value.to_string());
                t.rows.push(vec![
                    s.organisation_id.clone(),
                    orgs.get(&s.organisation_id)
                        .map_or(String::new(), |o| o.name_ru.clone()),
                    s.period.clone(),
                    i.code.clone(),
                    i.name_ru.clone(),
                    i.unit.clone(),
                    plan,
                    v.to_string(),
                ]);
            }
        }
        Ok(t)
    }
}
