//! Delegation, assignment, a new order, and attachments.

use super::*;
use crate::db::Db;
use crate::texts;

#[derive(Debug, serde::Deserialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    executor_id: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    stage_id: String,
    #[serde(default)]
    creator_organisation_id: String,
    /// A dictation whose recording the new order keeps (`dictate.rs`).
    #[serde(default)]
    dictation: String,
}

impl DraftForm {
    fn parse(&self) -> AppResult<OrderDraft> {
        let executor_id = match self.executor_id.trim() {
            "" => None,
            e => Some(e.parse::<i64>().map_err(|_| {
                AppError::invalid(
                    "Исполнитель: номер учётной записи.",
                    "Executor: an account number.",
                )
            })?),
        };
        let opt_id = |s: &str| -> AppResult<Option<i64>> {
            match s.trim() {
                "" => Ok(None),
                v => v.parse::<i64>().map(Some).map_err(|_| {
                    AppError::invalid(
                        "Неверный номер проекта или этапа.",
                        "Invalid project or stage number.",
                    )
                }),
            }
        };
        Ok(OrderDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            source: Source::parse(&self.source).unwrap_or(Source::Manual),
            organisation_id: self.organisation_id.trim().to_owned(),
            executor_id,
            deadline: parse_deadline(&self.deadline)?,
            priority: Priority::parse(&self.priority).unwrap_or(Priority::Normal),
            required: self.required.is_some(),
            project_id: opt_id(&self.project_id)?,
            stage_id: opt_id(&self.stage_id)?,
            creator_organisation_id: (!self.creator_organisation_id.trim().is_empty())
                .then(|| self.creator_organisation_id.trim().to_owned()),
        })
    }
}

/// `POST /pm/orders/{id}/delegate`
pub async fn delegate(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> AppResult<Response> {
    let d = f.parse()?;
    let child = orders::delegate(&state, &user, id, &d).await?;
    Ok(Redirect::to(&format!("/pm/orders/{child}")).into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    executor_id: String,
}

/// `POST /pm/orders/{id}/assign`
pub async fn assign(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    let e = match f.executor_id.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            AppError::invalid(
                "Выберите исполнителя из списка.",
                "Choose the executor from the list.",
            )
        })?),
    };
    orders::assign(&state, &user, id, e).await?;
    Ok(Redirect::to(&format!("/pm/orders/{id}")).into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    project: String,
    #[serde(default)]
    stage: String,
}

/// What the order form shows filled in: empty for a new order, the
/// dictation's draft for a dictated one.
#[derive(Debug, Default)]
pub struct Prefill {
    pub title: String,
    pub description: String,
    pub organisation_id: String,
    pub executor_id: String,
    pub deadline: String,
    pub priority: String,
    pub project: String,
    pub stage: String,
}

/// The order form: `action` receives it; `hidden` adds fields (a
/// dictation's id); `staff` (a dictation's draft) offers the executor.
pub async fn order_form(
    ctx: &PageCtx,
    user: &CurrentUser,
    db: &Db,
    p: &Prefill,
    action: &str,
    hidden: Markup,
    staff: Option<&[(String, String)]>,
) -> AppResult<Markup> {
    let l = ctx.locale;
    let tx = OrderFormTexts::get(l);
    let orgs = super::super::dashboard::org_map(db).await?;
    let all: Vec<(String, String)> = orgs
        .values()
        .map(|x| {
            (
                x.organisation_id.clone(),
                l.pick(&x.name_ru, &x.name_en).to_owned(),
            )
        })
        .collect();
    let mine: Vec<(String, String)> = user
        .memberships
        .iter()
        .map(|m| {
            (
                m.organisation_id.clone(),
                l.pick(&m.name_ru, &m.name_en).to_owned(),
            )
        })
        .collect();
    let priorities: Vec<(String, String)> = ALL_PRIORITIES
        .iter()
        .map(|p| (p.as_str().into(), p.label(l).into()))
        .collect();
    let sources: Vec<(String, String)> =
        [Source::Manual, Source::Meeting, Source::FederalProgramme]
            .iter()
            .map(|s| (s.as_str().into(), s.label(l).into()))
            .collect();
    let errors = crate::web::components::FieldErrors::new();
    let priority = if p.priority.is_empty() {
        "normal"
    } else {
        p.priority.as_str()
    };
    Ok(html! {
        form method="post" action=(action) {
            (ctx.csrf_field())
            (hidden)
            (crate::web::components::Input::new("title", tx.title, &p.title).required().render(l, &errors))
            (crate::web::components::Input::new("description", tx.description, &p.description).kind("textarea").render(l, &errors))
            (crate::web::components::Select { name: "organisation_id", label: tx.responsible_organisation, options: &all, selected: &p.organisation_id, placeholder: Some(tx.choose), disabled: false }.render(l, &errors))
            @if let Some(staff) = staff {
                (crate::web::components::Select { name: "executor_id", label: tx.executor, options: staff, selected: &p.executor_id, placeholder: Some(tx.no_executor), disabled: false }.render(l, &errors))
            }
            @if !mine.is_empty() {
                (crate::web::components::Select { name: "creator_organisation_id", label: tx.behalf, options: &mine, selected: "", placeholder: Some(tx.personally), disabled: false }.render(l, &errors))
            }
            (crate::web::components::Input::new("deadline", tx.deadline, &p.deadline).date_from(crate::web::components::today_msk(), DEADLINE_YEARS).required().render(l, &errors))
            (crate::web::components::Select { name: "priority", label: tx.priority, options: &priorities, selected: priority, placeholder: None, disabled: false }.render(l, &errors))
            (crate::web::components::Select { name: "source", label: tx.source, options: &sources, selected: "manual", placeholder: None, disabled: false }.render(l, &errors))
            input type="hidden" name="project_id" value=(p.project);
            input type="hidden" name="stage_id" value=(p.stage);
            input type="hidden" name="required" value="on";
            button.button type="submit" { (tx.give_order_submit) }
        }
    })
}

