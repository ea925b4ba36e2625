//! Registering a document received over МЭДО: addressed to veche or to an
//! organisation it serves, it is acknowledged, registered under veche's
//! number, and its clauses become orders (`document.received`, applied by
//! the core in the same transaction); a clause whose executor cannot be
//! told for sure waits for an administrator. Otherwise it is acknowledged
//! and refused with the schema's reason.

use std::path::Path;

use super::gateway::{Outcome, answer};
use super::matching::{Directory, Match};
use super::partner::MedoPartner;
use super::store::{self, NewPackage};
use crate::app::AppState;
use crate::integration::inbound::{self, Sender};
use crate::integration::medo as md;
use crate::integration::messages::{
    Body, ClauseOrder, DocumentFile, DocumentNotice, DocumentReceived, Message, Notice,
};

/// The days a clause without a deadline is given: the common term of an
/// instruction's execution when the document sets none.
const DEFAULT_DAYS: i64 = 30;

pub(super) async fn document(
    state: &AppState,
    p: &MedoPartner,
    directory: &Directory,
    package: &md::Package,
    folder: &str,
    uid: &str,
    d: &md::Document,
) -> anyhow::Result<Outcome> {
    let number = d.num.number.clone();
    let date = d.num.date.map(md::format_date);
    let base = DocumentNotice {
        message_uid: uid.to_owned(),
        document_uid: Some(d.uid.as_str().to_owned()),
        document_number: Some(number.clone()),
        document_date: date.clone(),
        notice: Notice::Acknowledged {
            accepted: true,
            comment: String::new(),
        },
    };
    if let Err(refusal) = addressed(state, directory, d) {
        return refuse(state, p, folder, uid, d, base, &refusal).await;
    }
    let partner = crate::integration::partners::get(&state.db, &p.partner_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("partner {} vanished", p.partner_id))?;
    let today = crate::db::now();
    let mut orders = Vec::new();
    let mut waiting = Vec::new();
    for (i, c) in d.clauses.iter().enumerate() {
        let Some(principal) = c.principal.as_ref().and_then(|e| e.addressees().next()) else {
            continue;
        };
        let designation = c
            .designation
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| (i + 1).to_string());
        let deadline = match c.deadline {
            Some(day) => end_of_working_day(day),
            None => today + time::Duration::days(DEFAULT_DAYS),
        };
        let name = executor_name(principal);
        // A list of principals: the first answers for the clause, the others
        // share it like the co-executors.
        let others = c.principal.iter().flat_map(|e| e.addressees()).skip(1);
        let co: Vec<String> = others
            .chain(c.participants.iter().flat_map(|e| e.addressees()))
            .filter_map(|a| {
                match directory.find(a.uid.as_ref().map(|u| u.as_str()), &executor_name(a)) {
                    Match::One(id) => Some(id),
                    Match::Unsure(_) => None,
                }
            })
            .fold(Vec::new(), |mut all, id| {
                if !all.contains(&id) {
                    all.push(id);
                }
                all
            });
        let order = ClauseOrder {
            clause: designation.trim().trim_end_matches('.').to_owned(),
            text: c.text.clone().unwrap_or_default(),
            organisation_id: String::new(),
            co_executors: co,
            deadline,
        };
        match directory.find(principal.uid.as_ref().map(|u| u.as_str()), &name) {
            Match::One(id) => orders.push(ClauseOrder {
                organisation_id: id,
                ..order
            }),
            Match::Unsure(candidates) => waiting.push((order, name, candidates)),
        }
    }
    let files = store_files(state, package).await?;
    let received = DocumentReceived {
        document_uid: d.uid.as_str().to_owned(),
        number: number.clone(),
        date: date.clone().unwrap_or_default(),
        title: d.annotation.clone().unwrap_or_default(),
        clauses: orders,
        files: files.clone(),
    };
    let result = async {
        let mut tx = state.db.begin().await?;
        let Some(package_id) = store::record(
            &mut tx,
            &NewPackage {
                partner_id: &p.partner_id,
                direction: "in",
                message_uid: uid,
                kind: "document",
                document_uid: Some(d.uid.as_str()),
                document_number: Some(&number),
                document_date: date.as_deref(),
                order_id: None,
                folder,
                status: "registered",
                reason: "",
                detail: &format!(
                    "{} clause(s) to orders, {} waiting for an executor",
                    received.clauses.len(),
                    waiting.len()
                ),
            },
        )
        .await?
        else {
            // Another process took it first.
            return Ok::<_, anyhow::Error>(false);
        };
        let registration = format!("{package_id}-МЭДО");
        store::set_registration(&mut tx, package_id, &registration).await?;
        if !received.clauses.is_empty() {
            let message = Message {
                v: crate::integration::inbound::MESSAGE_VERSION,
                id: format!("medo:{uid}"),
                sent_at: crate::db::now(),
                body: Body::DocumentReceived(received.clone()),
            };
            inbound::apply_within(
                &mut tx,
                state,
                &Sender::Partner(partner.clone()),
                &message,
                &[],
            )
            .await
            .map_err(|e| {
                let why = e.message().get(crate::web::i18n::Locale::En).to_string();
                if e.status().is_client_error() {
                    anyhow::Error::new(NotApplicable(why))
                } else {
                    anyhow::anyhow!(why)
                }
            })?;
        }
        for (order, name, candidates) in &waiting {
            let one = DocumentReceived {
                clauses: vec![order.clone()],
                ..received.clone()
            };
            store::add_pending(&mut tx, package_id, &order.clause, name, candidates, &one).await?;
        }
        answer(&mut tx, &p.partner_id, base.clone()).await?;
        answer(
            &mut tx,
            &p.partner_id,
            DocumentNotice {
                notice: Notice::Registered {
                    number: registration.clone(),
                    date: md::format_date(crate::db::now().date()),
                },
                ..base.clone()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
    .await;
    match result {
        Ok(true) => {
            // Registered without a clause for the core: nothing holds the
            // files.
            if received.clauses.is_empty() && waiting.is_empty() {
                discard(state, &files).await;
            }
            tracing::info!(partner = %p.partner_id, folder, document = %number, "MEDO document registered");
            Ok(Outcome::Registered)
        }
        Ok(false) => {
            discard(state, &files).await;
            Ok(Outcome::Repeated)
        }
        Err(e) => {
            discard(state, &files).await;
            // The core refused the orders (an organisation left the
            // directory between matching and applying): the document is
            // refused with the reason, not retried for ever.
            match e.downcast_ref::<NotApplicable>() {
                Some(NotApplicable(why)) => {
                    let r = md::Refusal::new(md::RefusalReason::NotForRegistration, why.clone());
                    refuse(state, p, folder, uid, d, base, &r).await
                }
                None => Err(e),
            }
        }
    }
}

/// The core's refusal of a document's orders (a 4xx of its rules).
#[derive(Debug)]
struct NotApplicable(String);

impl std::fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotApplicable {}

/// Whether the document is for veche: one of its addressees is veche's
/// participant, an organisation of the directory by its МЭДО uid, or one
/// by its name.
fn addressed(state: &AppState, directory: &Directory, d: &md::Document) -> Result<(), md::Refusal> {
    let ours = super::deliver::own_uid(&state.config);
    let hit = d.addressees.iter().any(|a| {
        a.uid.as_ref().is_some_and(|u| *u == ours)
            || matches!(
                directory.find(a.uid.as_ref().map(|u| u.as_str()), &executor_name(a)),
                Match::One(_)
            )
    });
    if hit {
        Ok(())
    } else {
        Err(md::Refusal::new(
            md::RefusalReason::AddressingError,
            "none of the addressees is this installation or an organisation of its directory",
        ))
    }
}

async fn refuse(
    state: &AppState,
    p: &MedoPartner,
    folder: &str,
    uid: &str,
    d: &md::Document,
    base: DocumentNotice,
    r: &md::Refusal,
) -> anyhow::Result<Outcome> {
    tracing::info!(partner = %p.partner_id, folder, reason = r.reason.as_str(), detail = %r.detail, "MEDO document refused");
    let mut tx = state.db.begin().await?;
    let recorded = store::record(
        &mut tx,
        &NewPackage {
            partner_id: &p.partner_id,
            direction: "in",
            message_uid: uid,
            kind: "document",
            document_uid: Some(d.uid.as_str()),
            document_number: base.document_number.as_deref(),
            document_date: base.document_date.as_deref(),
            order_id: None,
            folder,
            status: "refused",
            reason: r.reason.as_str(),
            detail: &r.detail,
        },
    )
    .await?;
    if recorded.is_none() {
        return Ok(Outcome::Repeated);
    }
    answer(&mut tx, &p.partner_id, base.clone()).await?;
    answer(
        &mut tx,
        &p.partner_id,
        DocumentNotice {
            notice: Notice::Refused {
                reason: r.reason.as_str().to_owned(),
                comment: String::new(),
            },
            ..base
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Refused)
}

/// The organisation's name an addressee gives (its person aside).
fn executor_name(a: &md::Addressee) -> String {
    a.contact
        .organization
        .as_ref()
        .map(|q| q.value.clone())
        .unwrap_or_default()
}

/// A deadline day ends with the working day in Moscow (18:00 MSK).
fn end_of_working_day(day: time::Date) -> time::OffsetDateTime {
    day.with_hms(18, 0, 0)
        .expect("18:00 is a time")
        .assume_offset(time::macros::offset!(+3))
        .to_offset(time::UtcOffset::UTC)
}

/// Stores the package's files (the XML and the envelope aside) where the
/// core keeps order attachments, before the transaction.
async fn store_files(state: &AppState, package: &md::Package) -> anyhow::Result<Vec<DocumentFile>> {
    let mut out = Vec::new();
    for f in &package.files {
        let head = {
            use tokio::io::AsyncReadExt;
            let mut head = Vec::with_capacity(8);
            tokio::fs::File::open(&f.path)
                .await?
                .take(8)
                .read_to_end(&mut head)
                .await?;
            head
        };
        let size = tokio::fs::metadata(&f.path).await?.len();
        let key = uuid::Uuid::new_v4().simple().to_string();
        let stored = state
            .media
            .put_file(&crate::media::file_key(&key), &f.path)
            .await;
        if let Err(e) = stored {
            discard(state, &out).await;
            return Err(e);
        }
        out.push(DocumentFile {
            key,
            file_name: f.name.clone(),
            content_type: content_type(&head, &f.name).to_owned(),
            size: i64::try_from(size).unwrap_or(i64::MAX),
        });
    }
    Ok(out)
}

async fn discard(state: &AppState, files: &[DocumentFile]) {
    for f in files {
        let _ = state.media.delete(&crate::media::file_key(&f.key)).await;
    }
}

/// The type a downloaded file is served as: by its content where it says
/// (PDF, images), by its name for the rest.
fn content_type(bytes: &[u8], name: &str) -> &'static str {
    if bytes.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    let lower = name.to_lowercase();
    let ext = Path::new(&lower)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    match ext {
        "tif" | "tiff" => "image/tiff",
        "txt" => "text/plain",
        "rtf" => "application/rtf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}
