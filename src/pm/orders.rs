//! Every change to an order, each in the caller's transaction or its own:
//! the rule (`domain::decide`), the row, the event, attachments, the
//! cascade down the delegation vertical, and the messages that follow
//! (the citizen's reaction, referrals, webhooks to outside systems).

use axum::http::StatusCode;
use time::{Date, OffsetDateTime};

use super::domain::{self, OrderAction, OrderState, Outcome, Refusal, Side, Source};
use super::queries::{self, NewEvent, NewOrder, OrderRow};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::integration::exchange::{self, LOCAL};
use crate::integration::messages::{self as m, Body};
use crate::integration::partners::{self, Partner};

/// Who acts on an order.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    Person(&'a CurrentUser),
    Partner(&'a Partner),
    /// The core itself (automatic acceptance, messages from the portal).
    System,
}

impl Actor<'_> {
    fn account_id(&self) -> Option<i64> {
        match self {
            Actor::Person(u) => Some(u.account_id),
            _ => None,
        }
    }

    fn label(&self) -> String {
        match self {
            Actor::Partner(p) => p.name.clone(),
            _ => String::new(),
        }
    }
}

pub fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::Role(m) => AppError::client(StatusCode::FORBIDDEN, "not_your_role", m),
        Refusal::State(m) => AppError::client(StatusCode::CONFLICT, "transition_not_allowed", m),
        Refusal::Input(m) => AppError::unprocessable("invalid_input", m),
    }
}

/// Whether a person works in the core at all (staff pages).
pub fn is_staff(u: &CurrentUser) -> bool {
    u.is_admin() || !u.memberships.is_empty()
}

/// The side a person is on for an order.
pub fn side_of(o: &OrderRow, u: &CurrentUser) -> Side {
    if u.is_admin() {
        return Side::Both;
    }
    let assignee = u
        .memberships
        .iter()
        .any(|m| m.organisation_id == o.organisation_id)
        || o.executor_id == Some(u.account_id);
    let creator = o.creator_id == Some(u.account_id)
        || o.creator_organisation_id
            .as_deref()
            .is_some_and(|c| u.is_officer_of(c));
    match (assignee, creator) {
        (true, true) => Side::Both,
        (true, false) => Side::Assignee,
        (false, true) => Side::Creator,
        (false, false) => Side::Reader,
    }
}

/// Whether a person may read an order's files: its sides (the giver, the
/// responsible organisation's members, the executor), administrators, and
/// members of the organisations above the responsible or the giving one in
/// the directory (a portfolio over its departments). Other staff read the
/// order, not its files: attachment ids are sequential, so a check by id
/// alone would hand every file to every staff member.
pub async fn may_read_files(db: &Db, o: &OrderRow, u: &CurrentUser) -> AppResult<bool> {
    if !matches!(side_of(o, u), Side::Reader) {
        return Ok(true);
    }
    for org in std::iter::once(&o.organisation_id).chain(o.creator_organisation_id.as_ref()) {
        let mut current = crate::directory::queries::by_id(db, org)
            .await?
            .and_then(|x| x.parent_id);
        // The directory is a tree a few levels deep; the bound guards
        // against a cycle typed by hand.
        for _ in 0..20 {
            let Some(above) = current else { break };
            if u.memberships.iter().any(|m| m.organisation_id == above) {
                return Ok(true);
            }
            current = crate::directory::queries::by_id(db, &above)
                .await?
                .and_then(|x| x.parent_id);
        }
    }
    Ok(false)
}

/// Photos attached to orders, for `media`: shown to those who may read the
/// order's files (`may_read_files`), never publicly.
pub struct OrderPhotos;

#[async_trait::async_trait]
impl crate::media::PhotoRule for OrderPhotos {
    async fn visibility(
        &self,
        db: &Db,
        key: &str,
        user: Option<&CurrentUser>,
    ) -> AppResult<Option<crate::media::Visibility>> {
        let Some(order_id) = queries::photo_order(db, key).await? else {
            return Ok(None);
        };
        let visible = match (queries::order(db, order_id).await?, user) {
            (Some(o), Some(u)) => is_staff(u) && may_read_files(db, &o, u).await?,
            _ => false,
        };
        Ok(Some(crate::media::Visibility {
            public: false,
            visible,
        }))
    }
}

