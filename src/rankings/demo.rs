//! The demo region's rankings and indicators: three rankings (labelled as
//! demo: the places are made up) with five yearly editions of all 89
//! regions, the krai climbing in one, slipping in another; every
//! indicator of the decree's list with values for the last seven years
//! (the last preliminary, one revised) and a target for 2030, spread over
//! the five statuses so the first hourly run opens orders for those off
//! track; five indicators with values for every municipality; three
//! linked to the core's demo projects.

use rand::seq::SliceRandom;

use super::queries::{self, NewRanking, NewValue, ResultRow, TargetRow};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Rankings;

/// code, name ru, name en, publisher, lower is better, groups, the
/// krai's places over the editions (oldest first).
type DemoRanking = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    [i64; 5],
);

#[rustfmt::skip]
const RANKINGS: &[DemoRanking] = &[
    ("quality-of-life", "Рейтинг регионов по качеству жизни (демо)", "Regions' quality of life ranking (demo)", "Рейтинговое агентство (демо)", true, "", [11, 9, 9, 7, 6]),
    ("investment-climate", "Рейтинг инвестиционного климата (демо)", "Investment climate ranking (demo)", "Агентство стратегических инициатив (демо)", true, "A,B,C,D,E", [8, 10, 12, 15, 18]),
    ("budget-openness", "Рейтинг открытости бюджетных данных (демо)", "Budget data openness ranking (demo)", "Научно-исследовательский финансовый институт (демо)", true, "I,II,III,IV,V", [20, 16, 14, 10, 12]),
];

/// How an indicator's demo series runs: the observed growth as a share of
/// the growth its 2030 target needs (above 1: the target is met).
const PACES: &[f64] = &[1.6, 1.05, 0.75, 0.3, -0.6];

/// Indicators with values for every municipality too.
const MUNICIPAL: &[&str] = &["1014-04", "1014-05", "1014-13", "1014-15", "1014-21"];

