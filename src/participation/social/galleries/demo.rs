//! Demo albums, written through the service on the demo's clock: a school
//! under construction photographed by the ministry month after month, a
//! square before and after its improvement, a town's holiday and an
//! embankment. The social layer's demo part calls `load`.

use time::Duration;

use super::domain::NewAlbum;
use super::service::{self, NewPhoto};
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::Gen;
use crate::geo::{GeoPoint, geography};

/// The organisation whose officer keeps the construction album.
const BUILDER: &str = "min-construction";

/// One upload: days before the start, and each photo's caption and place
/// (offsets from the album's centre, in thousandths of a degree).
struct Upload {
    days_ago: i64,
    photos: &'static [(&'static str, (i64, i64))],
}

struct Story {
    title: &'static str,
    description: &'static str,
    /// The centre of the places, inside the krai.
    centre: (f64, f64),
    /// Days before the start the album is opened.
    opened: i64,
    uploads: &'static [Upload],
}

const SCHOOL: Story = Story {
    title: "Школа на 1550 мест в микрорайоне Восточно-Кругликовском: ход строительства",
    description: "Министерство строительства показывает, как идёт строительство школы: \
                  фотографии с одних и тех же точек раз в месяц. Срок ввода — к началу учебного года.",
    centre: (45.0555, 39.0300),
    opened: 170,
    uploads: &[
        Upload {
            days_ago: 165,
            photos: &[
                ("Котлован и свайное поле", (0, 0)),
                ("Въезд на площадку", (1, -1)),
            ],
        },
        Upload {
            days_ago: 130,
            photos: &[("Фундамент главного корпуса", (0, 0))],
        },
        Upload {
            days_ago: 95,
            photos: &[("Каркас трёх этажей", (0, 0))],
        },
        Upload {
            days_ago: 60,
            photos: &[("Кровля и окна", (0, 0))],
        },
        Upload {
            days_ago: 21,
            photos: &[("Фасад и благоустройство территории", (0, 1))],
        },
    ],
};

const SQUARE: Story = Story {
    title: "Сквер на улице Садовой: до и после",
    description: "Наш сквер до благоустройства по программе «Комфортная городская среда» и после него. \
                  Снимали с тех же мест, чтобы было видно разницу.",
    centre: (44.8951, 37.3300),
    opened: 120,
    uploads: &[
        Upload {
            days_ago: 118,
            photos: &[
                ("До: разбитая дорожка у входа", (0, 0)),
                ("До: старые скамейки", (1, 0)),
            ],
        },
        Upload {
            days_ago: 12,
            photos: &[
                ("После: новая дорожка и освещение", (0, 0)),
                ("После: скамейки и клумбы", (1, 0)),
                ("После: детская площадка", (1, 1)),
            ],
        },
    ],
};

const HOLIDAY: Story = Story {
    title: "День города в Ейске",
    description: "Праздник на набережной: концерт, ярмарка мастеров и салют.",
    centre: (46.7055, 38.2739),
    opened: 40,
    uploads: &[Upload {
        days_ago: 39,
        photos: &[
            ("Открытие праздника", (0, 0)),
            ("Ярмарка мастеров", (1, 0)),
            ("Концерт на главной сцене", (0, 1)),
            ("Салют над морем", (-1, 0)),
        ],
    }],
};

const EMBANKMENT: Story = Story {
    title: "Набережная Кубани весной",
    description: "Прогулка по набережной: что сделали и что ещё стоит поправить.",
    centre: (45.0200, 38.9800),
    opened: 25,
    uploads: &[Upload {
        days_ago: 24,
        photos: &[
            ("Новая велодорожка", (0, 0)),
            ("Лестница к воде, нужен поручень", (1, 1)),
            ("Вечерняя подсветка", (2, 0)),
        ],
    }],
};

/// A point near `centre`, when it is inside the krai (else no place:
/// the demo never stores a point the form would refuse).
fn point((lat, lon): (f64, f64), (dy, dx): (i64, i64)) -> Option<GeoPoint> {
    let p = GeoPoint {
        lat: lat + dy as f64 / 1000.0,
        lon: lon + dx as f64 / 1000.0,
    };
    geography().locate(p).ok().map(|_| p)
}

async fn tell(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    owner: &CurrentUser,
    organisation: Option<&str>,
    s: &Story,
) -> anyhow::Result<()> {
    let municipality = point(s.centre, (0, 0))
        .and_then(|p| geography().locate(p).ok())
        .map(|m| m.id.clone());
    let opened = g.days_ago(s.opened);
    g.at(opened);
    let id = service::create_in(
        tx,
        owner,
        &NewAlbum {
            title: s.title.into(),
            description: s.description.into(),
            municipality_id: municipality,
            organisation_id: organisation.map(Into::into),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for u in s.uploads {
        let at = g.days_ago(u.days_ago).max(opened + Duration::minutes(5));
        let mut photos = Vec::new();
        for (caption, offset) in u.photos {
            photos.push(NewPhoto {
                stored: g.photo().await?,
                caption: (*caption).into(),
                point: point(s.centre, *offset),
                taken_on: Some(at.to_offset(crate::workflow::sla::MSK).date()),
            });
        }
        g.at(at);
        service::add_photos_in(tx, owner, id, &photos)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    Ok(())
}

/// Writes the demo albums in the caller's transaction (the social layer's
/// demo part).
pub async fn load(tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<()> {
    let officer = g.officer(tx, BUILDER).await?;
    tell(tx, g, &officer, Some(BUILDER), &SCHOOL).await?;
    let resident = g.citizen(tx, 70).await?;
    tell(tx, g, &resident, None, &SQUARE).await?;
    let visitor = g.citizen(tx, 71).await?;
    tell(tx, g, &visitor, None, &HOLIDAY).await?;
    let walker = g.citizen(tx, 72).await?;
    tell(tx, g, &walker, None, &EMBANKMENT).await?;
    Ok(())
}
