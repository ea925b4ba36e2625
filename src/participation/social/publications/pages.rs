//! Handlers of the publication pages: read the request, call the service,
//! render `views`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::{self, Filter, PublicationRow};
use super::service::{self, BODY_MAX, Choice, Draft, TITLE_MAX, may_publish};
use super::views::{self, Extra, FormFields, Shown, T};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::participation::social::moderation;
use crate::web::components::FieldErrors;
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};

/// Publications on a page of the list.
pub const PAGE: i64 = 20;
/// The furthest page anyone may ask for (keeps offsets small).
const PAGE_MAX: i64 = 10_000;

/// The filters of the list, the feeds and the API.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub author: Option<i64>,
    /// `None` when not asked; the list's form sends an empty one for all.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl ListQuery {
    /// The filter, or a 400 naming the value that is not one.
    pub fn filter(&self) -> AppResult<Filter> {
        let kind = self.kind.as_deref().unwrap_or("").trim();
        if !kind.is_empty() && service::Kind::parse(kind).is_none() {
            return Err(AppError::bad_request(
                "invalid_query",
                Msg::new(
                    "Вид публикации: news, announcement или post.",
                    "The kind is news, announcement or post.",
                ),
            ));
        }
        Ok(Filter {
            municipality: self.municipality.trim().to_owned(),
            organisation: self.organisation.trim().to_owned(),
            author: self.author.unwrap_or(0),
            kind: kind.to_owned(),
        })
    }

    /// The page asked for, from 1.
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).clamp(1, PAGE_MAX)
    }
}

/// `GET /publications`
pub async fn list(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let f = q.filter()?;
    let page = q.page();
    let total = queries::count(&db, &f).await?;
    let rows = queries::list(&db, &f, PAGE, (page - 1) * PAGE).await?;
    let shown = Shown {
        municipality: f.municipality.clone(),
        organisation: f.organisation.clone(),
        author: f.author,
        kind: f.kind.clone(),
        page,
        pages: (total + PAGE - 1) / PAGE,
    };
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.title).render(views::list(&ctx, &rows, &shown)))
}

fn form_page(
    ctx: &PageCtx,
    user: &CurrentUser,
    f: &FormFields,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let t = T::get(ctx.locale);
    Page::new(ctx, t.new)
        .crumb(t.title, "/publications")
        .status(status)
        .render(views::form(ctx, &may_publish(user), f, errors))
}

/// `GET /publications/new`
pub async fn new_form(ctx: PageCtx, user: CurrentUser) -> AppResult<Response> {
    Ok(form_page(
        &ctx,
        &user,
        &FormFields::default(),
        &FieldErrors::new(),
        StatusCode::OK,
    ))
}

/// Parses the form once. A choice that is a choice but not this person's
/// is refused by the service (403), not here: the rule lives there.
fn parse(f: &FormFields) -> Result<Draft, FieldErrors> {
    use crate::workflow::input::clean_text;
    let mut errors = FieldErrors::new();
    let choice = Choice::parse(f.publish_as.trim());
    if choice.is_none() {
        errors.add(
            "publish_as",
            Msg::new(
                "Выберите, что и от чьего имени публикуете.",
                "Choose what you publish, and as whom.",
            ),
        );
    }
    let m = f.municipality_id.trim();
    let municipality = if m.is_empty() {
        if choice.as_ref().is_some_and(|c| c.organisation.is_none()) {
            errors.add(
                "municipality_id",
                Msg::new(
                    "Выберите муниципалитет, о котором пост.",
                    "Choose the municipality the post is about.",
                ),
            );
        }
        None
    } else if crate::geo::geography().by_id(m).is_some() {
        Some(m.to_owned())
    } else {
        errors.add(
            "municipality_id",
            Msg::new(
                "Выберите муниципалитет из списка.",
                "Choose a municipality from the list.",
            ),
        );
        None
    };
    let title = errors.check(
        "title",
        clean_text(&f.title, TITLE_MAX, "заголовок", "title", true),
    );
    let body = errors.check("body", clean_text(&f.body, BODY_MAX, "текст", "text", true));
    match (choice, title, body) {
        (Some(choice), Some(title), Some(body)) if errors.is_empty() => Ok(Draft {
            choice,
            municipality,
            title: title.replace('\n', " "),
            body,
        }),
        _ => Err(errors),
    }
}

/// `POST /publications`
pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<FormFields>,
) -> AppResult<Response> {
    let d = match parse(&f) {
        Ok(d) => d,
        Err(errors) => {
            return Ok(form_page(
                &ctx,
                &user,
                &f,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let id = service::publish(&state, &user, &d).await?;
    Ok(Redirect::to(&format!("/publications/{id}")).into_response())
}

/// A publication as `viewer` may see it: a hidden one for moderators only.
pub async fn visible(db: &Db, id: i64, viewer: Option<&CurrentUser>) -> AppResult<PublicationRow> {
    queries::publication(db, id)
        .await?
        .filter(|p| !p.hidden || viewer.is_some_and(CurrentUser::is_moderator))
        .ok_or_else(AppError::not_found)
}

fn id_of(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

async fn show_page(
    ctx: &PageCtx,
    db: &Db,
    id: i64,
    comment: (&str, &FieldErrors),
    status: StatusCode,
) -> AppResult<Response> {
    let p = visible(db, id, ctx.user.as_ref()).await?;
    let comments = queries::comments(db, id).await?;
    let log = match &ctx.user {
        Some(u) if u.is_moderator() => {
            Some(moderation::item_log(db, moderation::Item::Publication.as_str(), id).await?)
        }
        _ => None,
    };
    let t = T::get(ctx.locale);
    let extra = Extra {
        comments: &comments,
        log: log.as_deref(),
        comment,
    };
    Ok(Page::new(ctx, p.title.clone())
        .crumb(t.title, "/publications")
        .status(status)
        .render(views::page(ctx, &p, &extra)))
}

/// `GET /publications/{id}`
pub async fn show(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    show_page(&ctx, &db, id, ("", &FieldErrors::new()), StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub comment: String,
}

/// `POST /publications/{id}/comments`
pub async fn comment(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    if let Err(m) = service::comment_text(&f.comment) {
        let mut errors = FieldErrors::new();
        errors.add("comment", m);
        return show_page(
            &ctx,
            &state.db,
            id,
            (&f.comment, &errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let comment_id = service::comment(&state, &user, id, &f.comment).await?;
    Ok(Redirect::to(&format!("/publications/{id}#comment-{comment_id}")).into_response())
}
