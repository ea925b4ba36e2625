//! The 44 municipal formations of Krasnodar Krai and the point locator.
//!
//! Boundaries come from OpenStreetMap (ODbL; see datasets/geo/SOURCES.md) and
//! are compiled into the binary. An R-tree over the bounding boxes of every
//! polygon narrows a lookup to one or two candidates, which are then tested
//! exactly (point in polygon, holes respected).

use std::collections::HashMap;
use std::sync::LazyLock;

use anyhow::{Context, anyhow};
use geo::{BoundingRect, Centroid, Contains, Simplify};
use geo::{MultiPolygon, Point, Polygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use serde_json::{Value, json};

use crate::error::Msg;
use crate::texts;
use crate::web::i18n::Locale;

const BOUNDARIES: &str = include_str!("../../datasets/geo/krasnodar_municipalities.geojson");
const NAMES: &str = include_str!("../../datasets/geo/municipalities.csv");

/// Tolerance (degrees) of the simplified outlines drawn on maps: about 100 m.
const MAP_TOLERANCE: f64 = 0.001;
/// Tolerance of the overview drawn on the server: about 400 m.
const OVERVIEW_TOLERANCE: f64 = 0.004;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MunicipalityKind {
    UrbanOkrug,
    MunicipalOkrug,
    MunicipalDistrict,
}

impl MunicipalityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MunicipalityKind::UrbanOkrug => "urban_okrug",
            MunicipalityKind::MunicipalOkrug => "municipal_okrug",
            MunicipalityKind::MunicipalDistrict => "municipal_district",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        {
            let t = MunicipalityKindLabels::get(locale);
            match self {
                MunicipalityKind::UrbanOkrug => t.urban_okrug,
                MunicipalityKind::MunicipalOkrug => t.municipal_okrug,
                MunicipalityKind::MunicipalDistrict => t.municipal_district,
            }
        }
    }

    fn parse_ru(s: &str) -> Option<MunicipalityKind> {
        match s {
            "городской округ" => Some(MunicipalityKind::UrbanOkrug),
            "муниципальный округ" => Some(MunicipalityKind::MunicipalOkrug),
            "муниципальный район" => Some(MunicipalityKind::MunicipalDistrict),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub id: String,
    pub name_ru: String,
    pub name_en: String,
    pub kind: MunicipalityKind,
    /// 8-digit OKTMO; unknown for 19 of the 44 in the source data.
    pub oktmo: Option<String>,
    pub admin_centre_ru: String,
    pub admin_centre_en: String,
    pub area_km2: f64,
    /// (lat, lon)
    pub centroid: (f64, f64),
    /// [min_lon, min_lat, max_lon, max_lat]
    pub bbox: [f64; 4],
    pub geometry: MultiPolygon<f64>,
    /// Outline simplified for maps (about 100 m), rounded to about 1 m.
    pub map_outline: MultiPolygon<f64>,
    /// The same outline as a GeoJSON geometry.
    pub map_geometry: Value,
    /// A coarser outline (about 400 m) for the server-drawn overview of all
    /// 44, where one pixel is about that size.
    pub overview_outline: MultiPolygon<f64>,
    pub sort_order: i32,
}

impl Municipality {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_ru, &self.name_en)
    }

    pub fn admin_centre(&self, locale: Locale) -> &str {
        locale.pick(&self.admin_centre_ru, &self.admin_centre_en)
    }

    /// A GeoJSON Feature: id, names, kind and OKTMO as properties.
    pub fn feature(&self, detail: Detail) -> Value {
        let geometry = match detail {
            Detail::Full => geometry_json(&self.geometry),
            Detail::Map => self.map_geometry.clone(),
        };
        json!({
            "type": "Feature",
            "id": self.id,
            "geometry": geometry,
            "properties": {
                "id": self.id,
                "name": self.name_ru,
                "name_en": self.name_en,
                "kind": self.kind.as_str(),
                "oktmo": self.oktmo,
                "admin_centre": self.admin_centre_ru,
                "area_km2": self.area_km2,
                "url": format!("/municipalities/{}", self.id),
            }
        })
    }
}

/// How much geometry to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// The boundaries as published by OpenStreetMap.
    #[default]
    Full,
    /// Simplified to about 100 m, for drawing on maps.
    Map,
}

