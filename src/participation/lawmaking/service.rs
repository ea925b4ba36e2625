//! Law-making's writes, each one transaction that records its step on the
//! initiative's public timeline: proposing and moderating a concept, and
//! every act of the later stages (`Input`, parsed once by the pages), plus
//! the scheduled move past a stage's end.

use axum::http::StatusCode;
use time::{Duration, OffsetDateTime};

use super::domain::{self, Act, Expertise, Facts, Level, Outcome, Stage, Verdict, Viewer};
use super::queries::{self, InitiativeRow, NewEvent};
use super::text::Document;
use super::{comments, drafts};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};

pub const TITLE_MAX: usize = 200;
pub const CONCEPT_MAX: usize = 4000;
pub const COMMENT_MAX: usize = 2000;
pub const QUOTE_MAX: usize = 1000;
pub const REASON_MAX: usize = 2000;
pub const DOCUMENT_MAX: usize = 50_000;
/// How deep replies nest in a thread.
pub const REPLY_DEPTH: usize = 4;

/// A concept as the form sends it, parsed once.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub title: String,
    pub problem: String,
    pub idea: String,
    pub level: Level,
    pub municipality_id: Option<String>,
    pub initiator: domain::Initiator,
    pub group: String,
    pub initiator_organisation_id: Option<String>,
    pub organisation_id: String,
}

/// One act on an initiative, parsed once from a form or an API call.
#[derive(Debug, Clone)]
pub enum Input {
    Publish,
    Decline {
        reason: String,
    },
    Support,
    Comment {
        parent: Option<i64>,
        body: String,
    },
    Pin {
        comment_id: i64,
        pinned: bool,
    },
    SupportComment {
        comment_id: i64,
    },
    FlagComment {
        comment_id: i64,
        reason: String,
    },
    Annotate {
        version: i64,
        paragraph: String,
        quote: String,
        body: String,
    },
    Amend {
        version: i64,
        paragraph: String,
        proposed: String,
    },
    DecideAmendment {
        amendment_id: i64,
        accept: bool,
        reason: String,
    },
    PublishVersion {
        text: Document,
        changelog: String,
    },
    AppointExpert {
        email: String,
    },
    Conclude {
        kind: Expertise,
        verdict: Verdict,
        summary: String,
        document: String,
    },
    ToExpertise,
    ToReaction,
    Decide {
        outcome: Outcome,
        number: String,
        date: Option<time::Date>,
        link: String,
        reasons: String,
    },
}

impl Input {
    /// The rule that governs it (supporting or flagging a comment needs only
    /// a signed-in reader of a public initiative).
    pub fn act(&self) -> Option<Act> {
        Some(match self {
            Input::Publish => Act::Publish,
            Input::Decline { .. } => Act::Decline,
            Input::Support => Act::Support,
            Input::Comment { .. } => Act::Comment,
            Input::Pin { .. } => Act::Pin,
            Input::Annotate { .. } => Act::Annotate,
            Input::Amend { .. } => Act::Amend,
            Input::DecideAmendment { .. } => Act::DecideAmendment,
            Input::PublishVersion { .. } => Act::PublishVersion,
            Input::AppointExpert { .. } => Act::AppointExpert,
            Input::Conclude { .. } => Act::Conclude,
            Input::ToExpertise => Act::ToExpertise,
            Input::ToReaction => Act::ToReaction,
            Input::Decide { .. } => Act::Decide,
            Input::SupportComment { .. } | Input::FlagComment { .. } => return None,
        })
    }
}

/// The rules' settings, read from the configuration once per act.
pub struct Rules {
    pub supports_municipal: i64,
    pub supports_regional: i64,
    pub support_days: i64,
    pub discussion_days: i64,
}

impl Rules {
    pub fn of(c: &crate::config::Config) -> Rules {
        let p = &c.participation;
        Rules {
            supports_municipal: i64::from(p.initiative_supports_municipal),
            supports_regional: i64::from(p.initiative_supports_regional),
            support_days: i64::from(p.initiative_support_days),
            discussion_days: i64::from(p.initiative_discussion_days),
        }
    }

    pub fn supports_needed(&self, level: Level) -> i64 {
        match level {
            Level::Region => self.supports_regional,
            Level::Municipality => self.supports_municipal,
        }
    }
}

