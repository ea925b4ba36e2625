//! Saved explorations: a question with a title, kept by its owner, shared
//! with the core or with one portfolio, mailed monthly on request. A
//! shared exploration shares the question, never the figures: everyone
//! who opens it reads within their own scope. Only the owner changes or
//! deletes one; the list offers exactly the actions [`may_change`] allows,
//! and the handlers ask the same function.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::texts::ExplorerTexts;
use crate::app::AppState;
use crate::auth::{Core, CurrentUser};
use crate::bi::query::Question;
use crate::bi::scope::Scope;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::web::charts_bars::Kind;
use crate::web::extract::{Form, Path};
use crate::web::layout::{Page, PageCtx};

/// Explorations one person keeps.
pub const MAX_PER_PERSON: i64 = 200;
/// Characters of a title.
const MAX_TITLE: usize = 200;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Exploration {
    pub exploration_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub title: String,
    pub question: String,
    pub shared_with: String,
    pub monthly: i64,
    pub last_sent: Option<String>,
}

const SELECT: &str = "select e.exploration_id, e.owner_id, a.display_name as owner_name, e.title,
    e.question, e.shared_with, e.monthly, e.last_sent
    from bi_exploration e join account a on a.account_id = e.owner_id";

/// Whether `user` may open the exploration (its question; the figures are
/// always the viewer's own): its owner; anyone in the core when shared
/// with the core; the members of a portfolio it is shared with, and staff
/// who read the whole region.
pub fn may_see(user: &CurrentUser, scope: &Scope, e: &Exploration) -> bool {
    if e.owner_id == user.account_id {
        return true;
    }
    if !user.works_in_core() {
        return false;
    }
    match (e.shared_with.as_str(), scope) {
        ("", _) => false,
        ("core", _) => true,
        (_, Scope::All) => true,
        (p, Scope::Within { portfolios, .. }) => portfolios.iter().any(|x| x == p),
    }
}

/// Whether `user` may share, schedule or delete the exploration: only its
/// owner.
pub fn may_change(user: &CurrentUser, e: &Exploration) -> bool {
    e.owner_id == user.account_id
}

pub async fn get(db: &Db, id: i64) -> AppResult<Option<Exploration>> {
    Ok(crate::fetch_db!(
        db,
        fetch_optional,
        Exploration,
        sqlx::AssertSqlSafe(format!("{SELECT} where e.exploration_id = $1")),
        id
    )?)
}

/// The explorations `user` may see: their own and those shared with them.
pub async fn visible(db: &Db, user: &CurrentUser, scope: &Scope) -> AppResult<Vec<Exploration>> {
    let all: Vec<Exploration> = crate::fetch_db!(
        db,
        fetch_all,
        Exploration,
        sqlx::AssertSqlSafe(format!(
            "{SELECT} where e.owner_id = $1 or e.shared_with <> '' order by e.title, e.exploration_id"
        )),
        user.account_id
    )?;
    Ok(all
        .into_iter()
        .filter(|e| may_see(user, scope, e))
        .collect())
}

pub async fn insert(tx: &mut Tx, owner: i64, title: &str, question: &str) -> AppResult<i64> {
    let t = now();
    let id: i64 = crate::on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into bi_exploration (owner_id, title, question, shared_with, monthly, created_at, updated_at)
         values ($1, $2, $3, '', 0, $4, $4) returning exploration_id"
    )
    .bind(owner)
    .bind(title)
    .bind(question)
    .bind(t)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

