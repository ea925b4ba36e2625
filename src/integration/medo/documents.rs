//! Orders given in veche to an organisation that works in its own doc-flow
//! system: the order leaves as a Документ with the order as its one clause,
//! and the partner's notifications about that document, when they come
//! back, move the order (accepted, progress, the report).

use super::deliver::{Outgoing, ourselves};
use super::gateway::Outcome;
use super::partner::MedoPartner;
use super::store::{self, NewPackage};
use crate::app::AppState;
use crate::integration::inbound::{self, Applied, Sender};
use crate::integration::medo as md;
use crate::integration::messages::{Body, Message, OrderSnapshot, SystemAction};

/// The document for a new order, once per order and partner.
pub(super) async fn outgoing(
    state: &AppState,
    partner: &MedoPartner,
    message: &Message,
    o: &OrderSnapshot,
) -> anyhow::Result<Option<Outgoing>> {
    // A new order only (its creation carries no change), and not one that
    // came from this partner's own document.
    if o.change.is_some() || o.state != "new" || o.parent_id.is_some() {
        return Ok(None);
    }
    let mut tx = state.db.begin().await?;
    let sent = store::sent_for_order(&mut tx, &partner.partner_id, o.order_id).await?;
    tx.commit().await?;
    if sent.is_some() {
        return Ok(None);
    }
    let uid = document_uid(state, o.order_id);
    let organisation = crate::directory::queries::by_id(&state.db, &o.organisation_id).await?;
    let (name, org_uid) = organisation
        .map(|x| (x.name_ru, None::<md::Guid>))
        .unwrap_or_else(|| (o.organisation_id.clone(), None));
    let org_uid = org_uid.or(organisation_uid(state, &o.organisation_id).await?);
    let addressee = md::Addressee {
        uid: org_uid.or_else(|| Some(partner_guid(partner))),
        contact: md::Contact {
            organization: Some(md::Qualified::new(name)),
            ..md::Contact::default()
        },
        comment: None,
    };
    let today = message.sent_at.date();
    let text = if o.description.trim().is_empty() {
        o.title.clone()
    } else {
        format!("{}\n\n{}", o.title, o.description)
    };
    let body_text = format!(
        "Поручение № {} от {}\r\n\r\n{}\r\n\r\nСрок: {}\r\n",
        o.order_id,
        md::format_date(today),
        text.replace('\n', "\r\n"),
        md::format_date(o.deadline.date())
    );
    let file_name = format!("poruchenie-{}.txt", o.order_id);
    let document = md::Document {
        uid: uid.clone(),
        id: Some(o.order_id.to_string()),
        kind: Some(md::Qualified::new("Поручение")),
        num: md::DocNumber {
            number: format!("{}-П", o.order_id),
            date: Some(today),
        },
        classification: None,
        urgency: None,
        signatories: vec![md::Signatory {
            contact: md::Contact {
                organization: Some(md::Qualified::new(
                    state.config.integration.medo_name.clone(),
                )),
                ..md::Contact::default()
            },
            signed: today,
            comment: None,
        }],
        addressees: vec![addressee.clone()],
        pages: 1,
        enclosures_pages: None,
        annotation: Some(o.title.clone()),
        enclosures: Vec::new(),
        correspondents: Vec::new(),
        clauses: vec![md::Clause {
            local_id: Some(1),
            id: Some(o.order_id.to_string()),
            designation: Some("1".into()),
            text: Some(text),
            deadline: Some(o.deadline.date()),
            principal: Some(md::Executors::One(addressee)),
            participants: Vec::new(),
            comment: None,
        }],
        executor: None,
        comment: None,
        files: vec![md::AttachedFile {
            local_name: file_name.clone(),
            local_id: Some(1),
            file_type: Some(md::FileType::Txt),
            group: md::FileGroup::DocumentText,
            description: Some("Текст поручения".into()),
            pages: Some(1),
        }],
    };
    Ok(Some(Outgoing {
        communication: md::Communication {
            header: md::Header {
                uid: Some(md::Guid::from_uuid(uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_OID,
                    format!("{}:0", message.id).as_bytes(),
                ))),
                created: Some(md::Timestamp::from(message.sent_at)),
                source: ourselves(state),
                operator: None,
                comment: None,
            },
            body: md::Body::Document(Box::new(document)),
            delivery: Vec::new(),
        },
        subject: format!("Поручение № {}-П: {}", o.order_id, o.title),
        files: vec![(
            file_name,
            super::deliver::encode_text(&body_text, partner.transport.utf8()),
        )],
        document_uid: Some(uid.as_str().to_owned()),
        order_id: Some(o.order_id),
    }))
}

/// The uid of the document that carries an order: the same however often
/// it is written.
fn document_uid(state: &AppState, order_id: i64) -> md::Guid {
    md::Guid::from_uuid(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!(
            "veche:{}:order:{order_id}",
            state.config.integration.instance_id
        )
        .as_bytes(),
    ))
}

fn partner_guid(p: &MedoPartner) -> md::Guid {
    md::Guid::parse(&p.transport.medo_uid).unwrap_or_default()
}

