//! The machinery of citizens' requests, shared by every kind of them
//! (problem reports in `issues/`, construction check requests later): the
//! lifecycle (`lifecycle/`), routing by category and municipality
//! (`routing.rs`), the SLA (`sla.rs`), the public timeline, support votes
//! and follows, notifications in the site and by mail (`notify.rs`), and the
//! sweeper that reminds, escalates and expires (`sweeper.rs`).
//!
//! Every change goes through [`perform`] (or [`submit`] for a new request):
//! one transaction that checks the rule, updates the request, records the
//! event, attaches photos, notifies followers, and asks for the search index
//! and the open dataset to follow.

mod acting;
pub mod agenda;
pub mod batch;
pub mod feed;
pub mod input;
pub mod kind;
pub mod lifecycle;
pub mod mart;
pub mod notifications;
pub mod notify;
pub mod page;
pub mod page_cache;
pub mod queries;
pub mod queue;
pub mod roadmaps;
pub mod routing;
pub mod sections;
pub mod sla;
pub mod support;
pub mod sweeper;
pub mod views;

use axum::http::StatusCode;
use time::OffsetDateTime;

pub use kind::{Kind, OrderAt};
pub use lifecycle::{Action, CloseReason, Refusal, Role, State};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult, Msg};
use queries::AppealRow;

/// Settings administrators change at run time.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub premoderation: bool,
    pub sla_mode: sla::Mode,
    pub sla_days: i64,
}

pub const PREMODERATION: &str = "premoderation";
pub const SLA_MODE: &str = "sla_mode";

pub async fn settings(db: &Db) -> AppResult<Settings> {
    let premoderation = queries::setting(db, PREMODERATION)
        .await?
        .is_none_or(|v| v == "on");
    let sla_mode = queries::setting(db, SLA_MODE)
        .await?
        .and_then(|v| sla::Mode::parse(&v))
        .unwrap_or(sla::Mode::Calendar);
    Ok(Settings {
        premoderation,
        sla_mode,
        sla_days: 10,
    })
}

pub fn kind_of(a: &AppealRow) -> Kind {
    Kind::of(&a.kind)
}

fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::Role(m) => AppError::client(StatusCode::FORBIDDEN, "not_your_role", m),
        Refusal::State(m) => AppError::client(StatusCode::CONFLICT, "transition_not_allowed", m),
        Refusal::Input(m) => AppError::unprocessable("invalid_input", m),
    }
}

/// Checks that `user` holds `role` for this request.
fn check_role(a: &AppealRow, user: Option<&CurrentUser>, role: Role) -> AppResult<()> {
    let ok = match (role, user) {
        (Role::System, None) => true,
        (Role::Author, Some(u)) => u.account_id == a.author_id,
        (Role::Moderator, Some(u)) => u.is_moderator(),
        (Role::Administrator, Some(u)) => u.is_admin(),
        (Role::Officer, Some(u)) => a
            .organisation_id
            .as_deref()
            .is_some_and(|o| u.is_officer_of(o)),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(refusal(Refusal::Role(Msg::new(
            "У вас нет права на это действие с этим обращением.",
            "You may not do this with this request.",
        ))))
    }
}

/// The parts of a request the lifecycle's rules look at.
fn current_of(a: &AppealRow) -> lifecycle::Current {
    lifecycle::Current {
        state: a.state(),
        return_state: a.return_state.as_deref().and_then(State::parse),
        resolved_at: a.resolved_at,
        organisation_id: a.organisation_id.clone(),
    }
}

/// Whether `user` may do `action` on the request now: the role they would
/// act in (`role_for`), and the lifecycle's rule (`lifecycle::decide`), the
/// same two checks `perform` makes. The request page offers exactly the
/// actions this allows.
pub fn may(a: &AppealRow, user: &CurrentUser, action: &Action, now: OffsetDateTime) -> bool {
    let role = role_for(a, user, action);
    let today = now.to_offset(sla::MSK).date();
    check_role(a, Some(user), role).is_ok()
        && lifecycle::decide(&current_of(a), role, action, now, today).is_ok()
}

