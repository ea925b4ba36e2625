//! The directory's one master (docs/FEDERATION-CONTROL.md). In a federated
//! installation the portal keeps the directory: every change there (an
//! administrator's form, an import, `veche federation move-department`)
//! bumps the directory's version and, in the same transaction, writes a
//! `directory.updated` message with the whole directory for every other
//! instance. The instances apply it once and ignore a version at or below
//! the one they hold; their own directory pages refuse edits and say where
//! the directory is edited.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use super::queries::{self, OrgFields, OrgRow};
use crate::app::AppState;
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::integration::exchange;
use crate::integration::inbound::{MessageHandler, Sender, require_instance};
use crate::integration::messages::Body;
use crate::integration::messages_federation::{
    DirectoryOrganisation, DirectoryUpdated, FULL_LIMIT,
};
use crate::media::upload::StoredPhoto;
use crate::{exec_tx, fetch_tx, on_tx};

/// Where the directory is edited when this instance is not its master: the
/// portal's address. `None`: this instance is the master (a single
/// installation, or the federation's portal).
pub fn master_elsewhere(state: &AppState) -> Option<String> {
    let f = state.federation.as_deref()?;
    let portal = f.portal();
    (portal.id != f.this().id).then(|| portal.url.trim_end_matches('/').to_owned())
}

/// Refuses a local change of the directory on an instance that is not its
/// master, naming the page where it is made.
pub fn refuse_unless_master(state: &AppState) -> AppResult<()> {
    match master_elsewhere(state) {
        None => Ok(()),
        Some(url) => Err(AppError::client(
            StatusCode::CONFLICT,
            "directory_not_here",
            Msg::new(
                format!(
                    "Справочник организаций ведётся на портале: {url}/admin/organisations. Здесь он только копия, её обновляет портал."
                ),
                format!(
                    "The directory is kept on the portal: {url}/admin/organisations. This is a copy the portal updates."
                ),
            ),
        )),
    }
}

/// The directory's version here (0 before the first change or update).
pub async fn version(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar::<_, i64>(
        "select version from directory_version where id = 1"
    )
    .fetch_optional(conn)
    .await)?
    .unwrap_or(0))
}

async fn set_version(tx: &mut Tx, v: i64) -> Result<(), sqlx::Error> {
    exec_tx!(
        tx,
        "insert into directory_version (id, version, updated_at) values (1, $1, $2)
             on conflict (id) do update set version = excluded.version,
                 updated_at = excluded.updated_at",
        v,
        now()
    )?;
    Ok(())
}

/// Every organisation, in the stable order of the directory.
async fn all(tx: &mut Tx) -> Result<Vec<OrgRow>, sqlx::Error> {
    fetch_tx!(
        tx,
        fetch_all,
        OrgRow,
        "select organisation_id, parent_id, kind, name_ru, name_en, short_name_ru,
                short_name_en, inn, municipality_id, email, phone, website, updated_at
         from organisation order by organisation_id"
    )
}

/// Every organisation by id, read in `tx` (it sees what `tx` wrote).
pub async fn org_map_tx(tx: &mut Tx) -> Result<BTreeMap<String, OrgRow>, sqlx::Error> {
    Ok(all(tx)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id.clone(), o))
        .collect())
}

fn to_message(o: OrgRow) -> DirectoryOrganisation {
    DirectoryOrganisation {
        organisation_id: o.organisation_id,
        parent_id: o.parent_id,
        kind: o.kind,
        name_ru: o.name_ru,
        name_en: o.name_en,
        short_name_ru: o.short_name_ru,
        short_name_en: o.short_name_en,
        inn: o.inn,
        municipality_id: o.municipality_id,
        email: o.email,
        phone: o.phone,
        website: o.website,
    }
}

/// The directory changed (the organisations `changed`) in `tx` on its
/// master: the next version, sent to every other veche instance. Returns
/// the version.
pub async fn changed(tx: &mut Tx, changed: &[String]) -> Result<i64, sqlx::Error> {
    let v = version(tx).await? + 1;
    set_version(tx, v).await?;
    let instances = on_tx!(tx, |conn| sqlx::query_scalar::<_, String>(
        "select partner_id from integration_partner
             where kind = 'instance' and disabled_at is null order by partner_id"
    )
    .fetch_all(conn)
    .await)?;
    if instances.is_empty() {
        return Ok(v);
    }
    send(tx, v, changed, &instances).await?;
    Ok(v)
}