/// What the people reading an initiative may do: their relation to it.
pub async fn viewer(db: &Db, i: &InitiativeRow, user: Option<&CurrentUser>) -> AppResult<Viewer> {
    let mut tx = db.read().await?;
    let v = viewer_tx(&mut tx, i, user).await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn viewer_tx(
    tx: &mut Tx,
    i: &InitiativeRow,
    user: Option<&CurrentUser>,
) -> AppResult<Viewer> {
    let Some(u) = user else {
        return Ok(Viewer::default());
    };
    Ok(Viewer {
        signed_in: true,
        initiator: u.account_id == i.author_id,
        organisation: u.is_officer_of(&i.organisation_id),
        expert: queries::is_expert(tx, i.initiative_id, u.account_id).await?,
        moderator: u.is_moderator(),
        supported: queries::supported(tx, i.initiative_id, u.account_id).await?,
    })
}

pub async fn facts(tx: &mut Tx, i: &InitiativeRow) -> AppResult<Facts> {
    let id = i.initiative_id;
    Ok(Facts {
        ended: i.stage_ends_at.is_some_and(|end| end <= now()),
        versions: drafts::latest_tx(tx, id).await?.map_or(0, |v| v.number),
        open_amendments: drafts::open_amendments(tx, id).await?,
        conclusions: queries::conclusion_count(tx, id).await?,
    })
}

fn role_of(v: &Viewer) -> &'static str {
    if v.organisation {
        "organisation"
    } else if v.expert {
        "expert"
    } else if v.moderator {
        "moderator"
    } else {
        "citizen"
    }
}

pub(super) struct Step<'a> {
    pub(super) i: &'a InitiativeRow,
    pub(super) actor: Option<i64>,
    pub(super) role: &'a str,
}

impl Step<'_> {
    pub(super) async fn record(
        &self,
        tx: &mut Tx,
        action: &str,
        stage: Stage,
        note: &str,
    ) -> AppResult<()> {
        let organisation = matches!(self.role, "organisation" | "system")
            .then_some(self.i.organisation_id.as_str());
        queries::add_event(
            tx,
            &NewEvent {
                initiative_id: self.i.initiative_id,
                action,
                stage: stage.as_str(),
                actor_id: self.actor,
                actor_role: self.role,
                organisation_id: organisation,
                note,
            },
        )
        .await?;
        super::feed::timeline(tx, self, action, stage, note).await?;
        Ok(())
    }
}

fn conflict(m: Msg) -> AppError {
    AppError::client(StatusCode::CONFLICT, "not_allowed_now", m)
}

fn moved_meanwhile() -> AppError {
    conflict(Msg::new(
        "Инициатива тем временем перешла на другой этап. Обновите страницу.",
        "The initiative moved to another stage meanwhile. Reload the page.",
    ))
}

/// Proposes a concept; a moderator publishes it.
pub async fn propose(state: &AppState, user: &CurrentUser, p: &Proposal) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    let id = propose_in(&mut tx, user, p).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn propose_in(tx: &mut Tx, user: &CurrentUser, p: &Proposal) -> AppResult<i64> {
    let id = queries::insert(
        tx,
        &queries::NewInitiative {
            title: &p.title,
            problem: &p.problem,
            idea: &p.idea,
            level: p.level.as_str(),
            municipality_id: p.municipality_id.as_deref(),
            initiator_kind: p.initiator.as_str(),
            initiator_group: &p.group,
            initiator_organisation_id: p.initiator_organisation_id.as_deref(),
            author_id: user.account_id,
            organisation_id: &p.organisation_id,
        },
    )
    .await?;
    queries::add_event(
        tx,
        &NewEvent {
            initiative_id: id,
            action: "proposed",
            stage: Stage::Moderation.as_str(),
            actor_id: Some(user.account_id),
            actor_role: if p.initiator == domain::Initiator::Organisation {
                "organisation"
            } else {
                "citizen"
            },
            organisation_id: p.initiator_organisation_id.as_deref(),
            note: "",
        },
    )
    .await?;
    tracing::info!(initiative_id = id, "initiative proposed, awaits moderation");
    Ok(id)
}

/// Takes `act` on the initiative as `user`: checked by the same rule the
/// page uses, written in one transaction with its timeline entry.
pub async fn act(state: &AppState, user: &CurrentUser, id: i64, input: &Input) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    act_in(&mut tx, state, user, id, input).await?;
    tx.commit().await?;
    state.search.notify();
    Ok(())
}

