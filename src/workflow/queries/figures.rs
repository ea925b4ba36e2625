//! SLA figures, and the keys of Open311 clients.

use super::*;
use crate::{exec_db, exec_tx};

// ---- SLA figures -------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct SlaFigures {
    pub total: i64,
    pub reacted: i64,
    pub reacted_on_time: i64,
    pub overdue_now: i64,
    /// Median hours from publication to the first reaction.
    pub median_hours: Option<f64>,
}

impl SlaFigures {
    /// Share of reactions given on time, of all requests that were due or
    /// reacted to (0–100).
    pub fn on_time_percent(&self) -> Option<f64> {
        let judged = self.reacted + self.overdue_now;
        (judged > 0).then(|| self.reacted_on_time as f64 * 100.0 / judged as f64)
    }
}

pub(super) type SlaRow = (
    Option<String>,
    String,
    String,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

/// Accumulates figures row by row.
#[derive(Default)]
pub(super) struct SlaAcc {
    f: SlaFigures,
    hours: Vec<f64>,
}

impl SlaAcc {
    fn add(
        &mut self,
        state: &str,
        published: Option<OffsetDateTime>,
        due: Option<OffsetDateTime>,
        reacted: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) {
        self.f.total += 1;
        match reacted {
            Some(r) => {
                self.f.reacted += 1;
                if due.is_none_or(|d| r <= d) {
                    self.f.reacted_on_time += 1;
                }
                if let Some(p) = published {
                    self.hours.push((r - p).as_seconds_f64() / 3600.0);
                }
            }
            None => {
                let awaiting =
                    crate::workflow::State::parse(state).is_some_and(|s| s.awaits_reaction());
                if awaiting && due.is_some_and(|d| at > d) {
                    self.f.overdue_now += 1;
                }
            }
        }
    }

    fn finish(mut self) -> SlaFigures {
        self.hours.sort_by(f64::total_cmp);
        if !self.hours.is_empty() {
            let mid = self.hours.len() / 2;
            self.f.median_hours = Some(if self.hours.len().is_multiple_of(2) {
                (self.hours[mid - 1] + self.hours[mid]) / 2.0
            } else {
                self.hours[mid]
            });
        }
        self.f
    }
}

pub(super) async fn sla_rows(db: &Db, kind: &str) -> Result<Vec<SlaRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as::<_, SlaRow>(
        "select organisation_id, municipality_id, state, published_at, due_at, reacted_at from appeal
         where kind = $1 and published_at is not null
           and state in ('published', 'in_progress', 'planned', 'resolved', 'reopened', 'closed')"
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    })
}

/// SLA figures of the public requests of an organisation or a municipality
/// (both `None`: the whole krai).
pub async fn sla_figures(
    db: &Db,
    kind: &str,
    organisation_id: Option<&str>,
    municipality_id: Option<&str>,
    at: OffsetDateTime,
) -> Result<SlaFigures, sqlx::Error> {
    let mut acc = SlaAcc::default();
    for (org, mun, state, published, due, reacted) in sla_rows(db, kind).await? {
        if organisation_id.is_some_and(|o| org.as_deref() != Some(o))
            || municipality_id.is_some_and(|m| m != mun)
        {
            continue;
        }
        acc.add(&state, published, due, reacted, at);
    }
    Ok(acc.finish())
}

/// Figures per organisation and per municipality, and for the whole krai,
/// from one pass over the requests.
pub struct SlaTable {
    pub by_organisation: std::collections::BTreeMap<String, SlaFigures>,
    pub by_municipality: std::collections::BTreeMap<String, SlaFigures>,
    pub total: SlaFigures,
}

pub async fn sla_table(db: &Db, kind: &str, at: OffsetDateTime) -> Result<SlaTable, sqlx::Error> {
    let mut orgs: std::collections::BTreeMap<String, SlaAcc> = Default::default();
    let mut muns: std::collections::BTreeMap<String, SlaAcc> = Default::default();
    let mut total = SlaAcc::default();
    for (org, mun, state, published, due, reacted) in sla_rows(db, kind).await? {
        if let Some(o) = org {
            orgs.entry(o)
                .or_default()
                .add(&state, published, due, reacted, at);
        }
        muns.entry(mun)
            .or_default()
            .add(&state, published, due, reacted, at);
        total.add(&state, published, due, reacted, at);
    }
    Ok(SlaTable {
        by_organisation: orgs.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        by_municipality: muns.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        total: total.finish(),
    })
}

// ---- Open311 keys ----------------------------------------------------------

pub async fn insert_open311_key(
    tx: &mut Tx,
    hash: &str,
    name: &str,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    let now = now();
    exec_tx!(
        tx,
        "insert into open311_key (key_hash, name, account_id, created_at) values ($1, $2, $3, $4)",
        hash,
        name,
        account_id,
        now
    )?;
    Ok(())
}

/// The account a valid (not revoked) key acts as.
pub async fn open311_key_account(db: &Db, hash: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "select account_id from open311_key where key_hash = $1 and revoked_at is null"
    )
    .bind(hash)
    .fetch_optional(pool)
    .await)
}

#[derive(Debug, Clone, FromRow)]
pub struct Open311KeyRow {
    pub key_hash: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn open311_keys(db: &Db) -> Result<Vec<Open311KeyRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, Open311KeyRow>(
        "select key_hash, name, created_at, revoked_at from open311_key order by created_at desc"
    )
    .fetch_all(pool)
    .await)
}

pub async fn revoke_open311_key(db: &Db, prefix: &str) -> Result<(), sqlx::Error> {
    let now = now();
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    exec_db!(
        db,
        "update open311_key set revoked_at = $2 where key_hash like $1 and revoked_at is null",
        &pattern,
        now
    )?;
    Ok(())
}
