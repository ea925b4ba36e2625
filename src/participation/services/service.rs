//! Rating a service (one transaction: the rating and, for a low score with
//! a comment, the feedback request in the provider's queue), the live
//! results of the current month, and the job that closes past months into
//! immutable results.

use std::collections::BTreeMap;

use super::domain::{self, Month, Result as MonthResult, Scores};
use super::queries::{self, ResultRow, ServiceRow, SumsRow};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, Msg};
use crate::workflow::{self, NewRequest};

/// The category every feedback request is filed under.
pub const FEEDBACK_CATEGORY: &str = "service-feedback";
/// The longest comment.
pub const COMMENT_MAX: usize = 2000;

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub min_n: i64,
}

impl Settings {
    pub fn of(c: &Config) -> Settings {
        Settings {
            min_n: i64::from(c.participation.service_rating_min_n),
        }
    }
}

/// The current month in the krai.
pub fn current_month() -> Month {
    Month::at(crate::db::now())
}

/// Why a person may not rate a service now (`None`: they may). The page
/// shows the form exactly when this is `None`, and `rate` refuses with it.
pub fn may_rate(service: &ServiceRow, confirmed: bool, rated: bool) -> Option<Msg> {
    if !service.active {
        Some(Msg::new(
            "Эта услуга больше не оценивается.",
            "This service is no longer rated.",
        ))
    } else if !confirmed {
        Some(Msg::new(
            "Оценивать услуги могут подтверждённые учётные записи: подтвердите адрес почты или войдите через Госуслуги.",
            "Only confirmed accounts may rate services: confirm your e-mail address or sign in through Gosuslugi.",
        ))
    } else if rated {
        Some(already_rated())
    } else {
        None
    }
}

fn already_rated() -> Msg {
    Msg::new(
        "Вы уже оценили эту услугу в этом месяце. Оценить снова можно в следующем.",
        "You have already rated this service this month. You can rate it again next month.",
    )
}

/// A rating as the form sends it, parsed once.
#[derive(Debug, Clone)]
pub struct Rating {
    pub scores: Scores,
    pub comment: String,
}

impl Rating {
    pub fn parse(
        quality: &str,
        convenience: &str,
        speed: &str,
        comment: &str,
    ) -> Result<Rating, (&'static str, Msg)> {
        let score = |field: &'static str, v: &str| -> Result<u8, (&'static str, Msg)> {
            v.trim()
                .parse::<u8>()
                .ok()
                .filter(|x| (1..=5).contains(x))
                .ok_or((
                    field,
                    Msg::new("Поставьте оценку от 1 до 5.", "Give a score from 1 to 5."),
                ))
        };
        let q = score("quality", quality)?;
        let c = score("convenience", convenience)?;
        let s = score("speed", speed)?;
        let comment =
            workflow::input::clean_text(comment, COMMENT_MAX, "комментарий", "comment", false)
                .map_err(|m| ("comment", m))?;
        Ok(Rating {
            scores: Scores::new(q, c, s).ok_or((
                "quality",
                Msg::new("Поставьте оценку от 1 до 5.", "Give a score from 1 to 5."),
            ))?,
            comment,
        })
    }
}

/// What rating did.
pub struct Rated {
    /// The feedback request it became, if it did.
    pub feedback: Option<i64>,
}

/// Rates a service in one transaction.
pub async fn rate(
    state: &AppState,
    user: &CurrentUser,
    service_id: &str,
    r: &Rating,
) -> AppResult<Rated> {
    let mut tx = state.db.begin().await?;
    let rated = rate_in(&mut tx, state, user, service_id, r).await?;
    tx.commit().await?;
    // The month's results now differ: the next reader computes them again.
    *state.services.live.lock().await = None;
    state.search.notify();
    state.mailer.notify();
    Ok(rated)
}

