//! The open data portal: datasets with passports under Methodical
//! Recommendations 3.0, their structure and data versions, in HTML, CSV,
//! JSON and XML; table and map views; the CKAN-compatible and DCAT APIs.
//!
//! - `domain.rs`: identifiers, stamps, formats, values, passports.
//! - `store.rs`: the rows of each version in a typed table of its own.
//! - `import.rs`: the one publishing path (check, then load, then publish).
//! - `loader.rs`: passports and data files from folders and the binary.
//! - `system.rs`: datasets veche derives from what it knows and keeps.
//! - `catalogue.rs` + `query.rs`: the catalogue in memory, CKAN's query language.
//! - `machine.rs`, `ckan.rs`, `dcat.rs`: what programs read.
//! - `views.rs`, `table.rs`, `publish.rs`: what people see and do.

pub mod adaptive;
pub mod catalogue;
pub mod ckan;
pub mod dcat;
pub mod domain;
pub mod downloads;
pub mod home;
pub mod http;
pub mod import;
pub mod indexes;
pub mod loader;
pub mod machine;
pub mod mart;
pub mod openapi;
pub mod publish;
pub mod queries;
pub mod query;
pub mod ranking;
pub mod redact;
pub mod search;
pub mod sqlite_read;
pub mod store;
pub mod system;
pub mod table;
pub mod views;

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::opendata::adaptive::AdaptiveIndexes;
use crate::opendata::catalogue::Catalogue;
use crate::search::SearchIndex;
use crate::web::extract::{Path, Query};
use crate::web::layout::PageCtx;
use crate::web::limits::Gates;
use domain::{Ext, FileName};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opendata", get(catalogue_page))
        .route("/opendata/{key}", get(opendata_key))
        .route("/opendata/{identifier}/", get(trailing_slash))
        .route("/opendata/{identifier}/{file}", get(opendata_file))
        .route(
            "/opendata/{identifier}/publish",
            get(publish::publish_form).post(publish::publish_upload),
        )
        .route(
            "/catalog.ttl",
            get(|s, q, h| catalog(s, q, h, dcat::RdfKind::Turtle)),
        )
        .route(
            "/catalog.jsonld",
            get(|s, q, h| catalog(s, q, h, dcat::RdfKind::JsonLd)),
        )
        .route(
            "/catalog.rdf",
            get(|s, q, h| catalog(s, q, h, dcat::RdfKind::RdfXml)),
        )
        .route("/dataset/{file}", get(dcat_dataset))
        .route(
            "/api/3/action/{action}",
            get(ckan::action).post(ckan::action),
        )
        .route("/api/action/{action}", get(ckan::action).post(ckan::action))
        .route(
            "/api/v1/opendata/{identifier}/versions",
            post(publish::api_publish),
        )
        .route(
            "/account/tokens",
            get(publish::tokens_page).post(publish::create_token),
        )
        .route("/account/tokens/revoke", post(publish::revoke_token))
}

/// Today's date in Moscow time, `YYYY-MM-DD`.
pub fn today_iso() -> String {
    let d = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+3))
        .date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Start-up: removes versions left half-loaded by a process that died, then
/// loads the demo datasets.
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    let cutoff = crate::db::now() - time::Duration::hours(1);
    for id in queries::stale_loading_versions(&state.db, cutoff).await? {
        store::drop_table(&state.db, id).await?;
        queries::delete_version(&state.db, id).await?;
        tracing::warn!(version_id = id, "removed a data version left half-loaded");
    }
    if state.config.server.demo {
        let report = loader::load_embedded(state).await?;
        for line in &report.lines {
            if report.errors > 0 {
                tracing::warn!("{line}");
            } else {
                tracing::info!("{line}");
            }
        }
    }
    Ok(())
}

