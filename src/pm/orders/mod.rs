//! Every change to an order, each in the caller's transaction or its own:
//! the rule (`domain::decide`), the row, the event, attachments, the
//! cascade down the delegation vertical, and the messages that follow
//! (the citizen's reaction, referrals, webhooks to outside systems).

use axum::http::StatusCode;
use time::OffsetDateTime;

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
            (Some(o), Some(u)) => u.works_in_core() && may_read_files(db, &o, u).await?,
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

use crate::web::i18n::parse_iso_date as parse_date;

pub use crate::web::i18n::iso_date as date_string;

async fn open_required_children(tx: &mut Tx, id: i64) -> AppResult<i64> {
    Ok(queries::children_tx(tx, id)
        .await?
        .iter()
        .filter(|c| c.required && !c.state().is_final())
        .count() as i64)
}

/// The parts of an order the rules look at.
fn current_of(o: &OrderRow, open_required_children: i64) -> domain::Current {
    domain::Current {
        state: o.state(),
        open_required_children,
        organisation_id: o.organisation_id.clone(),
        answers_citizen: o.appeal_id.is_some() && o.parent_id.is_none(),
    }
}

/// Whether a person may do `action` on the order now: their side and the
/// rules (`domain::decide`), as `act_in` checks them. The order's page
/// offers what this allows, and says why when only the state stands in
/// the way of a report.
pub fn may(
    o: &OrderRow,
    u: &CurrentUser,
    open_required_children: i64,
    action: &OrderAction,
) -> Result<(), Refusal> {
    let today = now().to_offset(crate::workflow::sla::MSK).date();
    domain::decide(
        &current_of(o, open_required_children),
        side_of(o, u),
        action,
        today,
    )
    .map(|_| ())
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
    // A moved order is read-only here. What the core itself does to it on
    // a portal's message (the request answered, accepted or referred) is
    // left to the core that has it now: skipped, so the message does not
    // fail and hold up the portal's later ones.
    if matches!(actor, Actor::System) && super::federation::moved_to(tx, order_id).await?.is_some()
    {
        return Ok(o);
    }
    super::federation::refuse_if_moved(tx, order_id).await?;
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
    let current = current_of(&o, open_required_children(tx, order_id).await?);
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
        OrderAction::Return { note } => {
            tell_assignee(
                tx,
                state,
                &o,
                Told::Returned(note.trim()),
                actor.account_id(),
            )
            .await?
        }
        OrderAction::Refer {
            organisation_id,
            reason,
        } => {
            // The old organisation's delegation ends with the referral.
            cancel_below(tx, order_id, reason).await?;
            tell_assignee(tx, state, &o, Told::Given, actor.account_id()).await?;
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
        OrderAction::Accept | OrderAction::Start if !matches!(actor, Actor::System) => {
            // Taken into work in the core: the request shows it too. Not
            // echoed when the portal itself asked (`Actor::System`).
            if let (Some(appeal_id), None) = (o.appeal_id, o.parent_id) {
                exchange::emit(
                    tx,
                    &destination(&o),
                    Body::OrderAccepted(m::OrderAccepted {
                        appeal_id,
                        order_id,
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
            let submitted = OrderState::ReportSubmitted.as_str();
            save_by_system(tx, &o, "report_accepted", submitted, "").await?;
        }
        _ => {}
    }
    if o.state() == OrderState::Done && from != OrderState::Done.as_str() {
        order_done(tx, state, &mut o).await?;
    }
    let change = m::OrderChange {
        event: action.event_kind().to_owned(),
        note: effect.note.clone(),
    };
    webhooks(tx, state, &o, Some(change)).await?;
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

/// Saves an order the system changed (no person acted) and records the
/// change from state `from` as an event of `kind`.
async fn save_by_system(
    tx: &mut Tx,
    o: &OrderRow,
    kind: &str,
    from: &str,
    note: &str,
) -> AppResult<()> {
    queries::save_order(tx, o).await?;
    let event = NewEvent {
        order_id: o.order_id,
        kind,
        from_state: Some(from),
        to_state: Some(&o.state),
        actor_id: None,
        actor_label: "",
        note,
    };
    queries::insert_event(tx, &event).await?;
    Ok(())
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
            save_by_system(tx, &c, "cancelled", &from, reason).await?;
        }
    }
    Ok(())
}

/// A root order answering a citizen is done: its report goes back as the
/// official reaction. A report that plans the work for a date does not end
/// the order: it stays open with that date as its deadline
/// ([`keep_open_until`]), and its next report answers the citizen again.
async fn order_done(tx: &mut Tx, state: &AppState, o: &mut OrderRow) -> AppResult<()> {
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
        match crate::media::read(&state.media, &key, "full").await {
            Ok(Some(bytes)) => photos.push(m::Photo {
                content_type: "image/jpeg".into(),
                data: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes),
            }),
            Ok(None) => tracing::warn!(key, "report photo missing; sent without it"),
            Err(e) => {
                tracing::warn!(key, error = %format!("{e:#}"), "report photo not read; sent without it")
            }
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
    if outcome == Outcome::Planned
        && let Some(date) = o
            .report_planned_date
            .as_deref()
            .and_then(crate::web::i18n::parse_iso_date)
    {
        keep_open_until(tx, o, date).await?;
    }
    Ok(())
}

/// Planned work stays on the core's books: a done order reopens in
/// progress, and an open one keeps its state; either way the planned date
/// becomes the deadline, so dashboards and reminders track it until a
/// report says the work is done.
pub(super) async fn keep_open_until(
    tx: &mut Tx,
    o: &mut OrderRow,
    date: time::Date,
) -> AppResult<()> {
    let from = o.state.clone();
    if o.state() == OrderState::Done {
        o.state = OrderState::InProgress.as_str().to_owned();
        o.done_at = None;
    }
    o.deadline = date
        .with_hms(23, 59, 0)
        .expect("a valid time")
        .assume_offset(crate::workflow::sla::MSK)
        .to_offset(time::UtcOffset::UTC);
    // The new deadline, in the one date format of the pages.
    let note = crate::web::components::date(crate::web::i18n::Locale::Ru, date);
    save_by_system(tx, o, "planned", &from, &note).await
}

/// What the assignee of an order hears.
pub(super) enum Told<'a> {
    Given,
    Reassigned,
    Returned(&'a str),
}

/// The assignee hears of an order given, reassigned or returned to them:
/// its executor, or without one the officers of its organisation; never
/// whoever acted.
pub(super) async fn tell_assignee(
    tx: &mut Tx,
    state: &AppState,
    o: &OrderRow,
    told: Told<'_>,
    actor: Option<i64>,
) -> AppResult<()> {
    use crate::web::components::date;
    use crate::web::i18n::Locale;
    let id = o.order_id;
    let due = o.deadline.to_offset(crate::workflow::sla::MSK).date();
    let (subject, ru, en) = match told {
        Told::Given => (
            (format!("Новое поручение №{id}"), format!("New order #{id}")),
            format!(
                "Вам дано поручение №{id} «{}», срок — {}.",
                o.title,
                date(Locale::Ru, due)
            ),
            format!(
                "You were given order #{id} “{}”, due {}.",
                o.title,
                date(Locale::En, due)
            ),
        ),
        Told::Reassigned => (
            (
                format!("Вам назначено поручение №{id}"),
                format!("Order #{id} assigned to you"),
            ),
            format!(
                "Вы назначены исполнителем поручения №{id} «{}», срок — {}.",
                o.title,
                date(Locale::Ru, due)
            ),
            format!(
                "You are the executor of order #{id} “{}”, due {}.",
                o.title,
                date(Locale::En, due)
            ),
        ),
        Told::Returned(note) => (
            (
                format!("Поручение №{id} возвращено на доработку"),
                format!("Order #{id} returned for rework"),
            ),
            format!(
                "Поручение №{id} «{}» возвращено на доработку: «{note}»",
                o.title
            ),
            format!(
                "Order #{id} “{}” was returned for rework: “{note}”",
                o.title
            ),
        ),
    };
    let people: Vec<i64> = match o.executor_id {
        Some(e) => vec![e],
        None => crate::workflow::queries::members_of(tx, &o.organisation_id)
            .await?
            .into_iter()
            .map(|m| m.account_id)
            .collect(),
    };
    let link = format!("/pm/orders/{id}");
    for p in people.into_iter().filter(|p| Some(*p) != actor) {
        crate::workflow::notify::person(
            tx,
            &state.config,
            p,
            None,
            (&subject.0, &subject.1),
            (&ru, &en),
            &link,
        )
        .await?;
    }
    Ok(())
}

/// Outside systems hear of the change: those that follow the order's
/// organisation, and a document-flow partner whose document the order
/// carries out (a МЭДО partner is told of each step of its clause).
pub(super) async fn webhooks(
    tx: &mut Tx,
    state: &AppState,
    o: &OrderRow,
    change: Option<m::OrderChange>,
) -> AppResult<()> {
    // An order carried out at another instance is reported by that one.
    if remote::carried_out_at(tx, o.order_id).await?.is_some() {
        return Ok(());
    }
    if let Some(c) = &change {
        remote::report_back(tx, o, c).await?;
    }
    let mut to = partners::watching(tx, &o.organisation_id).await?;
    // A core of a federation keeps the Department of Control's replica.
    if let Some(c) = super::replica::control_of(state)
        && !to.contains(&c)
    {
        to.push(c);
    }
    if o.source == Source::Document.as_str()
        && o.parent_id.is_none()
        && !to.contains(&o.origin)
        && partners::is_document_partner(tx, &o.origin).await?
    {
        to.push(o.origin.clone());
    }
    if to.is_empty() {
        return Ok(());
    }
    let mut snap = snapshot(o);
    snap.change = change;
    snap.version = queries::version_tx(tx, o.order_id).await?;
    snap.moved_to = super::federation::moved_to(tx, o.order_id).await?;
    if let Some(e) = o.executor_id {
        snap.executor = queries::account_name(tx, e).await?;
    }
    for partner in to {
        exchange::emit(tx, &partner, Body::OrderUpdated(snap.clone())).await?;
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
        external_key: o.external_key.clone(),
        executor: None,
        report_text: o.report_text.clone(),
        change: None,
        version: 0,
        creator_organisation_id: o.creator_organisation_id.clone(),
        created_at: Some(o.created_at),
        done_at: o.done_at,
        moved_to: None,
    }
}

pub mod dictation;
mod drafts;
pub mod view;
pub use drafts::*;
mod from_portal;
pub use from_portal::*;
mod from_documents;
pub use from_documents::*;
pub mod remote;
