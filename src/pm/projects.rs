//! Priority projects and programmes: a work breakdown structure
//! (programme → projects → stages → orders) with roadmap events and their
//! due dates, and progress from the orders below.

use crate::web::components::shown_date;
use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use sqlx::FromRow;
use time::OffsetDateTime;

use super::queries::{self, Counts, OrderFilter};
use crate::auth::{Core, CurrentUser};
use crate::db::{Db, now};
use crate::error::{AppError, AppResult, Msg};
use crate::on_db;
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, datetime};
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Cell, Format, Table, links};

#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub project_id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub code: String,
    pub title: String,
    pub description: String,
    pub organisation_id: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct StageRow {
    pub stage_id: i64,
    pub project_id: i64,
    pub title: String,
    pub sort_order: i64,
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct MilestoneRow {
    pub milestone_id: i64,
    pub project_id: i64,
    pub stage_id: Option<i64>,
    pub title: String,
    pub due_on: String,
    pub done_at: Option<OffsetDateTime>,
}

const PROJECT_COLUMNS: &str =
    "project_id, parent_id, kind, code, title, description, organisation_id, starts_on, ends_on";

pub async fn projects(db: &Db) -> Result<Vec<ProjectRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, ProjectRow>(sqlx::AssertSqlSafe(format!(
            "select {PROJECT_COLUMNS} from pm_project order by code"
        )))
        .fetch_all(pool)
        .await
    })
}

pub async fn project(db: &Db, id: i64) -> Result<Option<ProjectRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, ProjectRow>(sqlx::AssertSqlSafe(format!(
            "select {PROJECT_COLUMNS} from pm_project where project_id = $1"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

pub async fn stages(db: &Db, project_id: i64) -> Result<Vec<StageRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, StageRow>(
            "select stage_id, project_id, title, sort_order, due_on from pm_stage
             where project_id = $1 order by sort_order, stage_id",
        )
        .bind(project_id)
        .fetch_all(pool)
        .await
    })
}

pub async fn milestones(db: &Db, project_id: i64) -> Result<Vec<MilestoneRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, MilestoneRow>(
            "select milestone_id, project_id, stage_id, title, due_on, done_at from pm_milestone
             where project_id = $1 order by due_on, milestone_id",
        )
        .bind(project_id)
        .fetch_all(pool)
        .await
    })
}

pub struct NewProject<'a> {
    pub parent_id: Option<i64>,
    pub kind: &'a str,
    pub code: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub organisation_id: &'a str,
    pub starts_on: Option<&'a str>,
    pub ends_on: Option<&'a str>,
    pub created_by: Option<i64>,
}

pub async fn insert_project(db: &Db, p: &NewProject<'_>) -> Result<Option<i64>, sqlx::Error> {
    let now = now();
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into pm_project (parent_id, kind, code, title, description, organisation_id,
                 starts_on, ends_on, created_by, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             on conflict (code) do nothing returning project_id",
        )
        .bind(p.parent_id)
        .bind(p.kind)
        .bind(p.code)
        .bind(p.title)
        .bind(p.description)
        .bind(p.organisation_id)
        .bind(p.starts_on)
        .bind(p.ends_on)
        .bind(p.created_by)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
}

pub async fn insert_stage(
    db: &Db,
    project_id: i64,
    title: &str,
    due_on: Option<&str>,
) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into pm_stage (project_id, title, sort_order, due_on, created_at)
             values ($1, $2, (select coalesce(max(sort_order), 0) + 1 from pm_stage where project_id = $1), $3, $4)
             returning stage_id",
        )
        .bind(project_id)
        .bind(title)
        .bind(due_on)
        .bind(now())
        .fetch_one(pool)
        .await
    })
}

pub async fn insert_milestone(
    db: &Db,
    project_id: i64,
    stage_id: Option<i64>,
    title: &str,
    due_on: &str,
) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into pm_milestone (project_id, stage_id, title, due_on, created_at)
             values ($1, $2, $3, $4, $5) returning milestone_id",
        )
        .bind(project_id)
        .bind(stage_id)
        .bind(title)
        .bind(due_on)
        .bind(now())
        .fetch_one(pool)
        .await
    })
}

async fn set_milestone_done(db: &Db, id: i64, done: bool) -> Result<Option<i64>, sqlx::Error> {
    let at = done.then(now);
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "update pm_milestone set done_at = $2 where milestone_id = $1 returning project_id",
        )
        .bind(id)
        .bind(at)
        .fetch_optional(pool)
        .await
    })
}