/// An instance joined the federation (first seen at the portal's start):
/// it gets the whole directory at the current version, since changes made
/// before it was known (an `import-directory` run before the first start)
/// were sent to nobody. Nothing before the first change.
pub async fn introduce(tx: &mut Tx, instance: &str) -> Result<(), sqlx::Error> {
    let v = version(tx).await?;
    if v > 0 {
        send(tx, v, &[], &[instance.to_owned()]).await?;
    }
    Ok(())
}

async fn send(
    tx: &mut Tx,
    v: i64,
    changed: &[String],
    instances: &[String],
) -> Result<(), sqlx::Error> {
    let every = all(tx).await?;
    let full = every.len() <= FULL_LIMIT;
    let organisations: Vec<DirectoryOrganisation> = every
        .into_iter()
        .filter(|o| full || changed.contains(&o.organisation_id))
        .map(to_message)
        .collect();
    let body = DirectoryUpdated {
        version: v,
        full,
        organisations,
    };
    for to in instances {
        exchange::emit(tx, to, Body::DirectoryUpdated(body.clone())).await?;
    }
    Ok(())
}

fn invalid(ru: String, en: String) -> AppError {
    AppError::unprocessable("invalid_directory", Msg::new(ru, en))
}

fn fields_of(o: &DirectoryOrganisation) -> AppResult<OrgFields> {
    super::domain::parse_org_id(&o.organisation_id)
        .map_err(|m| AppError::unprocessable("invalid_directory", m))?;
    if super::OrgKind::parse(&o.kind).is_none() {
        return Err(invalid(
            format!("Неизвестный тип организации «{}».", o.kind),
            format!("Unknown kind of organisation “{}”.", o.kind),
        ));
    }
    Ok(OrgFields {
        parent_id: o.parent_id.clone(),
        kind: o.kind.clone(),
        name_ru: o.name_ru.clone(),
        name_en: o.name_en.clone(),
        short_name_ru: o.short_name_ru.clone(),
        short_name_en: o.short_name_en.clone(),
        inn: o.inn.clone(),
        municipality_id: o.municipality_id.clone(),
        email: o.email.clone(),
        phone: o.phone.clone(),
        website: o.website.clone(),
    })
}

fn same(a: &OrgRow, b: &OrgFields) -> bool {
    a.parent_id == b.parent_id
        && a.kind == b.kind
        && a.name_ru == b.name_ru
        && a.name_en == b.name_en
        && a.short_name_ru == b.short_name_ru
        && a.short_name_en == b.short_name_en
        && a.inn == b.inn
        && a.municipality_id == b.municipality_id
        && a.email == b.email
        && a.phone == b.phone
        && a.website == b.website
}

/// Applies `u` unless its version is not newer than ours. Returns the
/// organisations written (none when ignored or when nothing differed).
pub async fn apply(tx: &mut Tx, u: &DirectoryUpdated) -> AppResult<Vec<String>> {
    if u.version <= version(tx).await? {
        return Ok(Vec::new());
    }
    if u.organisations.len() > 2 * FULL_LIMIT {
        return Err(invalid(
            "Слишком много организаций в одном сообщении.".into(),
            "Too many organisations in one message.".into(),
        ));
    }
    let mine: BTreeMap<String, OrgRow> = all(tx)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id.clone(), o))
        .collect();
    let theirs: BTreeMap<&str, &DirectoryOrganisation> = u
        .organisations
        .iter()
        .map(|o| (o.organisation_id.as_str(), o))
        .collect();
    // Parents before their units: the depth within the message (a parent
    // outside it is one this instance already has).
    let depth = |id: &str| {
        let mut d = 0;
        let mut at = theirs.get(id).and_then(|o| o.parent_id.as_deref());
        while let Some(p) = at {
            d += 1;
            if d > 64 {
                break;
            }
            at = theirs.get(p).and_then(|o| o.parent_id.as_deref());
        }
        d
    };
    let mut order: Vec<&DirectoryOrganisation> = u.organisations.iter().collect();
    order.sort_by_key(|o| (depth(&o.organisation_id), o.organisation_id.clone()));
    let mut written = Vec::new();
    for o in order {
        let f = fields_of(o)?;
        let id = &o.organisation_id;
        match mine.get(id) {
            Some(row) if same(row, &f) => continue,
            Some(_) => {
                queries::update(tx, id, &f).await?;
            }
            None => {
                queries::insert(tx, id, &f).await?;
            }
        }
        crate::search::enqueue(tx, super::search::KIND, id).await?;
        written.push(id.clone());
    }
    if !written.is_empty() {
        crate::datasets::request_refresh(tx, "organisations").await?;
    }
    set_version(tx, u.version).await?;
    tracing::info!(
        version = u.version,
        written = written.len(),
        "directory update applied"
    );
    Ok(written)
}