fn geometry_json(g: &MultiPolygon<f64>) -> Value {
    let value = geojson::GeometryValue::from(g);
    serde_json::to_value(geojson::Geometry::new(value)).unwrap_or(Value::Null)
}

/// A point given by a person or a client: finite, on Earth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn parse(lat: f64, lon: f64) -> Result<GeoPoint, Msg> {
        if !lat.is_finite()
            || !lon.is_finite()
            || !(-90.0..=90.0).contains(&lat)
            || !(-180.0..=180.0).contains(&lon)
        {
            return Err(Msg::new(
                "Координаты заданы неверно: широта должна быть от −90 до 90, долгота от −180 до 180 (в градусах).",
                "Invalid coordinates: latitude must be between −90 and 90 and longitude between −180 and 180 (degrees).",
            ));
        }
        Ok(GeoPoint { lat, lon })
    }
}

/// Why a point has no municipality.
#[derive(Debug, Clone, PartialEq)]
pub enum LocateError {
    /// Far away: outside the krai's bounding box.
    OutsideBoundingBox(GeoPoint),
    /// Within the bounding box, but in the sea or a neighbouring region
    /// (the Republic of Adygea lies inside the krai).
    NotInAnyMunicipality(GeoPoint),
}

impl LocateError {
    pub fn message(&self) -> Msg {
        match self {
            LocateError::OutsideBoundingBox(p) => Msg::new(
                format!(
                    "Точка {:.5}, {:.5} находится далеко за пределами Краснодарского края (край лежит между 43,4° и 46,9° с. ш. и 36,6° и 41,8° в. д.). Проверьте, не перепутаны ли широта и долгота.",
                    p.lat, p.lon
                ),
                format!(
                    "The point {:.5}, {:.5} is far outside Krasnodar Krai (the krai lies between 43.4° and 46.9° N and 36.6° and 41.8° E). Check that latitude and longitude are not swapped.",
                    p.lat, p.lon
                ),
            ),
            LocateError::NotInAnyMunicipality(p) => Msg::new(
                format!(
                    "Точка {:.5}, {:.5} не входит ни в один из 44 муниципалитетов Краснодарского края: она в море или в соседнем регионе (например, в Адыгее).",
                    p.lat, p.lon
                ),
                format!(
                    "The point {:.5}, {:.5} is not in any of the 44 municipalities of Krasnodar Krai: it is in the sea or in a neighbouring region (such as Adygea).",
                    p.lat, p.lon
                ),
            ),
        }
    }
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

pub struct Geography {
    municipalities: Vec<Municipality>,
    by_id: HashMap<String, usize>,
    /// Every polygon, with the index of its municipality.
    polygons: Vec<(usize, Polygon<f64>)>,
    tree: RTree<Entry>,
    bbox: [f64; 4],
}

static GEOGRAPHY: LazyLock<Geography> = LazyLock::new(|| {
    // The data is compiled in and checked by tests; failing here is a build
    // defect, not a runtime condition.
    #[expect(clippy::expect_used, reason = "embedded data is validated by tests")]
    Geography::load(BOUNDARIES, NAMES).expect("embedded municipal boundaries are valid")
});

/// The region's geography, parsed once per process.
pub fn geography() -> &'static Geography {
    &GEOGRAPHY
}

#[derive(serde::Deserialize)]
struct NameRow {
    slug: String,
    name_ru: String,
    name_en: String,
    admin_centre_ru: String,
    admin_centre_en: String,
}