async fn organisation_uid(state: &AppState, id: &str) -> Result<Option<md::Guid>, sqlx::Error> {
    let row: Option<(Option<String>,)> = crate::fetch_db!(
        &state.db,
        fetch_optional,
        (Option<String>,),
        "select medo_uid from organisation where organisation_id = $1",
        id
    )?;
    Ok(row.and_then(|(u,)| u).and_then(|u| md::Guid::parse(&u)))
}

/// A partner's notification about a document veche sent: the order it
/// carries moves.
pub(super) async fn notification(
    state: &AppState,
    p: &MedoPartner,
    folder: &str,
    uid: &str,
    n: &md::Notification,
) -> anyhow::Result<Outcome> {
    let partner = crate::integration::partners::get(&state.db, &p.partner_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("partner {} vanished", p.partner_id))?;
    let mut tx = state.db.begin().await?;
    let doc = store::document(&mut tx, &p.partner_id, "out", n.document_uid.as_str()).await?;
    let (status, reason, order_id) = match doc.as_ref().and_then(|d| d.order_id) {
        None => ("refused", "unknown document", None),
        Some(order_id) => ("applied", "", Some(order_id)),
    };
    let Some(_) = store::record(
        &mut tx,
        &NewPackage {
            partner_id: &p.partner_id,
            direction: "in",
            message_uid: uid,
            kind: "notification",
            document_uid: Some(n.document_uid.as_str()),
            document_number: doc.as_ref().and_then(|d| d.document_number.as_deref()),
            document_date: doc.as_ref().and_then(|d| d.document_date.as_deref()),
            order_id,
            folder,
            status,
            reason,
            detail: event_name(&n.event),
        },
    )
    .await?
    else {
        return Ok(Outcome::Repeated);
    };
    let Some(order_id) = order_id else {
        tx.commit().await?;
        return Ok(Outcome::Refused);
    };
    let (action, text) = match &n.event {
        md::Event::ExecutorAssigned { executor, .. } => (
            "accept",
            format!(
                "Назначен исполнитель: {}",
                executor
                    .contact
                    .person
                    .as_ref()
                    .or(executor.contact.organization.as_ref())
                    .map(|q| q.value.clone())
                    .unwrap_or_default()
            ),
        ),
        md::Event::CourseChanged { text, .. } => ("comment", format!("Исполнение: {text}")),
        md::Event::ReportSent { report } => (
            "report",
            format!(
                "Доклад направлен № {}{}",
                report.num.number,
                n.comment
                    .as_deref()
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            ),
        ),
        md::Event::Registered { num } => ("comment", format!("Зарегистрирован № {}", num.number)),
        md::Event::Refused { reason } => (
            "comment",
            format!("Отказано в регистрации: {}", reason.as_str()),
        ),
        md::Event::ReportPrepared { .. } => ("comment", "Доклад подготовлен".to_owned()),
        md::Event::Published { number, .. } => ("comment", format!("Опубликован № {number}")),
    };
    let message = Message {
        v: crate::integration::inbound::MESSAGE_VERSION,
        id: format!("medo:{uid}"),
        sent_at: crate::db::now(),
        body: Body::OrderAction(SystemAction {
            order_id,
            action: action.to_owned(),
            text,
            outcome: None,
            planned_date: None,
        }),
    };
    match inbound::apply_within(&mut tx, state, &Sender::Partner(partner), &message, &[]).await {
        Ok(Applied::Done | Applied::Duplicate) => {
            tx.commit().await?;
            Ok(Outcome::Applied)
        }
        // The database away: the package waits for the next round.
        Err(e) if !e.status().is_client_error() => Err(anyhow::anyhow!(
            "{}",
            e.message().get(crate::web::i18n::Locale::En)
        )),
        Err(e) => {
            // The order's rules refuse the step (an accepted order accepted
            // again): the notification is recorded as not applied.
            drop(tx);
            let why = e.message().get(crate::web::i18n::Locale::En).to_string();
            let mut tx = state.db.begin().await?;
            store::record(
                &mut tx,
                &NewPackage {
                    partner_id: &p.partner_id,
                    direction: "in",
                    message_uid: uid,
                    kind: "notification",
                    document_uid: Some(n.document_uid.as_str()),
                    document_number: None,
                    document_date: None,
                    order_id: Some(order_id),
                    folder,
                    status: "refused",
                    reason: "not applied",
                    detail: &why,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(Outcome::Refused)
        }
    }
}

fn event_name(e: &md::Event) -> &'static str {
    match e {
        md::Event::Registered { .. } => "Зарегистрирован",
        md::Event::Refused { .. } => "Отказано в регистрации",
        md::Event::ExecutorAssigned { .. } => "Назначен исполнитель",
        md::Event::ReportPrepared { .. } => "Доклад подготовлен",
        md::Event::ReportSent { .. } => "Доклад направлен",
        md::Event::CourseChanged { .. } => "Исполнение",
        md::Event::Published { .. } => "Опубликование",
    }
}
