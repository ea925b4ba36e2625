//! Participation (docs/PARTICIPATION.md): the tools through which residents
//! take part in decisions. Each is a folder of its own:
//!
//! - `priorities/`: quarterly priority ranks by municipality and for the
//!   region.

pub mod priorities;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(priorities::router())
}

/// The feature's scheduled work (the server runs it hourly and once at
/// start; each step is safe to run any time).
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    priorities::service::close_quarters(state).await?;
    Ok(())
}
