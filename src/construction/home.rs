//! The construction registry's figure on the home page.

use crate::app::AppState;
use crate::error::{AppResult, Msg};
use crate::web::home::{Figure, HomeSection};

pub struct Live;

#[async_trait::async_trait]
impl HomeSection for Live {
    async fn figures(&self, state: &AppState) -> AppResult<Vec<Figure>> {
        let n = super::queries::count(&state.db, &super::queries::Filter::default()).await?;
        Ok(vec![Figure {
            id: "fig-objects",
            label: Msg::new(
                "Объектов в реестре строек",
                "Objects in the construction registry",
            ),
            value: n.to_string(),
            href: "/construction".into(),
        }])
    }
}
