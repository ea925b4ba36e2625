//! Handlers of the priority pages: read the request, call the service,
//! render `views`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::REGION;
use super::domain::{Action, Count, Quarter, State as PState};
use super::queries::{self, PriorityRow};
use super::service::{self, Options, Proposal, ProposalForm, Settings, current_quarter};
use super::views::{self, T};
use crate::app::AppState;
use crate::auth::{CurrentUser, Moderator, Staff};
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::FieldErrors;
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};

#[derive(Debug, Default, Deserialize)]
pub struct RankQuery {
    #[serde(default)]
    pub quarter: String,
    #[serde(default)]
    pub scope: String,
}

impl RankQuery {
    /// The quarter (current when not given) and the scope (the region when
    /// not given), or a 4xx naming what is wrong.
    pub fn parse(&self) -> AppResult<(Quarter, String)> {
        let quarter = if self.quarter.is_empty() {
            current_quarter()
        } else {
            Quarter::parse(&self.quarter).ok_or_else(|| {
                AppError::bad_request(
                    "invalid_quarter",
                    Msg::new(
                        "Квартал задаётся как 2026Q4.",
                        "A quarter is written as 2026Q4.",
                    ),
                )
            })?
        };
        let scope = match self.scope.as_str() {
            "" | REGION => REGION.to_owned(),
            m => crate::geo::geography()
                .by_id(m)
                .map(|m| m.id.clone())
                .ok_or_else(AppError::not_found)?,
        };
        Ok((quarter, scope))
    }
}

/// Public priorities by id.
async fn public_priorities(db: &Db) -> AppResult<BTreeMap<i64, PriorityRow>> {
    Ok(queries::by_states(db, &[PState::Published, PState::Frozen])
        .await?
        .into_iter()
        .map(|p| (p.priority_id, p))
        .collect())
}

/// The priorities' block of the participation page: the region's top five
/// this quarter.
pub async fn landing_section(ctx: &PageCtx, state: &AppState) -> AppResult<maud::Markup> {
    let ranks = service::ranks(state, current_quarter(), None)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut priorities = public_priorities(&state.db).await?;
    let top: Vec<_> = ranks
        .region
        .iter()
        .take(5)
        .filter_map(|r| Some((r.clone(), priorities.remove(&r.priority_id)?)))
        .collect();
    Ok(views::landing(ctx.locale, &top, ranks.quarter))
}

/// `GET /participation/priorities?quarter=2026Q4&scope=sochi`: a ranking.
pub async fn region(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<RankQuery>,
) -> AppResult<Response> {
    let (quarter, scope) = q.parse()?;
    let ranks = service::ranks(&state, quarter, Some(&scope))
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut quarters = vec![current_quarter()];
    quarters.extend(
        queries::snapshots(&state.db)
            .await?
            .iter()
            .filter_map(|s| Quarter::parse(&s.quarter)),
    );
    let before: BTreeMap<i64, i64> = queries::snapshot_ranks(&state.db, quarter.previous(), &scope)
        .await?
        .into_iter()
        .map(|r| (r.priority_id, r.position))
        .collect();
    let priorities = public_priorities(&state.db).await?;
    let t = T::get(ctx.locale);
    let title = format!("{}: {}", t.ranks, views::scope_name(ctx.locale, &scope));
    Ok(Page::new(&ctx, title)
        .crumb(t.participation, "/participation")
        .render(views::ranking(
            &ctx,
            &ranks,
            &scope,
            &quarters,
            &before,
            &priorities,
        )))
}

/// `GET /participation/priorities/archive`
pub async fn archive(ctx: PageCtx, State(db): State<Db>) -> AppResult<Response> {
    let snapshots = queries::snapshots(&db).await?;
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.archive)
        .crumb(t.ranks, "/participation/priorities")
        .render(views::archive(ctx.locale, &snapshots)))
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// New supports per week of the quarter, from its first day.
fn weekly(quarter: Quarter, times: &[time::OffsetDateTime]) -> Vec<(time::Date, i64)> {
    let first = quarter.first_day();
    let last = quarter.last_day().min(crate::web::components::today_msk());
    let mut weeks: Vec<(time::Date, i64)> = Vec::new();
    let mut d = first;
    while d <= last {
        weeks.push((d, 0));
        d += time::Duration::days(7);
    }
    for t in times {
        let day = t.to_offset(crate::workflow::sla::MSK).date();
        let i = ((day - first).whole_days() / 7) as usize;
        if let Some(w) = weeks.get_mut(i) {
            w.1 += 1;
        }
    }
    weeks
}

