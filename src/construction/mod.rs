//! Construction and development control: the public registry of
//! constructions on the map, the registry of illegal constructions, their
//! import from spreadsheets, exports, and the open datasets.
//!
//! - `domain.rs`: statuses and an object's fields, parsed once;
//! - `queries.rs`: the SQL;
//! - `pages.rs`: the map, the table, a page per object, officers' forms,
//!   the import preview and commit, CSV and XLSX exports;
//! - `import.rs`: spreadsheets in (`calamine`), checked row by row;
//! - `bulk.rs`: the import's lookups and writes, in bulk;
//! - `dataset.rs`: both registries as open datasets.
//!
//! - `checks.rs`: citizens' check requests, which are requests of the
//!   shared `crate::workflow` (lifecycle, routing, SLA, notifications, the
//!   hand-off to the project-management core) plus the registry object and
//!   the published verification result.

pub mod bulk;
pub mod checks;
pub mod dataset;
pub mod demo;
pub mod domain;
pub mod home;
pub mod import;
pub mod mart;
pub mod openapi;
pub mod pages;
pub mod pdf;
pub mod queries;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::web::i18n::Label;
use crate::workflow::kind::{Kind, KindSpec, OrderAt, Resolution};

/// A citizen's request to check a construction site, as the workflow
/// carries it. It is answered by the verification's result (`checks`), not
/// by «Решено», and its mails say so.
pub const CHECK: Kind = Kind::new(&KindSpec {
    name: "construction_check",
    label: Label::new("Проверка стройки", "Construction check"),
    base: "/construction/checks",
    section: (Label::new("Стройка", "Construction"), "/construction"),
    resolved_on_page: false,
    order_noun: "Обращение",
    order_at: OrderAt::Publication,
    registry: Some("construction_checks"),
    search_kind: Some("construction_check"),
    municipality_href: None,
    organisation_href: "/organisations/",
    resolution: Some(Resolution {
        subject: check_result_subject,
        line: |id| {
            (
                format!("Проверка по обращению №{id} завершена."),
                format!("The check requested in #{id} is complete."),
            )
        },
    }),
});

/// A verification's reaction begins with its verdict («Нарушение
/// подтверждено. …»), which the subject repeats when it is short.
fn check_result_subject(id: i64, note: &str) -> (String, String) {
    let verdict = note.split(". ").next().unwrap_or("").trim_end_matches('.');
    let ru = if !verdict.is_empty() && verdict.chars().count() <= 80 {
        format!(
            "Результат проверки по обращению №{id}: {}",
            verdict.to_lowercase()
        )
    } else {
        format!("Результат проверки по обращению №{id}")
    };
    // The verdict is the officer's Russian text: English readers get it in
    // the body, not a mixed subject.
    (ru, format!("Result of the check requested in #{id}"))
}

/// Open-data sources of the two registries.
pub const REGISTRY: &str = "construction";
pub const ILLEGAL_REGISTRY: &str = "construction_illegal";

/// The construction supervision authority of the demo directory.
pub const AUTHORITY: &str = "dep-construction-supervision";

/// Who may add, edit and import: the authority's officers and administrators.
pub fn may_edit(u: &CurrentUser) -> bool {
    u.is_admin() || u.is_officer_of(AUTHORITY)
}

/// Field-by-field differences between two versions, for the history.
pub fn changes(
    before: Vec<(&'static str, String)>,
    after: Vec<(&'static str, String)>,
) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (field, new) in after {
        let old = before
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if old != new {
            out.insert(field.to_owned(), serde_json::json!([old, new]));
        }
    }
    serde_json::Value::Object(out)
}

pub fn router() -> Router<AppState> {
    let spreadsheets = Router::new()
        .route(
            "/construction/import",
            get(pages::import_form).post(pages::import_preview),
        )
        .route(
            "/construction/objects/{id}/documents",
            post(pages::add_document),
        )
        .layer(DefaultBodyLimit::max(
            import::MAX_FILE as usize + 1024 * 1024,
        ));
    // Check requests: five photos at their limit, and the text.
    let photos = Router::new()
        .route(
            "/construction/checks/new",
            get(checks::new_form).post(checks::submit),
        )
        .route("/construction/checks/{id}/action", post(checks::action))
        .layer(DefaultBodyLimit::max(crate::media::upload::MAX_UPLOAD));
    Router::new()
        .merge(spreadsheets)
        .merge(photos)
        .merge(crate::workflow::page::support_routes(CHECK))
        .route("/construction", get(pages::map_page))
        .route("/construction/registry", get(pages::table))
        .route("/construction/illegal", get(pages::illegal))
        .route(
            "/construction/objects/new",
            get(pages::new_form).post(pages::create),
        )
        .route("/construction/objects/{id}", get(pages::show))
        .route(
            "/construction/objects/{id}/edit",
            get(pages::edit_form).post(pages::update),
        )
        .route("/construction/documents/{id}", get(pages::document))
        .route(
            "/construction/import/{key}/commit",
            post(pages::import_commit),
        )
        .route("/construction/checks/{id}", get(checks::show))
        .route("/construction/checks/{id}/verify", post(checks::verify))
        .route("/api/v1/construction.geojson", get(pages::geojson))
        .route("/api/v1/construction/objects", post(pages::api_create))
        .route(
            "/api/v1/construction/objects/{id}",
            get(pages::api_show).put(pages::api_update),
        )
}
