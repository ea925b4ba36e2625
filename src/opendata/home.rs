//! The open-data figure of the home page.

use crate::app::AppState;
use crate::error::{AppError, AppResult, Msg};
use crate::web::home::{Figure, HomeSection};

pub struct Live;

#[async_trait::async_trait]
impl HomeSection for Live {
    async fn figures(&self, state: &AppState) -> AppResult<Vec<Figure>> {
        let catalogue = state
            .catalogue
            .snapshot(&state.db)
            .await
            .map_err(AppError::Internal)?;
        Ok(vec![Figure {
            id: "fig-datasets",
            label: Msg::new("Наборов открытых данных", "Open datasets"),
            value: catalogue.entries.len().to_string(),
            href: "/opendata".into(),
        }])
    }
}