/// The save form under an answer.
pub fn save_form(ctx: &PageCtx, here: &str) -> Markup {
    let t = ExplorerTexts::get(ctx.locale);
    let question = here.split_once('?').map(|(_, q)| q).unwrap_or_default();
    html! {
        section #save aria-labelledby="save-h" {
            h2 #save-h { (t.save) }
            form.inline-form method="post" action="/bi/explorations" {
                (ctx.csrf_field())
                input type="hidden" name="question" value=(question);
                div.field {
                    label for="save-title" { (t.save_title) }
                    input #save-title type="text" name="title" required maxlength=(MAX_TITLE);
                }
                button type="submit" { (t.save) }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    question: String,
}

/// The question of a saved exploration, checked and written canonically
/// with its chart.
fn canonical(state: &AppState, question: &str) -> AppResult<String> {
    let raw: Vec<(String, String)> = serde_urlencoded::from_str(question).map_err(|_| {
        AppError::bad_request(
            "invalid_question",
            Msg::new("Запрос не читается.", "The question cannot be read."),
        )
    })?;
    let (pairs, ex) = super::split(raw);
    let q = Question::parse(&state.marts, &pairs)?;
    Ok(format!(
        "{}&chart={}",
        q.query_string(),
        Kind::parse(ex.chart.as_deref()).key()
    ))
}

/// `POST /bi/explorations`: saves the current question.
pub async fn save(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<SaveForm>,
) -> AppResult<Response> {
    let t = ExplorerTexts::get(ctx.locale);
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control)
    {
        return Err(AppError::unprocessable(
            "invalid_title",
            Msg::new(
                ExplorerTexts::RU.title_required,
                ExplorerTexts::EN.title_required,
            ),
        ));
    }
    let _ = t;
    let question = canonical(&state, &f.question)?;
    let mut tx = state.db.begin().await?;
    // Each may be mailed monthly: a person keeps a bounded number.
    let kept: i64 = crate::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select count(*) from bi_exploration where owner_id = $1"
    )
    .bind(user.account_id)
    .fetch_one(c)
    .await)?;
    if kept >= MAX_PER_PERSON {
        return Err(AppError::unprocessable(
            "too_many_explorations",
            Msg::new(
                format!(
                    "Можно сохранить не больше {MAX_PER_PERSON} исследований: удалите ненужные."
                ),
                format!("At most {MAX_PER_PERSON} explorations can be saved: delete some first."),
            ),
        ));
    }
    insert(&mut tx, user.account_id, title, &question).await?;
    tx.commit().await?;
    Ok(Redirect::to("/bi/explorations").into_response())
}

