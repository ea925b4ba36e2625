//! Reading МЭДО partners' inbound folders: each ready package is read once
//! (by its header uid), answered at once with a Квитанция, and then
//! registered (its clauses become orders, Зарегистрирован goes back with
//! veche's number) or refused (Отказано в регистрации with the schema's
//! reason). A notification about a document veche sent moves that
//! document's order; a Квитанция is recorded. Each package's folder is
//! then moved under `.done/` or `.refused/` of the inbound folder, so the
//! folder shows what is still to read.
//!
//! Atomicity: the record of the package, the orders, the pending clauses
//! and the answers in the outbox commit together; the files are stored
//! before and removed if that transaction fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::matching::Directory;
use super::partner::MedoPartner;
use super::store::{self, NewPackage};
use crate::app::AppState;
use crate::integration::exchange;
use crate::integration::medo as md;
use crate::integration::messages::{Body, DocumentNotice};

/// A package is read when its envelope is there and nothing in its folder
/// changed for this long (gateways that do not rename into place).
const SETTLE: Duration = Duration::from_secs(2);
/// Packages read per partner per round.
const PER_ROUND: usize = 100;

/// Runs forever: every few seconds, every partner's ready packages.
pub async fn run(state: AppState) {
    loop {
        if let Err(e) = poll_once(&state).await {
            tracing::error!(error = %format!("{e:#}"), "MEDO gateway round failed; will retry");
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub registered: usize,
    pub refused: usize,
    pub applied: usize,
    pub repeated: usize,
}

/// Reads every partner's ready packages once; for the tests, the bench and
/// the worker.
pub async fn poll_once(state: &AppState) -> anyhow::Result<Round> {
    poll_settled(state, SETTLE).await
}

/// `poll_once` with the settling time given (zero in the tests, whose
/// packages are written whole).
pub async fn poll_settled(state: &AppState, settle: Duration) -> anyhow::Result<Round> {
    let mut round = Round::default();
    for p in super::partner::active(&state.db).await? {
        let inbound = p.transport.inbound();
        let mut folders = match list(&inbound) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(partner = %p.partner_id, folder = %inbound.display(), error = %e, "MEDO inbound folder unreadable");
                continue;
            }
        };
        folders.truncate(PER_ROUND);
        let directory = Directory::load(&state.db).await?;
        for dir in folders {
            if !md::is_ready(&dir, settle) {
                continue;
            }
            // A failure of this package (the database away) leaves it for
            // the next round without holding up the others.
            let outcome = match one(state, &p, &directory, &dir).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!(partner = %p.partner_id, folder = %dir.display(), error = %format!("{e:#}"), "MEDO package not handled; will retry");
                    continue;
                }
            };
            match outcome {
                Outcome::Registered => round.registered += 1,
                Outcome::Refused => round.refused += 1,
                Outcome::Applied => round.applied += 1,
                Outcome::Repeated => round.repeated += 1,
                Outcome::Later => continue,
            }
            let to = if outcome == Outcome::Refused {
                ".refused"
            } else {
                ".done"
            };
            set_aside(&inbound, &dir, to);
        }
    }
    if round != Round::default() {
        state.exchange.notify();
        state.mailer.notify();
        state.search.notify();
    }
    Ok(round)
}

/// The package folders waiting, oldest name first (gateways name them by
/// time or by uid; either way a stable order).
fn list(inbound: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(inbound)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') || !entry.file_type()?.is_dir() {
            continue;
        }
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

/// Moves a handled folder under `inbound/{to}/`; a name taken there gets
/// a suffix.
fn set_aside(inbound: &Path, dir: &Path, to: &str) {
    let target = inbound.join(to);
    if let Err(e) = std::fs::create_dir_all(&target) {
        tracing::warn!(error = %e, "MEDO: cannot make {}", target.display());
        return;
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut dest = target.join(&name);
    let mut n = 1;
    while dest.exists() {
        n += 1;
        dest = target.join(format!("{name}.{n}"));
    }
    if let Err(e) = std::fs::rename(dir, &dest) {
        tracing::warn!(error = %e, "MEDO: cannot move {} aside", dir.display());
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Registered,
    Refused,
    Applied,
    Repeated,
    /// Not readable now (the disk): left for the next round.
    Later,
}

async fn one(
    state: &AppState,
    p: &MedoPartner,
    directory: &Directory,
    dir: &Path,
) -> anyhow::Result<Outcome> {
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let limits = md::Limits::default();
    let package = match md::read_package(dir, &limits) {
        Ok(p) => p,
        Err(r) if r.fault == md::Fault::Io => {
            tracing::warn!(partner = %p.partner_id, folder, detail = %r.detail, "MEDO package not readable now");
            return Ok(Outcome::Later);
        }
        Err(r) => return refuse_unread(state, p, &folder, &fallback_uid(dir, &folder), &r).await,
    };
    let c = &package.communication;
    let uid = c
        .header
        .uid
        .as_ref()
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|| fallback_uid(dir, &folder));
    if store::seen(&state.db, &p.partner_id, "in", &uid).await? {
        return Ok(Outcome::Repeated);
    }
    match &c.body {
        md::Body::Document(d) => {
            super::register::document(state, p, directory, &package, &folder, &uid, d).await
        }
        md::Body::Notification(n) => {
            super::documents::notification(state, p, &folder, &uid, n).await
        }
        md::Body::Acknowledgment(a) => {
            let mut tx = state.db.begin().await?;
            store::record(
                &mut tx,
                &NewPackage {
                    partner_id: &p.partner_id,
                    direction: "in",
                    message_uid: &uid,
                    kind: "acknowledgment",
                    document_uid: None,
                    document_number: None,
                    document_date: None,
                    order_id: None,
                    folder: &folder,
                    status: "applied",
                    reason: if a.accepted { "" } else { "не принят" },
                    detail: &format!("acknowledges {}", a.uid),
                },
            )
            .await?;
            tx.commit().await?;
            Ok(Outcome::Applied)
        }
    }
}

/// A package that could not be read: recorded, and answered when it said
/// who it was (a Квитанция that it was not accepted, with the reason).
async fn refuse_unread(
    state: &AppState,
    p: &MedoPartner,
    folder: &str,
    uid: &str,
    r: &md::Refusal,
) -> anyhow::Result<Outcome> {
    tracing::info!(partner = %p.partner_id, folder, reason = r.reason.as_str(), detail = %r.detail, "MEDO package refused");
    let mut tx = state.db.begin().await?;
    store::record(
        &mut tx,
        &NewPackage {
            partner_id: &p.partner_id,
            direction: "in",
            message_uid: uid,
            kind: "unreadable",
            document_uid: None,
            document_number: None,
            document_date: None,
            order_id: None,
            folder,
            status: "refused",
            reason: r.reason.as_str(),
            detail: &r.detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Refused)
}

/// The key of a package that names no uid of its own: its folder's name
/// and the time the folder was last changed, so that a gateway reusing a
/// name (a counter, a time of day) brings a new package, not a repeat.
fn fallback_uid(dir: &Path, folder: &str) -> String {
    let changed = std::fs::metadata(dir)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("folder:{folder}:{changed}")
}

/// Answers a package in the outbox, inside `tx`.
pub(super) async fn answer(
    tx: &mut crate::db::Tx,
    partner_id: &str,
    notice: DocumentNotice,
) -> Result<(), sqlx::Error> {
    exchange::emit(tx, partner_id, Body::DocumentNotice(notice)).await
}
