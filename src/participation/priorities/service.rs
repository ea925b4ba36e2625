//! What people do with priorities, each a transaction: propose, moderate,
//! support and withdraw, freeze; and the quarterly job that closes a quarter
//! into an immutable snapshot. Forms and the JSON API call these same
//! functions.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::domain::{self, Action, Candidate, Quarter, Ranked, Situation, State, Topic};
use super::queries::{self, NewPriority, PriorityRow, RankRow, SnapshotRow};
use super::{KIND, SOURCE, population};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::FieldErrors;

/// The rules an installation sets (`config.rs`, `VECHE_PRIORITY_*`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// K: priorities one citizen may support in a quarter.
    pub per_quarter: u32,
    /// How much a declared (unverified) residence counts, 0 to 1.
    pub declared_weight: f64,
    /// Supports from accounts younger than a week, for one priority within
    /// one hour, that make a burst worth an administrator's look.
    pub burst: u32,
    /// How long a computed preliminary ranking is reused.
    pub live_for: Duration,
}

impl Settings {
    pub fn of(c: &Config) -> Settings {
        Settings {
            per_quarter: c.participation.priority_supports_per_quarter.max(1),
            declared_weight: c.participation.priority_declared_weight.clamp(0.0, 1.0),
            burst: c.participation.priority_burst.max(2),
            live_for: Duration::from_secs(c.participation.priority_live_secs),
        }
    }
}

/// The current quarter.
pub fn current_quarter() -> Quarter {
    Quarter::at(crate::db::now())
}

// ------------------------------------------------------------ proposing --

/// The proposal form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Empty: the whole region.
    #[serde(default)]
    pub municipality_id: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub organisation_id: String,
}

/// A proposal, parsed once.
pub struct Proposal {
    pub title: String,
    pub description: String,
    pub municipality_id: Option<String>,
    pub topic: Topic,
    pub organisation_id: String,
}

fn text(
    value: &str,
    min: usize,
    max: usize,
    what: (&'static str, &'static str),
) -> Result<String, Msg> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min || n > max {
        return Err(Msg::new(
            format!("{}: от {min} до {max} знаков.", what.0),
            format!("{}: {min} to {max} characters.", what.1),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Msg::new(
            format!("{}: недопустимые символы.", what.0),
            format!("{}: characters that are not allowed.", what.1),
        ));
    }
    Ok(v.to_owned())
}

impl Proposal {
    pub fn parse(f: &ProposalForm, user: &CurrentUser) -> Result<Proposal, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", text(&f.title, 3, 200, ("Название", "Title")));
        let description = e.check(
            "description",
            text(&f.description, 20, 4000, ("Описание", "Description")),
        );
        let municipality_id = if f.municipality_id.is_empty() {
            Some(None)
        } else {
            e.check(
                "municipality_id",
                crate::geo::geography()
                    .by_id(&f.municipality_id)
                    .map(|m| Some(m.id.clone()))
                    .ok_or_else(|| {
                        Msg::new(
                            "Выберите муниципалитет из списка.",
                            "Choose a municipality from the list.",
                        )
                    }),
            )
        };
        let topic = e.check(
            "topic",
            Topic::parse(&f.topic).ok_or_else(|| Msg::new("Выберите тему.", "Choose a topic.")),
        );
        let organisation_id = e.check(
            "organisation_id",
            domain::may_propose(user, &f.organisation_id)
                .then(|| f.organisation_id.clone())
                .ok_or_else(|| {
                    Msg::new(
                        "Выберите организацию, от имени которой вы предлагаете приоритет.",
                        "Choose the organisation on whose behalf you propose the priority.",
                    )
                }),
        );
        match (title, description, municipality_id, topic, organisation_id) {
            (
                Some(title),
                Some(description),
                Some(municipality_id),
                Some(topic),
                Some(organisation_id),
            ) if e.is_empty() => Ok(Proposal {
                title,
                description,
                municipality_id,
                topic,
                organisation_id,
            }),
            _ => Err(e),
        }
    }
}

/// Proposes a priority; it waits for a moderator.
pub async fn propose(db: &Db, user: &CurrentUser, p: &Proposal) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let id = propose_in(&mut tx, user, p).await?;
    tx.commit().await?;
    Ok(id)
}

