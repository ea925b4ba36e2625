//! (being written)

use axum::Router;

use crate::app::AppState;

pub const KIND: &str = "TODO";
pub const DATASET: &str = "TODO";

pub fn router() -> Router<AppState> {
    Router::new()
}