/// `GET /opendata`
async fn catalogue_page(
    ctx: PageCtx,
    State(catalogue): State<Catalogue>,
    State(db): State<Db>,
    State(search): State<SearchIndex>,
    Query(q): Query<views::CatalogueQuery>,
) -> AppResult<Response> {
    let snapshot = catalogue.snapshot(&db).await?;
    let mut fq = Vec::new();
    for (field, value) in [
        ("organization", &q.org),
        ("groups", &q.topic),
        ("res_format", &q.format),
        ("municipality", &q.municipality),
    ] {
        if !value.is_empty() {
            fq.push(query::Expr::Term {
                field: field.into(),
                value: value.clone(),
            });
        }
    }
    let fq_expr = if fq.is_empty() {
        query::Expr::All
    } else {
        query::Expr::And(fq)
    };
    // People type words, not query syntax: every word is a full-text term.
    let words: Vec<query::Expr> =
        q.q.split_whitespace()
            .take(16)
            .map(|w| query::Expr::Text(w.to_owned()))
            .collect();
    let q_expr = if words.is_empty() {
        query::Expr::All
    } else {
        query::Expr::And(words)
    };
    let mut results = query::run(&search, &snapshot, &q_expr, &fq_expr).await?;
    let sort = match q.sort.as_str() {
        "modified" => query::parse_sort("metadata_modified desc"),
        "title" => query::parse_sort("title_string asc"),
        _ => query::parse_sort(if q.q.trim().is_empty() {
            "metadata_modified desc"
        } else {
            "score desc, metadata_modified desc"
        }),
    }
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e.0)))?;
    let per_page = 20;
    let page = q.page.unwrap_or(1).max(1);
    // Pages up to this one in order; facets count every result anyway.
    query::sort_top(
        &snapshot,
        &mut results,
        &sort,
        page.saturating_mul(per_page),
    );
    // Facets count what the other facets leave, so a choice never hides itself.
    let entries: Vec<&std::sync::Arc<catalogue::Entry>> = results
        .iter()
        .map(|&(_, place)| &snapshot.entries[place as usize])
        .collect();
    let facets = catalogue::facets(
        &entries,
        &["organization", "groups", "res_format", "municipality"],
        30,
    );
    let org_names: HashMap<String, (String, String)> = snapshot
        .entries
        .iter()
        .map(|e| {
            (
                e.dataset.organisation_id.clone(),
                (e.org_name_ru.clone(), e.org_name_en.clone()),
            )
        })
        .collect();
    let page_entries: Vec<&std::sync::Arc<catalogue::Entry>> = entries
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .copied()
        .collect();
    Ok(views::catalogue_page(
        &ctx,
        views::CatalogueView {
            query: &q,
            total: entries.len(),
            results: page_entries,
            facets,
            org_names,
            page,
            per_page,
        },
    ))
}

/// `GET /opendata/{key}`: the registry files, or a passport page.
async fn opendata_key(
    ctx: PageCtx,
    user: Option<CurrentUser>,
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    if let Some(ext) = key.strip_prefix("list.").and_then(Ext::parse) {
        return Ok(machine::list(&state, &snapshot, ext, &headers));
    }
    let e = snapshot.get(&key).ok_or_else(AppError::not_found)?;
    if e.dataset.identifier != key {
        // One address per dataset: the identifier as published.
        return Ok(
            Redirect::permanent(&format!("/opendata/{}", e.dataset.identifier)).into_response(),
        );
    }
    let can_publish = user.as_ref().is_some_and(|u| publish::may_publish(u, e));
    Ok(views::passport_page(
        &ctx,
        &state.config.base_url(),
        e,
        can_publish,
    ))
}

async fn trailing_slash(Path(identifier): Path<String>) -> Response {
    Redirect::permanent(&format!("/opendata/{identifier}")).into_response()
}

/// `GET /opendata/{identifier}/{file}`: machine files, table, map, publish form.
async fn opendata_file(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((identifier, file)): Path<(String, String)>,
    request: Request<Body>,
) -> AppResult<Response> {
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    let e = snapshot
        .get(&identifier)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    let headers = request.headers().clone();
    match file.as_str() {
        "table" | "table.json" | "table.csv" | "table.xlsx" | "map" => {
            let pairs = crate::web::extract::query_pairs(request.uri());
            let r = table_view(
                &ctx,
                &state.adaptive,
                &state.db,
                &state.gates,
                &e,
                &file,
                &pairs,
            )
            .await?;
            // An export is a download; the table page and the map are not.
            if file.starts_with("table.") && r.status() == axum::http::StatusCode::OK {
                state.catalogue.downloads.count(e.dataset.dataset_id);
            }
            return Ok(r);
        }
        _ => {}
    }
    match FileName::parse(&file).ok_or_else(AppError::not_found)? {
        FileName::Meta(ext) => Ok(machine::meta(&state, &e, ext, &headers)),
        FileName::Structure { stamp, ext } => {
            let s = queries::structure_by_stamp(&state.db, e.dataset.dataset_id, &stamp)
                .await?
                .ok_or_else(AppError::not_found)?;
            machine::structure(&e, &stamp, &s.fields(), s.created_at, ext, &headers)
        }
        FileName::Data {
            data,
            structure,
            ext,
        } => {
            let v = e
                .versions
                .iter()
                .find(|v| v.stamp == data && v.structure_stamp == structure)
                .cloned()
                .ok_or_else(AppError::not_found)?;
            let s = queries::structure_by_id(&state.db, v.structure_id)
                .await?
                .ok_or_else(AppError::not_found)?;
            let r = machine::data(&state, &e, &v, s.fields(), ext, request).await?;
            // In full only: a 304 or a resumed range is not another download.
            if r.status() == axum::http::StatusCode::OK {
                state.catalogue.downloads.count(e.dataset.dataset_id);
            }
            Ok(r)
        }
    }
}