pub async fn act_in(
    tx: &mut Tx,
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    input: &Input,
) -> AppResult<()> {
    // One act on an initiative at a time: what the rule reads (its stage,
    // open amendments, conclusions) holds until the act is written.
    // SQLite's write transaction already serialises; PostgreSQL locks the row.
    queries::lock(tx, id).await?;
    let i = queries::initiative_tx(tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let v = viewer_tx(tx, &i, Some(user)).await?;
    let stage = i.stage();
    // Before moderation (or when declined) only the author and the
    // moderators know it exists.
    if !visible(&i, &v) {
        return Err(AppError::not_found());
    }
    let f = facts(tx, &i).await?;
    if let Some(a) = input.act() {
        domain::allowed(a, stage, &v, &f).map_err(conflict)?;
    }
    let rules = Rules::of(&state.config);
    let step = Step {
        i: &i,
        actor: Some(user.account_id),
        role: role_of(&v),
    };
    match input {
        Input::Publish => {
            let level = Level::parse(&i.level).unwrap_or(Level::Region);
            let ends = now() + Duration::days(rules.support_days);
            let needed = rules.supports_needed(level);
            if queries::set_stage(
                tx,
                id,
                stage.as_str(),
                "concept",
                Some(ends),
                None,
                Some(needed),
            )
            .await?
                == 0
            {
                return Err(moved_meanwhile());
            }
            let moderator = Step {
                role: "moderator",
                ..step
            };
            moderator
                .record(tx, "published", Stage::Concept, "")
                .await?;
            if i.initiator_kind != "organisation" {
                let author = Step {
                    actor: Some(i.author_id),
                    ..step
                };
                super::feed::personal(
                    tx,
                    &author,
                    crate::activity::Category::Initiatives,
                    &crate::activity::topic("initiative", id),
                    ("предложил(а) инициативу", "proposed the initiative"),
                )
                .await?;
            }
        }
        Input::Decline { reason } => {
            if queries::close(tx, id, stage.as_str(), Outcome::Declined.as_str()).await? == 0 {
                return Err(moved_meanwhile());
            }
            let moderator = Step {
                role: "moderator",
                ..step
            };
            moderator
                .record(tx, "declined", Stage::Closed, reason)
                .await?;
        }
        Input::Support => {
            let Some(count) = queries::support(tx, id, user.account_id).await? else {
                return Err(conflict(Msg::new(
                    "Вы уже поддержали эту инициативу.",
                    "You have already supported this initiative.",
                )));
            };
            super::feed::personal(
                tx,
                &step,
                crate::activity::Category::Supports,
                &crate::activity::topic("initiative", id),
                ("поддержал(а) инициативу", "supported the initiative"),
            )
            .await?;
            if count >= i.supports_needed {
                enter(tx, state, &i, Stage::Concept, Stage::Discussion, &rules).await?;
            }
        }
        Input::Comment { parent, body } => {
            state.lawmaking_comments.check(user.account_id)?;
            if let Some(p) = parent {
                let unknown = || {
                    AppError::unprocessable(
                        "unknown_comment",
                        Msg::new("Такого комментария нет.", "There is no such comment."),
                    )
                };
                let mut above = comments::comment_tx(tx, *p)
                    .await?
                    .filter(|c| c.initiative_id == id)
                    .ok_or_else(unknown)?;
                // Threads are at most REPLY_DEPTH replies deep (the page
                // nests them, and a chain of thousands would not render).
                let mut depth = 1;
                while let Some(up) = above.parent_id {
                    depth += 1;
                    if depth > REPLY_DEPTH {
                        return Err(AppError::unprocessable(
                            "thread_too_deep",
                            Msg::new(
                                "Ответ слишком глубоко в ветке: ответьте на более ранний комментарий.",
                                "The reply is too deep in the thread: answer an earlier comment.",
                            ),
                        ));
                    }
                    above = comments::comment_tx(tx, up).await?.ok_or_else(unknown)?;
                }
            }
            let comment =
                comments::add(tx, id, *parent, user.account_id, body, v.organisation).await?;
            if !v.organisation {
                super::feed::personal(
                    tx,
                    &step,
                    crate::activity::Category::Comments,
                    &crate::activity::topic("initiative_comment", comment),
                    (
                        "прокомментировал(а) инициативу",
                        "commented on the initiative",
                    ),
                )
                .await?;
            }
        }
        Input::Pin { comment_id, pinned } => {
            comment_of(tx, id, *comment_id).await?;
            comments::set_pinned(tx, *comment_id, *pinned).await?;
            let what = if *pinned { "pinned" } else { "unpinned" };
            step.record(tx, what, stage, &format!("#{comment_id}"))
                .await?;
        }
        Input::SupportComment { comment_id } => {
            comment_of(tx, id, *comment_id).await?;
            comments::support(tx, *comment_id, user.account_id).await?;
        }
        Input::FlagComment { comment_id, reason } => {
            comment_of(tx, id, *comment_id).await?;
            comments::flag(tx, *comment_id, user.account_id, reason).await?;
            tracing::info!(comment_id, "initiative comment flagged");
        }
        Input::Annotate {
            version,
            paragraph,
            quote,
            body,
        } => {
            state.lawmaking_comments.check(user.account_id)?;
            let doc = version_of(tx, id, *version).await?.document();
            let text = doc.paragraph(paragraph).ok_or_else(no_paragraph)?;
            if !text.contains(quote.as_str()) {
                return Err(AppError::unprocessable(
                    "quote_not_in_paragraph",
                    Msg::new(
                        "Выделенного фрагмента нет в этом абзаце.",
                        "The selected passage is not in this paragraph.",
                    ),
                ));
            }
            drafts::annotate(
                tx,
                id,
                user.account_id,
                &drafts::NewAnnotation {
                    version_id: *version,
                    paragraph,
                    quote,
                    body,
                },
            )
            .await?;
        }
        Input::Amend {
            version,
            paragraph,
            proposed,
        } => {
            state.lawmaking_comments.check(user.account_id)?;
            let current = drafts::latest_tx(tx, id).await?.ok_or_else(no_paragraph)?;
            if current.version_id != *version {
                return Err(conflict(Msg::new(
                    "Поправки предлагаются к последней редакции текста.",
                    "Amendments are proposed to the latest version of the text.",
                )));
            }
            let doc = current.document();
            let was = doc.paragraph(paragraph).ok_or_else(no_paragraph)?;
            if was == proposed {
                return Err(AppError::unprocessable(
                    "nothing_changes",
                    Msg::new(
                        "Предложенная редакция совпадает с текущей.",
                        "The proposed wording is the current one.",
                    ),
                ));
            }
            drafts::amend(tx, id, *version, paragraph, proposed, user.account_id).await?;
        }
        Input::DecideAmendment {
            amendment_id,
            accept,
            reason,
        } => {
            drafts::amendment_tx(tx, *amendment_id)
                .await?
                .filter(|m| m.initiative_id == id)
                .ok_or_else(AppError::not_found)?;
            let state_name = if *accept { "accepted" } else { "rejected" };
            if !drafts::decide_amendment(tx, *amendment_id, state_name, reason, user.account_id)
                .await?
            {
                return Err(conflict(Msg::new(
                    "По этой поправке уже принято решение.",
                    "This amendment has been decided already.",
                )));
            }
            let action = if *accept {
                "amendment_accepted"
            } else {
                "amendment_rejected"
            };
            step.record(tx, action, stage, &format!("#{amendment_id}: {reason}"))
                .await?;
        }
        Input::PublishVersion { text, changelog } => {
            let (version_id, number) =
                drafts::add_version(tx, id, &text.to_text(), changelog, user.account_id).await?;
            // The accepted amendments the organisation has not put in a
            // version yet are in this one if their wording is.
            // The accepted amendments not yet in a version are settled by
            // this one: they went into it (in their wording or the
            // organisation's), and the next version's form no longer
            // applies them.
            for m in drafts::accepted_pending(tx, id).await? {
                drafts::mark_applied(tx, m.amendment_id, version_id).await?;
            }
            if number == 1 {
                queries::act_done(tx, id).await?;
            }
            step.record(
                tx,
                "version_published",
                stage,
                &format!("{number}. {changelog}"),
            )
            .await?;
        }
        Input::AppointExpert { email } => {
            let norm = crate::auth::domain::Email::parse(email)
                .map_err(|m| AppError::unprocessable("invalid_email", m))?
                .normalised;
            let expert = crate::auth::queries::account_by_email_tx(tx, &norm)
                .await?
                .filter(|a| a.disabled_at.is_none())
                .ok_or_else(|| {
                    AppError::unprocessable(
                        "unknown_account",
                        Msg::new(
                            "Учётной записи с таким адресом нет: эксперт сначала регистрируется.",
                            "There is no account with this address: the expert signs up first.",
                        ),
                    )
                })?;
            if queries::appoint(tx, id, expert.account_id, user.account_id).await? == 1 {
                step.record(tx, "expert_appointed", stage, "").await?;
            }
        }
        Input::Conclude {
            kind,
            verdict,
            summary,
            document,
        } => {
            let added = queries::conclude(
                tx,
                id,
                user.account_id,
                &queries::NewConclusion {
                    kind: kind.as_str(),
                    verdict: verdict.as_str(),
                    summary,
                    document,
                },
            )
            .await?;
            if !added {
                return Err(conflict(Msg::new(
                    "Заключение этого вида уже опубликовано.",
                    "A conclusion of this kind has been published already.",
                )));
            }
            let expert = Step {
                role: "expert",
                ..step
            };
            expert
                .record(tx, "conclusion_published", stage, kind.as_str())
                .await?;
        }
        Input::ToExpertise => {
            enter(tx, state, &i, Stage::Text, Stage::Expertise, &rules).await?;
        }
        Input::ToReaction => {
            enter(tx, state, &i, Stage::Expertise, Stage::Reaction, &rules).await?;
        }
        Input::Decide {
            outcome,
            number,
            date,
            link,
            reasons,
        } => {
            let date = date.map(|d| d.to_string());
            let done = queries::decide(
                tx,
                id,
                &queries::Decision {
                    outcome: outcome.as_str(),
                    number,
                    date: date.as_deref(),
                    link,
                    reasons,
                },
            )
            .await?;
            if done == 0 {
                return Err(moved_meanwhile());
            }
            step.record(tx, "decided", Stage::Closed, outcome.as_str())
                .await?;
            let details = [
                number.as_str(),
                date.as_deref().unwrap_or(""),
                link,
                reasons,
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
            super::core::mirror_decision(tx, state, &i, *outcome, &details).await?;
        }
    }
    // The search document and the open datasets follow the initiative.
    crate::search::enqueue(tx, super::search::KIND, &id.to_string()).await?;
    if !matches!(
        input,
        Input::Comment { .. }
            | Input::SupportComment { .. }
            | Input::FlagComment { .. }
            | Input::Annotate { .. }
            | Input::Amend { .. }
    ) {
        crate::datasets::request_refresh(tx, super::dataset::INITIATIVES).await?;
    }
    if matches!(input, Input::Conclude { .. }) {
        crate::datasets::request_refresh(tx, super::dataset::CONCLUSIONS).await?;
    }
    Ok(())
}

fn no_paragraph() -> AppError {
    AppError::unprocessable(
        "unknown_paragraph",
        Msg::new(
            "Такого абзаца в этой редакции нет.",
            "There is no such paragraph in this version.",
        ),
    )
}

async fn comment_of(tx: &mut Tx, id: i64, comment_id: i64) -> AppResult<comments::CommentRow> {
    comments::comment_tx(tx, comment_id)
        .await?
        .filter(|c| c.initiative_id == id)
        .ok_or_else(AppError::not_found)
}

async fn version_of(tx: &mut Tx, id: i64, version_id: i64) -> AppResult<drafts::VersionRow> {
    drafts::version_tx(tx, version_id)
        .await?
        .filter(|v| v.initiative_id == id)
        .ok_or_else(no_paragraph)
}

/// Moves an initiative from `from` to `to` and starts the new stage's
/// clock: a discussion's fixed time, or the deadline of the official act
/// the stage owes, counted by the report answers' SLA rules (10 days,
/// calendar or working, as the administrators set them).
pub(super) async fn enter(
    tx: &mut Tx,
    state: &AppState,
    i: &InitiativeRow,
    from: Stage,
    to: Stage,
    rules: &Rules,
) -> AppResult<()> {
    let at = now();
    let (ends, due) = match to {
        Stage::Discussion => (Some(at + Duration::days(rules.discussion_days)), None),
        Stage::Text | Stage::Expertise | Stage::Reaction => (None, Some(act_due(state, at).await?)),
        _ => (None, None),
    };
    if queries::set_stage(
        tx,
        i.initiative_id,
        from.as_str(),
        to.as_str(),
        ends,
        due,
        None,
    )
    .await?
        == 0
    {
        return Err(moved_meanwhile());
    }
    let system = from == Stage::Concept || from == Stage::Discussion;
    let step = Step {
        i,
        actor: None,
        role: if system { "system" } else { "organisation" },
    };
    step.record(tx, "stage_started", to, "").await
}

async fn act_due(state: &AppState, at: OffsetDateTime) -> AppResult<OffsetDateTime> {
    let s = crate::workflow::settings(&state.db).await?;
    Ok(crate::workflow::sla::due(
        at,
        s.sla_mode,
        s.sla_days,
        crate::workflow::sla::russia(),
    ))
}

/// Whether the reader may see the initiative at all: before moderation,
/// its author and the moderators only.
pub fn visible(i: &InitiativeRow, v: &Viewer) -> bool {
    i.stage() != Stage::Moderation && i.outcome() != Some(Outcome::Declined)
        || v.initiator
        || v.moderator
}