/// `GET /participation/priorities/{id}`
pub async fn priority(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let p = queries::priority(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let may_see = p.state().is_public()
        || ctx
            .user
            .as_ref()
            .is_some_and(|u| u.is_moderator() || u.account_id == p.proposed_by);
    if !may_see {
        return Err(AppError::not_found());
    }
    let settings = Settings::of(&state.config);
    let options: Options = service::options(&state.db, &settings, ctx.user.as_ref(), &p).await?;
    let quarter = current_quarter();
    let live = state.priorities.live(&state.db, &settings).await?;
    let participants: BTreeMap<String, Count> = live
        .municipal
        .iter()
        .filter_map(|(m, rows)| Some((m.clone(), rows.first()?.participants.clone())))
        .collect();
    let by_municipality = queries::supporters_by_municipality(&state.db, id, quarter).await?;
    let times = queries::support_times(&state.db, id, quarter).await?;
    let history = queries::history(&state.db, id).await?;
    let weekly = weekly(quarter, &times);
    let t = T::get(ctx.locale);
    let done = views::done(ctx.locale, &q.done);
    let body = views::priority(
        &ctx,
        &p,
        &options,
        &views::Standing {
            by_municipality: &by_municipality,
            participants: &participants,
            weekly: &weekly,
            history: &history,
            declared_weight: live.declared_weight,
        },
    );
    let follow = match &ctx.user {
        Some(u) if p.state().is_public() => {
            let topic = crate::activity::topic("priority", id);
            let f = crate::activity::follows(&state.db, u.account_id, &topic).await?;
            Some(crate::participation::social::views::follow_button(
                &ctx,
                "priority",
                &id.to_string(),
                f,
            ))
        }
        _ => None,
    };
    Ok(Page::new(&ctx, p.title.clone())
        .crumb(t.ranks, "/participation/priorities")
        .render(
            maud::html! { @if let Some(d) = done { (d) } (body) @if let Some(f) = follow { (f) } },
        ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

/// `POST /participation/priorities/{id}/act`: one of the actions the page
/// offered.
pub async fn act(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> AppResult<Response> {
    let action = Action::parse(&f.action).ok_or_else(|| {
        AppError::bad_request(
            "unknown_action",
            Msg::new("Неизвестное действие.", "Unknown action."),
        )
    })?;
    service::act(&state, &user, id, action, &f.note).await?;
    let to = match action {
        Action::Support | Action::Withdraw => {
            format!("/participation/priorities/{id}?done={}", action.as_str())
        }
        _ => "/participation/priorities/review".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

/// The organisations a person may propose priorities for.
async fn organisations_of(
    db: &Db,
    user: &CurrentUser,
    l: crate::web::i18n::Locale,
) -> AppResult<Vec<(String, String)>> {
    let all = crate::directory::queries::list(db).await?;
    Ok(all
        .into_iter()
        .filter(|o| super::domain::may_propose(user, &o.organisation_id))
        .map(|o| {
            let name = match l {
                crate::web::i18n::Locale::Ru => o.name_ru,
                crate::web::i18n::Locale::En => o.name_en,
            };
            (o.organisation_id, name)
        })
        .collect())
}

/// `GET /participation/priorities/new`
pub async fn new_form(
    ctx: PageCtx,
    Staff(user): Staff,
    State(db): State<Db>,
) -> AppResult<Response> {
    let orgs = organisations_of(&db, &user, ctx.locale).await?;
    if orgs.is_empty() {
        return Err(AppError::forbidden());
    }
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.propose)
        .crumb(t.ranks, "/participation/priorities")
        .render(views::proposal_form(
            &ctx,
            &ProposalForm::default(),
            &FieldErrors::new(),
            &orgs,
        )))
}

/// `POST /participation/priorities/new`
pub async fn create(
    ctx: PageCtx,
    Staff(user): Staff,
    State(db): State<Db>,
    Form(form): Form<ProposalForm>,
) -> AppResult<Response> {
    match Proposal::parse(&form, &user) {
        Ok(p) => {
            let id = service::propose(&db, &user, &p).await?;
            Ok(
                Redirect::to(&format!("/participation/priorities/{id}?done=proposed"))
                    .into_response(),
            )
        }
        Err(errors) => {
            let orgs = organisations_of(&db, &user, ctx.locale).await?;
            let t = T::get(ctx.locale);
            Ok(Page::new(&ctx, t.propose)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .crumb(t.ranks, "/participation/priorities")
                .render(views::proposal_form(&ctx, &form, &errors, &orgs)))
        }
    }
}

/// `GET /participation/priorities/review`: moderation; bursts and frozen
/// priorities for administrators.
pub async fn review(
    ctx: PageCtx,
    Moderator(user): Moderator,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let waiting = queries::by_states(&state.db, &[PState::Proposed]).await?;
    let frozen = queries::by_states(&state.db, &[PState::Frozen]).await?;
    let settings = Settings::of(&state.config);
    let bursts = if user.is_admin() {
        Some(service::bursts(&state.db, &settings).await?)
    } else {
        None
    };
    let titles: BTreeMap<i64, String> = public_priorities(&state.db)
        .await?
        .into_values()
        .map(|p| (p.priority_id, p.title))
        .collect();
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.review)
        .crumb(t.ranks, "/participation/priorities")
        .render(views::review(
            &ctx,
            &waiting,
            &frozen,
            bursts.as_deref().map(|b| (b, settings.burst)),
            &titles,
        )))
}
