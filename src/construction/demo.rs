//! The demo region's construction registry: about 200 objects with
//! footprints across the region (some illegal), and residents' check
//! requests, half of them verified with a published result.

use time::{Date, Duration};

use super::checks::{Verdict, link, verify_in};
use super::domain::ObjectForm;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::workflow::lifecycle::{Action, Role, State};
use crate::workflow::{self, Actor, NewRequest};

pub struct Registry;

/// Kinds of object: name, purpose, floors.
const KINDS: &[(&str, &str, (i64, i64))] = &[
    ("Многоквартирный жилой дом", "жилое", (9, 24)),
    ("Школа на 1100 мест", "образование", (3, 4)),
    ("Детский сад на 250 мест", "образование", (2, 3)),
    ("Поликлиника", "здравоохранение", (3, 5)),
    ("Торговый центр", "торговля", (2, 4)),
    ("Гостиница", "гостиничное обслуживание", (5, 12)),
    ("Складской комплекс", "склады", (1, 2)),
    ("Физкультурно-оздоровительный комплекс", "спорт", (2, 3)),
];

/// Statuses with how often (out of 100).
const STATUSES: &[(&str, u32)] = &[
    ("planned", 15),
    ("under_construction", 38),
    ("suspended", 8),
    ("completed", 27),
    ("illegal", 12),
];

fn iso(d: Date) -> String {
    crate::web::i18n::iso_date(d)
}

