//! Every change of rankings and indicators, shared by the pages, the
//! imports and the demo: who may make it (`Rights`, the rule the pages
//! draw their forms from), one transaction, then the indicators' statuses
//! brought up to date (`evaluate`): an indicator off track opens one order
//! in the core for its owner per period, through the exchange, in the
//! transaction that records the alert.

use std::collections::BTreeMap;

use time::{Duration, Time};

use super::domain::{Direction, Point, Status};
use super::import::ValueIn;
use super::queries::{self, IndicatorRow, NewRanking, ResultRow, TargetRow, ValueRow};
use super::views::{RankingTexts, status_label};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::integration::messages::{Body, ControlCleared, ControlRaised};
use crate::web::i18n::Locale;

/// What a person may do here: keep the rankings and the indicators'
/// links (the keeper organisation's officers, administrators), and record
/// an indicator's values and targets (its owner's officers,
/// administrators). Everyone in the core reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    pub keep: bool,
    pub record: bool,
}

pub fn rights(state: &AppState, user: &CurrentUser, indicator: Option<&IndicatorRow>) -> Rights {
    let keep = user.is_admin() || user.is_officer_of(&state.config.rankings.keeper);
    let record = user.is_admin()
        || indicator
            .and_then(|i| i.organisation_id.as_deref())
            .is_some_and(|o| user.is_officer_of(o));
    Rights { keep, record }
}

fn refuse(allowed: bool) -> AppResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// The region veche serves, as configured.
pub fn home_region(state: &AppState) -> AppResult<&'static super::data::Region> {
    super::data::region(&state.config.rankings.region).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "VECHE_RANKINGS_REGION {} is not in datasets/rankings/regions.csv",
            state.config.rankings.region
        ))
    })
}

/// The peers: the configured district's regions and the configured list,
/// the home region first.
pub fn peers(state: &AppState) -> Vec<String> {
    let c = &state.config.rankings;
    let mut out = vec![c.region.clone()];
    let listed = c.peers.split(',').map(|s| s.trim().to_uppercase());
    for code in super::data::district(&c.district).into_iter().chain(listed) {
        if !code.is_empty() && !out.contains(&code) && super::data::region(&code).is_some() {
            out.push(code);
        }
    }
    out
}

/// Adds the shipped list's new indicators and brings the known ones'
/// wording in line; run on start and hourly.
pub async fn sync_list(state: &AppState) -> AppResult<usize> {
    let orgs = crate::directory::tree::org_map(&state.db).await?;
    let list = super::data::decree_list();
    let mut tx = state.db.begin().await?;
    for i in &list {
        let owner = orgs.contains_key(&i.owner).then_some(i.owner.as_str());
        queries::upsert_listed(&mut tx, i, owner).await?;
    }
    tx.commit().await?;
    Ok(list.len())
}

