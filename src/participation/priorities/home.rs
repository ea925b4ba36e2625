//! The priority ranks' figure on the home page.

use crate::app::AppState;
use crate::error::{AppResult, Msg};
use crate::web::home::{Figure, HomeSection};

pub struct Live;

#[async_trait::async_trait]
impl HomeSection for Live {
    async fn figures(&self, state: &AppState) -> AppResult<Vec<Figure>> {
        let settings = super::service::Settings::of(&state.config);
        let ranks = state.priorities.live(&state.db, &settings).await?;
        Ok(vec![Figure {
            id: "fig-priorities",
            label: Msg::new(
                "Приоритетов в рейтинге края",
                "Priorities in the krai's ranking",
            ),
            value: ranks.region.len().to_string(),
            href: "/participation/priorities".into(),
        }])
    }
}