/// [`rate`] inside the caller's transaction (the demo writes many).
pub async fn rate_in(
    tx: &mut Tx,
    state: &AppState,
    user: &CurrentUser,
    service_id: &str,
    r: &Rating,
) -> AppResult<Rated> {
    let service = queries::service_tx(tx, service_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let voter = crate::participation::priorities::queries::voter_tx(tx, user.account_id).await?;
    let month = current_month();
    if let Some(m) = may_rate(&service, voter.as_ref().is_some_and(|v| v.confirmed), false) {
        return Err(AppError::client(
            axum::http::StatusCode::FORBIDDEN,
            "may_not_rate",
            m,
        ));
    }
    let Some(rating_id) =
        queries::insert_rating(tx, service_id, user.account_id, month, r.scores, &r.comment)
            .await?
    else {
        return Err(AppError::client(
            axum::http::StatusCode::CONFLICT,
            "already_rated",
            already_rated(),
        ));
    };
    let mut feedback = None;
    if r.scores.is_low() && !r.comment.is_empty() {
        let a = workflow::submit_in(
            tx,
            state,
            user.account_id,
            &feedback_request(&service, r),
            &[],
        )
        .await?;
        queries::link_feedback(tx, rating_id, a.appeal_id).await?;
        feedback = Some(a.appeal_id);
    }
    tracing::info!(service_id, rating_id, feedback = ?feedback, "service rated");
    Ok(Rated { feedback })
}

/// The feedback request of a low rating: the comment with the scores, at
/// the centre of the service's municipality (the krai's centre for a
/// regional one), for the provider. The citizen's name is not shown: a
/// rating is anonymous, so its feedback is too (the provider sees it).
fn feedback_request(service: &ServiceRow, r: &Rating) -> NewRequest {
    let point = crate::participation::centre_of(service.municipality_id.as_deref());
    let s = r.scores;
    NewRequest {
        kind: super::FEEDBACK,
        category_id: FEEDBACK_CATEGORY.to_owned(),
        point,
        approximate: true,
        address: service.name_ru.clone(),
        description: format!(
            "{}\n\nОценки: качество {}, удобство {}, скорость {}.",
            r.comment, s.quality, s.convenience, s.speed
        ),
        hide_name: true,
        contact: None,
        client_key: None,
        organisation_id: Some(service.organisation_id.clone()),
    }
}

/// A subject's month with its position and how many were compared.
type Ranked = (MonthResult, Option<i64>, i64);

fn ranked(
    rows: &[SumsRow],
    min_n: i64,
    group_of: impl Fn(&str) -> String,
) -> BTreeMap<String, Ranked> {
    let results: Vec<(String, MonthResult)> = rows
        .iter()
        .map(|r| (r.subject_id.clone(), domain::result(&r.sums(), min_n)))
        .collect();
    let mut groups: BTreeMap<String, Vec<(&str, &MonthResult)>> = BTreeMap::new();
    for (id, r) in &results {
        groups
            .entry(group_of(id))
            .or_default()
            .push((id.as_str(), r));
    }
    let mut pos: BTreeMap<String, (Option<i64>, i64)> = BTreeMap::new();
    for members in groups.values() {
        let (positions, compared) = domain::positions(members);
        for (id, _) in members {
            pos.insert((*id).to_owned(), (None, compared));
        }
        for (id, p) in positions {
            pos.insert(id.to_owned(), (Some(p), compared));
        }
    }
    results
        .into_iter()
        .map(|(id, r)| {
            let (p, n) = pos.get(&id).copied().unwrap_or((None, 0));
            (id, (r, p, n))
        })
        .collect()
}

/// Computes a month's results from its ratings (the current month live,
/// or a past month when it closes), as the rows stored when it closes:
/// services (with their positions among comparable services), then
/// organisations (among all organisations).
pub async fn compute(db: &Db, month: Month, min_n: i64) -> AppResult<Vec<ResultRow>> {
    let grp: BTreeMap<String, String> = queries::services(db)
        .await?
        .into_iter()
        .map(|s| (s.service_id, s.grp))
        .collect();
    let group = |id: &str| grp.get(id).cloned().unwrap_or_default();
    let by_service = queries::sums_by_service(db, month).await?;
    let by_org = queries::sums_by_organisation(db, month).await?;
    let mut rows = Vec::new();
    for (id, x) in ranked(&by_service, min_n, group) {
        rows.push(row(month, "service", &id, &group(&id), &x));
    }
    for (id, x) in ranked(&by_org, min_n, |_| String::new()) {
        rows.push(row(month, "organisation", &id, "", &x));
    }
    Ok(rows)
}

fn row(month: Month, kind: &str, id: &str, grp: &str, r: &Ranked) -> ResultRow {
    let e = r.0.estimates;
    let pick = |i: usize| e.map(|e| e[i]);
    ResultRow {
        month: month.to_string(),
        subject_kind: kind.to_owned(),
        subject_id: id.to_owned(),
        grp: grp.to_owned(),
        n: r.0.n,
        quality_mean: pick(0).map(|x| x.mean),
        quality_low: pick(0).map(|x| x.low),
        quality_high: pick(0).map(|x| x.high),
        convenience_mean: pick(1).map(|x| x.mean),
        convenience_low: pick(1).map(|x| x.low),
        convenience_high: pick(1).map(|x| x.high),
        speed_mean: pick(2).map(|x| x.mean),
        speed_low: pick(2).map(|x| x.low),
        speed_high: pick(2).map(|x| x.high),
        overall_mean: pick(3).map(|x| x.mean),
        overall_low: pick(3).map(|x| x.low),
        overall_high: pick(3).map(|x| x.high),
        position: r.1,
        compared: r.2,
    }
}

/// How long the current month's results are reused when no rating was
/// given in this process meanwhile (one given here forgets them at once).
const LIVE_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// The current month's results, computed once for all readers: the results
/// page, the API and every service's page read them, and a `group by` over
/// the month's ratings per view would be work done again and again.
#[derive(Clone, Default)]
pub struct Runtime {
    /// Held while computing, so that concurrent readers wait for one
    /// computation instead of each starting their own.
    live: std::sync::Arc<tokio::sync::Mutex<Option<Live>>>,
}

struct Live {
    month: Month,
    at: std::time::Instant,
    rows: std::sync::Arc<Vec<ResultRow>>,
}

/// The current month's preliminary results as stored rows would be.
pub async fn live_rows(state: &AppState) -> AppResult<std::sync::Arc<Vec<ResultRow>>> {
    let month = current_month();
    let mut live = state.services.live.lock().await;
    if let Some(l) = live
        .as_ref()
        .filter(|l| l.month == month && l.at.elapsed() < LIVE_FOR)
    {
        return Ok(l.rows.clone());
    }
    let rows =
        std::sync::Arc::new(compute(&state.db, month, Settings::of(&state.config).min_n).await?);
    *live = Some(Live {
        month,
        at: std::time::Instant::now(),
        rows: rows.clone(),
    });
    Ok(rows)
}

/// Closes every month before the current one (an hour into it) that has
/// ratings and is not closed yet: its results are computed and stored with the month, once.
/// Safe to run twice or from two processes at once (the month's row is
/// written first, under its key; the run that loses writes nothing).
/// Returns the months it closed.
pub async fn close_months(state: &AppState) -> AppResult<Vec<Month>> {
    let settings = Settings::of(&state.config);
    let mut closed = Vec::new();
    // A month closes an hour after it ends: a rating stamped in its last
    // moment has long committed by then, so the sums read below are final.
    let settled = Month::at(crate::db::now() - time::Duration::hours(1));
    for month in queries::months_to_close(&state.db, settled).await? {
        // Ratings of a past month no longer change: computed outside the
        // transaction, written inside it.
        let rows = compute(&state.db, month, settings.min_n).await?;
        let mut tx = state.db.begin().await?;
        if !queries::insert_month(&mut tx, month, settings.min_n).await? {
            continue;
        }
        for r in &rows {
            queries::insert_result(&mut tx, r).await?;
        }
        crate::datasets::request_refresh(&mut tx, super::SOURCE).await?;
        tx.commit().await?;
        tracing::info!(month = %month, subjects = rows.len(), "service ratings month closed");
        closed.push(month);
    }
    Ok(closed)
}