pub async fn create_ranking(
    state: &AppState,
    user: &CurrentUser,
    r: &NewRanking<'_>,
) -> AppResult<()> {
    refuse(rights(state, user, None).keep)?;
    let mut tx = state.db.begin().await?;
    let made = queries::insert_ranking(&mut tx, r).await?;
    if made.is_none() {
        return Err(AppError::conflict(
            "duplicate",
            crate::error::Msg::new(
                "Рейтинг с таким кодом уже есть.",
                "A ranking with this code exists already.",
            ),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Stores an edition's table whole (a second upload of a period replaces
/// it); whether the edition is new.
pub async fn store_edition(
    state: &AppState,
    user: &CurrentUser,
    ranking_id: i64,
    period: &str,
    published_on: time::Date,
    source_url: &str,
    rows: &[ResultRow],
) -> AppResult<bool> {
    refuse(rights(state, user, None).keep)?;
    let mut tx = state.db.begin().await?;
    let (edition_id, new) = queries::edition(
        &mut tx,
        ranking_id,
        period,
        published_on,
        source_url,
        user.account_id,
    )
    .await?;
    queries::replace_results(&mut tx, edition_id, rows).await?;
    tx.commit().await?;
    Ok(new)
}

/// Records values (a form's one or an import's many) of indicators the
/// person may record, in one transaction, then evaluates; how many
/// changed.
pub async fn record_values(
    state: &AppState,
    user: &CurrentUser,
    values: &[ValueIn],
    origin: &str,
) -> AppResult<usize> {
    let by_code: BTreeMap<String, IndicatorRow> = queries::indicators(&state.db)
        .await?
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect();
    for v in values {
        let i = by_code.get(&v.code).ok_or_else(AppError::not_found)?;
        refuse(rights(state, user, Some(i)).record)?;
    }
    let mut tx = state.db.begin().await?;
    let mut changed = 0;
    for v in values {
        let i = &by_code[&v.code];
        let new = queries::NewValue {
            indicator_id: i.indicator_id,
            territory: &v.territory,
            year: v.year,
            value: v.value,
            status: v.status,
            origin,
            by: Some(user.account_id),
        };
        if queries::record_value(&mut tx, &new).await? {
            changed += 1;
        }
    }
    tx.commit().await?;
    evaluate_quietly(state).await;
    Ok(changed)
}

pub async fn set_target(
    state: &AppState,
    user: &CurrentUser,
    i: &IndicatorRow,
    target: &TargetRow,
) -> AppResult<()> {
    refuse(rights(state, user, Some(i)).record)?;
    let mut tx = state.db.begin().await?;
    queries::set_target(&mut tx, target, Some(user.account_id)).await?;
    tx.commit().await?;
    evaluate_quietly(state).await;
    Ok(())
}

/// Links the roadmap (or unlinks, `None`) and sets the base year.
pub async fn set_links(
    state: &AppState,
    user: &CurrentUser,
    i: &IndicatorRow,
    project_id: Option<i64>,
    base_year: Option<i64>,
) -> AppResult<()> {
    refuse(rights(state, user, Some(i)).keep)?;
    if let Some(p) = project_id {
        let known = state.roadmaps.list(&state.db).await?;
        if !known.iter().any(|r| r.id == p) {
            return Err(AppError::invalid(
                "Такого проекта нет.",
                "There is no such project.",
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    queries::set_project(&mut tx, i.indicator_id, project_id).await?;
    queries::set_base_year(&mut tx, i.indicator_id, base_year).await?;
    tx.commit().await?;
    evaluate_quietly(state).await;
    Ok(())
}

/// Where an indicator stands: its base, latest value and target, and the
/// status the Open SDG method gives.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub base: Option<Point>,
    pub latest: Option<Point>,
    pub latest_status: String,
    pub target: Option<Point>,
    pub status: Option<Status>,
}

pub fn direction(i: &IndicatorRow) -> Option<Direction> {
    match i.direction.as_str() {
        "up" => Some(Direction::HigherIsBetter),
        "down" => Some(Direction::LowerIsBetter),
        "band" => Some(Direction::Within {
            low: i.band_low?,
            high: i.band_high?,
        }),
        _ => None,
    }
}

/// The progress of an indicator from its values (one territory's, by
/// year) and targets: the base is the base year's value (the first value
/// when no base year is set or it has none), the latest the last value;
/// the target the first at or after the latest year, or the last one.
pub fn progress(i: &IndicatorRow, values: &[&ValueRow], targets: &[&TargetRow]) -> Progress {
    let point = |v: &ValueRow| Point {
        year: v.year as i32,
        value: v.value,
    };
    let Some(last) = values.last() else {
        return Progress::default();
    };
    let base = i
        .base_year
        .and_then(|y| values.iter().find(|v| v.year == y))
        .or(values.first())
        .map(|v| point(v));
    let latest = point(last);
    let target = targets
        .iter()
        .find(|t| t.year >= last.year)
        .or(targets.last())
        .map(|t| Point {
            year: t.year as i32,
            value: t.value,
        });
    let status = match (base, direction(i)) {
        (Some(b), Some(d)) => super::domain::status(b, latest, target, d),
        _ => None,
    };
    Progress {
        base,
        latest: Some(latest),
        latest_status: last.status.clone(),
        target,
        status,
    }
}

/// The region's progress of every indicator, by id.
pub async fn progress_all(
    db: &crate::db::Db,
    indicators: &[IndicatorRow],
    territory: &str,
) -> AppResult<BTreeMap<i64, Progress>> {
    let values = queries::current_values(db, 0, territory).await?;
    let targets = queries::targets(db, 0).await?;
    let mut vs: BTreeMap<i64, Vec<&ValueRow>> = BTreeMap::new();
    for v in &values {
        vs.entry(v.indicator_id).or_default().push(v);
    }
    let mut ts: BTreeMap<i64, Vec<&TargetRow>> = BTreeMap::new();
    // A municipality has no targets of its own: its status is its trend.
    if territory.is_empty() {
        for t in &targets {
            ts.entry(t.indicator_id).or_default().push(t);
        }
    }
    Ok(indicators
        .iter()
        .map(|i| {
            let p = progress(
                i,
                vs.get(&i.indicator_id).map_or(&[][..], Vec::as_slice),
                ts.get(&i.indicator_id).map_or(&[][..], Vec::as_slice),
            );
            (i.indicator_id, p)
        })
        .collect())
}

fn key(alert_id: i64) -> String {
    format!("rankings:indicator:{alert_id}")
}

/// Brings the core's orders in line with the indicators' statuses: an
/// indicator off track in its latest period opens one order to its owner
/// (once per period, whatever happens after); an open order closes when
/// the indicator is back on track, or when a later period's order takes
/// over. How many were opened and closed.
pub async fn evaluate(state: &AppState) -> AppResult<(usize, usize)> {
    let indicators = queries::indicators(&state.db).await?;
    let progress = progress_all(&state.db, &indicators, "").await?;
    let mut tx = state.db.begin().await?;
    let alerts = queries::alerts_tx(&mut tx, 0).await?;
    let t = RankingTexts::get(Locale::Ru);
    let (mut opened, mut closed) = (0, 0);
    for i in &indicators {
        // The core of the indicator's owner (in a federation, the owner's
        // portfolio's core).
        let destination = match i.organisation_id.as_deref() {
            Some(owner) => crate::integration::core_for(&mut tx, state, owner).await?,
            None => crate::integration::core_destination(&state.config).to_owned(),
        };
        let p = &progress[&i.indicator_id];
        let off = match (p.status, p.latest, i.organisation_id.as_deref()) {
            (Some(s), Some(latest), Some(owner)) if s.off_track() => {
                Some((s, i64::from(latest.year), owner))
            }
            _ => None,
        };
        for a in alerts
            .iter()
            .filter(|a| a.indicator_id == i.indicator_id && a.cleared_at.is_none())
        {
            let note = match off {
                Some((_, period, _)) if period == a.period => continue,
                Some((_, period, _)) if period > a.period => {
                    format!("Новый период: поручение по итогам {period} года заменяет это.")
                }
                _ => format!(
                    "Показатель больше не отстаёт: {}.",
                    p.status
                        .map_or(t.no_status, |s| status_label(s, Locale::Ru))
                        .to_lowercase()
                ),
            };
            if queries::clear_alert(&mut tx, a.alert_id).await? {
                crate::integration::exchange::emit(
                    &mut tx,
                    &destination,
                    Body::ControlCleared(ControlCleared {
                        key: key(a.alert_id),
                        note,
                    }),
                )
                .await?;
                closed += 1;
            }
        }
        let Some((status, period, owner)) = off else {
            continue;
        };
        let Some(alert_id) =
            queries::raise_alert(&mut tx, i.indicator_id, period, status.as_str()).await?
        else {
            continue;
        };
        let deadline = (crate::db::now() + Duration::days(30))
            .to_offset(time::macros::offset!(+3))
            .replace_time(Time::from_hms(18, 0, 0).unwrap_or(Time::MIDNIGHT));
        let label = status_label(status, Locale::Ru).to_lowercase();
        crate::integration::exchange::emit(
            &mut tx,
            &destination,
            Body::ControlRaised(ControlRaised {
                key: key(alert_id),
                organisation_id: owner.to_owned(),
                title: format!("{}: «{}» — {label} ({period})", t.order_title, i.name_ru),
                description: format!(
                    "Показатель {} «{}» по итогам {period} года: {label} (метод Open SDG). \
                     Доложите причины и меры, которые вернут показатель к цели.",
                    i.code, i.name_ru
                ),
                url: format!("{}/pm/indicators/{}", state.config.base_url(), i.code),
                deadline,
            }),
        )
        .await?;
        opened += 1;
    }
    tx.commit().await?;
    Ok((opened, closed))
}

/// After a change: the change is stored whatever the evaluation finds;
/// the hourly run evaluates again.
async fn evaluate_quietly(state: &AppState) {
    if let Err(e) = evaluate(state).await {
        tracing::warn!(error = %e.message().en, "indicator statuses not evaluated");
    }
}