impl Geography {
    pub fn load(geojson_text: &str, names_csv: &str) -> anyhow::Result<Geography> {
        let mut names = HashMap::new();
        for row in csv::Reader::from_reader(names_csv.as_bytes()).deserialize::<NameRow>() {
            let row = row?;
            names.insert(row.name_ru.clone(), row);
        }
        let collection: geojson::FeatureCollection =
            serde_json::from_str(geojson_text).context("municipal boundaries are not GeoJSON")?;
        let mut municipalities = Vec::new();
        let mut polygons = Vec::new();
        for (i, feature) in collection.features.into_iter().enumerate() {
            let props = feature
                .properties
                .as_ref()
                .ok_or_else(|| anyhow!("feature {i} has no properties"))?;
            let prop = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_owned);
            let name = prop("name").ok_or_else(|| anyhow!("feature {i} has no name"))?;
            let row = names
                .remove(&name)
                .ok_or_else(|| anyhow!("no English name for {name}"))?;
            let kind = prop("kind_2025_reported")
                .and_then(|k| MunicipalityKind::parse_ru(&k))
                .ok_or_else(|| anyhow!("unknown kind of {name}"))?;
            let area = props
                .get("area_km2_computed")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            let geometry = feature
                .geometry
                .ok_or_else(|| anyhow!("{name} has no geometry"))?;
            let geometry: geo::Geometry<f64> = (&geometry).try_into()?;
            let geometry: MultiPolygon<f64> = match geometry {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                _ => anyhow::bail!("{name} is not a polygon"),
            };
            let rect = geometry
                .bounding_rect()
                .ok_or_else(|| anyhow!("{name} is empty"))?;
            let centroid = geometry
                .centroid()
                .ok_or_else(|| anyhow!("{name} has no centroid"))?;
            let index = municipalities.len();
            for polygon in &geometry.0 {
                polygons.push((index, polygon.clone()));
            }
            let map_outline = round(&geometry.simplify(MAP_TOLERANCE));
            let map_geometry = geometry_json(&map_outline);
            let overview_outline = geometry.simplify(OVERVIEW_TOLERANCE);
            municipalities.push(Municipality {
                id: row.slug,
                name_ru: name,
                name_en: row.name_en,
                kind,
                oktmo: prop("oktmo"),
                admin_centre_ru: row.admin_centre_ru,
                admin_centre_en: row.admin_centre_en,
                area_km2: area,
                centroid: (centroid.y(), centroid.x()),
                bbox: [rect.min().x, rect.min().y, rect.max().x, rect.max().y],
                geometry,
                map_outline,
                map_geometry,
                overview_outline,
                sort_order: i32::try_from(i)?,
            });
        }
        anyhow::ensure!(
            names.is_empty(),
            "names without boundaries: {:?}",
            names.keys()
        );
        let entries = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| {
                let r = p.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        let bbox = municipalities
            .iter()
            .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, m| {
                [
                    b[0].min(m.bbox[0]),
                    b[1].min(m.bbox[1]),
                    b[2].max(m.bbox[2]),
                    b[3].max(m.bbox[3]),
                ]
            });
        let by_id = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        Ok(Geography {
            municipalities,
            by_id,
            polygons,
            tree: RTree::bulk_load(entries),
            bbox,
        })
    }

    pub fn all(&self) -> &[Municipality] {
        &self.municipalities
    }

    pub fn by_id(&self, id: &str) -> Option<&Municipality> {
        self.by_id.get(id).map(|&i| &self.municipalities[i])
    }

    /// [min_lon, min_lat, max_lon, max_lat] of the whole krai.
    pub fn bbox(&self) -> [f64; 4] {
        self.bbox
    }

    /// The municipality that contains the point.
    pub fn locate(&self, p: GeoPoint) -> Result<&Municipality, LocateError> {
        let [x0, y0, x1, y1] = self.bbox;
        if p.lon < x0 || p.lon > x1 || p.lat < y0 || p.lat > y1 {
            return Err(LocateError::OutsideBoundingBox(p));
        }
        let point = Point::new(p.lon, p.lat);
        self.tree
            .locate_all_at_point(&[p.lon, p.lat])
            .map(|entry| &self.polygons[entry.data])
            .find(|(_, polygon)| polygon.contains(&point))
            .map(|(m, _)| &self.municipalities[*m])
            .ok_or(LocateError::NotInAnyMunicipality(p))
    }

    /// Finds a municipality by OKTMO (8 digits, or a longer code of a place
    /// inside it), id, or Russian or English name. Used to read the residence
    /// an identity provider vouches for.
    pub fn find(&self, value: &str) -> Option<&Municipality> {
        let v = value.trim();
        if v.len() >= 8 && v.bytes().all(|b| b.is_ascii_digit()) {
            let prefix = &v[..8];
            return self
                .municipalities
                .iter()
                .find(|m| m.oktmo.as_deref() == Some(prefix));
        }
        let lower = v.to_lowercase();
        self.by_id(&lower).or_else(|| {
            self.municipalities
                .iter()
                .find(|m| m.name_ru.to_lowercase() == lower || m.name_en.to_lowercase() == lower)
        })
    }

    /// All municipalities as a GeoJSON FeatureCollection.
    pub fn feature_collection(&self, detail: Detail) -> Value {
        json!({
            "type": "FeatureCollection",
            "features": self.municipalities.iter().map(|m| m.feature(detail)).collect::<Vec<_>>(),
        })
    }
}

