//! New orders and delegation: drafts checked against the directory and projects.

use super::*;

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

pub(super) async fn check_draft(tx: &mut Tx, d: &OrderDraft) -> AppResult<(String, String)> {
    let title = domain::need_text("заголовок", "title", &d.title).map_err(refusal)?;
    if title.chars().count() > 300 {
        return Err(AppError::invalid(
            "Заголовок длиннее 300 символов.",
            "The title is longer than 300 characters.",
        ));
    }
    let description = d.description.trim().to_owned();
    if description.chars().count() > 8000 {
        return Err(AppError::invalid(
            "Описание длиннее 8000 символов.",
            "The description is longer than 8,000 characters.",
        ));
    }
    if !crate::workflow::queries::organisation_exists(tx, &d.organisation_id).await? {
        return Err(AppError::invalid(
            "Выберите ответственную организацию из справочника.",
            "Choose the responsible organisation from the directory.",
        ));
    }
    if let Some(e) = d.executor_id
        && !queries::is_member(tx, e, &d.organisation_id).await?
    {
        return Err(AppError::invalid(
            "Исполнитель должен быть сотрудником ответственной организации.",
            "The executor must work in the responsible organisation.",
        ));
    }
    if d.deadline < now() {
        return Err(AppError::invalid(
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
pub(super) async fn check_project(
    tx: &mut Tx,
    project: Option<i64>,
    stage: Option<i64>,
) -> AppResult<()> {
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
    check_giver(user, d)?;
    let mut tx = state.db.begin().await?;
    let id = create_in(&mut tx, state, user, d).await?;
    tx.commit().await?;
    state.exchange.notify();
    Ok(id)
}

/// A new order from a dictation the speaker confirmed (docs/VOICE.md): the
/// order and the recording as its attachment, in one transaction. The
/// dictation must be the speaker's own and not confirmed yet.
pub async fn create_dictated(
    state: &AppState,
    user: &CurrentUser,
    d: &OrderDraft,
    dictation: i64,
) -> AppResult<i64> {
    check_giver(user, d)?;
    let mut tx = state.db.begin().await?;
    let Some(row) = crate::pm::dictations::pending_tx(&mut tx, dictation, user.account_id).await?
    else {
        return Err(AppError::conflict(
            "dictation_gone",
            Msg::new(
                "Эта диктовка уже стала поручением или устарела: продиктуйте заново.",
                "This dictation is already an order or has expired: dictate again.",
            ),
        ));
    };
    let id = create_in(&mut tx, state, user, d).await?;
    let ext = crate::speech::Format::ALL
        .iter()
        .find(|f| f.content_type() == row.content_type)
        .map_or("audio", |f| f.extension());
    queries::insert_attachment(
        &mut tx,
        &queries::NewAttachment {
            order_id: id,
            event_id: None,
            media_key: &row.media_key,
            file_name: &format!("dictation-{dictation}.{ext}"),
            content_type: &row.content_type,
            size: row.size,
            is_photo: false,
        },
    )
    .await?;
    if !crate::pm::dictations::confirm(&mut tx, dictation, id).await? {
        return Err(AppError::conflict(
            "dictation_gone",
            Msg::new(
                "Эта диктовка уже стала поручением.",
                "This dictation is already an order.",
            ),
        ));
    }
    tx.commit().await?;
    state.exchange.notify();
    Ok(id)
}

fn check_giver(user: &CurrentUser, d: &OrderDraft) -> AppResult<()> {
    if !user.works_in_core() {
        return Err(AppError::forbidden());
    }
    if let Some(c) = &d.creator_organisation_id
        && !(user.is_admin() || user.is_officer_of(c))
    {
        return Err(AppError::invalid(
            "Поручение можно дать только от своей организации.",
            "You can give an order only on behalf of your own organisation.",
        ));
    }
    Ok(())
}

/// [`create`] inside the caller's transaction (the creator's right to give
/// orders for the organisation is checked by the caller).
pub async fn create_in(
    tx: &mut Tx,
    state: &AppState,
    user: &CurrentUser,
    d: &OrderDraft,
) -> AppResult<i64> {
    let (title, description) = check_draft(tx, d).await?;
    let id = queries::insert_order(
        tx,
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
    created_event(tx, id, Some(user.account_id), "").await?;
    let o = queries::order_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    match remote::owner_elsewhere(tx, state, &d.organisation_id).await? {
        Some(instance) => remote::give(tx, &o, &instance).await?,
        None => tell_assignee(tx, state, &o, Told::Given, Some(user.account_id)).await?,
    }
    webhooks(tx, state, &o, None).await?;
    Ok(id)
}

pub(super) async fn created_event(
    tx: &mut Tx,
    id: i64,
    actor: Option<i64>,
    label: &str,
) -> AppResult<()> {
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
pub(super) async fn is_within(tx: &mut Tx, org: &str, ancestor: &str) -> AppResult<bool> {
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
    let id = delegate_in(&mut tx, state, user, parent_id, d).await?;
    tx.commit().await?;
    state.exchange.notify();
    Ok(id)
}

/// [`delegate`] inside the caller's transaction.
pub async fn delegate_in(
    tx: &mut Tx,
    state: &AppState,
    user: &CurrentUser,
    parent_id: i64,
    d: &OrderDraft,
) -> AppResult<i64> {
    let mut parent = queries::order_tx(tx, parent_id)
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
    let (title, description) = check_draft(tx, d).await?;
    // In a federation an order may be given across portfolios: to an
    // organisation another core owns, which carries it out (`remote`).
    let elsewhere = remote::owner_elsewhere(tx, state, &d.organisation_id).await?;
    if elsewhere.is_none() && !is_within(tx, &d.organisation_id, &parent.organisation_id).await? {
        return Err(AppError::invalid(
            "Дочернее поручение даётся своей организации или подчинённому подразделению.",
            "A sub-order goes to the same organisation or a subordinate unit.",
        ));
    }
    if d.deadline > parent.deadline {
        return Err(AppError::invalid(
            "Срок дочернего поручения не может быть позже срока родительского.",
            "A sub-order cannot be due later than its parent.",
        ));
    }
    let id = queries::insert_order(
        tx,
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
    created_event(tx, id, Some(user.account_id), "").await?;
    // Delegating is working on it.
    if matches!(ps, OrderState::New | OrderState::Accepted) {
        parent.state = OrderState::InProgress.as_str().to_owned();
        queries::save_order(tx, &parent).await?;
    }
    queries::insert_event(
        tx,
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
    let child = queries::order_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    match elsewhere {
        Some(instance) => remote::give(tx, &child, &instance).await?,
        None => tell_assignee(tx, state, &child, Told::Given, Some(user.account_id)).await?,
    }
    webhooks(tx, state, &child, None).await?;
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
        return Err(AppError::invalid(
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
    if executor_id.is_some() {
        tell_assignee(&mut tx, state, &o, Told::Reassigned, Some(user.account_id)).await?;
    }
    tx.commit().await?;
    Ok(())
}