/// `propose` inside the caller's transaction.
pub async fn propose_in(tx: &mut Tx, user: &CurrentUser, p: &Proposal) -> AppResult<i64> {
    Ok(queries::insert(
        tx,
        &NewPriority {
            title: &p.title,
            description: &p.description,
            municipality_id: p.municipality_id.as_deref(),
            topic: p.topic.as_str(),
            organisation_id: &p.organisation_id,
            proposed_by: user.account_id,
        },
    )
    .await?)
}

// --------------------------------------------------------------- acting --

/// A priority and what the person may do with it now.
pub struct Options {
    pub actions: Vec<Action>,
    pub blocked: Option<domain::Blocked>,
    pub supports: bool,
    pub used: u32,
}

/// The same facts `act` checks, read for the page.
pub async fn options(
    db: &Db,
    settings: &Settings,
    user: Option<&CurrentUser>,
    p: &PriorityRow,
) -> AppResult<Options> {
    let Some(user) = user else {
        return Ok(Options {
            actions: Vec::new(),
            blocked: None,
            supports: false,
            used: 0,
        });
    };
    let voter = queries::voter(db, user.account_id).await?;
    let mine = queries::supported_by(db, user.account_id, current_quarter()).await?;
    let supports = mine.contains(&p.priority_id);
    let used = mine.len() as u32;
    let (actions, blocked) = domain::decide(&Situation {
        user,
        state: p.state(),
        scope: p.municipality_id.as_deref(),
        residence: voter.as_ref().and_then(|v| v.municipality_id.as_deref()),
        confirmed: voter.as_ref().is_some_and(|v| v.confirmed),
        supports,
        used,
        limit: settings.per_quarter,
    });
    Ok(Options {
        actions,
        blocked,
        supports,
        used,
    })
}