/// Who may see what of a request is not public (the request while it
/// awaits moderation or is hidden, internal events and their photos):
/// moderators and administrators, and the officers and executors of the
/// organisation the request is routed to. Staff of other organisations are
/// as the public: a membership anywhere is not a pass everywhere.
pub fn is_staff_of(a: &AppealRow, u: &CurrentUser) -> bool {
    u.is_moderator()
        || a.organisation_id
            .as_deref()
            .is_some_and(|o| u.is_member_of(o))
}

/// Whether `user` (`None`: anyone) may see a stored photo of a request: the
/// public, when the request is public and the photo is not of an internal
/// event; its author, unless the photo is of an internal event; and the
/// request's staff (`is_staff_of`).
pub fn may_see_photo(p: &queries::PhotoOwner, user: Option<&CurrentUser>) -> bool {
    let a = &p.appeal;
    (a.state().is_public() && p.public_part)
        || user.is_some_and(|u| is_staff_of(a, u) || (u.account_id == a.author_id && p.public_part))
}

/// The pages of the shared services of requests that belong to no feature.
pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/account/notifications", get(notifications::notifications))
        .route(
            "/account/notifications/settings",
            post(notifications::choose),
        )
        // The queues keep their first addresses; they now hold every kind.
        .route("/workspace/problems", get(queue::workspace))
        .route("/moderation/problems", get(queue::moderation))
        .route("/account/requests", get(queue::mine))
}

/// Photos of requests and of their events, for `media`: the request's
/// rule (`may_see_photo`) decides.
pub struct RequestPhotos;

#[async_trait::async_trait]
impl crate::media::PhotoRule for RequestPhotos {
    async fn visibility(
        &self,
        db: &crate::db::Db,
        key: &str,
        user: Option<&CurrentUser>,
    ) -> crate::error::AppResult<Option<crate::media::Visibility>> {
        Ok(queries::photo_owner(db, key)
            .await?
            .map(|p| crate::media::Visibility {
                public: may_see_photo(&p, None),
                visible: may_see_photo(&p, user),
            }))
    }
}

/// The role a user acts in for an action on a request: the first of theirs
/// that the action can use.
pub fn role_for(a: &AppealRow, user: &CurrentUser, action: &Action) -> Role {
    let author = user.account_id == a.author_id;
    let officer = a
        .organisation_id
        .as_deref()
        .is_some_and(|o| user.is_officer_of(o));
    match action {
        Action::AnswerClarification { .. } | Action::Dispute { .. } | Action::ConfirmFixed
            if author =>
        {
            Role::Author
        }
        Action::Approve | Action::Reject { .. } | Action::Hide { .. } | Action::Unhide => {
            if user.is_admin() {
                Role::Administrator
            } else {
                Role::Moderator
            }
        }
        Action::AskClarification { .. } | Action::Refer { .. } if officer => Role::Officer,
        Action::AskClarification { .. } | Action::Refer { .. } => {
            if user.is_admin() {
                Role::Administrator
            } else {
                Role::Moderator
            }
        }
        _ if officer => Role::Officer,
        _ if user.is_admin() => Role::Administrator,
        _ if author => Role::Author,
        _ => Role::Officer,
    }
}

pub use crate::media::upload::StoredPhoto;

/// Performs an action on a request in one transaction.
pub async fn perform(
    state: &AppState,
    appeal_id: i64,
    user: Option<&CurrentUser>,
    role: Role,
    action: Action,
    photos: &[StoredPhoto],
) -> AppResult<AppealRow> {
    let mut tx = state.db.begin().await?;
    let a = perform_in(
        &mut tx,
        state,
        appeal_id,
        Actor::Person { user, role },
        action,
        photos,
    )
    .await?;
    tx.commit().await?;
    state.mailer.notify();
    state.search.notify();
    state.exchange.notify();
    Ok(a)
}

/// Who performs an action.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    /// A person (or the system's own timers, with no user), whose role is
    /// checked.
    Person {
        user: Option<&'a CurrentUser>,
        role: Role,
    },
    /// The responsible department, through the project-management core: its
    /// order's report of execution or a referral made there. Not echoed back
    /// to the core.
    Core,
}