/// Applies `directory.updated` from the master: the portal of the
/// federation, or in a single installation any veche instance.
pub struct DirectoryInbox;

#[async_trait::async_trait]
impl MessageHandler for DirectoryInbox {
    fn types(&self) -> &'static [&'static str] {
        &["directory.updated"]
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        state: &AppState,
        sender: &Sender,
        body: &Body,
        _photos: &[StoredPhoto],
    ) -> AppResult<()> {
        require_instance(sender)?;
        if let Some(f) = state.federation.as_deref()
            && f.portal().id != sender.id()
        {
            return Err(AppError::client(
                StatusCode::FORBIDDEN,
                "not_directory_master",
                Msg::new(
                    "Справочник присылает только портал — его единственный ведущий.",
                    "Only the portal, the directory's one master, sends the directory.",
                ),
            ));
        }
        let Body::DirectoryUpdated(u) = body else {
            return Ok(());
        };
        apply(tx, u).await?;
        Ok(())
    }
}

/// What `veche federation move-department` did.
#[derive(Debug)]
pub struct Moved {
    pub from_portfolio: Option<String>,
    pub version: i64,
}

/// Puts `org` (with its units) under the portfolio `to`, in one
/// transaction with the `directory.updated` that tells every instance.
/// Run on the directory's master.
pub async fn move_department(db: &crate::db::Db, org: &str, to: &str) -> anyhow::Result<Moved> {
    let mut tx = db.begin().await?;
    let orgs = org_map_tx(&mut tx).await?;
    let o = orgs
        .get(org)
        .ok_or_else(|| anyhow::anyhow!("no organisation “{org}” in the directory"))?;
    let p = orgs
        .get(to)
        .ok_or_else(|| anyhow::anyhow!("no organisation “{to}” in the directory"))?;
    anyhow::ensure!(
        p.kind == "portfolio",
        "“{to}” is a {}, not a portfolio",
        p.kind
    );
    anyhow::ensure!(
        matches!(
            o.kind.as_str(),
            "department" | "state_company" | "municipal_administration"
        ),
        "“{org}” is a {}: only a department, a state company or a municipal administration moves between portfolios",
        o.kind
    );
    let from_portfolio = super::tree::portfolio_of(&orgs, org).map(|x| x.organisation_id.clone());
    anyhow::ensure!(
        from_portfolio.as_deref() != Some(to),
        "“{org}” is already in the portfolio “{to}”"
    );
    let fields = OrgFields {
        parent_id: Some(to.to_owned()),
        kind: o.kind.clone(),
        name_ru: o.name_ru.clone(),
        name_en: o.name_en.clone(),
        short_name_ru: o.short_name_ru.clone(),
        short_name_en: o.short_name_en.clone(),
        inn: o.inn.clone(),
        municipality_id: o.municipality_id.clone(),
        email: o.email.clone(),
        phone: o.phone.clone(),
        website: o.website.clone(),
    };
    queries::update(&mut tx, org, &fields).await?;
    crate::search::enqueue(&mut tx, super::search::KIND, org).await?;
    crate::datasets::request_refresh(&mut tx, "organisations").await?;
    let version = changed(&mut tx, &[org.to_owned()]).await?;
    tx.commit().await?;
    Ok(Moved {
        from_portfolio,
        version,
    })
}