/// Rounds coordinates to 5 decimals (about 1 m), which halves the size of
/// map outlines without any visible change.
fn round(g: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    g.map_coords(|c| {
        geo::coord! {
            x: (c.x * 1e5).round() / 1e5,
            y: (c.y * 1e5).round() / 1e5,
        }
    })
}

pub const SEARCH_KIND: &str = "municipality";

/// How a municipality becomes a search document.
pub fn search_document(id: &str) -> Option<crate::search::SearchDoc> {
    let m = geography().by_id(id)?;
    Some(crate::search::SearchDoc {
        kind: SEARCH_KIND,
        num: 0,
        id: m.id.clone(),
        url: format!("/municipalities/{}", m.id),
        title_ru: m.name_ru.clone(),
        title_en: m.name_en.clone(),
        body_ru: format!(
            "{} {} ОКТМО {}",
            m.kind.label(Locale::Ru),
            m.admin_centre_ru,
            m.oktmo.as_deref().unwrap_or("")
        ),
        body_en: format!("{} {}", m.kind.label(Locale::En), m.admin_centre_en),
    })
}

async fn document(_: &crate::db::Db, id: &str) -> anyhow::Result<Option<crate::search::SearchDoc>> {
    Ok(search_document(id))
}

async fn all_ids(_: &crate::db::Db) -> anyhow::Result<Vec<String>> {
    Ok(geography().all().iter().map(|m| m.id.clone()).collect())
}

crate::document_source!(Documents, SEARCH_KIND, document, all_ids);

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> Result<&'static str, LocateError> {
        geography()
            .locate(GeoPoint::parse(lat, lon).unwrap())
            .map(|m| m.id.as_str())
    }

    #[test]
    fn all_44_load_with_names_and_kinds() {
        let g = geography();
        assert_eq!(g.all().len(), 44);
        assert_eq!(
            g.all()
                .iter()
                .filter(|m| m.kind == MunicipalityKind::MunicipalDistrict)
                .count(),
            34
        );
        assert!(
            g.all()
                .iter()
                .all(|m| !m.name_en.is_empty() && m.area_km2 > 100.0)
        );
        let mut ids: Vec<_> = g.all().iter().map(|m| &m.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 44);
    }

    #[test]
    fn cities_are_found_in_their_municipality() {
        assert_eq!(at(45.0355, 38.9753), Ok("krasnodar"));
        assert_eq!(at(43.5855, 39.7231), Ok("sochi"));
        assert_eq!(at(44.7244, 37.7675), Ok("novorossiysk"));
        assert_eq!(at(46.7055, 38.2739), Ok("yeysky"));
    }

    #[test]
    fn points_outside_are_explained() {
        // The Sea of Azov.
        assert!(matches!(
            at(46.2, 37.0),
            Err(LocateError::NotInAnyMunicipality(_))
        ));
        // Maykop, the capital of Adygea, an enclave inside the krai.
        assert!(matches!(
            at(44.6098, 40.1006),
            Err(LocateError::NotInAnyMunicipality(_))
        ));
        // Moscow.
        assert!(matches!(
            at(55.75, 37.62),
            Err(LocateError::OutsideBoundingBox(_))
        ));
    }

    #[test]
    fn bad_coordinates_are_refused() {
        assert!(GeoPoint::parse(91.0, 0.0).is_err());
        assert!(GeoPoint::parse(f64::NAN, 0.0).is_err());
        assert!(GeoPoint::parse(45.0, 181.0).is_err());
    }

    #[test]
    fn find_by_oktmo_name_or_id() {
        let g = geography();
        assert_eq!(
            g.find("03701000001").map(|m| m.id.as_str()),
            Some("krasnodar")
        );
        assert_eq!(g.find("Сочи").map(|m| m.id.as_str()), Some("sochi"));
        assert_eq!(g.find("anapa").map(|m| m.id.as_str()), Some("anapa"));
        assert!(g.find("Moscow").is_none());
    }
}

texts!(pub MunicipalityKindLabels {
    urban_okrug: "городской округ", "urban okrug";
    municipal_okrug: "муниципальный округ", "municipal okrug";
    municipal_district: "муниципальный район", "municipal district";
});
