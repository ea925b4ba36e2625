//! The directory of organisations: the governor's office, the portfolios of
//! the governor and the vice-governors, the regional departments under them,
//! the 44 municipal administrations and state companies.
//!
//! It is shared by every part of veche (routing of reports, orders, the
//! construction authority, dataset owners) and belongs to none of them, so it
//! has its own folder (see docs/ARCHITECTURE.md).

mod admin;
pub mod api;
pub mod domain;
mod handlers;
pub mod import;
pub mod master;
pub mod openapi;
pub mod queries;
pub mod search;
pub mod tree;
mod views;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;
use crate::db::Tx;

pub use domain::OrgKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(handlers::list_organisations))
        .route("/organisations/{id}", get(handlers::show_organisation))
        .route("/api/v1/organisations", get(api::list_organisations))
        .route("/api/v1/organisations/{id}", get(api::show_organisation))
        .route(
            "/admin/organisations/new",
            get(admin::new_organisation_form).post(admin::create_organisation),
        )
        .route(
            "/admin/organisations/{id}/edit",
            get(admin::edit_organisation_form).post(admin::update_organisation),
        )
}

const DEMO_ORGANISATIONS: &str = include_str!("../../datasets/organisations.csv");

#[derive(serde::Deserialize)]
struct SeedRow {
    id: String,
    parent_id: String,
    kind: String,
    name_ru: String,
    name_en: String,
    short_name_ru: String,
    short_name_en: String,
    inn: String,
    municipality_slug: String,
    email: String,
    phone: String,
    website: String,
}

fn opt(s: String) -> Option<String> {
    let s = s.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

/// Loads the demo directory: rows that already exist are left alone, so an
/// administrator's edits survive restarts. Returns the number of rows added.
pub async fn seed_demo(tx: &mut Tx) -> anyhow::Result<usize> {
    let mut added = 0;
    for row in csv::Reader::from_reader(DEMO_ORGANISATIONS.as_bytes()).deserialize::<SeedRow>() {
        let row = row?;
        anyhow::ensure!(
            OrgKind::parse(&row.kind).is_some(),
            "unknown kind {}",
            row.kind
        );
        let fields = queries::OrgFields {
            parent_id: opt(row.parent_id),
            kind: row.kind,
            name_ru: row.name_ru,
            name_en: row.name_en,
            short_name_ru: row.short_name_ru,
            short_name_en: row.short_name_en,
            inn: opt(row.inn),
            municipality_id: opt(row.municipality_slug),
            email: opt(row.email),
            phone: opt(row.phone),
            website: opt(row.website),
        };
        if queries::insert(tx, &row.id, &fields).await? {
            crate::search::enqueue(tx, search::KIND, &row.id).await?;
            added += 1;
        }
    }
    Ok(added)
}
