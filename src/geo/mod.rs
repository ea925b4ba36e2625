//! Geography: the 44 municipalities, their boundaries, the point locator, the
//! municipality pages and the JSON API over them.

pub mod api;
pub mod geocode;
mod handlers;
pub mod municipalities;
pub mod openapi;
pub mod views;

use axum::Router;
use axum::routing::get;

pub use municipalities::{Detail, GeoPoint, Geography, LocateError, Municipality, geography};

use crate::app::AppState;
use crate::db::Tx;
use crate::exec_tx;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/municipalities", get(handlers::list_municipalities))
        .route("/municipalities/{id}", get(handlers::show_municipality))
        .route("/api/v1/municipalities", get(api::list_municipalities))
        .route("/api/v1/towns", get(api::list_towns))
        .route("/api/v1/municipalities/{id}", get(api::show_municipality))
        .route("/api/v1/locate", get(api::locate))
}

/// Writes the 44 municipalities into the database (ids, names, kinds), so
/// other rows can refer to them. Real data: refreshed on every start.
pub async fn seed(tx: &mut Tx) -> Result<(), sqlx::Error> {
    for m in geography().all() {
        exec_tx!(tx, "insert into municipality (municipality_id, name_ru, name_en, kind, oktmo,
                     admin_centre_ru, admin_centre_en, area_km2, centroid_lat, centroid_lon, sort_order)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 on conflict (municipality_id) do update set
                     name_ru = excluded.name_ru, name_en = excluded.name_en, kind = excluded.kind,
                     oktmo = excluded.oktmo, admin_centre_ru = excluded.admin_centre_ru,
                     admin_centre_en = excluded.admin_centre_en, area_km2 = excluded.area_km2,
                     centroid_lat = excluded.centroid_lat, centroid_lon = excluded.centroid_lon,
                     sort_order = excluded.sort_order", &m.id, &m.name_ru, &m.name_en, m.kind.as_str(), &m.oktmo, &m.admin_centre_ru, &m.admin_centre_en, m.area_km2, m.centroid.0, m.centroid.1, m.sort_order)?;
    }
    Ok(())
}