/// The messages the portal applies (`integration::MessageHandler`): the
/// core's report of execution and its referral of a request, each only from
/// the core the request was sent to.
pub struct PortalInbox;

#[async_trait::async_trait]
impl crate::integration::inbound::MessageHandler for PortalInbox {
    fn types(&self) -> &'static [&'static str] {
        &[
            "order.reported",
            "request.referred",
            "order.accepted",
            "request.moved",
        ]
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        state: &AppState,
        sender: &crate::integration::inbound::Sender,
        body: &crate::integration::messages::Body,
        photos: &[StoredPhoto],
    ) -> AppResult<()> {
        use crate::integration::inbound::{check_sent_to, require_instance};
        use crate::integration::messages::Body;
        require_instance(sender)?;
        match body {
            Body::OrderReported(r) => {
                check_sent_to(tx, sender, r.appeal_id).await?;
                react_from_core(tx, state, r, photos).await
            }
            Body::RequestReferred(r) => {
                check_sent_to(tx, sender, r.appeal_id).await?;
                refer_from_core(tx, state, r).await
            }
            Body::OrderAccepted(r) => {
                check_sent_to(tx, sender, r.appeal_id).await?;
                accepted_in_core(tx, state, r.appeal_id).await
            }
            // Only the core that owns the request's organisation now (the
            // portal keeps the directory, so it knows) may take the request
            // over. Applied once per message; a resend finds the move made.
            Body::RequestMoved(m) => {
                let a = queries::appeal_tx(tx, m.appeal_id)
                    .await?
                    .ok_or_else(AppError::not_found)?;
                let owner = match (&state.federation, a.organisation_id.as_deref()) {
                    (Some(f), Some(org)) => f
                        .owner_of_organisation_tx(tx, org)
                        .await?
                        .map(|i| i.id.clone()),
                    _ => None,
                };
                if owner.as_deref() != Some(sender.id()) {
                    return Err(crate::integration::inbound::not_sent_to_you(m.appeal_id));
                }
                if crate::integration::partners::request_moved(
                    tx,
                    m.appeal_id,
                    &m.from,
                    sender.id(),
                )
                .await?
                {
                    Ok(())
                } else {
                    check_sent_to(tx, sender, m.appeal_id).await
                }
            }
            other => Err(AppError::Internal(anyhow::anyhow!(
                "message type {} routed to the portal's inbox",
                other.type_name()
            ))),
        }
    }
}