#[async_trait::async_trait]
impl DemoPart for Rankings {
    fn name(&self) -> &'static str {
        "rankings"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let year = g.today().year();
        let mut made = 0;
        let keeper = g
            .officer(tx, &g.state.config.rankings.keeper.clone())
            .await?;
        let regions: Vec<String> = super::data::regions()
            .iter()
            .map(|r| r.code.clone())
            .collect();
        let home = g.state.config.rankings.region.clone();
        for (code, ru, en, publisher, lower, groups, ours) in RANKINGS {
            let id = queries::insert_ranking(
                tx,
                &NewRanking {
                    code,
                    name_ru: ru,
                    name_en: en,
                    publisher,
                    methodology_url: "",
                    periodicity: "year",
                    entities: regions.len() as i64,
                    lower_is_better: *lower,
                    groups,
                },
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo ranking {code} exists"))?;
            let groups: Vec<&str> = groups.split(',').filter(|s| !s.is_empty()).collect();
            for (k, place) in ours.iter().enumerate() {
                let edition_year = year - 5 + k as i32;
                let published =
                    time::Date::from_calendar_date(edition_year, time::Month::March, 15)?;
                let (edition_id, _) = queries::edition(
                    tx,
                    id,
                    &edition_year.to_string(),
                    published,
                    "",
                    keeper.account_id,
                )
                .await?;
                // The others in a shuffled order around the krai's place.
                let mut others: Vec<&String> = regions.iter().filter(|r| **r != home).collect();
                others.shuffle(g.rng());
                others.insert((*place - 1) as usize, &home);
                let n = others.len();
                let rows: Vec<ResultRow> = others
                    .iter()
                    .enumerate()
                    .map(|(i, r)| ResultRow {
                        edition_id,
                        region: (*r).clone(),
                        place: i as i64 + 1,
                        score: Some(((100.0 - 60.0 * i as f64 / n as f64) * 10.0).round() / 10.0),
                        grp: if groups.is_empty() {
                            String::new()
                        } else {
                            groups[(i * groups.len() / n).min(groups.len() - 1)].to_owned()
                        },
                    })
                    .collect();
                queries::replace_results(tx, edition_id, &rows).await?;
                made += 1;
            }
        }
        let orgs = crate::directory::tree::org_map(&g.state.db).await?;
        for listed in super::data::decree_list() {
            let owner = orgs
                .contains_key(&listed.owner)
                .then_some(listed.owner.as_str());
            queries::upsert_listed(tx, &listed, owner).await?;
        }
        let indicators = {
            let rows: Vec<(i64, String, String)> = crate::fetch_tx!(
                tx,
                fetch_all,
                (i64, String, String),
                "select indicator_id, code, direction from indicator order by code"
            )?;
            rows
        };
        let roadmaps = g.state.roadmaps.list(&g.state.db).await?;
        let first = i64::from(year) - 7;
        let last = i64::from(year) - 1;
        for (n, (indicator_id, code, direction)) in indicators.iter().enumerate() {
            let pace = PACES[n % PACES.len()];
            let sign = if direction == "down" { -1.0 } else { 1.0 };
            let base = 40.0 + (n as f64 * 7.3) % 50.0;
            // The target: 15 % better by 2030 than the base year.
            let target = base * (1.0 + sign * 0.15);
            let needed = (target / base).powf(1.0 / (2030 - first) as f64) - 1.0;
            let observed = needed * pace;
            let by = g.officer(tx, owner_of(&orgs, code)).await.ok();
            let by = by.map(|u| u.account_id);
            let territories: Vec<(String, f64)> = std::iter::once((String::new(), 1.0))
                .chain(
                    MUNICIPAL
                        .contains(&code.as_str())
                        .then(|| crate::geo::municipalities::geography().all())
                        .into_iter()
                        .flatten()
                        .map(|m| (m.id.clone(), 0.8 + g.between(0, 40) as f64 / 100.0)),
                )
                .collect();
            for (territory, scale) in &territories {
                for y in first..=last {
                    let mut v = base * scale * (1.0 + observed).powf((y - first) as f64);
                    // The fastest pace meets its target by the last year.
                    if pace > 1.5 && y == last {
                        v = if sign > 0.0 {
                            v.max(target * scale * 1.01)
                        } else {
                            v.min(target * scale * 0.99)
                        };
                    }
                    // Small enough not to move a status across a threshold.
                    let noise = 1.0 + g.between(-1, 1) as f64 / 1000.0;
                    let status = if y == last { "preliminary" } else { "final" };
                    queries::record_value(
                        tx,
                        &NewValue {
                            indicator_id: *indicator_id,
                            territory,
                            year: y,
                            value: round(v * noise),
                            status,
                            origin: "demo",
                            by,
                        },
                    )
                    .await?;
                    made += 1;
                }
            }
            // One revision: the figure three years back, corrected.
            queries::record_value(
                tx,
                &NewValue {
                    indicator_id: *indicator_id,
                    territory: "",
                    year: last - 2,
                    value: round(base * (1.0 + observed).powf((last - 2 - first) as f64) * 1.004),
                    status: "final",
                    origin: "demo",
                    by,
                },
            )
            .await?;
            queries::set_target(
                tx,
                &TargetRow {
                    indicator_id: *indicator_id,
                    year: 2030,
                    value: round(target),
                    basis: "Указ Президента РФ от 07.05.2024 № 309; региональная программа (демо)"
                        .into(),
                },
                by,
            )
            .await?;
            if let Some(r) = roadmaps.get(n).filter(|_| n < 3) {
                queries::set_project(tx, *indicator_id, Some(r.id)).await?;
            }
            queries::set_base_year(tx, *indicator_id, Some(first)).await?;
        }
        Ok(made)
    }
}

fn owner_of<'a>(
    orgs: &'a std::collections::BTreeMap<String, crate::directory::queries::OrgRow>,
    code: &str,
) -> &'a str {
    super::data::decree_list()
        .into_iter()
        .find(|i| i.code == code)
        .and_then(|i| orgs.get(&i.owner))
        .map_or("governor", |o| o.organisation_id.as_str())
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
