//! The input every request carries, checked once: its texts and its place.

use crate::error::Msg;
use crate::geo::{GeoPoint, geography};

/// Text checked into a value for the store: control characters removed,
/// trimmed, at most `max` characters.
pub fn clean_text(
    text: &str,
    max: usize,
    what_ru: &str,
    what_en: &str,
    required: bool,
) -> Result<String, Msg> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .replace("\r\n", "\n");
    let t = t.trim().to_owned();
    if required && t.is_empty() {
        return Err(Msg::new(
            format!("Заполните поле «{what_ru}»."),
            format!("Fill in “{what_en}”."),
        ));
    }
    if t.chars().count() > max {
        return Err(Msg::new(
            format!("Поле «{what_ru}» длиннее {max} символов."),
            format!("“{what_en}” is longer than {max} characters."),
        ));
    }
    Ok(t)
}

/// Where a request is: a point, and whether it is only the centre of the
/// town its address names (no pin was dropped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub point: GeoPoint,
    pub approximate: bool,
}

/// The place of a report: the pin, else the town named in the address
/// (approximate: its centre).
pub fn parse_place(lat: &str, lon: &str, address: &str) -> Result<Place, Msg> {
    let (lat, lon) = (lat.trim().replace(',', "."), lon.trim().replace(',', "."));
    if lat.is_empty() && lon.is_empty() {
        return match crate::geo::geocode::by_address(address) {
            Some((p, _)) => Ok(Place {
                point: p,
                approximate: true,
            }),
            None if address.trim().is_empty() => Err(Msg::new(
                "Укажите место: поставьте метку на карте, нажмите «Определить моё местоположение» или введите адрес с названием населённого пункта.",
                "Give the place: drop a pin on the map, press “Use my location”, or type an address with the name of the town.",
            )),
            None => Err(Msg::new(
                "По адресу не удалось определить населённый пункт края. Поставьте метку на карте или добавьте в адрес название города или района.",
                "No town of the krai was recognised in the address. Drop a pin on the map or add the name of the town or district.",
            )),
        };
    }
    Ok(Place {
        point: point(&lat, &lon)?,
        approximate: false,
    })
}

/// Two typed coordinates in degrees (a decimal comma as well as a point)
/// as a point inside the krai.
pub fn point(lat: &str, lon: &str) -> Result<GeoPoint, Msg> {
    let (lat, lon) = (lat.trim().replace(',', "."), lon.trim().replace(',', "."));
    let (Ok(la), Ok(lo)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
        return Err(Msg::new(
            "Координаты должны быть числами в градусах, например 45.0355 и 38.9753.",
            "Coordinates must be numbers in degrees, such as 45.0355 and 38.9753.",
        ));
    };
    let p = GeoPoint::parse(la, lo)?;
    geography().locate(p).map_err(|e| e.message())?;
    Ok(p)
}

/// At most five photos to a request or to an action on one.
pub fn photo_count(n: usize) -> Result<(), Msg> {
    if n > 5 {
        Err(Msg::new(
            "Можно приложить не больше 5 фотографий.",
            "You can attach at most 5 photos.",
        ))
    } else {
        Ok(())
    }
}