/// The official reaction that the core's report of execution carries. A
/// request that no longer awaits one (it was answered on the portal while
/// the report was on its way) keeps its answer; the message is consumed.
pub async fn react_from_core(
    tx: &mut Tx,
    state: &AppState,
    r: &crate::integration::messages::OrderReported,
    photos: &[StoredPhoto],
) -> AppResult<()> {
    use crate::integration::messages::Outcome;
    let a = queries::appeal_tx(tx, r.appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !matches!(
        a.state(),
        State::Published | State::InProgress | State::Reopened | State::Planned
    ) {
        tracing::info!(appeal_id = r.appeal_id, state = %a.state, "report of execution arrived after the request was answered; kept as it is");
        return Ok(());
    }
    let action = match r.outcome {
        Outcome::Resolved => Action::Resolve {
            text: r.text.clone(),
        },
        Outcome::Planned => {
            let date = r
                .planned_date
                .as_deref()
                .and_then(crate::web::i18n::parse_iso_date)
                .ok_or_else(|| {
                    AppError::unprocessable(
                        "invalid_input",
                        Msg::new(
                            "Для «запланировано» нужна дата в формате ГГГГ-ММ-ДД.",
                            "“planned” needs a date as YYYY-MM-DD.",
                        ),
                    )
                })?;
            Action::Plan {
                date,
                budget: None,
                text: r.text.clone(),
            }
        }
    };
    perform_in(tx, state, r.appeal_id, Actor::Core, action, photos).await?;
    Ok(())
}

/// The order was taken into work in the core: a request still waiting for
/// that is in progress. One already answered (planned, resolved) keeps its
/// answer.
pub async fn accepted_in_core(tx: &mut Tx, state: &AppState, appeal_id: i64) -> AppResult<()> {
    let a = queries::appeal_tx(tx, appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !matches!(a.state(), State::Published | State::Reopened) {
        return Ok(());
    }
    perform_in(tx, state, appeal_id, Actor::Core, Action::Accept, &[]).await?;
    Ok(())
}

/// A referral made in the core moves the request too.
pub async fn refer_from_core(
    tx: &mut Tx,
    state: &AppState,
    r: &crate::integration::messages::Referred,
) -> AppResult<()> {
    let a = queries::appeal_tx(tx, r.appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if a.organisation_id.as_deref() == Some(r.organisation_id.as_str()) {
        // Already there (the referral started on the portal).
        return Ok(());
    }
    if !matches!(
        a.state(),
        State::Submitted | State::Published | State::InProgress | State::Reopened
    ) {
        // Answered or closed meanwhile: nothing left to move.
        tracing::info!(appeal_id = r.appeal_id, state = %a.state, "referral arrived after the request was answered; kept as it is");
        return Ok(());
    }
    perform_in(
        tx,
        state,
        r.appeal_id,
        Actor::Core,
        Action::Refer {
            organisation_id: r.organisation_id.clone(),
            reason: r.reason.clone(),
        },
        &[],
    )
    .await?;
    Ok(())
}

/// Performs an action inside the caller's transaction.
pub async fn perform_in(
    tx: &mut Tx,
    state: &AppState,
    appeal_id: i64,
    actor: Actor<'_>,
    action: Action,
    photos: &[StoredPhoto],
) -> AppResult<AppealRow> {
    let settings = settings(&state.db).await?;
    if let Action::Refer {
        organisation_id, ..
    } = &action
        && !queries::organisation_exists(tx, organisation_id).await?
    {
        return Err(AppError::unprocessable(
            "unknown_organisation",
            Msg::new(
                "Такой организации нет в справочнике.",
                "There is no such organisation in the directory.",
            ),
        ));
    }
    let mut a = queries::appeal_tx(tx, appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (user, role) = match actor {
        Actor::Person { user, role } => {
            check_role(&a, user, role)?;
            (user, role)
        }
        Actor::Core => (None, Role::Officer),
    };
    let now = now();
    let today = now.to_offset(sla::MSK).date();
    let effect = lifecycle::decide(&current_of(&a), role, &action, now, today).map_err(refusal)?;
    let from = a.state.clone();
    apply(&mut a, &action, &effect, now, settings);
    queries::save_appeal(tx, &a).await?;
    let event_org = match &action {
        Action::Refer {
            organisation_id, ..
        } => Some(organisation_id.clone()),
        _ => a.organisation_id.clone(),
    };
    let event_id = queries::insert_event(
        tx,
        &queries::NewEvent {
            appeal_id,
            kind: action.event_kind(),
            from_state: Some(&from),
            to_state: Some(effect.to.as_str()),
            actor_id: user.map(|u| u.account_id),
            actor_role: role.as_str(),
            organisation_id: event_org.as_deref(),
            note: &effect.note,
            public: effect.public_event,
        },
    )
    .await?;
    for (i, p) in photos.iter().enumerate() {
        queries::insert_photo(
            tx,
            appeal_id,
            Some(event_id),
            &p.key,
            p.width,
            p.height,
            i as i64,
        )
        .await?;
    }
    notify::event(
        tx,
        &state.config,
        &a,
        action.event_kind(),
        &effect.note,
        effect.public_event,
        user.map(|u| u.account_id),
    )
    .await?;
    feed::visibility(tx, &a, &from).await?;
    if effect.public_event {
        feed::changed(tx, &a, action.event_kind()).await?;
    }
    if matches!(action, Action::Approve) {
        feed::published(tx, &a).await?;
    }
    if matches!(
        action,
        Action::Approve | Action::Refer { .. } | Action::Dispute { .. }
    ) {
        notify::routed(tx, &state.config, &a, user.map(|u| u.account_id)).await?;
    }
    followed_by_change(tx, &a).await?;
    if !matches!(actor, Actor::Core) {
        crate::integration::request_changed(tx, state, &a, &from, &action, event_id).await?;
    }
    tracing::info!(appeal_id, from, to = %a.state, action = action.event_kind(), role = role.as_str(), "request changed");
    Ok(a)
}

/// The search index and the open dataset follow every change.
async fn followed_by_change(tx: &mut Tx, a: &AppealRow) -> AppResult<()> {
    let kind = kind_of(a);
    if let Some(search) = kind.search_kind() {
        crate::search::enqueue(tx, search, &a.appeal_id.to_string()).await?;
    }
    if let Some(registry) = kind.registry() {
        crate::datasets::request_refresh(tx, registry).await?;
    }
    Ok(())
}

/// The request's fields that follow from an effect.
fn apply(
    a: &mut AppealRow,
    action: &Action,
    effect: &lifecycle::Effect,
    now: OffsetDateTime,
    settings: Settings,
) {
    a.state = effect.to.as_str().to_owned();
    a.return_state = effect.return_state.map(|s| s.as_str().to_owned());
    let due_from =
        |at: OffsetDateTime| sla::due(at, settings.sla_mode, settings.sla_days, sla::russia());
    match action {
        Action::Approve => {
            a.published_at = Some(now);
            a.due_at = Some(due_from(now));
        }
        Action::AskClarification { .. } => {
            a.clarification_due_at =
                Some(now + time::Duration::days(lifecycle::CLARIFICATION_DAYS));
        }
        Action::AnswerClarification { .. } => a.clarification_due_at = None,
        Action::Refer {
            organisation_id, ..
        } => {
            a.organisation_id = Some(organisation_id.clone());
            // The new department gets its own reminder; the deadline stays:
            // the citizen's clock does not restart because of an internal move.
            a.reminded_at = None;
            a.escalated_at = None;
        }
        Action::Resolve { text } => {
            a.reaction_text = Some(text.trim().to_owned());
            a.resolved_at = Some(now);
            a.reacted_at = a.reacted_at.or(Some(now));
        }
        Action::Plan { date, budget, text } => {
            a.planned_date = Some(format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            ));
            a.planned_budget = budget.clone().filter(|b| !b.trim().is_empty());
            a.reaction_text = Some(text.trim().to_owned());
            a.reacted_at = a.reacted_at.or(Some(now));
        }
        Action::Close { reason, text } => {
            a.close_reason = Some(reason.as_str().to_owned());
            a.reaction_text = Some(text.trim().to_owned());
            a.closed_at = Some(now);
            a.reacted_at = a.reacted_at.or(Some(now));
        }
        Action::Dispute { .. } => {
            // A new reaction is owed, on a new deadline.
            a.due_at = Some(due_from(now));
            a.reminded_at = None;
            a.escalated_at = None;
            a.resolved_at = None;
        }
        Action::ConfirmFixed | Action::ExpireDispute => {
            a.close_reason = Some(CloseReason::Fixed.as_str().to_owned());
            a.closed_at = Some(now);
        }
        Action::Reject { .. } | Action::ExpireClarification => {
            a.closed_at = Some(now);
            a.clarification_due_at = None;
        }
        Action::Accept | Action::Hide { .. } | Action::Unhide => {}
    }
}

/// A new request from a citizen.
pub struct NewRequest {
    pub kind: Kind,
    pub category_id: String,
    pub point: crate::geo::GeoPoint,
    /// Only the centre of the town the address names.
    pub approximate: bool,
    pub address: String,
    pub description: String,
    pub hide_name: bool,
    /// How to reach the reporter when the author is an outside system
    /// (Open311): kept as an internal event, seen only by staff.
    pub contact: Option<String>,
    /// The form's one-time key: the same author sending it twice files once.
    pub client_key: Option<String>,
    /// Who answers it, when the feature knows (the provider of a rated
    /// service, the organisation of the report a suggestion answers);
    /// `None`: routed by category and municipality.
    pub organisation_id: Option<String>,
}

/// Files a request: routed by category and municipality, published at once
/// unless pre-moderation is on, followed by its author.
pub async fn submit(
    state: &AppState,
    author_id: i64,
    r: &NewRequest,
    photos: &[StoredPhoto],
) -> AppResult<AppealRow> {
    let mut tx = state.db.begin().await?;
    let a = submit_in(&mut tx, state, author_id, r, photos).await?;
    tx.commit().await?;
    state.search.notify();
    state.exchange.notify();
    Ok(a)
}

/// [`submit`] inside the caller's transaction (a feature that records more
/// about the request, such as the registry object it concerns, does so in
/// the same transaction).
pub async fn submit_in(
    tx: &mut Tx,
    state: &AppState,
    author_id: i64,
    r: &NewRequest,
    photos: &[StoredPhoto],
) -> AppResult<AppealRow> {
    let settings = settings(&state.db).await?;
    let municipality = crate::geo::geography()
        .locate(r.point)
        .map_err(|e| AppError::unprocessable("outside_region", e.message()))?;
    let category = routing::category(tx, &r.category_id)
        .await?
        .filter(|c| c.active && c.kind == r.kind.as_str())
        .ok_or_else(|| {
            AppError::unprocessable(
                "unknown_category",
                Msg::new(
                    "Такой категории нет. Выберите категорию из списка.",
                    "There is no such category. Choose one from the list.",
                ),
            )
        })?;
    let organisation = match &r.organisation_id {
        Some(o) if queries::organisation_exists(tx, o).await? => Some(o.clone()),
        Some(_) => {
            return Err(AppError::unprocessable(
                "unknown_organisation",
                Msg::new(
                    "Такой организации нет в справочнике.",
                    "There is no such organisation in the directory.",
                ),
            ));
        }
        None => routing::route(tx, &category, &municipality.id).await?,
    };
    let now = now();
    let (state_now, published_at, due_at) = if settings.premoderation {
        (State::Submitted, None, None)
    } else {
        (
            State::Published,
            Some(now),
            Some(sla::due(
                now,
                settings.sla_mode,
                settings.sla_days,
                sla::russia(),
            )),
        )
    };
    let id = queries::insert_appeal(
        tx,
        &queries::NewAppeal {
            kind: r.kind.as_str(),
            state: state_now.as_str(),
            category_id: &category.category_id,
            municipality_id: &municipality.id,
            organisation_id: organisation.as_deref(),
            author_id,
            hide_name: r.hide_name,
            description: r.description.trim(),
            address: r.address.trim(),
            lat: r.point.lat,
            lon: r.point.lon,
            approximate: r.approximate,
            published_at,
            due_at,
            client_key: r.client_key.as_deref(),
        },
    )
    .await?;
    let event = |kind, to: State, public| queries::NewEvent {
        appeal_id: id,
        kind,
        from_state: None,
        to_state: Some(to.as_str()),
        actor_id: Some(author_id),
        actor_role: Role::Author.as_str(),
        organisation_id: organisation.as_deref(),
        note: "",
        public,
    };
    queries::insert_event(tx, &event("submitted", State::Submitted, true)).await?;
    if let Some(contact) = r.contact.as_deref().filter(|c| !c.is_empty()) {
        let mut e = event("contact", State::Submitted, false);
        e.to_state = None;
        e.note = contact;
        queries::insert_event(tx, &e).await?;
    }
    if !settings.premoderation {
        let mut e = event("published", State::Published, true);
        e.actor_id = None;
        e.actor_role = Role::System.as_str();
        queries::insert_event(tx, &e).await?;
    }
    for (i, p) in photos.iter().enumerate() {
        queries::insert_photo(tx, id, None, &p.key, p.width, p.height, i as i64).await?;
    }
    queries::follow(tx, id, author_id).await?;
    let a = queries::appeal_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    followed_by_change(tx, &a).await?;
    notify::filed(tx, &state.config, &a, settings.premoderation).await?;
    if !settings.premoderation {
        feed::published(tx, &a).await?;
        feed::changed(tx, &a, "published").await?;
        notify::routed(tx, &state.config, &a, Some(author_id)).await?;
        crate::integration::request_published(tx, state, &a, 0).await?;
    }
    tracing::info!(appeal_id = id, kind = r.kind.as_str(), state = %a.state, "request submitted");
    Ok(a)
}