/// A file attached to an action: a photo (already cleaned and stored) or a
/// document (stored as is).
pub struct Attached {
    pub key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub is_photo: bool,
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

pub fn date_string(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn open_required_children(tx: &mut Tx, id: i64) -> AppResult<i64> {
    Ok(queries::children_tx(tx, id)
        .await?
        .iter()
        .filter(|c| c.required && !c.state().is_final())
        .count() as i64)
}

/// Performs `action` on an order in one transaction.
pub async fn act(
    state: &AppState,
    order_id: i64,
    actor: Actor<'_>,
    action: OrderAction,
    files: &[Attached],
) -> AppResult<OrderRow> {
    let mut tx = state.db.begin().await?;
    let o = act_in(&mut tx, state, order_id, actor, action, files).await?;
    tx.commit().await?;
    state.exchange.notify();
    Ok(o)
}

/// Performs `action` inside the caller's transaction.
pub async fn act_in(
    tx: &mut Tx,
    state: &AppState,
    order_id: i64,
    actor: Actor<'_>,
    action: OrderAction,
    files: &[Attached],
) -> AppResult<OrderRow> {
    let mut o = queries::order_tx(tx, order_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let side = match actor {
        Actor::Person(u) => side_of(&o, u),
        Actor::Partner(p) => {
            if partners::may_act_for(tx, p, &o.organisation_id).await? {
                Side::Assignee
            } else {
                return Err(foreign_order());
            }
        }
        Actor::System => Side::Both,
    };
    if let OrderAction::Refer {
        organisation_id, ..
    } = &action
        && !crate::workflow::queries::organisation_exists(tx, organisation_id).await?
    {
        return Err(AppError::unprocessable(
            "unknown_organisation",
            Msg::new(
                "Такой организации нет в справочнике.",
                "There is no such organisation in the directory.",
            ),
        ));
    }
    let current = domain::Current {
        state: o.state(),
        open_required_children: open_required_children(tx, order_id).await?,
        organisation_id: o.organisation_id.clone(),
        answers_citizen: o.appeal_id.is_some() && o.parent_id.is_none(),
    };
    let today = now().to_offset(crate::workflow::sla::MSK).date();
    let effect = domain::decide(&current, side, &action, today).map_err(refusal)?;
    let from = o.state.clone();
    o.state = effect.to.as_str().to_owned();
    match &action {
        OrderAction::SubmitReport {
            text,
            outcome,
            planned_date,
        } => {
            o.report_text = Some(text.trim().to_owned());
            o.report_outcome = outcome.map(|x| x.as_str().to_owned());
            o.report_planned_date = planned_date.map(date_string);
        }
        OrderAction::AcceptReport => o.done_at = Some(now()),
        OrderAction::Refer {
            organisation_id, ..
        } => {
            o.organisation_id = organisation_id.clone();
            o.executor_id = None;
        }
        _ => {}
    }
    queries::save_order(tx, &o).await?;
    let event_id = queries::insert_event(
        tx,
        &NewEvent {
            order_id,
            kind: action.event_kind(),
            from_state: Some(&from),
            to_state: Some(&o.state),
            actor_id: actor.account_id(),
            actor_label: &actor.label(),
            note: &effect.note,
        },
    )
    .await?;
    for f in files {
        queries::insert_attachment(
            tx,
            &queries::NewAttachment {
                order_id,
                event_id: Some(event_id),
                media_key: &f.key,
                file_name: &f.file_name,
                content_type: &f.content_type,
                size: f.size,
                is_photo: f.is_photo,
            },
        )
        .await?;
    }
    match &action {
        OrderAction::Cancel { reason } => cancel_below(tx, order_id, reason).await?,
        OrderAction::Refer {
            organisation_id,
            reason,
        } => {
            // The old organisation's delegation ends with the referral.
            cancel_below(tx, order_id, reason).await?;
            if let (Some(appeal_id), None, false) =
                (o.appeal_id, o.parent_id, matches!(actor, Actor::System))
            {
                exchange::emit(
                    tx,
                    &destination(&o),
                    Body::RequestReferred(m::Referred {
                        appeal_id,
                        organisation_id: organisation_id.clone(),
                        reason: reason.clone(),
                    }),
                )
                .await?;
            }
        }
        OrderAction::SubmitReport { .. } if o.system_created() => {
            // Nobody gave this order but the portal: the organisation's own
            // report is the answer it owes the citizen.
            o.state = OrderState::Done.as_str().to_owned();
            o.done_at = Some(now());
            queries::save_order(tx, &o).await?;
            queries::insert_event(
                tx,
                &NewEvent {
                    order_id,
                    kind: "report_accepted",
                    from_state: Some(OrderState::ReportSubmitted.as_str()),
                    to_state: Some(OrderState::Done.as_str()),
                    actor_id: None,
                    actor_label: "",
                    note: "",
                },
            )
            .await?;
        }
        _ => {}
    }
    if o.state() == OrderState::Done && from != OrderState::Done.as_str() {
        order_done(tx, state, &o).await?;
    }
    webhooks(tx, &o).await?;
    tracing::info!(order_id, from, to = %o.state, action = action.event_kind(), "order changed");
    Ok(o)
}

fn foreign_order() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        "not_your_organisation",
        Msg::new(
            "Это поручение другой организации: ваш ключ к нему не допущен.",
            "This order belongs to another organisation: your key may not touch it.",
        ),
    )
}

/// Where the request behind an order lives.
fn destination(o: &OrderRow) -> String {
    if o.origin == LOCAL {
        LOCAL.to_owned()
    } else {
        o.origin.clone()
    }
}

/// Cancels every open order below `id`, recording why.
async fn cancel_below(tx: &mut Tx, id: i64, reason: &str) -> AppResult<()> {
    let mut stack = vec![id];
    while let Some(parent) = stack.pop() {
        for mut c in queries::children_tx(tx, parent).await? {
            stack.push(c.order_id);
            if c.state().is_final() {
                continue;
            }
            let from = c.state.clone();
            c.state = OrderState::Cancelled.as_str().to_owned();
            queries::save_order(tx, &c).await?;
            queries::insert_event(
                tx,
                &NewEvent {
                    order_id: c.order_id,
                    kind: "cancelled",
                    from_state: Some(&from),
                    to_state: Some(&c.state),
                    actor_id: None,
                    actor_label: "",
                    note: reason,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// A root order answering a citizen is done: its report goes back as the
/// official reaction.
async fn order_done(tx: &mut Tx, state: &AppState, o: &OrderRow) -> AppResult<()> {
    let (Some(appeal_id), None) = (o.appeal_id, o.parent_id) else {
        return Ok(());
    };
    let outcome = o
        .report_outcome
        .as_deref()
        .and_then(Outcome::parse)
        .unwrap_or(Outcome::Resolved);
    let mut photos = Vec::new();
    for key in queries::report_photos_tx(tx, o.order_id).await? {
        let path = state
            .config
            .media_dir()
            .join("photos")
            .join(format!("{key}-full.jpg"));
        match tokio::fs::read(&path).await {
            Ok(bytes) => photos.push(m::Photo {
                content_type: "image/jpeg".into(),
                data: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes),
            }),
            Err(e) => tracing::warn!(key, error = %e, "report photo missing; sent without it"),
        }
    }
    exchange::emit(
        tx,
        &destination(o),
        Body::OrderReported(m::OrderReported {
            appeal_id,
            order_id: o.order_id,
            outcome,
            text: o.report_text.clone().unwrap_or_default(),
            planned_date: o.report_planned_date.clone(),
            photos,
        }),
    )
    .await?;
    Ok(())
}

/// Outside systems that follow the order's organisation hear of the change.
async fn webhooks(tx: &mut Tx, o: &OrderRow) -> AppResult<()> {
    for partner in partners::watching(tx, &o.organisation_id).await? {
        exchange::emit(tx, &partner, Body::OrderUpdated(snapshot(o))).await?;
    }
    Ok(())
}

pub fn snapshot(o: &OrderRow) -> m::OrderSnapshot {
    m::OrderSnapshot {
        order_id: o.order_id,
        parent_id: o.parent_id,
        title: o.title.clone(),
        description: o.description.clone(),
        source: o.source.clone(),
        organisation_id: o.organisation_id.clone(),
        state: o.state.clone(),
        priority: o.priority.clone(),
        deadline: o.deadline,
        request_url: o.appeal_url.clone(),
    }
}

/// What a new order says, from a form or the API.
pub struct OrderDraft {
    pub title: String,
    pub description: String,
    pub source: Source,
    pub organisation_id: String,
    pub executor_id: Option<i64>,
    pub deadline: OffsetDateTime,
    pub priority: domain::Priority,
    pub required: bool,
    pub project_id: Option<i64>,
    pub stage_id: Option<i64>,
    /// The organisation the creator gives the order for.
    pub creator_organisation_id: Option<String>,
}

fn invalid(ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::unprocessable("invalid_input", Msg::new(ru.into(), en.into()))
}

async fn check_draft(tx: &mut Tx, d: &OrderDraft) -> AppResult<(String, String)> {
    let title = domain::need_text("заголовок", "title", &d.title).map_err(refusal)?;
    if title.chars().count() > 300 {
        return Err(invalid(
            "Заголовок длиннее 300 символов.",
            "The title is longer than 300 characters.",
        ));
    }
    let description = d.description.trim().to_owned();
    if description.chars().count() > 8000 {
        return Err(invalid(
            "Описание длиннее 8000 символов.",
            "The description is longer than 8,000 characters.",
        ));
    }
    if !crate::workflow::queries::organisation_exists(tx, &d.organisation_id).await? {
        return Err(invalid(
            "Выберите ответственную организацию из справочника.",
            "Choose the responsible organisation from the directory.",
        ));
    }
    if let Some(e) = d.executor_id
        && !queries::is_member(tx, e, &d.organisation_id).await?
    {
        return Err(invalid(
            "Исполнитель должен быть сотрудником ответственной организации.",
            "The executor must work in the responsible organisation.",
        ));
    }
    if d.deadline < now() {
        return Err(invalid(
            "Срок исполнения уже прошёл. Укажите дату в будущем.",
            "The deadline has passed. Give a date in the future.",
        ));
    }
    check_project(tx, d.project_id, d.stage_id).await?;
    Ok((title, description))
}

/// The project and stage an order names exist, and the stage is the
/// project's: checked here, not left to a foreign key (which SQLite and
/// PostgreSQL report as a server error, and which cannot see the pairing).
async fn check_project(tx: &mut Tx, project: Option<i64>, stage: Option<i64>) -> AppResult<()> {
    let field = |code: &'static str, ru: String, en: String| {
        AppError::unprocessable(code, Msg::new(ru, en))
    };
    if let Some(p) = project
        && !queries::project_exists(tx, p).await?
    {
        return Err(field(
            "unknown_project",
            format!("project_id: проекта № {p} нет."),
            format!("project_id: there is no project No. {p}."),
        ));
    }
    if let Some(s) = stage {
        match queries::stage_project(tx, s).await? {
            None => {
                return Err(field(
                    "unknown_stage",
                    format!("stage_id: этапа № {s} нет."),
                    format!("stage_id: there is no stage No. {s}."),
                ));
            }
            Some(of) if Some(of) != project => {
                return Err(field(
                    "stage_not_in_project",
                    format!(
                        "stage_id: этап № {s} относится к проекту № {of}; укажите его в project_id."
                    ),
                    format!(
                        "stage_id: stage No. {s} belongs to project No. {of}; give that project in project_id."
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A new order given by a staff member.
pub async fn create(state: &AppState, user: &CurrentUser, d: &OrderDraft) -> AppResult<i64> {
    if !is_staff(user) {
        return Err(AppError::forbidden());
    }
    if let Some(c) = &d.creator_organisation_id
        && !(user.is_admin() || user.is_officer_of(c))
    {
        return Err(invalid(
            "Поручение можно дать только от своей организации.",
            "You can give an order only on behalf of your own organisation.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let (title, description) = check_draft(&mut tx, d).await?;
    let id = queries::insert_order(
        &mut tx,
        &NewOrder {
            parent_id: None,
            root_id: None,
            project_id: d.project_id,
            stage_id: d.stage_id,
            title: &title,
            description: &description,
            source: d.source.as_str(),
            appeal_id: None,
            appeal_url: None,
            origin: LOCAL,
            external_key: None,
            creator_id: Some(user.account_id),
            creator_organisation_id: d.creator_organisation_id.as_deref(),
            organisation_id: &d.organisation_id,
            executor_id: d.executor_id,
            deadline: d.deadline,
            priority: d.priority.as_str(),
            required: true,
        },
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("order insert returned nothing")))?;
    created_event(&mut tx, id, Some(user.account_id), "").await?;
    let o = queries::order_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    webhooks(&mut tx, &o).await?;
    tx.commit().await?;
    state.exchange.notify();
    Ok(id)
}

async fn created_event(tx: &mut Tx, id: i64, actor: Option<i64>, label: &str) -> AppResult<()> {
    queries::insert_event(
        tx,
        &NewEvent {
            order_id: id,
            kind: "created",
            from_state: None,
            to_state: Some(OrderState::New.as_str()),
            actor_id: actor,
            actor_label: label,
            note: "",
        },
    )
    .await?;
    Ok(())
}

/// Whether `org` is `ancestor` or below it in the directory.
async fn is_within(tx: &mut Tx, org: &str, ancestor: &str) -> AppResult<bool> {
    let mut current = Some(org.to_owned());
    let mut steps = 0;
    while let Some(id) = current {
        if id == ancestor {
            return Ok(true);
        }
        steps += 1;
        if steps > 20 {
            break;
        }
        current = crate::directory::queries::by_id_tx(tx, &id)
            .await?
            .and_then(|o| o.parent_id);
    }
    Ok(false)
}

/// Splits an order: a sub-order for a subordinate unit (or the same
/// organisation) and optionally one of its executors.
pub async fn delegate(
    state: &AppState,
    user: &CurrentUser,
    parent_id: i64,
    d: &OrderDraft,
) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    let mut parent = queries::order_tx(&mut tx, parent_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !matches!(side_of(&parent, user), Side::Assignee | Side::Both) {
        return Err(refusal(Refusal::Role(Msg::new(
            "Делегировать может только исполнитель поручения.",
            "Only the order's assignee can delegate it.",
        ))));
    }
    let ps = parent.state();
    if !matches!(
        ps,
        OrderState::New | OrderState::Accepted | OrderState::InProgress | OrderState::Returned
    ) {
        return Err(refusal(Refusal::State(Msg::new(
            format!(
                "Поручение в состоянии «{}» делегировать нельзя.",
                ps.label(crate::web::i18n::Locale::Ru)
            ),
            format!(
                "An order that is “{}” cannot be delegated.",
                ps.label(crate::web::i18n::Locale::En)
            ),
        ))));
    }
    let (title, description) = check_draft(&mut tx, d).await?;
    if !is_within(&mut tx, &d.organisation_id, &parent.organisation_id).await? {
        return Err(invalid(
            "Дочернее поручение даётся своей организации или подчинённому подразделению.",
            "A sub-order goes to the same organisation or a subordinate unit.",
        ));
    }
    if d.deadline > parent.deadline {
        return Err(invalid(
            "Срок дочернего поручения не может быть позже срока родительского.",
            "A sub-order cannot be due later than its parent.",
        ));
    }
    let id = queries::insert_order(
        &mut tx,
        &NewOrder {
            parent_id: Some(parent_id),
            root_id: parent.root_id.or(Some(parent_id)),
            project_id: parent.project_id,
            stage_id: parent.stage_id,
            title: &title,
            description: &description,
            source: &parent.source,
            appeal_id: parent.appeal_id,
            appeal_url: parent.appeal_url.as_deref(),
            origin: &parent.origin,
            external_key: None,
            creator_id: Some(user.account_id),
            creator_organisation_id: Some(&parent.organisation_id),
            organisation_id: &d.organisation_id,
            executor_id: d.executor_id,
            deadline: d.deadline,
            priority: d.priority.as_str(),
            required: d.required,
        },
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("order insert returned nothing")))?;
    created_event(&mut tx, id, Some(user.account_id), "").await?;
    // Delegating is working on it.
    if matches!(ps, OrderState::New | OrderState::Accepted) {
        parent.state = OrderState::InProgress.as_str().to_owned();
        queries::save_order(&mut tx, &parent).await?;
    }
    queries::insert_event(
        &mut tx,
        &NewEvent {
            order_id: parent_id,
            kind: "delegated",
            from_state: Some(ps.as_str()),
            to_state: Some(&parent.state),
            actor_id: Some(user.account_id),
            actor_label: "",
            note: &format!("№ {id}: {title}"),
        },
    )
    .await?;
    let child = queries::order_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    webhooks(&mut tx, &child).await?;
    tx.commit().await?;
    state.exchange.notify();
    Ok(id)
}

/// Assigns (or clears) the executor of an order, within its organisation.
pub async fn assign(
    state: &AppState,
    user: &CurrentUser,
    order_id: i64,
    executor_id: Option<i64>,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let mut o = queries::order_tx(&mut tx, order_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let officer = user.is_admin() || user.is_officer_of(&o.organisation_id);
    if !officer {
        return Err(refusal(Refusal::Role(Msg::new(
            "Назначить исполнителя может сотрудник ответственной организации.",
            "An officer of the responsible organisation assigns the executor.",
        ))));
    }
    if o.state().is_final() {
        return Err(refusal(Refusal::State(Msg::new(
            "Поручение уже закрыто.",
            "The order is closed.",
        ))));
    }
    if let Some(e) = executor_id
        && !queries::is_member(&mut tx, e, &o.organisation_id).await?
    {
        return Err(invalid(
            "Исполнитель должен быть сотрудником ответственной организации.",
            "The executor must work in the responsible organisation.",
        ));
    }
    o.executor_id = executor_id;
    queries::save_order(&mut tx, &o).await?;
    queries::insert_event(
        &mut tx,
        &NewEvent {
            order_id,
            kind: "assigned",
            from_state: None,
            to_state: None,
            actor_id: Some(user.account_id),
            actor_label: "",
            note: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Messages from the portal ----------------------------------------------

/// `order.requested`: the order for a routed request, created once.
pub async fn create_from_request(
    tx: &mut Tx,
    _state: &AppState,
    origin: &str,
    r: &m::OrderRequested,
) -> AppResult<()> {
    if !crate::workflow::queries::organisation_exists(tx, &r.organisation_id).await? {
        return Err(invalid(
            format!(
                "Организации «{}» нет в справочнике ядра.",
                r.organisation_id
            ),
            format!(
                "Organisation “{}” is not in the core's directory.",
                r.organisation_id
            ),
        ));
    }
    let key = format!("{origin}:request:{}:{}", r.appeal_id, r.round);
    let source = if r.kind == "construction_check" {
        Source::ConstructionCheck
    } else {
        Source::CitizenReport
    };
    let description = if r.address.is_empty() {
        r.description.clone()
    } else {
        format!("{}\n\n{}", r.address, r.description)
    };
    if let Some(id) = queries::insert_order(
        tx,
        &NewOrder {
            parent_id: None,
            root_id: None,
            project_id: None,
            stage_id: None,
            title: &r.title,
            description: &description,
            source: source.as_str(),
            appeal_id: Some(r.appeal_id),
            appeal_url: Some(&r.url),
            origin,
            external_key: Some(&key),
            creator_id: None,
            creator_organisation_id: None,
            organisation_id: &r.organisation_id,
            executor_id: None,
            deadline: r.deadline,
            priority: domain::Priority::Normal.as_str(),
            required: true,
        },
    )
    .await?
    {
        created_event(tx, id, None, "").await?;
        let o = queries::order_tx(tx, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        webhooks(tx, &o).await?;
    }
    Ok(())
}

/// `order.referred`: the request moved on the portal; its orders follow.
pub async fn refer_from_portal(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    r: &m::Referred,
) -> AppResult<()> {
    for o in queries::open_orders_for_appeal(tx, origin, r.appeal_id).await? {
        if o.organisation_id == r.organisation_id || o.state() == OrderState::ReportSubmitted {
            continue;
        }
        act_in(
            tx,
            state,
            o.order_id,
            Actor::System,
            OrderAction::Refer {
                organisation_id: r.organisation_id.clone(),
                reason: r.reason.clone(),
            },
            &[],
        )
        .await?;
    }
    Ok(())
}

/// `request.answered`: the request got its answer on the portal directly.
pub async fn close_for_request(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    r: &m::RequestAnswered,
) -> AppResult<()> {
    for o in queries::open_orders_for_appeal(tx, origin, r.appeal_id).await? {
        act_in(
            tx,
            state,
            o.order_id,
            Actor::System,
            OrderAction::Cancel {
                reason: format!("Обращение закрыто на портале ({}).", r.state),
            },
            &[],
        )
        .await?;
    }
    Ok(())
}

/// `order.action` from an outside system, limited to its organisations.
pub async fn act_by_partner(
    tx: &mut Tx,
    state: &AppState,
    p: &Partner,
    a: &m::SystemAction,
) -> AppResult<()> {
    let action = match a.action.as_str() {
        "accept" => OrderAction::Accept,
        "start" => OrderAction::Start,
        "comment" => OrderAction::Comment {
            text: a.text.clone(),
        },
        "report" => OrderAction::SubmitReport {
            text: a.text.clone(),
            outcome: a.outcome,
            planned_date: match a.planned_date.as_deref() {
                None => None,
                Some(d) => Some(parse_date(d).ok_or_else(|| {
                    invalid(
                        "planned_date: дата в формате ГГГГ-ММ-ДД.",
                        "planned_date: a date as YYYY-MM-DD.",
                    )
                })?),
            },
        },
        other => {
            return Err(invalid(
                format!("Неизвестное действие «{other}»: accept, start, report или comment."),
                format!("Unknown action “{other}”: accept, start, report or comment."),
            ));
        }
    };
    act_in(tx, state, a.order_id, Actor::Partner(p), action, &[]).await?;
    Ok(())
}
