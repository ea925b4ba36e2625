//! Both registries as open datasets (`2309650015-construction` and
//! `2309650015-illegal-constructions`), republished whenever an object
//! changes (the change asks for it in its own transaction). Rows are as the
//! public sees them (`ObjectRow::for_public`): the right-holder of an
//! illegal construction, often a private person, is left out.

use super::queries::{self, Filter};
use crate::app::AppState;
use crate::datasets::{FieldFormat, LiveDataset, TEXT, Table, field};

pub async fn table(state: &AppState, illegal_only: bool) -> anyhow::Result<Table> {
    let mut t = Table::with_fields(vec![
        field("id", "Object number", "Номер объекта", FieldFormat::Integer),
        field("name", "Name", "Наименование", TEXT),
        field("address", "Address", "Адрес", TEXT),
        field(
            "municipality_id",
            "Municipality",
            "Муниципальное образование",
            TEXT,
        ),
        field("lat", "Latitude", "Широта", FieldFormat::Float),
        field("lon", "Longitude", "Долгота", FieldFormat::Float),
        field(
            "cadastral_number",
            "Cadastral number",
            "Кадастровый номер",
            TEXT,
        ),
        field(
            "permit_number",
            "Building permit",
            "Разрешение на строительство",
            TEXT,
        ),
        field(
            "permit_date",
            "Permit date",
            "Дата разрешения",
            FieldFormat::Date,
        ),
        field("developer", "Developer", "Застройщик", TEXT),
        field("purpose", "Purpose", "Назначение", TEXT),
        field("floors", "Floors", "Этажность", FieldFormat::Integer),
        field("status", "Status", "Статус", TEXT),
        field(
            "detected_on",
            "Detected on",
            "Дата выявления",
            FieldFormat::Date,
        ),
        field("footprint", "Footprint (GeoJSON)", "Контур (GeoJSON)", TEXT),
        field("url", "Page", "Страница объекта", TEXT),
    ]);
    let rows = queries::list(
        &state.db,
        &Filter {
            illegal_only,
            limit: 1_000_000,
            ..Default::default()
        },
    )
    .await?;
    let base = state.config.base_url();
    for o in rows.into_iter().map(queries::ObjectRow::for_public) {
        t.rows.push(vec![
            o.object_id.to_string(),
            o.name,
            o.address,
            o.municipality_id,
            format!("{:.6}", o.lat),
            format!("{:.6}", o.lon),
            o.cadastral_number.unwrap_or_default(),
            o.permit_number.unwrap_or_default(),
            o.permit_date.unwrap_or_default(),
            o.developer,
            o.purpose,
            o.floors.map(|f| f.to_string()).unwrap_or_default(),
            o.status,
            o.detected_on.unwrap_or_default(),
            o.footprint.unwrap_or_default(),
            format!("{base}/construction/objects/{}", o.object_id),
        ]);
    }
    Ok(t)
}

/// Both registries as live open datasets (`datasets`): every object, and
/// the illegal constructions alone.
pub struct Registry {
    pub illegal_only: bool,
}

#[async_trait::async_trait]
impl LiveDataset for Registry {
    fn source(&self) -> &'static str {
        if self.illegal_only {
            super::ILLEGAL_REGISTRY
        } else {
            super::REGISTRY
        }
    }
    async fn table(&self, state: &AppState) -> anyhow::Result<Table> {
        table(state, self.illegal_only).await
    }
}
