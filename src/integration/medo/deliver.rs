//! The exchange's deliveries to a МЭДО partner: a message of the outbox
//! becomes one or more packages in the partner's outbound folder.
//!
//! - `document.notice` → a Квитанция, or a Зарегистрирован / Отказано в
//!   регистрации notification about the document the partner sent;
//! - `order.updated` of an order that carries out the partner's clause →
//!   Назначен исполнитель (accepted), Исполнение (a comment, a return, a
//!   report), Доклад направлен (done, with the report as a file);
//! - `order.updated` of a new order given in veche to an organisation the
//!   partner serves → a Документ with the order as its one clause.
//!
//! Each package is recorded with its uid (derived from the outbox message
//! and its place among the message's packages) in the transaction that
//! writes its folder; a package recorded, or a folder already there, is
//! not written again: a delivery repeated after a crash writes nothing
//! twice, even when the gateway has taken the folder away meanwhile, and
//! the outbox keeps the partner's packages in order.

use std::path::Path;

use super::partner::MedoPartner;
use super::store::{self, NewPackage};
use crate::app::AppState;
use crate::integration::medo as md;
use crate::integration::messages::{Body, DocumentNotice, Message, Notice, OrderSnapshot};

/// Files of a package beside its XML: names and bytes.
type Files = Vec<(String, Vec<u8>)>;

/// One package to write: the message, its subject and its extra files.
pub struct Outgoing {
    pub communication: md::Communication,
    pub subject: String,
    pub files: Files,
    /// For the record: the document it carries or concerns.
    pub document_uid: Option<String>,
    pub order_id: Option<i64>,
}