#[async_trait::async_trait]
impl DemoPart for Registry {
    fn name(&self) -> &'static str {
        "construction-registry"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let n = g.count(200);
        let weights: Vec<u32> = STATUSES.iter().map(|s| s.1).collect();
        let mut objects = Vec::new();
        for i in 0..n {
            let age = g.between(30, 400);
            let created = g.days_ago(age);
            g.at(created);
            let status = STATUSES[g.weighted(&weights)].0;
            let (kind, purpose, (lo, hi)) = *g.pick(KINDS);
            let illegal = status == "illegal";
            let place = g.place();
            let today = g.today();
            let start = today - Duration::days(g.between(60, 700));
            let end = start + Duration::days(g.between(300, 900));
            let (kind, purpose, floors) = if illegal {
                ("Индивидуальный жилой дом", "жилое", g.between(2, 4))
            } else {
                (kind, purpose, g.between(lo, hi))
            };
            let f = ObjectForm {
                name: format!("{kind}, {}", place.address),
                address: place.address.clone(),
                lat: place.point.lat.to_string(),
                lon: place.point.lon.to_string(),
                footprint: footprint(g, place.point.lat, place.point.lon),
                cadastral_number: format!(
                    "23:{:02}:{:07}:{}",
                    g.between(1, 49),
                    g.between(100_000, 9_999_999),
                    g.between(1, 999)
                ),
                permit_number: if illegal {
                    String::new()
                } else {
                    format!(
                        "23-RU{:011}-{}-{}",
                        g.between(1, 99_999_999_999),
                        i + 1,
                        start.year()
                    )
                },
                permit_date: if illegal {
                    String::new()
                } else {
                    iso(start - Duration::days(g.between(20, 120)))
                },
                // An illegal object's right-holder is a private person: it
                // stays with the authority (`PERSONAL_FIELDS`).
                developer: if illegal {
                    format!("Частное лицо № {} (демо)", i + 1)
                } else {
                    format!("ООО «СК Демо-{}»", g.between(1, 40))
                },
                purpose: purpose.into(),
                floors: floors.to_string(),
                planned_start: iso(start),
                planned_end: iso(end),
                actual_start: if matches!(
                    status,
                    "under_construction" | "suspended" | "completed" | "illegal"
                ) {
                    iso(start)
                } else {
                    String::new()
                },
                actual_end: if status == "completed" {
                    iso(end.min(today))
                } else {
                    String::new()
                },
                status: status.into(),
                detected_on: if illegal {
                    iso(today - Duration::days(g.between(5, 200)))
                } else {
                    String::new()
                },
            };
            let input = f
                .parse()
                .map_err(|p| anyhow::anyhow!("demo object {i}: {p:?}"))?;
            let id = super::pages::save_new_in(tx, &input, None, "import")
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            objects.push((id, input));
        }
        let checks = g.count(60);
        let categories: Vec<String> = {
            let c =
                crate::workflow::views::Categories::load(&g.state.db, crate::construction::CHECK)
                    .await?;
            let mut ids: Vec<String> = c.active().iter().map(|c| c.category_id.clone()).collect();
            ids.sort();
            ids
        };
        anyhow::ensure!(!categories.is_empty(), "no construction check categories");
        let moderator = g.moderator(tx).await?;
        for _ in 0..checks {
            let age = g.between(1, 40);
            let t0 = g.days_ago(age);
            g.at(t0);
            let author = g.any_citizen(tx).await?;
            let category = g.pick(&categories).clone();
            let (object, point, address) = if g.chance(0.8) {
                let (id, o) = g.pick(&objects);
                (
                    Some(*id),
                    crate::geo::GeoPoint {
                        lat: o.lat,
                        lon: o.lon,
                    },
                    o.address.clone(),
                )
            } else {
                let p = g.place();
                (None, p.point, p.address)
            };
            let a = workflow::submit_in(
                tx,
                g.state,
                author.account_id,
                &NewRequest {
                    kind: crate::construction::CHECK,
                    category_id: category,
                    point,
                    approximate: false,
                    address,
                    description: "Стройка идёт не так, как указано в разрешении: прошу проверить."
                        .into(),
                    hide_name: g.chance(0.3),
                    contact: None,
                    client_key: None,
                    organisation_id: None,
                },
                &[],
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            link(tx, a.appeal_id, object).await?;
            let mut t = t0;
            if a.state() == State::Submitted {
                t += Duration::hours(g.between(1, 8));
                g.at(t);
                workflow::perform_in(
                    tx,
                    g.state,
                    a.appeal_id,
                    Actor::Person {
                        user: Some(&moderator),
                        role: Role::Moderator,
                    },
                    Action::Approve,
                    &[],
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            }
            let Some(a) = workflow::queries::appeal_tx(tx, a.appeal_id).await? else {
                continue;
            };
            let Some(org) = a.organisation_id.clone() else {
                continue;
            };
            if !g.chance(0.55) {
                continue;
            }
            let officer = g.officer(tx, &org).await?;
            t += Duration::hours(g.between(24, 24 * 8));
            g.at(t);
            let (verdict, text) = match g.between(0, 2) {
                0 => (
                    Verdict::PermitFoundLegal,
                    "Разрешение на строительство выдано, параметры объекта ему соответствуют.",
                ),
                1 => (
                    Verdict::ViolationConfirmed,
                    "Выездная проверка подтвердила строительство без разрешения; материалы направлены в суд.",
                ),
                _ => (Verdict::NotConfirmed, "На месте нарушений не выявлено."),
            };
            verify_in(tx, g.state, &officer, &a, verdict, text)
                .await
                .map_err(|e| anyhow::anyhow!("demo check {}: {e:?}", a.appeal_id))?;
        }
        Ok(n + checks)
    }
}

/// A building's outline: a rectangle of 20–80 m, turned at random, around
/// the point (GeoJSON, longitude first).
fn footprint(g: &mut Gen<'_>, lat: f64, lon: f64) -> String {
    let w = g.between(20, 80) as f64;
    let h = g.between(15, 50) as f64;
    let angle = (g.between(0, 179) as f64).to_radians();
    let m_lat = 1.0 / 111_320.0;
    let m_lon = 1.0 / (111_320.0 * lat.to_radians().cos());
    let mut ring: Vec<[f64; 2]> = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
        .iter()
        .map(|(x, y)| {
            let (dx, dy) = (x * w / 2.0, y * h / 2.0);
            let (rx, ry) = (
                dx * angle.cos() - dy * angle.sin(),
                dx * angle.sin() + dy * angle.cos(),
            );
            let r = |v: f64| (v * 1e7).round() / 1e7;
            [r(lon + rx * m_lon), r(lat + ry * m_lat)]
        })
        .collect();
    ring.push(ring[0]);
    serde_json::json!({ "type": "Polygon", "coordinates": [ring] }).to_string()
}