/// Creating projects is for administrators and the officers of the
/// project's organisation.
fn may_manage(user: &CurrentUser, organisation_id: &str) -> bool {
    user.is_admin() || user.is_officer_of(organisation_id)
}

fn today() -> String {
    super::orders::date_string(now().to_offset(crate::workflow::sla::MSK).date())
}

fn date_opt(s: &str) -> AppResult<Option<String>> {
    match s.trim() {
        "" => Ok(None),
        d => crate::web::i18n::parse_iso_date(d)
            .map(|d| Some(super::orders::date_string(d)))
            .ok_or_else(|| {
                AppError::invalid("Дата в формате ГГГГ-ММ-ДД.", "A date as YYYY-MM-DD.")
            }),
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /pm/projects`
pub async fn list(
    ctx: PageCtx,
    _: Core,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = ProjectTexts::get(l);
    let all = projects(&db).await?;
    let counts: BTreeMap<String, Counts> =
        super::tally::counts(&db, super::tally::Scope::Project, now())
            .await?
            .into_iter()
            .filter_map(|c| c.key.clone().map(|k| (k, c)))
            .collect();
    let orgs = super::dashboard::org_map(&db).await?;
    let table = Table {
        name: "projects".into(),
        headers: vec![
            tx.code.into(),
            tx.project_programme.into(),
            tx.organisation.into(),
            tx.orders_count.into(),
            tx.done.into(),
            tx.overdue.into(),
            tx.done_share.into(),
        ],
        rows: all
            .iter()
            .map(|p| {
                let c = counts
                    .get(&p.project_id.to_string())
                    .cloned()
                    .unwrap_or_default();
                vec![
                    Cell::Text(p.code.clone()),
                    Cell::Link(p.title.clone(), format!("/pm/projects/{}", p.project_id)),
                    Cell::Text(
                        orgs.get(&p.organisation_id)
                            .map(|o| l.pick(&o.short_name_ru, &o.short_name_en).to_owned())
                            .unwrap_or_default(),
                    ),
                    Cell::Int(c.total),
                    Cell::Int(c.done),
                    Cell::Int(c.overdue),
                    Cell::Share(c.share(c.done)),
                ]
            })
            .collect(),
    };
    if let Some(r) = table.download(Format::parse(q.format.as_deref()))? {
        return Ok(r);
    }
    let org_options: Vec<(String, String)> = orgs.values().map(|o| o.option(l)).collect();
    let parents: Vec<(String, String)> = all
        .iter()
        .filter(|p| p.kind == "programme")
        .map(|p| (p.project_id.to_string(), format!("{} {}", p.code, p.title)))
        .collect();
    let kinds = vec![
        ("project".to_owned(), tx.project_lower.to_owned()),
        ("programme".to_owned(), tx.programme_lower.to_owned()),
    ];
    let errors = FieldErrors::new();
    let title = tx.projects_programmes;
    Ok(Page::new(&ctx, title)
        .crumb(tx.crumb_orders, "/pm")
        .render(html! {
            h1 { (title) }
            (super::pages::nav(l))
            p role="status" { (tx.total) strong #projects-count { (all.len()) } }
            (table.html(title))
            (links(l, "/pm/projects"))
            details {
                summary { (tx.new_project_programme) }
                form method="post" action="/pm/projects" {
                    (ctx.csrf_field())
                    (Select { name: "kind", label: tx.kind, options: &kinds, selected: "project", placeholder: None, disabled: false }.render(l, &errors))
                    (Input::new("code", tx.code, "").required().render(l, &errors))
                    (Input::new("title", tx.title, "").required().render(l, &errors))
                    (Input::new("description", tx.description, "").kind("textarea").render(l, &errors))
                    (Select { name: "organisation_id", label: tx.responsible_organisation, options: &org_options, selected: "", placeholder: Some(tx.choose), disabled: false }.render(l, &errors))
                    (Select { name: "parent_id", label: tx.part_programme, options: &parents, selected: "", placeholder: Some(tx.none), disabled: false }.render(l, &errors))
                    (Input::new("starts_on", tx.starts, "").kind("date").render(l, &errors))
                    (Input::new("ends_on", tx.ends, "").kind("date").render(l, &errors))
                    button.button type="submit" { (tx.create) }
                }
            }
        }))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ProjectForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

/// `POST /pm/projects`
pub async fn create(
    Core(user): Core,
    State(db): State<Db>,
    Form(f): Form<ProjectForm>,
) -> AppResult<Response> {
    let kind = match f.kind.as_str() {
        "programme" => "programme",
        _ => "project",
    };
    let code = f.code.trim();
    let title = f.title.trim();
    if code.is_empty()
        || code.chars().count() > 40
        || title.is_empty()
        || title.chars().count() > 300
    {
        return Err(AppError::invalid(
            "Укажите код (до 40 символов) и название (до 300).",
            "Give a code (up to 40 characters) and a title (up to 300).",
        ));
    }
    if crate::directory::queries::by_id(&db, &f.organisation_id)
        .await?
        .is_none()
    {
        return Err(AppError::invalid(
            "Выберите организацию из справочника.",
            "Choose an organisation from the directory.",
        ));
    }
    if !may_manage(&user, &f.organisation_id) {
        return Err(AppError::forbidden());
    }
    let parent_id = match f.parent_id.trim() {
        "" => None,
        p => {
            let id: i64 = p
                .parse()
                .map_err(|_| AppError::invalid("Неверная программа.", "Invalid programme."))?;
            match project(&db, id).await? {
                Some(pp) if pp.kind == "programme" => Some(id),
                _ => {
                    return Err(AppError::invalid(
                        "Проект входит только в программу.",
                        "A project can only be part of a programme.",
                    ));
                }
            }
        }
    };
    let starts = date_opt(&f.starts_on)?;
    let ends = date_opt(&f.ends_on)?;
    if let (Some(s), Some(e)) = (&starts, &ends)
        && e < s
    {
        return Err(AppError::invalid(
            "Окончание раньше начала.",
            "The end is before the start.",
        ));
    }
    let id = insert_project(
        &db,
        &NewProject {
            parent_id,
            kind,
            code,
            title,
            description: f.description.trim(),
            organisation_id: &f.organisation_id,
            starts_on: starts.as_deref(),
            ends_on: ends.as_deref(),
            created_by: Some(user.account_id),
        },
    )
    .await?
    .ok_or_else(|| {
        AppError::conflict(
            "code_taken",
            Msg::new(
                "Проект с таким кодом уже есть.",
                "A project with this code already exists.",
            ),
        )
    })?;
    Ok(Redirect::to(&format!("/pm/projects/{id}")).into_response())
}

/// `GET /pm/projects/{id}`: the breakdown with stages, orders and roadmap.
pub async fn show(
    ctx: PageCtx,
    Core(user): Core,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = ProjectTexts::get(l);
    let p = project(&db, id).await?.ok_or_else(AppError::not_found)?;
    let stages = stages(&db, id).await?;
    let miles = milestones(&db, id).await?;
    let orders = queries::list_orders(
        &db,
        &OrderFilter {
            project_id: Some(id),
            roots_only: true,
            limit: 5000,
            ..Default::default()
        },
    )
    .await?;
    let children: Vec<ProjectRow> = projects(&db)
        .await?
        .into_iter()
        .filter(|c| c.parent_id == Some(id))
        .collect();
    let at = now();
    let today = today();
    let manage = may_manage(&user, &p.organisation_id);
    let errors = FieldErrors::new();
    let stage_options: Vec<(String, String)> = stages
        .iter()
        .map(|s| (s.stage_id.to_string(), s.title.clone()))
        .collect();
    let order_list = |stage: Option<i64>| {
        let rows: Vec<&queries::OrderRow> = orders.iter().filter(|o| o.stage_id == stage).collect();
        html! {
            @if rows.is_empty() { p.muted { (tx.no_orders) } } @else {
                ul.pm-tasks {
                    @for o in rows {
                        li.overdue[o.is_overdue(at)] {
                            a href={ "/pm/orders/" (o.order_id) } { "№ " (o.order_id) ": " (o.title) }
                            " — " (o.state().label(l)) " · " (tx.due_lower) " " (datetime(l, o.deadline))
                            @if o.is_overdue(at) { " · " strong { (tx.overdue_lower) } }
                        }
                    }
                }
            }
        }
    };
    Ok(Page::new(&ctx, p.title.clone())
        .crumb(tx.crumb_orders, "/pm")
        .crumb(tx.projects_programmes, "/pm/projects")
        .render(html! {
            h1 { (p.code) " " (p.title) }
            (super::pages::nav(l))
            p { (if p.kind == "programme" { tx.programme } else { tx.project })
                @if let (Some(s), Some(e)) = (&p.starts_on, &p.ends_on) { " · " (shown_date(l, s)) " — " (shown_date(l, e)) } }
            @if !p.description.is_empty() { p { (p.description) } }
            @if !children.is_empty() {
                section aria-labelledby="children-h" {
                    h2 #children-h { (tx.programme_s_projects) }
                    ul { @for c in &children { li { a href={ "/pm/projects/" (c.project_id) } { (c.code) " " (c.title) } } } }
                }
            }
            section #wbs aria-labelledby="wbs-h" {
                h2 #wbs-h { (tx.work_breakdown) }
                @for s in &stages {
                    section.pm-stage {
                        h3 { (s.sort_order) ". " (s.title) @if let Some(d) = &s.due_on { " — " (tx.due_by) " " (shown_date(l, d)) } }
                        (order_list(Some(s.stage_id)))
                        @if manage { p { a href={ "/pm/orders/new?project=" (id) "&stage=" (s.stage_id) } { (tx.give_order_stage) } } }
                    }
                }
                section.pm-stage {
                    h3 { (tx.outside_stages) }
                    (order_list(None))
                    @if manage { p { a href={ "/pm/orders/new?project=" (id) } { (tx.give_order_project) } } }
                }
            }
            section #roadmap aria-labelledby="roadmap-h" {
                h2 #roadmap-h { (tx.roadmap) }
                @if miles.is_empty() { p { (tx.no_roadmap_events) } } @else {
                    div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) { table {
                        thead { tr { th scope="col" { (tx.checkpoint) } th scope="col" { (tx.due) } th scope="col" { (tx.state) } } }
                        tbody {
                            @for m in &miles {
                                @let late = m.done_at.is_none() && m.due_on < today;
                                tr.overdue[late] {
                                    td { (m.title) }
                                    td { (shown_date(l, &m.due_on)) }
                                    td {
                                        @if m.done_at.is_some() { (tx.reached) }
                                        @else if late { strong { (tx.overdue_fem) } }
                                        @else { (tx.upcoming) }
                                        @if manage {
                                            form.inline method="post" action={ "/pm/milestones/" (m.milestone_id) "/done" } {
                                                (ctx.csrf_field())
                                                input type="hidden" name="done" value=(if m.done_at.is_some() { "0" } else { "1" });
                                                " " button.link type="submit" { (if m.done_at.is_some() { tx.unmark } else { tx.mark_reached }) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
            @if manage {
                details {
                    summary { (tx.add_stage) }
                    form method="post" action={ "/pm/projects/" (id) "/stages" } {
                        (ctx.csrf_field())
                        (Input::new("title", tx.stage, "").required().render(l, &errors))
                        (Input::new("due_on", tx.due, "").kind("date").render(l, &errors))
                        button.button type="submit" { (tx.add) }
                    }
                }
                details {
                    summary { (tx.add_roadmap_event) }
                    form method="post" action={ "/pm/projects/" (id) "/milestones" } {
                        (ctx.csrf_field())
                        (Input::new("title", tx.event, "").required().render(l, &errors))
                        (Input::new("due_on", tx.due, "").kind("date").required().render(l, &errors))
                        (Select { name: "stage_id", label: tx.stage, options: &stage_options, selected: "", placeholder: Some(tx.no_stage), disabled: false }.render(l, &errors))
                        button.button type="submit" { (tx.add) }
                    }
                }
            }
        }))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct StageForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    stage_id: String,
}

impl StageForm {
    /// The title, trimmed: 1 to 300 characters, else `missing`.
    fn title(&self, missing: Msg) -> AppResult<&str> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(AppError::unprocessable("invalid_input", missing));
        }
        Ok(title)
    }
}

async fn managed(db: &Db, user: &CurrentUser, id: i64) -> AppResult<ProjectRow> {
    let p = project(db, id).await?.ok_or_else(AppError::not_found)?;
    if !may_manage(user, &p.organisation_id) {
        return Err(AppError::forbidden());
    }
    Ok(p)
}

/// `POST /pm/projects/{id}/stages`
pub async fn add_stage(
    user: CurrentUser,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Form(f): Form<StageForm>,
) -> AppResult<Response> {
    managed(&db, &user, id).await?;
    let title = f.title(Msg::new(
        "Укажите название этапа (до 300 символов).",
        "Give the stage's title (up to 300 characters).",
    ))?;
    insert_stage(&db, id, title, date_opt(&f.due_on)?.as_deref()).await?;
    Ok(Redirect::to(&format!("/pm/projects/{id}#wbs")).into_response())
}

/// `POST /pm/projects/{id}/milestones`
pub async fn add_milestone(
    user: CurrentUser,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Form(f): Form<StageForm>,
) -> AppResult<Response> {
    managed(&db, &user, id).await?;
    let title = f.title(Msg::new(
        "Укажите событие (до 300 символов).",
        "Give the event (up to 300 characters).",
    ))?;
    let due = date_opt(&f.due_on)?.ok_or_else(|| {
        AppError::invalid(
            "Укажите срок контрольной точки.",
            "Give the event's due date.",
        )
    })?;
    let stage_id = match f.stage_id.trim() {
        "" => None,
        s => {
            let sid: i64 = s
                .parse()
                .map_err(|_| AppError::invalid("Неверный этап.", "Invalid stage."))?;
            if !stages(&db, id).await?.iter().any(|x| x.stage_id == sid) {
                return Err(AppError::invalid(
                    "Этот этап из другого проекта.",
                    "The stage belongs to another project.",
                ));
            }
            Some(sid)
        }
    };
    insert_milestone(&db, id, stage_id, title, &due).await?;
    Ok(Redirect::to(&format!("/pm/projects/{id}#roadmap")).into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
}

/// `POST /pm/milestones/{id}/done`
pub async fn milestone_done(
    Core(user): Core,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    let project_id = on_db!(&db, |pool| {
        sqlx::query_scalar::<_, i64>("select project_id from pm_milestone where milestone_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })?
    .ok_or_else(AppError::not_found)?;
    managed(&db, &user, project_id).await?;
    set_milestone_done(&db, id, f.done != "0").await?;
    Ok(Redirect::to(&format!("/pm/projects/{project_id}#roadmap")).into_response())
}

texts!(ProjectTexts {
    code: "Код", "Code";
    project_programme: "Проект или программа", "Project or programme";
    organisation: "Организация", "Organisation";
    orders_count: "Поручений", "Orders";
    done: "Исполнено", "Done";
    overdue: "Просрочено", "Overdue";
    done_share: "Доля исполненных, %", "Done, %";
    project_lower: "проект", "project";
    programme_lower: "программа", "programme";
    projects_programmes: "Проекты и программы", "Projects and programmes";
    crumb_orders: "Управление поручениями", "Orders";
    total: "Всего: ", "Total: ";
    new_project_programme: "Новый проект или программа", "A new project or programme";
    kind: "Вид", "Kind";
    title: "Название", "Title";
    description: "Описание", "Description";
    responsible_organisation: "Ответственная организация", "Responsible organisation";
    choose: "— выберите —", "— choose —";
    part_programme: "В составе программы", "Part of the programme";
    none: "— нет —", "— none —";
    starts: "Начало", "Starts";
    ends: "Окончание", "Ends";
    create: "Создать", "Create";
    no_orders: "Поручений нет.", "No orders.";
    due_lower: "срок", "due";
    overdue_lower: "просрочено", "overdue";
    programme: "Программа", "Programme";
    project: "Проект", "Project";
    programme_s_projects: "Проекты программы", "The programme's projects";
    work_breakdown: "Структура работ", "Work breakdown";
    due_by: "до", "due";
    give_order_stage: "Дать поручение в рамках этапа", "Give an order in this stage";
    outside_stages: "Вне этапов", "Outside stages";
    give_order_project: "Дать поручение по проекту", "Give an order for the project";
    roadmap: "Дорожная карта", "Roadmap";
    no_roadmap_events: "Контрольных точек нет.", "No roadmap events.";
    checkpoint: "Контрольная точка", "Event";
    due: "Срок", "Due";
    state: "Состояние", "State";
    reached: "достигнута", "reached";
    overdue_fem: "просрочена", "overdue";
    upcoming: "ожидается", "upcoming";
    unmark: "отменить отметку", "unmark";
    mark_reached: "отметить достигнутой", "mark reached";
    add_stage: "Добавить этап", "Add a stage";
    stage: "Этап", "Stage";
    add: "Добавить", "Add";
    add_roadmap_event: "Добавить контрольную точку", "Add a roadmap event";
    event: "Событие", "Event";
    no_stage: "— без этапа —", "— no stage —";
});
