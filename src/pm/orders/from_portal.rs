//! Messages from the portal: requests become orders, referrals and answers close them; partners act on orders.

use super::*;

// ---- Messages from the portal ----------------------------------------------

/// `order.requested`: the order for a routed request, created once.
pub async fn create_from_request(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    r: &m::OrderRequested,
) -> AppResult<()> {
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
    open_from_portal(
        tx,
        state,
        // A portal in this process already told the officers that the
        // request reached them; a remote portal's officers are not these.
        origin != crate::integration::exchange::LOCAL,
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
    .await
}

/// `initiative.decided`: the decision becomes an order to carry it out.
pub async fn create_from_initiative(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    d: &m::InitiativeDecided,
) -> AppResult<()> {
    let key = format!("{origin}:initiative:{}", d.initiative_id);
    let o = Unattached {
        key: &key,
        source: Source::Initiative,
        priority: domain::Priority::Normal,
        title: &d.title,
        description: &d.description,
        url: &d.url,
        organisation_id: &d.organisation_id,
        deadline: d.deadline,
    };
    o.open(tx, state, origin).await
}

/// `control.raised`: a risk the control of government bodies found
/// becomes one order to the organisation.
pub async fn create_from_control(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    r: &m::ControlRaised,
) -> AppResult<()> {
    let key = format!("{origin}:control:{}", r.key);
    let o = Unattached {
        key: &key,
        source: Source::Control,
        priority: domain::Priority::High,
        title: &r.title,
        description: &r.description,
        url: &r.url,
        organisation_id: &r.organisation_id,
        deadline: r.deadline,
    };
    o.open(tx, state, origin).await
}

/// `meeting.decided`: each decision of a meeting becomes an order, once
/// (keyed by the meeting and the decision's number), given by the
/// meeting's organiser when the planner is this installation and the
/// organiser still works in the core.
pub async fn create_from_meeting(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    d: &m::MeetingDecided,
) -> AppResult<()> {
    let organiser = match d.organiser_id {
        Some(id) if origin == crate::integration::exchange::LOCAL => {
            let org: Option<(String,)> = crate::fetch_tx!(
                tx,
                fetch_optional,
                (String,),
                "select organisation_id from membership where account_id = $1
                  order by kind desc, organisation_id limit 1",
                id
            )?;
            org.map(|o| (id, o.0))
        }
        _ => None,
    };
    for x in &d.decisions {
        let key = format!("{origin}:meeting:{}:{}", d.meeting_id, x.n);
        let title: String = x.text.chars().take(200).collect();
        let description = format!(
            "Решение совещания «{}» ({}), п. {}:\n\n{}",
            d.title, d.url, x.n, x.text
        );
        open_from_portal(
            tx,
            state,
            true,
            &NewOrder {
                parent_id: None,
                root_id: None,
                project_id: None,
                stage_id: None,
                title: &title,
                description: &description,
                source: Source::Meeting.as_str(),
                appeal_id: None,
                appeal_url: Some(&d.url),
                origin,
                external_key: Some(&key),
                creator_id: organiser.as_ref().map(|o| o.0),
                creator_organisation_id: organiser.as_ref().map(|o| o.1.as_str()),
                organisation_id: &x.organisation_id,
                executor_id: None,
                deadline: x.deadline,
                priority: domain::Priority::Normal.as_str(),
                required: true,
            },
        )
        .await?;
    }
    Ok(())
}

/// An order a message asks for that answers no citizen's request: to an
/// organisation, opened once by its external key, the assignee told.
struct Unattached<'a> {
    key: &'a str,
    source: Source,
    priority: domain::Priority,
    title: &'a str,
    description: &'a str,
    url: &'a str,
    organisation_id: &'a str,
    deadline: time::OffsetDateTime,
}

impl Unattached<'_> {
    async fn open(&self, tx: &mut Tx, state: &AppState, origin: &str) -> AppResult<()> {
        open_from_portal(
            tx,
            state,
            true,
            &NewOrder {
                parent_id: None,
                root_id: None,
                project_id: None,
                stage_id: None,
                title: self.title,
                description: self.description,
                source: self.source.as_str(),
                appeal_id: None,
                appeal_url: Some(self.url),
                origin,
                external_key: Some(self.key),
                creator_id: None,
                creator_organisation_id: None,
                organisation_id: self.organisation_id,
                executor_id: None,
                deadline: self.deadline,
                priority: self.priority.as_str(),
                required: true,
            },
        )
        .await
    }
}