/// Carries out `action` if the rules allow it now; a note is kept with a
/// rejection or a freeze.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    note: &str,
) -> AppResult<()> {
    if matches!(action, Action::Support | Action::Withdraw) {
        state.priorities.check_rate(user.account_id)?;
    }
    let mut tx = state.db.begin().await?;
    act_in(
        &mut tx,
        &Settings::of(&state.config),
        user,
        id,
        action,
        note,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `act` inside the caller's transaction.
pub async fn act_in(
    tx: &mut Tx,
    settings: &Settings,
    user: &CurrentUser,
    id: i64,
    action: Action,
    note: &str,
) -> AppResult<()> {
    let quarter = current_quarter();
    let p = queries::priority_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !p.state().is_public() && !user.is_moderator() {
        return Err(AppError::not_found());
    }
    // Read under the lock on the person's account: two supports sent at
    // once are counted one after the other.
    let voter = queries::voter_locked(tx, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let used = queries::active_supports_tx(tx, user.account_id, quarter).await? as u32;
    let supports = on_support_list(tx, user.account_id, id, quarter).await?;
    let (allowed, blocked) = domain::decide(&Situation {
        user,
        state: p.state(),
        scope: p.municipality_id.as_deref(),
        residence: voter.municipality_id.as_deref(),
        confirmed: voter.confirmed,
        supports,
        used,
        limit: settings.per_quarter,
    });
    if !allowed.contains(&action) {
        return Err(match (action, blocked) {
            (Action::Support, Some(b)) => AppError::conflict("cannot_support", b.message()),
            (Action::Support | Action::Withdraw, None) => AppError::conflict(
                "not_now",
                Msg::new(
                    "Это действие сейчас недоступно: обновите страницу.",
                    "This action is not available now: reload the page.",
                ),
            ),
            _ => AppError::forbidden(),
        });
    }
    let note = note.trim();
    if matches!(action, Action::Reject | Action::Freeze) && note.chars().count() < 5 {
        return Err(AppError::invalid(
            "Укажите причину (не короче 5 знаков).",
            "Give the reason (at least 5 characters).",
        ));
    }
    if note.chars().count() > 2000 {
        return Err(AppError::invalid(
            "Причина длиннее 2000 знаков.",
            "The reason is longer than 2000 characters.",
        ));
    }
    let from = p.state();
    match action {
        Action::Support => {
            let (Some(m), Some(status)) = (&voter.municipality_id, &voter.municipality_status)
            else {
                return Err(AppError::forbidden());
            };
            queries::add_support(tx, id, user.account_id, quarter, m, status).await?;
            let (ru, en) = (
                format!("поддержал(а) приоритет «{}»", p.title),
                format!("supported the priority “{}”", p.title),
            );
            crate::activity::record(
                tx,
                &crate::activity::NewActivity {
                    actor: Some(user.account_id),
                    anonymous: false,
                    category: crate::activity::Category::Supports,
                    subject: &crate::activity::topic("priority", id),
                    topics: &[crate::activity::topic("priority", id)],
                    text: (&ru, &en),
                    link: &format!("/participation/priorities/{id}"),
                },
            )
            .await?;
        }
        Action::Withdraw => {
            queries::withdraw_support(tx, id, user.account_id, quarter).await?;
            crate::activity::retract(
                tx,
                user.account_id,
                &crate::activity::topic("priority", id),
                crate::activity::Category::Supports,
            )
            .await?;
        }
        Action::Publish => {
            queries::set_state(tx, id, from, State::Published, "").await?;
        }
        Action::Reject => {
            queries::set_state(tx, id, from, State::Rejected, note).await?;
        }
        Action::Freeze => {
            queries::set_state(tx, id, from, State::Frozen, note).await?;
        }
        Action::Unfreeze => {
            queries::set_state(tx, id, from, State::Published, "").await?;
        }
    }
    if !matches!(action, Action::Support | Action::Withdraw) {
        // What the public sees of it changed: its search document follows.
        crate::search::enqueue(tx, KIND, &id.to_string()).await?;
    }
    // Its followers see what became of it, while it is public (a proposal
    // rejected before publication was never anybody's to see).
    if matches!(action, Action::Publish | Action::Freeze | Action::Unfreeze) {
        let to = match action {
            Action::Freeze => ("приостановлен", "put on hold"),
            _ => ("опубликован", "published"),
        };
        let (ru, en) = (
            format!("Приоритет «{}» {}", p.title, to.0),
            format!("The priority “{}” was {}", p.title, to.1),
        );
        crate::activity::record(
            tx,
            &crate::activity::NewActivity::official(
                &crate::activity::topic("priority", id),
                &[
                    crate::activity::topic("priority", id),
                    crate::activity::topic("org", &p.organisation_id),
                ],
                (&ru, &en),
                &format!("/participation/priorities/{id}"),
            ),
        )
        .await?;
    }
    Ok(())
}

async fn on_support_list(
    tx: &mut crate::db::Tx,
    account_id: i64,
    priority_id: i64,
    quarter: Quarter,
) -> Result<bool, sqlx::Error> {
    let n: (i64,) = crate::fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "select count(*) from priority_support where priority_id = $1 and account_id = $2
           and quarter = $3 and withdrawn_at is null",
        priority_id,
        account_id,
        quarter.to_string()
    )?;
    Ok(n.0 > 0)
}

// -------------------------------------------------------------- ranking --

/// A quarter's ranks in every scope.
pub struct Ranks {
    pub quarter: Quarter,
    /// The current quarter's live ranks, not yet a snapshot.
    pub preliminary: bool,
    pub region: Vec<Ranked>,
    pub municipal: BTreeMap<String, Vec<Ranked>>,
    /// How the snapshot was computed (or is being: the current settings).
    pub declared_weight: f64,
    pub population_source: String,
    pub population_year: i64,
    /// Priorities ranked and supports counted.
    pub priorities: i64,
    pub supports: i64,
}

impl Ranks {
    pub fn scope(&self, scope: &str) -> &[Ranked] {
        if scope == super::REGION {
            &self.region
        } else {
            self.municipal.get(scope).map(Vec::as_slice).unwrap_or(&[])
        }
    }
}

/// Computes every scope's ranks of a quarter from its supports, over the
/// priorities published by its end and published now (frozen ones wait for
/// their review).
async fn compute(db: &Db, quarter: Quarter, settings: &Settings) -> AppResult<Ranks> {
    let t = queries::tallies(db, quarter).await?;
    let candidates: Vec<Candidate> = queries::by_states(db, &[State::Published])
        .await?
        .into_iter()
        // A priority published after the quarter was not in it.
        .filter(|p| p.published_at.is_some_and(|t| Quarter::at(t) <= quarter))
        .map(|p| Candidate {
            priority_id: p.priority_id,
            municipality_id: p.municipality_id,
        })
        .collect();
    let population = population::population();
    let supports = t.supports.values().map(|c| c.total()).sum();
    let region = domain::regional(&candidates, &t, population, settings.declared_weight);
    let municipal = crate::geo::geography()
        .all()
        .iter()
        .map(|m| {
            (
                m.id.clone(),
                domain::municipal(&m.id, &candidates, &t, settings.declared_weight),
            )
        })
        .collect();
    Ok(Ranks {
        quarter,
        preliminary: true,
        region,
        municipal,
        declared_weight: settings.declared_weight,
        population_source: population::SOURCE.to_owned(),
        population_year: population::YEAR,
        priorities: candidates.len() as i64,
        supports,
    })
}

/// The preliminary ranks and when they were computed.
type Cached = Option<(Instant, Arc<Ranks>)>;

/// What the feature keeps in the running server: the current quarter's
/// preliminary ranks, and a per-account limit on supports and withdrawals
/// (30 a minute: a person clicks a few times, a script thousands).
///
/// The ranks are computed once and reused for `live_for`; after that the
/// next reader gets them as they are while one background task computes
/// them anew (at a million supports that takes seconds, and no page
/// should wait for it). Only the first computation of a quarter, or any
/// with `live_for` zero, is waited for, by one reader at a time.
#[derive(Clone)]
pub struct Runtime {
    live: Arc<std::sync::Mutex<Cached>>,
    /// One computation at a time.
    computing: Arc<tokio::sync::Mutex<()>>,
    refreshing: Arc<std::sync::atomic::AtomicBool>,
    per_account: Arc<governor::DefaultKeyedRateLimiter<i64>>,
}

impl Default for Runtime {
    fn default() -> Runtime {
        let quota = governor::Quota::per_minute(
            std::num::NonZeroU32::new(30).unwrap_or(std::num::NonZeroU32::MIN),
        );
        Runtime {
            live: Arc::default(),
            computing: Arc::default(),
            refreshing: Arc::default(),
            per_account: Arc::new(governor::RateLimiter::keyed(quota)),
        }
    }
}

impl Runtime {
    fn cached(&self) -> Cached {
        self.live.lock().map(|c| c.clone()).unwrap_or(None)
    }

    async fn recompute(
        &self,
        db: &Db,
        quarter: Quarter,
        settings: &Settings,
    ) -> AppResult<Arc<Ranks>> {
        let _one = self.computing.lock().await;
        // Another reader may have computed them while this one waited.
        if let Some((at, r)) = self.cached()
            && r.quarter == quarter
            && at.elapsed() < settings.live_for
        {
            return Ok(r);
        }
        let r = Arc::new(compute(db, quarter, settings).await?);
        if let Ok(mut slot) = self.live.lock() {
            *slot = Some((Instant::now(), r.clone()));
        }
        Ok(r)
    }

    pub async fn live(&self, db: &Db, settings: &Settings) -> AppResult<Arc<Ranks>> {
        let quarter = current_quarter();
        match self.cached() {
            Some((at, r)) if r.quarter == quarter && at.elapsed() < settings.live_for => Ok(r),
            Some((_, r)) if r.quarter == quarter && !settings.live_for.is_zero() => {
                if !self
                    .refreshing
                    .swap(true, std::sync::atomic::Ordering::AcqRel)
                {
                    let (me, db, settings) = (self.clone(), db.clone(), *settings);
                    tokio::spawn(async move {
                        if let Err(e) = me.recompute(&db, quarter, &settings).await {
                            tracing::warn!(error = %e, "recomputing the preliminary ranks failed");
                        }
                        me.refreshing
                            .store(false, std::sync::atomic::Ordering::Release);
                    });
                }
                Ok(r)
            }
            _ => self.recompute(db, quarter, settings).await,
        }
    }

    /// Counts one support or withdrawal of the account; 429 over the limit.
    fn check_rate(&self, account_id: i64) -> AppResult<()> {
        self.per_account
            .check_key(&account_id)
            .map_err(|_| AppError::RateLimited {
                retry_after_secs: 60,
            })
    }
}

/// A closed quarter's ranks, read from its snapshot: every scope, or only
/// `scope` (a page shows one); `None` when the quarter has no snapshot.
pub async fn snapshot(db: &Db, quarter: Quarter, scope: Option<&str>) -> AppResult<Option<Ranks>> {
    let Some(s) = queries::snapshot(db, quarter).await? else {
        return Ok(None);
    };
    let rows = match scope {
        Some(scope) => queries::snapshot_ranks(db, quarter, scope).await?,
        None => queries::quarter_ranks(db, quarter).await?,
    };
    let mut r = Ranks {
        quarter,
        preliminary: false,
        region: Vec::new(),
        municipal: BTreeMap::new(),
        declared_weight: s.declared_weight,
        population_source: s.population_source,
        population_year: s.population_year,
        priorities: s.priorities,
        supports: s.supports,
    };
    for row in rows {
        if row.scope == super::REGION {
            r.region.push(row.ranked());
        } else {
            r.municipal
                .entry(row.scope.clone())
                .or_default()
                .push(row.ranked());
        }
    }
    Ok(Some(r))
}

/// The ranks of `quarter`: the live preliminary ranks of the current one
/// (every scope), the snapshot of a closed one (`scope` only, if given).
pub async fn ranks(
    state: &AppState,
    quarter: Quarter,
    scope: Option<&str>,
) -> AppResult<Option<Arc<Ranks>>> {
    if quarter == current_quarter() {
        let settings = Settings::of(&state.config);
        return Ok(Some(state.priorities.live(&state.db, &settings).await?));
    }
    Ok(snapshot(&state.db, quarter, scope).await?.map(Arc::new))
}

/// Closes every past quarter that has supports and no snapshot yet: its
/// ranks in every scope, computed and written in one transaction with the
/// snapshot's row. Safe to run twice and from two processes: the second
/// finds the row taken and writes nothing.
pub async fn close_quarters(state: &AppState) -> anyhow::Result<Vec<Quarter>> {
    let settings = Settings::of(&state.config);
    let mut closed = Vec::new();
    for quarter in queries::quarters_to_close(&state.db, current_quarter()).await? {
        let ranks = compute(&state.db, quarter, &settings).await?;
        let mut tx = state.db.begin().await?;
        let claimed = queries::claim_snapshot(
            &mut tx,
            &SnapshotRow {
                quarter: quarter.to_string(),
                computed_at: queries::stamp(),
                declared_weight: ranks.declared_weight,
                population_source: ranks.population_source.clone(),
                population_year: ranks.population_year,
                priorities: ranks.priorities,
                supports: ranks.supports,
            },
        )
        .await?;
        if !claimed {
            continue;
        }
        let scopes = std::iter::once((super::REGION, &ranks.region))
            .chain(ranks.municipal.iter().map(|(m, r)| (m.as_str(), r)));
        let rows: Vec<RankRow> = scopes
            .flat_map(|(scope, rows)| {
                rows.iter().map(move |r| RankRow {
                    quarter: quarter.to_string(),
                    scope: scope.to_owned(),
                    priority_id: r.priority_id,
                    position: r.position,
                    score: r.score,
                    supporters_verified: r.supporters.verified,
                    supporters_declared: r.supporters.declared,
                    participants_verified: r.participants.verified,
                    participants_declared: r.participants.declared,
                    wilson_lower: r.wilson_lower,
                })
            })
            .collect();
        queries::insert_ranks(&mut tx, &rows).await?;
        crate::datasets::request_refresh(&mut tx, SOURCE).await?;
        tx.commit().await?;
        tracing::info!(quarter = %quarter, "priority ranks of the quarter closed");
        closed.push(quarter);
    }
    Ok(closed)
}

// ------------------------------------------------------------- bursts --

/// Many supports for one priority within one hour from accounts younger
/// than a week.
pub struct Burst {
    pub priority_id: i64,
    pub hour: time::OffsetDateTime,
    pub supports: u32,
}

/// Bursts of the past week, largest first.
pub async fn bursts(db: &Db, settings: &Settings) -> AppResult<Vec<Burst>> {
    let since = crate::db::now() - time::Duration::days(7);
    let rows = queries::recent_supports(db, since, 200_000).await?;
    let mut by: BTreeMap<(i64, time::OffsetDateTime), u32> = BTreeMap::new();
    for r in rows {
        if r.created_at - r.account_created_at > time::Duration::days(7) {
            continue;
        }
        let t = r.created_at.to_offset(time::UtcOffset::UTC);
        let hour = t
            .replace_minute(0)
            .and_then(|t| t.replace_second(0))
            .unwrap_or(t);
        *by.entry((r.priority_id, hour)).or_default() += 1;
    }
    let mut out: Vec<Burst> = by
        .into_iter()
        .filter(|(_, n)| *n >= settings.burst)
        .map(|((priority_id, hour), supports)| Burst {
            priority_id,
            hour,
            supports,
        })
        .collect();
    out.sort_by(|a, b| b.supports.cmp(&a.supports).then(b.hour.cmp(&a.hour)));
    Ok(out)
}