/// `GET /pm/orders/new`
pub async fn new_form(
    ctx: PageCtx,
    Core(user): Core,
    State(db): State<Db>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = OrderFormTexts::get(l);
    let prefill = Prefill {
        project: q.project,
        stage: q.stage,
        ..Prefill::default()
    };
    let form = order_form(&ctx, &user, &db, &prefill, "/pm/orders", html! {}, None).await?;
    let title = tx.give_order;
    Ok(Page::new(&ctx, title)
        .crumb(tx.crumb_orders, "/pm")
        .render(html! {
            h1 { (title) }
            (nav(l))
            p { a href="/pm/orders/dictate" { (tx.dictate_instead) } }
            (form)
        }))
}

/// `POST /pm/orders`
pub async fn create(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<DraftForm>,
) -> AppResult<Response> {
    let d = f.parse()?;
    let id = match f.dictation.trim() {
        "" => orders::create(&state, &user, &d).await?,
        v => {
            let dictation = v.parse::<i64>().map_err(|_| AppError::not_found())?;
            orders::create_dictated(&state, &user, &d, dictation).await?
        }
    };
    Ok(Redirect::to(&format!("/pm/orders/{id}")).into_response())
}

/// `GET /pm/attachments/{id}`: the order's sides and those above them
/// (`orders::may_read_files`); documents are downloaded, never rendered in
/// the page's origin.
pub async fn attachment(
    Core(user): Core,
    State(db): State<Db>,
    State(media): State<crate::media::MediaStore>,
    Path(id): Path<i64>,
    method: axum::http::Method,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let a = queries::attachment(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let o = queries::order(&db, a.order_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !orders::may_read_files(&db, &o, &user).await? {
        return Err(AppError::client(
            axum::http::StatusCode::FORBIDDEN,
            "not_your_order",
            Msg::new(
                "Файлы поручения доступны его сторонам и вышестоящим организациям.",
                "An order's files are open to its sides and the organisations above them.",
            ),
        ));
    }
    let mut r = if a.is_photo {
        crate::media::read(&media, &a.media_key, "full")
            .await
            .map_err(AppError::Internal)?
            .ok_or_else(AppError::not_found)?
            .into_response()
    } else {
        // Streamed from the store, ranges answered (a dictation's audio is
        // sought in by players).
        media
            .serve(&crate::media::file_key(&a.media_key), &method, &headers)
            .await
            .map_err(AppError::Internal)?
            .ok_or_else(AppError::not_found)?
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=600"),
    );
    let name: String = url::form_urlencoded::byte_serialize(a.file_name.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}; filename*=UTF-8''{name}",
        if a.is_photo { "inline" } else { "attachment" }
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

texts!(OrderFormTexts {
    give_order: "Дать поручение", "Give an order";
    crumb_orders: "Управление поручениями", "Orders";
    title: "Заголовок", "Title";
    description: "Описание", "Description";
    responsible_organisation: "Ответственная организация", "Responsible organisation";
    choose: "— выберите —", "— choose —";
    behalf: "От имени организации", "On behalf of";
    personally: "— лично —", "— personally —";
    deadline: "Срок", "Deadline";
    priority: "Приоритет", "Priority";
    source: "Источник", "Source";
    give_order_submit: "Дать поручение", "Give the order";
    executor: "Исполнитель", "Executor";
    no_executor: "— не назначен —", "— not assigned —";
    dictate_instead: "Продиктовать поручение голосом", "Dictate the order";
});
