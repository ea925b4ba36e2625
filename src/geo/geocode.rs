//! A modest geocoder for people who type an address instead of dropping a
//! pin: it finds the town (from the krai's list of towns) or the district
//! (by its name or its administrative centre) named in the text, and gives
//! a point there. Street-level geocoding needs an address register (FIAS) or
//! a Nominatim server, neither of which veche can reach; the report keeps
//! the typed address, and the department sees both.

use std::sync::LazyLock;

use crate::geo::{GeoPoint, geography};

struct Place {
    /// Lower case, "ё" as "е".
    name: String,
    point: GeoPoint,
}

const CITIES: &str = include_str!("../../datasets/geo/cities_krasnodar_krai.csv");

fn norm(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

/// A town or village of the region, from the FIAS extract.
pub struct Town {
    pub name: String,
    pub point: GeoPoint,
    pub population: u32,
}

static TOWNS: LazyLock<Vec<Town>> = LazyLock::new(|| {
    let mut towns = Vec::new();
    let mut reader = csv::Reader::from_reader(CITIES.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let col = |n: &str| headers.iter().position(|h| h == n);
    if let (Some(city), Some(lat), Some(lon), Some(population)) = (
        col("city"),
        col("geo_lat"),
        col("geo_lon"),
        col("population"),
    ) {
        for r in reader.records().flatten() {
            let (Some(la), Some(lo)) = (
                r.get(lat).and_then(|v| v.parse().ok()),
                r.get(lon).and_then(|v| v.parse().ok()),
            ) else {
                continue;
            };
            if let (Some(name), Ok(point)) = (r.get(city), GeoPoint::parse(la, lo)) {
                towns.push(Town {
                    name: name.to_owned(),
                    point,
                    population: r.get(population).and_then(|v| v.parse().ok()).unwrap_or(0),
                });
            }
        }
    }
    towns
});

/// The region's towns with their centres and population.
pub fn towns() -> &'static [Town] {
    &TOWNS
}

static PLACES: LazyLock<Vec<Place>> = LazyLock::new(|| {
    let mut places: Vec<Place> = towns()
        .iter()
        .map(|t| Place {
            name: norm(&t.name),
            point: t.point,
        })
        .collect();
    // Districts: by the district's own name ("Динской район") or its centre
    // ("Динская"), placed at the district's centroid when it lies inside.
    for m in geography().all() {
        let Ok(point) = GeoPoint::parse(m.centroid.0, m.centroid.1) else {
            continue;
        };
        if geography()
            .locate(point)
            .map(|found| found.id != m.id)
            .unwrap_or(true)
        {
            continue;
        }
        for name in [m.name_ru.as_str(), m.admin_centre_ru.as_str()] {
            let n = norm(name);
            if !places.iter().any(|p| p.name == n) && n.chars().count() > 3 {
                places.push(Place { name: n, point });
            }
        }
    }
    // Longest names first: "Усть-Лабинск" before "Лабинск".
    places.sort_by_key(|p| std::cmp::Reverse(p.name.chars().count()));
    places
});

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '-')
}

/// The point of the place named in `address`, and the place's name.
pub fn by_address(address: &str) -> Option<(GeoPoint, String)> {
    let text = norm(address);
    for p in PLACES.iter() {
        let mut from = 0;
        while let Some(i) = text[from..].find(&p.name) {
            let start = from + i;
            let end = start + p.name.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            if !is_word_char(before) && !is_word_char(after) {
                return Some((p.point, p.name.clone()));
            }
            from = end;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn towns_and_districts_are_found_in_addresses() {
        let (p, name) = by_address("г. Краснодар, ул. Красная, 122").unwrap();
        assert_eq!(name, "краснодар");
        assert_eq!(geography().locate(p).unwrap().id, "krasnodar");
        let (p, _) = by_address("Усть-Лабинск, ул. Ленина").unwrap();
        assert_eq!(geography().locate(p).unwrap().id, "ust-labinsky");
        assert!(by_address("ул. Неизвестная, 5").is_none());
        // A town name inside another word is not a match.
        assert!(by_address("Краснодарская улица").is_none_or(|(_, n)| n != "краснодар"));
    }
}
