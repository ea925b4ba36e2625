//! Handlers of the suggestion pages: read the request, call the service,
//! render `views`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries;
use super::service::{self, Proposal, TEXT_MAX, TITLE_MAX, Target, may_comment};
use super::views::{self, FormFields, T};
use crate::app::AppState;
use crate::auth::{CurrentUser, Moderator};
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::FieldErrors;
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};
use crate::workflow::page::{ReportQuery, request_page};
use crate::workflow::queries::{AppealFilter, AppealRow, AppealSort};
use crate::workflow::views::Categories;
use crate::workflow::{self};

fn participation(l: crate::web::i18n::Locale) -> &'static str {
    crate::participation::priorities::views::T::get(l).participation
}

/// `GET /participation/suggestions`
pub async fn list(ctx: PageCtx, State(db): State<Db>) -> AppResult<Response> {
    let appeals = workflow::queries::list_appeals(
        &db,
        &AppealFilter {
            kind: super::SUGGESTION.as_str().to_owned(),
            public_only: true,
            sort: AppealSort::Newest,
            limit: 200,
            ..AppealFilter::default()
        },
    )
    .await?;
    let all: std::collections::BTreeMap<i64, queries::SuggestionRow> = queries::all(&db)
        .await?
        .into_iter()
        .map(|s| (s.appeal_id, s))
        .collect();
    let rows: Vec<(AppealRow, queries::SuggestionRow)> = appeals
        .into_iter()
        .filter_map(|a| {
            let s = all.get(&a.appeal_id)?.clone();
            Some((a, s))
        })
        .collect();
    let topics = Categories::load(&db, super::SUGGESTION).await?;
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.title)
        .crumb(participation(ctx.locale), "/participation")
        .render(views::list(&ctx, &rows, &topics)))
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub priority: String,
}

/// The target named by the form or the query, with its label, if it is a
/// public problem report or priority.
async fn target_of(db: &Db, kind: &str, id: &str) -> AppResult<Option<(Target, String)>> {
    let Ok(id) = id.trim().parse::<i64>() else {
        return Ok(None);
    };
    Ok(match kind {
        "problem" => workflow::queries::appeal(db, id)
            .await?
            .filter(|a| a.kind == super::TARGET_KIND && a.state().is_public())
            .map(|a| (Target::Problem(a.appeal_id), format!("№{}", a.appeal_id))),
        "priority" => crate::participation::priorities::queries::priority(db, id)
            .await?
            .filter(|p| p.state() == crate::participation::priorities::domain::State::Published)
            .map(|p| (Target::Priority(p.priority_id), format!("«{}»", p.title))),
        _ => None,
    })
}

async fn form_page(
    ctx: &PageCtx,
    db: &Db,
    f: &FormFields,
    errors: &FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let target = target_of(db, &f.target_kind, &f.target_id).await?;
    let topics = Categories::load(db, super::SUGGESTION)
        .await?
        .options(ctx.locale);
    let t = T::get(ctx.locale);
    Ok(Page::new(ctx, t.new)
        .crumb(t.title, "/participation/suggestions")
        .status(status)
        .render(views::form(ctx, f, errors, &topics, target)))
}

/// `GET /participation/suggestions/new?problem=12` (or `?priority=3`)
pub async fn new_form(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let mut f = FormFields::default();
    // The account's choice to hide the name is the form's default, as on
    // the report form.
    if let Some(u) = &ctx.user
        && crate::auth::queries::account_by_id(&db, u.account_id)
            .await?
            .is_some_and(|a| a.hide_name)
    {
        f.hide_name = Some("on".into());
    }
    if !q.problem.is_empty() {
        f.target_kind = "problem".into();
        f.target_id = q.problem.clone();
    } else if !q.priority.is_empty() {
        f.target_kind = "priority".into();
        f.target_id = q.priority.clone();
    }
    if !f.target_kind.is_empty()
        && target_of(&db, &f.target_kind, &f.target_id)
            .await?
            .is_none()
    {
        return Err(AppError::not_found());
    }
    form_page(&ctx, &db, &f, &FieldErrors::new(), StatusCode::OK).await
}

