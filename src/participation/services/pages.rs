//! Handlers of the service-rating pages: read the request, call the
//! service, render `views`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::domain::Month;
use super::queries::{self, ResultRow, ServiceRow};
use super::service::{self, Rating, Settings, current_month, may_rate};
use super::views::{self, FormState, Line, T};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::FieldErrors;
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};
use crate::workflow::page::{ReportQuery, request_page};

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    pub month: String,
}

impl MonthQuery {
    /// The month asked for (the current one when not given), or a 400.
    pub fn parse(&self) -> AppResult<Month> {
        if self.month.is_empty() {
            return Ok(current_month());
        }
        Month::parse(&self.month).ok_or_else(|| {
            AppError::bad_request(
                "invalid_month",
                Msg::new(
                    "Месяц задаётся как ГГГГ-ММ, например 2026-11.",
                    "A month is written as YYYY-MM, e.g. 2026-11.",
                ),
            )
        })
    }
}

/// A month's rows: live for the current month, stored for a closed one;
/// not found for a month that is neither.
pub async fn month_rows(state: &AppState, month: Month) -> AppResult<(Vec<ResultRow>, bool)> {
    if month == current_month() {
        return Ok((service::live_rows(state).await?.as_ref().clone(), true));
    }
    let closed = queries::closed_months(&state.db).await?;
    if !closed.iter().any(|(m, _)| *m == month) {
        return Err(AppError::not_found());
    }
    Ok((queries::results_of_month(&state.db, month).await?, false))
}

/// The previous month's overall means by subject (stored months only).
async fn before_of(db: &Db, month: Month) -> AppResult<BTreeMap<(String, String), f64>> {
    Ok(queries::results_of_month(db, month.previous())
        .await?
        .into_iter()
        .filter_map(|r| Some(((r.subject_kind, r.subject_id), r.overall_mean?)))
        .collect())
}

/// `GET /participation/services?month=2026-11`
pub async fn results(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let month = q.parse()?;
    let (rows, preliminary) = month_rows(&state, month).await?;
    let before = before_of(&state.db, month).await?;
    let lines: Vec<Line<'_>> = rows
        .iter()
        .map(|r| Line {
            row: r,
            before: before
                .get(&(r.subject_kind.clone(), r.subject_id.clone()))
                .copied(),
        })
        .collect();
    let services: BTreeMap<String, ServiceRow> = queries::services(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.service_id.clone(), s))
        .collect();
    let orgs: BTreeMap<String, (String, String)> = crate::directory::queries::list(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id, (o.name_ru, o.name_en)))
        .collect();
    let mut months = vec![current_month()];
    months.extend(
        queries::closed_months(&state.db)
            .await?
            .into_iter()
            .map(|m| m.0),
    );
    let min_n = Settings::of(&state.config).min_n;
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.title)
        .crumb(
            crate::participation::priorities::views::T::get(ctx.locale).participation,
            "/participation",
        )
        .render(views::results(
            &ctx,
            month,
            &months,
            preliminary,
            min_n,
            &services,
            &orgs,
            &lines,
        )))
}