/// `control.cleared`: the risk is gone, so its order (if still open) is
/// closed with the sender's note.
pub async fn close_for_control(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    c: &m::ControlCleared,
) -> AppResult<()> {
    let key = format!("{origin}:control:{}", c.key);
    if let Some(o) = queries::open_order_by_key(tx, &key).await? {
        act_as_portal(
            tx,
            state,
            o.order_id,
            OrderAction::Cancel {
                reason: c.note.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Creates the order a portal's message asks for, once (by its external
/// key): its first event, the assignee told when `tell`, the webhooks.
async fn open_from_portal(
    tx: &mut Tx,
    state: &AppState,
    tell: bool,
    new: &NewOrder<'_>,
) -> AppResult<()> {
    open_once(tx, state, tell, new).await.map(|_| ())
}

/// `open_from_portal`, giving the new order's id (`None`: it was opened
/// before, by the same key).
pub(super) async fn open_once(
    tx: &mut Tx,
    state: &AppState,
    tell: bool,
    new: &NewOrder<'_>,
) -> AppResult<Option<i64>> {
    if !crate::workflow::queries::organisation_exists(tx, new.organisation_id).await? {
        return Err(AppError::invalid(
            format!(
                "Организации «{}» нет в справочнике ядра.",
                new.organisation_id
            ),
            format!(
                "Organisation “{}” is not in the core's directory.",
                new.organisation_id
            ),
        ));
    }
    if let Some(id) = queries::insert_order(tx, new).await? {
        created_event(tx, id, None, "").await?;
        let o = queries::order_tx(tx, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        if tell {
            tell_assignee(tx, state, &o, Told::Given, None).await?;
        }
        webhooks(tx, state, &o, None).await?;
        return Ok(Some(id));
    }
    Ok(None)
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
        act_as_portal(
            tx,
            state,
            o.order_id,
            OrderAction::Refer {
                organisation_id: r.organisation_id.clone(),
                reason: r.reason.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

/// `request.answered`: the request got its answer on the portal directly.
/// Planned work keeps its orders open with the planned date as their
/// deadline; any other answer ends them, saying why in words.
pub async fn close_for_request(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    r: &m::RequestAnswered,
) -> AppResult<()> {
    let answered = crate::workflow::State::parse(&r.state);
    let planned = r
        .planned_date
        .as_deref()
        .and_then(crate::web::i18n::parse_iso_date)
        .filter(|_| answered == Some(crate::workflow::State::Planned));
    for mut o in queries::open_orders_for_appeal(tx, origin, r.appeal_id).await? {
        if let Some(date) = planned {
            keep_open_until(tx, &mut o, date).await?;
            webhooks(tx, state, &o, None).await?;
            continue;
        }
        // The note is stored once and read in both languages: the state's
        // Russian label, never its code.
        let label = answered.map_or("закрыто", |s| s.label(crate::web::i18n::Locale::Ru));
        act_as_portal(
            tx,
            state,
            o.order_id,
            OrderAction::Cancel {
                reason: format!("Обращение закрыто на портале: {label}."),
            },
        )
        .await?;
    }
    Ok(())
}

/// `request.accepted`: an officer took the request into work on the
/// portal; its orders that nobody accepted yet are accepted.
pub async fn accept_for_request(
    tx: &mut Tx,
    state: &AppState,
    origin: &str,
    r: &m::RequestAccepted,
) -> AppResult<()> {
    for o in queries::open_orders_for_appeal(tx, origin, r.appeal_id).await? {
        if o.state() != OrderState::New {
            continue;
        }
        act_as_portal(tx, state, o.order_id, OrderAction::Accept).await?;
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
                    AppError::invalid(
                        "planned_date: дата в формате ГГГГ-ММ-ДД.",
                        "planned_date: a date as YYYY-MM-DD.",
                    )
                })?),
            },
        },
        other => {
            return Err(AppError::invalid(
                format!("Неизвестное действие «{other}»: accept, start, report или comment."),
                format!("Unknown action “{other}”: accept, start, report or comment."),
            ));
        }
    };
    act_in(tx, state, a.order_id, Actor::Partner(p), action, &[]).await?;
    Ok(())
}

/// What the portal's message does to one of its request's orders, done by
/// the system on its behalf.
async fn act_as_portal(
    tx: &mut Tx,
    state: &AppState,
    order_id: i64,
    action: OrderAction,
) -> AppResult<()> {
    act_in(tx, state, order_id, Actor::System, action, &[]).await?;
    Ok(())
}
