//! Law-making (законотворчество, docs/PARTICIPATION.md): citizens' initiatives
//! of regional and municipal regulatory acts in five stages — a concept that
//! gathers support, the discussion of the idea, the text in versions with
//! anchored annotations and amendments, the expertise of appointed experts,
//! and the government's reaction, whose deadlines are watched in public.
//!
//! - `domain.rs`: stages and the rule of who may do what (`allowed`);
//! - `text.rs`: the draft as numbered articles, anchors, differences;
//! - `queries.rs`, `drafts.rs`, `comments.rs`: SQL;
//! - `service.rs`: every write, one transaction with its timeline entry,
//!   and the scheduled move past a stage's end;
//! - `pages.rs` (handlers), `views.rs`, `page.rs`, `page_text.rs`: pages;
//! - `export.rs`: the final text with its history as PDF and DOCX.

pub mod api;
pub mod comments;
pub mod core;
pub mod dataset;
pub mod demo;
pub mod domain;
pub mod drafts;
pub mod export;
pub mod feed;
pub mod page;
mod page_text;
pub mod pages;
pub mod queries;
pub mod search;
pub mod service;
pub mod sweep;
pub mod text;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participation/lawmaking", get(pages::list))
        .route(
            "/participation/lawmaking/new",
            get(pages::new_form).post(pages::create),
        )
        .route("/participation/lawmaking/{id}", get(pages::show))
        .route("/participation/lawmaking/{id}/act", post(pages::act))
        .route("/participation/lawmaking/{id}/diff", get(pages::diff))
        .route(
            "/participation/lawmaking/{id}/export.pdf",
            get(pages::export_pdf),
        )
        .route(
            "/participation/lawmaking/{id}/export.docx",
            get(pages::export_docx),
        )
        .route("/api/v1/initiatives", get(api::list))
        .route("/api/v1/initiatives/{id}", get(api::one))
        .route("/moderation/initiatives", get(pages::moderation))
        .route(
            "/moderation/initiative-comments/{id}",
            post(pages::moderate_comment),
        )
}