async fn table_view(
    ctx: &PageCtx,
    adaptive: &AdaptiveIndexes,
    db: &Db,
    gates: &Gates,
    e: &catalogue::Entry,
    file: &str,
    pairs: &[(String, String)],
) -> AppResult<Response> {
    let version_stamp = pairs
        .iter()
        .find(|(k, _)| k == "_version")
        .map(|(_, v)| v.clone());
    let version = match &version_stamp {
        Some(s) => e.versions.iter().find(|v| &v.stamp == s),
        None => e.current(),
    }
    .cloned()
    .ok_or_else(AppError::not_found)?;
    // The current version's structure is in the catalogue already.
    let fields = match &e.structure {
        Some(s) if s.structure_id == version.structure_id => e.fields.clone(),
        _ => queries::structure_by_id(db, version.structure_id)
            .await?
            .ok_or_else(AppError::not_found)?
            .fields(),
    };
    let mut req = table::TableRequest::parse(pairs, &fields)?;
    // The HTML filter form sends three fields; its canonical address has one.
    if file == "table" && pairs.iter().any(|(k, _)| k == "_filter_column") {
        let mut clean = req.clone();
        clean.next = None;
        let target = format!(
            "/opendata/{}/table?{}",
            e.dataset.identifier,
            serde_urlencoded::to_string(&clean.params).unwrap_or_default()
        );
        return Ok(Redirect::to(&target).into_response());
    }
    // A substring scan reads every row of a large version: such requests
    // take a turn at the expensive-work gate.
    let _permit = if version.row_count >= adaptive::MIN_ROWS
        && req.filters.iter().any(|f| f.op == store::Op::Contains)
    {
        Some(gates.expensive.enter().await?)
    } else {
        None
    };
    // What is asked of a large version teaches it which indexes to build.
    let observe = |req: &table::TableRequest| {
        adaptive.observe(
            db,
            version.version_id,
            version.row_count,
            &req.filters,
            req.sort,
        )
    };
    match file {
        "table.csv" | "table.xlsx" => {
            // Every page of the selection: a turn at the expensive-work gate.
            let _permit = match _permit {
                Some(p) => p,
                None => gates.expensive.enter().await?,
            };
            table::selection(db, e, &version, &fields, &req, file == "table.xlsx").await
        }
        "table.json" => {
            observe(&req);
            let (rows, next, count) = table::fetch(db, &version, &fields, &req).await?;
            let path = format!("/opendata/{}/table.json", e.dataset.identifier);
            Ok(table::json_response(
                &path, &fields, &req, &rows, next, count,
            ))
        }
        "map" => table::map_page(ctx, e, &fields, &req),
        _ => {
            req.count = true;
            observe(&req);
            let (rows, next, count) = table::fetch(db, &version, &fields, &req).await?;
            Ok(table::html_page(
                ctx,
                e,
                &version,
                &fields,
                &req,
                &rows,
                next,
                count.unwrap_or(0),
            ))
        }
    }
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<String>,
}

async fn catalog(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    kind: dcat::RdfKind,
) -> AppResult<Response> {
    let snapshot = state.catalogue.snapshot(&state.db).await?;
    dcat::catalog(&state, &snapshot, kind, q.page.as_deref(), &headers)
}

/// `GET /dataset/{identifier}.{ttl,jsonld,rdf}`
async fn dcat_dataset(
    State(catalogue): State<Catalogue>,
    State(config): State<Arc<Config>>,
    State(db): State<Db>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (identifier, ext) = file.rsplit_once('.').ok_or_else(AppError::not_found)?;
    let kind = dcat::RdfKind::parse(ext).ok_or_else(AppError::not_found)?;
    let snapshot = catalogue.snapshot(&db).await?;
    let e = snapshot.get(identifier).ok_or_else(AppError::not_found)?;
    dcat::dataset(&config, e, kind, &headers)
}