/// Parses the form once: every field's problem, beside the field.
async fn parse(db: &Db, f: &FormFields) -> AppResult<Result<Proposal, FieldErrors>> {
    use crate::workflow::input::{clean_text, parse_place};
    let mut errors = FieldErrors::new();
    let title = errors.check(
        "title",
        clean_text(
            &f.title,
            TITLE_MAX,
            "короткое название",
            "short title",
            true,
        ),
    );
    let text = errors.check(
        "text",
        clean_text(
            &f.text,
            TEXT_MAX,
            "что предлагаете",
            "what you suggest",
            true,
        ),
    );
    let topics = Categories::load(db, super::SUGGESTION).await?;
    if !topics.active().iter().any(|c| c.category_id == f.topic) {
        errors.add(
            "topic",
            Msg::new("Выберите тему из списка.", "Choose a topic from the list."),
        );
    }
    let target = match f.target_kind.as_str() {
        "" => None,
        kind => match target_of(db, kind, &f.target_id).await? {
            Some((t, _)) => Some(t),
            None => {
                errors.add(
                    "target",
                    Msg::new(
                        "Такого опубликованного сообщения о проблеме или приоритета нет.",
                        "There is no such published problem report or priority.",
                    ),
                );
                None
            }
        },
    };
    let address = clean_text(&f.address, 300, "адрес", "address", false).unwrap_or_default();
    let place = if target.is_none() && f.target_kind.is_empty() {
        errors.check("place", parse_place(&f.lat, &f.lon, &address))
    } else {
        None
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Proposal {
        title: title.unwrap_or_default(),
        description: text.unwrap_or_default(),
        topic: f.topic.clone(),
        target,
        place,
        address,
        hide_name: f.hide_name.is_some(),
        client_key: Some(f.client_key.trim())
            .filter(|k| {
                !k.is_empty()
                    && k.len() <= 64
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            .map(str::to_owned),
    }))
}

/// `POST /participation/suggestions/new`
pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<FormFields>,
) -> AppResult<Response> {
    let p = match parse(&state.db, &f).await? {
        Ok(p) => p,
        Err(errors) => {
            return form_page(
                &ctx,
                &state.db,
                &f,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // Sent again (the phone app replays a draft whose answer was lost): the
    // suggestion it already became.
    if let Some(r) = replayed(&state.db, user.account_id, p.client_key.as_deref()).await? {
        return Ok(r);
    }
    match service::submit(&state, &user, &p).await {
        Ok(a) => Ok(
            Redirect::to(&format!("{}?filed=1", super::SUGGESTION.path(a.appeal_id)))
                .into_response(),
        ),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut errors = FieldErrors::new();
            errors.add("place", e.message().clone());
            form_page(
                &ctx,
                &state.db,
                &f,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            // The same form sent twice at once: the other sending filed it.
            match replayed(&state.db, user.account_id, p.client_key.as_deref()).await? {
                Some(r) => Ok(r),
                None => Err(e),
            }
        }
    }
}

/// The suggestion a form's one-time key already became, as the redirect to
/// it (the phone app replays a draft whose answer was lost).
async fn replayed(db: &Db, author: i64, key: Option<&str>) -> AppResult<Option<Response>> {
    let Some(key) = key else {
        return Ok(None);
    };
    let Some(id) = workflow::queries::appeal_by_client_key(db, author, key).await? else {
        return Ok(None);
    };
    let Some(a) = workflow::queries::appeal(db, id).await? else {
        return Ok(None);
    };
    Ok(Some(
        Redirect::to(&format!("{}?filed=1", workflow::kind_of(&a).path(id))).into_response(),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    pub filed: Option<String>,
    #[serde(default)]
    pub supported: Option<String>,
    #[serde(default)]
    pub commented: Option<String>,
}

/// What a suggestion's page adds to the request page.
async fn extra(ctx: &PageCtx, db: &Db, appeal_id: i64, sent: bool) -> AppResult<maud::Markup> {
    let Some(a) = workflow::queries::appeal(db, appeal_id).await? else {
        return Ok(maud::html! {});
    };
    let Some(s) = queries::suggestion(db, appeal_id).await? else {
        return Ok(maud::html! {});
    };
    let priority_title = match Target::of(s.target_kind.as_deref(), s.target_id) {
        Some(Target::Priority(id)) => crate::participation::priorities::queries::priority(db, id)
            .await?
            .filter(|p| p.state().is_public())
            .map(|p| p.title),
        _ => None,
    };
    let comments = queries::published(db, appeal_id).await?;
    let mine = match &ctx.user {
        Some(u) => queries::pending_of(db, appeal_id, u.account_id).await?,
        None => Vec::new(),
    };
    let refusal = may_comment(&a, ctx.user.as_ref());
    Ok(views::extra(
        ctx,
        &a,
        &s,
        priority_title.as_deref(),
        &comments,
        &mine,
        refusal.as_ref(),
        sent,
    ))
}

/// `GET /participation/suggestions/{id}`
pub async fn show(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let extra = extra(&ctx, &db, appeal_id, q.commented.is_some()).await?;
    let rq = ReportQuery {
        filed: q.filed,
        supported: q.supported,
    };
    request_page(ctx, &db, super::SUGGESTION, id, rq, Some(extra)).await
}

/// `POST /participation/suggestions/{id}/action`: the organisation's answer
/// and the other actions of the shared workflow.
pub async fn action(
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
        super::SUGGESTION,
        id,
        multipart,
        async |ctx, state, id| {
            let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
            Ok(Some(extra(ctx, &state.db, appeal_id, false).await?))
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub body: String,
}

/// `POST /participation/suggestions/{id}/comments`
pub async fn comment(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    let appeal_id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    service::comment(&state, &user, appeal_id, &f.body).await?;
    Ok(Redirect::to(&format!(
        "{}?commented=1#comments",
        super::SUGGESTION.path(appeal_id)
    ))
    .into_response())
}

/// `GET /moderation/suggestion-comments`
pub async fn moderation(
    ctx: PageCtx,
    Moderator(_): Moderator,
    State(db): State<Db>,
) -> AppResult<Response> {
    let pending = queries::pending(&db).await?;
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.moderation).render(views::moderation(&ctx, &pending)))
}

#[derive(Debug, Default, Deserialize)]
pub struct Decision {
    #[serde(default)]
    pub decision: String,
}

/// `POST /moderation/suggestion-comments/{id}`
pub async fn moderate(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(d): Form<Decision>,
) -> AppResult<Response> {
    let publish =
        crate::participation::decision(&d.decision, "publish", "reject", "invalid_decision")?;
    service::moderate(&state, &user, id, publish).await?;
    Ok(Redirect::to("/moderation/suggestion-comments").into_response())
}

/// The suggestions made for a problem report, on the report's page, and
/// the way to make one (`workflow::sections`).
pub struct ForReports;

#[async_trait::async_trait]
impl workflow::sections::RequestSection for ForReports {
    fn kind(&self) -> &'static str {
        super::TARGET_KIND
    }

    async fn section(
        &self,
        ctx: &PageCtx,
        c: &mut crate::db::Conn,
        report: &AppealRow,
    ) -> AppResult<Option<maud::Markup>> {
        if !report.state().is_public() {
            return Ok(None);
        }
        let suggestions = queries::for_target_on(c, "problem", report.appeal_id).await?;
        // Their requests in one query, not one each.
        let ids: Vec<i64> = suggestions.iter().map(|s| s.appeal_id).collect();
        let mut appeals: std::collections::HashMap<i64, AppealRow> =
            workflow::queries::appeals(c, &ids)
                .await?
                .into_iter()
                .filter(|a| a.state().is_public())
                .map(|a| (a.appeal_id, a))
                .collect();
        let made: Vec<(AppealRow, queries::SuggestionRow)> = suggestions
            .into_iter()
            .filter_map(|s| appeals.remove(&s.appeal_id).map(|a| (a, s)))
            .collect();
        Ok(Some(views::for_report(
            ctx.locale,
            report.appeal_id,
            report.state().is_open(),
            &made,
        )))
    }
}