/// The portfolios one may share with: the governor's office and each
/// vice-governor's portfolio, by id and name.
async fn portfolios(db: &Db, l: crate::web::i18n::Locale) -> AppResult<Vec<(String, String)>> {
    let orgs = crate::directory::tree::org_map(db).await?;
    let mut out: Vec<(String, String)> = orgs
        .values()
        .filter(|o| o.kind == "portfolio" || o.kind == "governor_office")
        .map(|o| {
            (
                o.organisation_id.clone(),
                l.pick(&o.name_ru, &o.name_en).to_owned(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// `GET /bi/explorations`: mine, and those shared with me.
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ExplorerTexts::get(l);
    let scope = Scope::of(&state.db, &user).await?;
    let all = visible(&state.db, &user, &scope).await?;
    let ports = portfolios(&state.db, l).await?;
    let share_name = |s: &str| match s {
        "" => t.only_me.to_owned(),
        "core" => t.whole_core.to_owned(),
        p => ports
            .iter()
            .find(|(id, _)| id == p)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| p.to_owned()),
    };
    let (mine, shared): (Vec<_>, Vec<_>) = all.iter().partition(|e| e.owner_id == user.account_id);
    let item = |e: &Exploration| {
        html! {
            li.exploration id={ "exploration-" (e.exploration_id) } {
                h3 { a href={ "/bi/explorations/" (e.exploration_id) } { (e.title) } }
                p {
                    (t.owner) ": " (e.owner_name) ". "
                    (t.share_to) ": " (share_name(&e.shared_with)) ". "
                    (t.monthly) ": " (if e.monthly == 1 { t.monthly_on } else { t.monthly_off }) "."
                    @if let Some(m) = &e.last_sent { " " (t.last_sent) " " (m) "." }
                }
                @if may_change(&user, e) {
                    @let base = format!("/bi/explorations/{}", e.exploration_id);
                    @let sel = format!("share-{}", e.exploration_id);
                    form.inline-form method="post" action={ (base) "/share" } {
                        (ctx.csrf_field())
                        div.field {
                            label for=(sel) { (t.share_to) }
                            select id=(sel) name="shared_with" {
                                option value="" selected[e.shared_with.is_empty()] { (t.only_me) }
                                option value="core" selected[e.shared_with == "core"] { (t.whole_core) }
                                @for (id, name) in &ports { option value=(id) selected[e.shared_with == *id] { (name) } }
                            }
                        }
                        button type="submit" { (t.apply) }
                    }
                    form.inline-form method="post" action={ (base) "/schedule" } {
                        (ctx.csrf_field())
                        input type="hidden" name="monthly" value=(if e.monthly == 1 { "0" } else { "1" });
                        button type="submit" { (if e.monthly == 1 { t.turn_off } else { t.turn_on }) }
                    }
                    form.inline-form method="post" action={ (base) "/delete" } {
                        (ctx.csrf_field())
                        button.danger type="submit" { (t.delete) " «" (e.title) "»" }
                    }
                }
            }
        }
    };
    let main = html! {
        h1 { (t.saved) }
        p { a href="/bi/explore" { (t.title) } }
        h2 { (t.mine) }
        @if mine.is_empty() { p { (t.none_saved) } }
        ul.explorations #mine { @for e in &mine { (item(e)) } }
        h2 { (t.shared_with_me) }
        @if shared.is_empty() { p { (t.none_saved) } }
        ul.explorations #shared { @for e in &shared { (item(e)) } }
    };
    Ok(Page::new(&ctx, t.saved)
        .crumb(t.title, "/bi/explore")
        .crumb(t.saved, "/bi/explorations")
        .render(main))
}

/// An exploration the person may see, or 404 (its existence is not told).
async fn seen(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Exploration> {
    let scope = Scope::of(&state.db, user).await?;
    match get(&state.db, id).await? {
        Some(e) if may_see(user, &scope, &e) => Ok(e),
        _ => Err(AppError::not_found()),
    }
}

/// An exploration the person may change, or 404/403.
async fn owned(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Exploration> {
    let e = seen(state, user, id).await?;
    if may_change(user, &e) {
        Ok(e)
    } else {
        Err(AppError::forbidden())
    }
}

/// `GET /bi/explorations/{id}`: the explorer with its question.
pub async fn open(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = seen(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/bi/explore?{}", e.question)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    shared_with: String,
}

/// `POST /bi/explorations/{id}/share`.
pub async fn share(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ShareForm>,
) -> AppResult<Response> {
    owned(&state, &user, id).await?;
    let to = f.shared_with.trim();
    let ok = matches!(to, "" | "core")
        || portfolios(&state.db, user.locale)
            .await?
            .iter()
            .any(|(p, _)| p == to);
    if !ok {
        return Err(AppError::unprocessable(
            "invalid_share",
            Msg::new(
                ExplorerTexts::RU.no_such_share,
                ExplorerTexts::EN.no_such_share,
            ),
        ));
    }
    let mut tx = state.db.begin().await?;
    crate::exec_tx!(
        &mut tx,
        "update bi_exploration set shared_with = $1, updated_at = $2 where exploration_id = $3",
        to,
        now(),
        id
    )?;
    tx.commit().await?;
    Ok(Redirect::to("/bi/explorations").into_response())
}

#[derive(Debug, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    monthly: String,
}

/// `POST /bi/explorations/{id}/schedule`: the monthly mail on or off.
pub async fn schedule(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ScheduleForm>,
) -> AppResult<Response> {
    owned(&state, &user, id).await?;
    let on: i64 = i64::from(f.monthly == "1");
    let mut tx = state.db.begin().await?;
    crate::exec_tx!(
        &mut tx,
        "update bi_exploration set monthly = $1, updated_at = $2 where exploration_id = $3",
        on,
        now(),
        id
    )?;
    tx.commit().await?;
    Ok(Redirect::to("/bi/explorations").into_response())
}

/// `POST /bi/explorations/{id}/delete`.
pub async fn delete(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    owned(&state, &user, id).await?;
    let mut tx = state.db.begin().await?;
    crate::exec_tx!(
        &mut tx,
        "delete from bi_exploration where exploration_id = $1",
        id
    )?;
    tx.commit().await?;
    Ok(Redirect::to("/bi/explorations").into_response())
}