/// Writes what `message` means for `partner`; nothing when it means
/// nothing to a doc-flow system.
pub async fn deliver(state: &AppState, partner_id: &str, message: &Message) -> Result<(), String> {
    let partner = super::partner::get(&state.db, partner_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("partner {partner_id} has no MEDO folders"))?;
    let packages = translate(state, &partner, message)
        .await
        .map_err(|e| e.to_string())?;
    let out = partner.transport.outbound();
    let charset = if partner.transport.utf8() {
        md::Charset::Utf8
    } else {
        md::Charset::Windows1251
    };
    for (i, p) in packages.into_iter().enumerate() {
        let folder = format!("{}-{}", message.id, i + 1);
        let uid = p
            .communication
            .header
            .uid
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| folder.clone());
        // Recorded means written: the gateway may have taken the folder
        // away since, and it must not be written again.
        if store::seen(&state.db, &partner.partner_id, "out", &uid)
            .await
            .map_err(|e| e.to_string())?
        {
            continue;
        }
        // The record and the folder commit together: the record first
        // (uncommitted), then the folder, then the commit. A crash between
        // the folder and the commit leaves a folder without its record;
        // the retry finds the folder, does not write it again, and records
        // it (a document's record is what links the partner's notifications
        // back to its order).
        let mut tx = state.db.begin().await.map_err(|e| e.to_string())?;
        store::record(
            &mut tx,
            &NewPackage {
                partner_id: &partner.partner_id,
                direction: "out",
                message_uid: &uid,
                kind: kind_name(&p.communication),
                document_uid: p.document_uid.as_deref(),
                document_number: document_number(&p.communication).as_deref(),
                document_date: document_date(&p.communication).as_deref(),
                order_id: p.order_id,
                folder: &folder,
                status: "written",
                reason: "",
                detail: &p.subject,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        if !out.join(&folder).exists() {
            write(&out, &folder, &partner, &p, charset)?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn write(
    out: &Path,
    folder: &str,
    partner: &MedoPartner,
    p: &Outgoing,
    charset: md::Charset,
) -> Result<(), String> {
    let xml = md::to_xml(&p.communication, charset).map_err(|e| e.detail)?;
    let at = crate::db::now().to_offset(time::macros::offset!(+3));
    let envelope = md::Envelope::new(
        p.subject.clone(),
        vec![partner.transport.medo_uid.clone()],
        time::PrimitiveDateTime::new(at.date(), at.time()),
    );
    let files: Vec<(&str, &[u8])> = p
        .files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    md::write_package(&out.join(folder), &envelope, "document.xml", &xml, &files)
        .map_err(|e| format!("{}: {e}", out.display()))
}

fn kind_name(c: &md::Communication) -> &'static str {
    match c.body {
        md::Body::Document(_) => "document",
        md::Body::Notification(_) => "notification",
        md::Body::Acknowledgment(_) => "acknowledgment",
    }
}

fn document_number(c: &md::Communication) -> Option<String> {
    match &c.body {
        md::Body::Document(d) => Some(d.num.number.clone()),
        _ => None,
    }
}

fn document_date(c: &md::Communication) -> Option<String> {
    match &c.body {
        md::Body::Document(d) => d.num.date.map(md::format_date),
        _ => None,
    }
}

/// veche's own participant: the source of everything it writes.
pub fn ourselves(state: &AppState) -> md::Party {
    md::Party {
        uid: own_uid(&state.config),
        name: state.config.integration.medo_name.clone(),
        comment: Some("veche".to_owned()),
    }
}

/// `VECHE_MEDO_UID`, or one derived from the instance id.
pub fn own_uid(config: &crate::config::Config) -> md::Guid {
    md::Guid::parse(&config.integration.medo_uid).unwrap_or_else(|| {
        md::Guid::from_uuid(uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("veche:medo:{}", config.integration.instance_id).as_bytes(),
        ))
    })
}

/// A header for a new message of ours. The uid is derived from the outbox
/// message, so a package written twice names itself the same way.
fn header(state: &AppState, message: &Message, n: usize) -> md::Header {
    md::Header {
        uid: Some(md::Guid::from_uuid(uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("{}:{n}", message.id).as_bytes(),
        ))),
        created: Some(md::Timestamp::from(message.sent_at)),
        source: ourselves(state),
        operator: None,
        comment: None,
    }
}

fn communication(
    state: &AppState,
    message: &Message,
    n: usize,
    body: md::Body,
) -> md::Communication {
    md::Communication {
        header: header(state, message, n),
        body,
        delivery: Vec::new(),
    }
}

async fn translate(
    state: &AppState,
    partner: &MedoPartner,
    message: &Message,
) -> anyhow::Result<Vec<Outgoing>> {
    match &message.body {
        Body::DocumentNotice(n) => Ok(vec![notice(state, message, n)]),
        Body::OrderUpdated(o) => {
            if let Some((uid, clause)) = clause_of(&partner.partner_id, o) {
                return progress(state, partner, message, o, &uid, &clause).await;
            }
            Ok(super::documents::outgoing(state, partner, message, o)
                .await?
                .into_iter()
                .collect())
        }
        // Nothing else concerns a doc-flow system.
        _ => Ok(Vec::new()),
    }
}

/// The receipt or the registration answer for a package the partner sent.
fn notice(state: &AppState, message: &Message, n: &DocumentNotice) -> Outgoing {
    let at = md::Timestamp::from(message.sent_at);
    let document_uid = n.document_uid.as_deref().and_then(md::Guid::parse);
    let (body, subject) = match &n.notice {
        Notice::Acknowledged { accepted, comment } => (
            md::Body::Acknowledgment(md::Acknowledgment {
                uid: md::Guid::parse(&n.message_uid).unwrap_or_default(),
                content: None,
                time: at,
                accepted: *accepted,
                comment: (!comment.is_empty()).then(|| comment.clone()),
            }),
            "Квитанция".to_owned(),
        ),
        Notice::Registered { number, date } => (
            notification(
                document_uid.clone(),
                &n.message_uid,
                at,
                md::Event::Registered {
                    num: md::DocNumber {
                        number: number.clone(),
                        date: md::parse_date(date),
                    },
                },
                None,
                foundation(n),
            ),
            format!("Зарегистрирован: {}", subject_of(n)),
        ),
        Notice::Refused { reason, comment } => (
            notification(
                document_uid.clone(),
                &n.message_uid,
                at,
                md::Event::Refused {
                    reason: md::RefusalReason::parse(reason)
                        .unwrap_or(md::RefusalReason::TextNotPerRegulation),
                },
                (!comment.is_empty()).then(|| comment.clone()),
                foundation(n),
            ),
            format!("Отказано в регистрации: {}", subject_of(n)),
        ),
    };
    Outgoing {
        communication: communication(state, message, 0, body),
        subject,
        files: Vec::new(),
        document_uid: n.document_uid.clone(),
        order_id: None,
    }
}

fn subject_of(n: &DocumentNotice) -> String {
    match (&n.document_number, &n.document_date) {
        (Some(num), Some(date)) => format!("№ {num} от {date}"),
        (Some(num), None) => format!("№ {num}"),
        _ => n.message_uid.clone(),
    }
}

fn foundation(n: &DocumentNotice) -> Option<md::Reference> {
    n.document_number.as_ref().map(|num| md::Reference {
        contact: md::Contact::default(),
        num: md::DocNumber {
            number: num.clone(),
            date: n.document_date.as_deref().and_then(md::parse_date),
        },
        comment: None,
    })
}

fn notification(
    document_uid: Option<md::Guid>,
    message_uid: &str,
    time: md::Timestamp,
    event: md::Event,
    comment: Option<String>,
    foundation: Option<md::Reference>,
) -> md::Body {
    md::Body::Notification(Box::new(md::Notification {
        document_uid: document_uid.unwrap_or_default(),
        document_id: None,
        message_uid: md::Guid::parse(message_uid),
        time,
        foundation,
        clause: None,
        correspondent: None,
        event,
        comment,
    }))
}

/// The document and clause an order carries out for `partner`, from its
/// external key `{partner}:document:{uid}:{clause}` (a co-executor's
/// sub-order adds `:{organisation}` and is not reported: the parent's
/// executor reports for the clause).
fn clause_of(partner_id: &str, o: &OrderSnapshot) -> Option<(String, String)> {
    if o.parent_id.is_some() {
        return None;
    }
    let key = o.external_key.as_deref()?;
    let rest = key.strip_prefix(partner_id)?.strip_prefix(":document:")?;
    let (uid, clause) = rest.split_once(':')?;
    Some((uid.to_owned(), clause.to_owned()))
}

/// Notifications of a clause's progress.
async fn progress(
    state: &AppState,
    partner: &MedoPartner,
    message: &Message,
    o: &OrderSnapshot,
    uid: &str,
    clause: &str,
) -> anyhow::Result<Vec<Outgoing>> {
    let Some(change) = &o.change else {
        return Ok(Vec::new());
    };
    let mut tx = state.db.begin().await?;
    let doc = store::document(&mut tx, &partner.partner_id, "in", uid).await?;
    tx.commit().await?;
    let Some(doc) = doc else {
        // Not a document of this partner's that veche registered.
        return Ok(Vec::new());
    };
    let at = md::Timestamp::from(message.sent_at);
    let reference = md::Reference {
        contact: md::Contact::default(),
        num: md::DocNumber {
            number: doc.document_number.clone().unwrap_or_else(|| "б/н".into()),
            date: doc.document_date.as_deref().and_then(md::parse_date),
        },
        comment: None,
    };
    let the_clause = md::Clause {
        designation: Some(clause.to_owned()),
        ..md::Clause::default()
    };
    let organisation = crate::directory::queries::by_id(&state.db, &o.organisation_id)
        .await?
        .map(|x| x.name_ru)
        .unwrap_or_else(|| o.organisation_id.clone());
    let executor = md::Addressee {
        uid: None,
        contact: md::Contact {
            organization: Some(md::Qualified::new(organisation.clone())),
            person: o.executor.clone().map(md::Qualified::new),
            ..md::Contact::default()
        },
        comment: None,
    };
    let done = o.state == "done";
    let mut events: Vec<(md::Event, String, Files)> = Vec::new();
    match change.event.as_str() {
        "accepted" => events.push((
            md::Event::ExecutorAssigned {
                secretary: executor.clone(),
                manager: executor.clone(),
                executor: executor.clone(),
            },
            "Назначен исполнитель".into(),
            Vec::new(),
        )),
        "comment" | "returned" | "started"
            if !change.note.trim().is_empty() || change.event == "started" =>
        {
            let text = if change.note.trim().is_empty() {
                "Принято в работу".to_owned()
            } else {
                change.note.trim().to_owned()
            };
            events.push((
                md::Event::CourseChanged {
                    text,
                    reference: None,
                },
                "Исполнение".into(),
                Vec::new(),
            ))
        }
        "report_submitted" | "report_accepted" => {
            let report = o.report_text.clone().unwrap_or_default();
            if !report.trim().is_empty() {
                events.push((
                    md::Event::CourseChanged {
                        text: report.trim().to_owned(),
                        reference: None,
                    },
                    "Исполнение".into(),
                    Vec::new(),
                ));
            }
            if done {
                let name = format!("doklad-{}.txt", o.order_id);
                let body = format!(
                    "Доклад об исполнении пункта {clause} документа № {} от {}\r\n\
                     Исполнитель: {organisation}{}\r\n\r\n{}\r\n",
                    reference.num.number,
                    doc.document_date.clone().unwrap_or_default(),
                    o.executor
                        .as_deref()
                        .map(|e| format!(", {e}"))
                        .unwrap_or_default(),
                    report.trim()
                );
                events.push((
                    md::Event::ReportSent {
                        report: md::Reference {
                            contact: executor.contact.clone(),
                            num: md::DocNumber {
                                number: format!("{}-Д", o.order_id),
                                date: Some(message.sent_at.date()),
                            },
                            comment: None,
                        },
                    },
                    "Доклад направлен".into(),
                    vec![(name, encode_text(&body, partner.transport.utf8()))],
                ));
            }
        }
        _ => {}
    }
    Ok(events
        .into_iter()
        .enumerate()
        .map(|(i, (event, subject, files))| Outgoing {
            communication: communication(
                state,
                message,
                i,
                md::Body::Notification(Box::new(md::Notification {
                    document_uid: md::Guid::parse(uid).unwrap_or_default(),
                    document_id: None,
                    message_uid: None,
                    time: at,
                    foundation: Some(reference.clone()),
                    clause: Some(the_clause.clone()),
                    correspondent: None,
                    event,
                    comment: None,
                })),
            ),
            subject: format!("{subject}: п. {clause}, № {}", reference.num.number),
            files,
            document_uid: Some(uid.to_owned()),
            order_id: Some(o.order_id),
        })
        .collect())
}

/// A text file in the partner's encoding.
pub fn encode_text(text: &str, utf8: bool) -> Vec<u8> {
    if utf8 {
        text.as_bytes().to_vec()
    } else {
        encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
    }
}