#[derive(Debug, Default, Deserialize)]
pub struct RateForm {
    #[serde(default)]
    pub quality: String,
    #[serde(default)]
    pub convenience: String,
    #[serde(default)]
    pub speed: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RatedQuery {
    #[serde(default)]
    pub rated: String,
    #[serde(default)]
    pub feedback: String,
}

async fn service_page(
    ctx: &PageCtx,
    state: &AppState,
    s: &ServiceRow,
    form: &RateForm,
    errors: &FieldErrors,
    notice: Option<maud::Markup>,
) -> AppResult<maud::Markup> {
    let history = queries::results_of_subject(&state.db, "service", &s.service_id).await?;
    let current = service::live_rows(state)
        .await?
        .iter()
        .find(|r| r.subject_kind == "service" && r.subject_id == s.service_id)
        .cloned();
    let (mine, refusal) = match &ctx.user {
        Some(u) => {
            let mine =
                queries::my_rating(&state.db, &s.service_id, u.account_id, current_month()).await?;
            let confirmed =
                crate::participation::priorities::queries::voter(&state.db, u.account_id)
                    .await?
                    .is_some_and(|v| v.confirmed);
            (mine.clone(), may_rate(s, confirmed, mine.is_some()))
        }
        None => (None, None),
    };
    let feedback: Vec<_> = queries::feedback_of(&state.db, &s.service_id)
        .await?
        .into_iter()
        .filter(|f| crate::workflow::State::parse(&f.state).is_some_and(|s| s.is_public()))
        .collect();
    Ok(views::service_page(
        ctx,
        s,
        &history,
        current.as_ref(),
        refusal.as_ref(),
        mine.as_ref(),
        &FormState {
            errors,
            quality: &form.quality,
            convenience: &form.convenience,
            speed: &form.speed,
            comment: &form.comment,
        },
        &feedback,
        notice,
    ))
}

/// `GET /participation/services/{id}`
pub async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RatedQuery>,
) -> AppResult<Response> {
    let s = queries::service(&state.db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let notice =
        (!q.rated.is_empty()).then(|| views::rated_notice(ctx.locale, q.feedback.parse().ok()));
    let body = service_page(
        &ctx,
        &state,
        &s,
        &RateForm::default(),
        &FieldErrors::new(),
        notice,
    )
    .await?;
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, views::service_name(ctx.locale, &s))
        .crumb(t.title, "/participation/services")
        .render(body))
}

/// `POST /participation/services/{id}/rate`: the rating, or the form again
/// with what was wrong beside the fields (422), or why rating is not
/// possible (403, 409).
pub async fn rate(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<RateForm>,
) -> AppResult<Response> {
    let s = queries::service(&state.db, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let t = T::get(ctx.locale);
    let page = |status, body| {
        Page::new(&ctx, views::service_name(ctx.locale, &s))
            .crumb(t.title, "/participation/services")
            .status(status)
            .render(body)
    };
    let rating = match Rating::parse(&f.quality, &f.convenience, &f.speed, &f.comment) {
        Ok(r) => r,
        Err((field, msg)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, msg);
            let body = service_page(&ctx, &state, &s, &f, &errors, None).await?;
            return Ok(page(axum::http::StatusCode::UNPROCESSABLE_ENTITY, body));
        }
    };
    match service::rate(&state, &user, &s.service_id, &rating).await {
        Ok(done) => {
            let to = match done.feedback {
                Some(a) => format!(
                    "/participation/services/{}?rated=1&feedback={a}",
                    s.service_id
                ),
                None => format!("/participation/services/{}?rated=1", s.service_id),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) if e.status().is_client_error() => {
            let status = e.status();
            let body = service_page(
                &ctx,
                &state,
                &s,
                &f,
                &FieldErrors::new(),
                Some(crate::web::components::notice(
                    "error",
                    maud::html! { (e.message().get(ctx.locale)) },
                )),
            )
            .await?;
            Ok(page(status, body))
        }
        Err(e) => Err(e),
    }
}

/// What a feedback request's page adds: the service it is about.
async fn extra(ctx: &PageCtx, db: &Db, appeal_id: i64) -> AppResult<maud::Markup> {
    let t = T::get(ctx.locale);
    let Some(service_id) = queries::service_of_feedback(db, appeal_id).await? else {
        return Ok(maud::html! {});
    };
    let s = queries::service(db, &service_id).await?;
    Ok(maud::html! {
        @if let Some(s) = s {
            p #feedback-service { (t.feedback_about) ": " a href={ "/participation/services/" (s.service_id) } { (views::service_name(ctx.locale, &s)) } }
        }
    })
}

/// `GET /participation/services/feedback/{id}`
pub async fn feedback(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let extra = extra(&ctx, &db, appeal_id).await?;
    request_page(ctx, &db, super::FEEDBACK, id, q, Some(extra)).await
}

/// `POST /participation/services/feedback/{id}/action`
pub async fn feedback_action(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    crate::workflow::page::act_on_page(
        ctx,
        user,
        state,
        super::FEEDBACK,
        id,
        multipart,
        async |ctx, state, id| {
            let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
            Ok(Some(extra(ctx, &state.db, appeal_id).await?))
        },
    )
    .await
}
