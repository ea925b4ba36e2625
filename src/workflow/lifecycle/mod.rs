//! The lifecycle of a citizen's request: its states, who may move it from
//! one to the next, and what each move records. A pure function over the
//! current request, so the rules are tested as a table and every kind of
//! request (problem reports, construction check requests) shares them.
//!
//! ```text
//! submitted ──approve──► published ──accept──► in_progress
//! submitted ──ask──► needs_clarification ──answer──► (back where it was)
//! needs_clarification ──3 days without an answer──► rejected
//! submitted ──reject──► rejected
//! published | in_progress | reopened ──refer──► (same state, another organisation)
//! published | in_progress | reopened | planned ──resolve──► resolved
//! published | in_progress | reopened ──plan──► planned ──resolve / accept──► …
//! published | in_progress | reopened | planned ──close (reason)──► closed
//! resolved ──dispute within 14 days──► reopened
//! resolved ──confirm, or 14 days──► closed (fixed)
//! any public state ──hide──► hidden ──unhide──► (back)
//! ```
//! An official reaction (resolved, planned with a date, closed with a
//! reason) is due 10 days after publication; see `sla.rs`.

use time::{Date, OffsetDateTime};

use crate::error::Msg;
use crate::texts;
use crate::web::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Submitted,
    NeedsClarification,
    Published,
    InProgress,
    Planned,
    Resolved,
    Reopened,
    Closed,
    Rejected,
    Hidden,
}

pub const ALL_STATES: [State; 10] = [
    State::Submitted,
    State::NeedsClarification,
    State::Published,
    State::InProgress,
    State::Planned,
    State::Resolved,
    State::Reopened,
    State::Closed,
    State::Rejected,
    State::Hidden,
];

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::NeedsClarification => "needs_clarification",
            State::Published => "published",
            State::InProgress => "in_progress",
            State::Planned => "planned",
            State::Resolved => "resolved",
            State::Reopened => "reopened",
            State::Closed => "closed",
            State::Rejected => "rejected",
            State::Hidden => "hidden",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        ALL_STATES.into_iter().find(|st| st.as_str() == s)
    }

    /// Shown to everyone (on the site, in feeds, in Open311, in the dataset).
    pub fn is_public(self) -> bool {
        !matches!(
            self,
            State::Submitted | State::NeedsClarification | State::Rejected | State::Hidden
        )
    }

    /// The department owes an official reaction (the SLA clock runs).
    pub fn awaits_reaction(self) -> bool {
        matches!(self, State::Published | State::InProgress | State::Reopened)
    }

    /// Open311's two statuses.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Published | State::InProgress | State::Planned | State::Reopened
        )
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = StateLabels::get(l);
            match self {
                State::Submitted => t.submitted,
                State::NeedsClarification => t.needs_clarification,
                State::Published => t.published,
                State::InProgress => t.in_progress,
                State::Planned => t.planned,
                State::Resolved => t.resolved,
                State::Reopened => t.reopened,
                State::Closed => t.closed,
                State::Rejected => t.rejected,
                State::Hidden => t.hidden,
            }
        }
    }
}

/// Why a request was closed without a fix, or that it was fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    NotResponsible,
    Duplicate,
    NoActionNeeded,
    Fixed,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::NotResponsible => "not_responsible",
            CloseReason::Duplicate => "duplicate",
            CloseReason::NoActionNeeded => "no_action",
            CloseReason::Fixed => "fixed",
        }
    }

    pub fn parse(s: &str) -> Option<CloseReason> {
        [
            CloseReason::NotResponsible,
            CloseReason::Duplicate,
            CloseReason::NoActionNeeded,
            CloseReason::Fixed,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = CloseReasonLabels::get(l);
            match self {
                CloseReason::NotResponsible => t.not_responsible,
                CloseReason::Duplicate => t.duplicate,
                CloseReason::NoActionNeeded => t.no_action_needed,
                CloseReason::Fixed => t.fixed,
            }
        }
    }
}

/// Who acts, in the role the action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The author of the request.
    Author,
    Moderator,
    /// An officer of the organisation the request is routed to.
    Officer,
    Administrator,
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "citizen",
            Role::Moderator => "moderator",
            Role::Officer => "officer",
            Role::Administrator => "administrator",
            Role::System => "system",
        }
    }

    pub fn label(s: &str, l: Locale) -> &'static str {
        {
            let t = RoleLabels::get(l);
            match s {
                "citizen" => t.citizen,
                "moderator" => t.moderator,
                "officer" => t.officer,
                "administrator" => t.administrator,
                _ => t.other,
            }
        }
    }
}

/// What someone wants to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Approve,
    AskClarification {
        question: String,
    },
    AnswerClarification {
        answer: String,
    },
    Reject {
        reason: String,
    },
    Accept,
    Refer {
        organisation_id: String,
        reason: String,
    },
    Resolve {
        text: String,
    },
    Plan {
        date: Date,
        budget: Option<String>,
        text: String,
    },
    Close {
        reason: CloseReason,
        text: String,
    },
    Dispute {
        text: String,
    },
    ConfirmFixed,
    Hide {
        reason: String,
    },
    Unhide,
    /// System: a clarification was not answered in time.
    ExpireClarification,
    /// System: no dispute within the window after a resolution.
    ExpireDispute,
}

impl Action {
    /// The event name in the timeline.
    pub fn event_kind(&self) -> &'static str {
        match self {
            Action::Approve => "published",
            Action::AskClarification { .. } => "clarification_requested",
            Action::AnswerClarification { .. } => "clarification_answered",
            Action::Reject { .. } => "rejected",
            Action::Accept => "accepted",
            Action::Refer { .. } => "referred",
            Action::Resolve { .. } => "resolved",
            Action::Plan { .. } => "planned",
            Action::Close { .. } => "closed",
            Action::Dispute { .. } => "disputed",
            Action::ConfirmFixed => "confirmed",
            Action::Hide { .. } => "hidden",
            Action::Unhide => "unhidden",
            Action::ExpireClarification => "rejected",
            Action::ExpireDispute => "closed",
        }
    }

    /// Whether this is an official reaction that stops the SLA clock.
    pub fn is_reaction(&self) -> bool {
        matches!(
            self,
            Action::Resolve { .. } | Action::Plan { .. } | Action::Close { .. }
        )
    }
}

/// The parts of a request the rules look at.
#[derive(Debug, Clone)]
pub struct Current {
    pub state: State,
    pub return_state: Option<State>,
    pub resolved_at: Option<OffsetDateTime>,
    pub organisation_id: Option<String>,
}

/// What a permitted action does.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub to: State,
    /// Where to come back to (clarification, hiding).
    pub return_state: Option<State>,
    pub public_event: bool,
    pub note: String,
}

/// Days a reporter may dispute a resolution.
pub const DISPUTE_DAYS: i64 = 14;
/// Calendar days to answer a clarification request (Dobrodel's rule).
pub const CLARIFICATION_DAYS: i64 = 3;

/// Why an action is refused: the actor lacks the role (403), the request is
/// not in a state that allows it (409), or what was given is invalid (422).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Role(Msg),
    State(Msg),
    Input(Msg),
}

impl Refusal {
    pub fn msg(&self) -> &Msg {
        match self {
            Refusal::Role(m) | Refusal::State(m) | Refusal::Input(m) => m,
        }
    }
}

fn refused(ru: &str, en: &str) -> Refusal {
    Refusal::Input(Msg::new(ru.to_owned(), en.to_owned()))
}

fn not_now(state: State) -> Refusal {
    Refusal::State(Msg::new(
        format!(
            "Это действие недоступно, пока обращение в состоянии «{}».",
            state.label(Locale::Ru)
        ),
        format!(
            "This action is not available while the request is “{}”.",
            state.label(Locale::En)
        ),
    ))
}

fn not_your_role() -> Refusal {
    Refusal::Role(Msg::new(
        "Это действие выполняет другая сторона (заявитель, модератор или ответственное ведомство).",
        "Another party performs this action (the reporter, a moderator or the responsible department).",
    ))
}

fn need_text(what_ru: &str, what_en: &str, text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Refusal::Input(Msg::new(
            format!("Заполните поле «{what_ru}»."),
            format!("Fill in “{what_en}”."),
        )));
    }
    if t.chars().count() > 4000 {
        return Err(Refusal::Input(Msg::new(
            format!("Поле «{what_ru}» длиннее 4000 символов."),
            format!("“{what_en}” is longer than 4,000 characters."),
        )));
    }
    Ok(t.to_owned())
}

/// Decides whether `role` may do `action` to `current` at `now`, and what
/// it does. Nothing is changed here.
pub fn decide(
    current: &Current,
    role: Role,
    action: &Action,
    now: OffsetDateTime,
    today: Date,
) -> Result<Effect, Refusal> {
    use State::*;
    let s = current.state;
    let staff = matches!(role, Role::Officer | Role::Administrator);
    let moderation = matches!(role, Role::Moderator | Role::Administrator);
    let effect = |to: State, note: String| Effect {
        to,
        return_state: None,
        public_event: true,
        note,
    };
    match action {
        Action::Approve => {
            if !moderation {
                return Err(not_your_role());
            }
            if s != Submitted {
                return Err(not_now(s));
            }
            Ok(effect(Published, String::new()))
        }
        Action::AskClarification { question } => {
            if !(moderation || staff) {
                return Err(not_your_role());
            }
            let allowed = if moderation {
                matches!(s, Submitted | Published | InProgress | Reopened)
            } else {
                matches!(s, Published | InProgress | Reopened)
            };
            if !allowed {
                return Err(not_now(s));
            }
            let q = need_text("вопрос", "question", question)?;
            Ok(Effect {
                to: NeedsClarification,
                return_state: Some(s),
                public_event: true,
                note: q,
            })
        }
        Action::AnswerClarification { answer } => {
            if role != Role::Author {
                return Err(not_your_role());
            }
            if s != NeedsClarification {
                return Err(not_now(s));
            }
            let a = need_text("ответ", "answer", answer)?;
            Ok(effect(current.return_state.unwrap_or(Submitted), a))
        }
        Action::Reject { reason } => {
            if !moderation {
                return Err(not_your_role());
            }
            if !matches!(s, Submitted | NeedsClarification) {
                return Err(not_now(s));
            }
            let r = need_text("причина", "reason", reason)?;
            // A rejection is told to the reporter but is not public.
            Ok(Effect {
                to: Rejected,
                return_state: None,
                public_event: false,
                note: r,
            })
        }
        Action::Accept => {
            if !staff {
                return Err(not_your_role());
            }
            if !matches!(s, Published | Reopened | Planned) {
                return Err(not_now(s));
            }
            Ok(effect(InProgress, String::new()))
        }
        Action::Refer {
            organisation_id,
            reason,
        } => {
            if !(staff || moderation) {
                return Err(not_your_role());
            }
            if !matches!(s, Submitted | Published | InProgress | Reopened) {
                return Err(not_now(s));
            }
            if current.organisation_id.as_deref() == Some(organisation_id.as_str()) {
                return Err(refused(
                    "Обращение уже направлено в эту организацию.",
                    "The request is already with this organisation.",
                ));
            }
            let r = need_text("причина передачи", "reason for the referral", reason)?;
            Ok(effect(s, r))
        }
        Action::Resolve { text } => {
            if !staff {
                return Err(not_your_role());
            }
            if !matches!(s, Published | InProgress | Reopened | Planned) {
                return Err(not_now(s));
            }
            Ok(effect(
                Resolved,
                need_text("что сделано", "what was done", text)?,
            ))
        }
        Action::Plan { date, text, .. } => {
            if !staff {
                return Err(not_your_role());
            }
            if !matches!(s, Published | InProgress | Reopened | Planned) {
                return Err(not_now(s));
            }
            if *date <= today {
                return Err(refused(
                    "Запланированная дата должна быть в будущем.",
                    "The planned date must be in the future.",
                ));
            }
            Ok(effect(
                Planned,
                need_text(
                    "что и когда будет сделано",
                    "what will be done and when",
                    text,
                )?,
            ))
        }
        Action::Close { reason, text } => {
            if !staff {
                return Err(not_your_role());
            }
            if !matches!(s, Published | InProgress | Reopened | Planned) {
                return Err(not_now(s));
            }
            if *reason == CloseReason::Fixed {
                return Err(refused(
                    "Чтобы отметить решение, используйте ответ «Решено».",
                    "To report a fix, answer “Resolved”.",
                ));
            }
            Ok(effect(Closed, need_text("пояснение", "explanation", text)?))
        }
        Action::Dispute { text } => {
            if role != Role::Author {
                return Err(not_your_role());
            }
            if s != Resolved {
                return Err(not_now(s));
            }
            if current
                .resolved_at
                .is_some_and(|r| now > r + time::Duration::days(DISPUTE_DAYS))
            {
                return Err(refused(
                    "Оспорить решение можно в течение 14 дней. Если проблема вернулась, сообщите о ней заново.",
                    "A resolution can be disputed within 14 days. If the problem is back, report it again.",
                ));
            }
            Ok(effect(
                Reopened,
                need_text("что не так", "what is wrong", text)?,
            ))
        }
        Action::ConfirmFixed => {
            if role != Role::Author {
                return Err(not_your_role());
            }
            if s != Resolved {
                return Err(not_now(s));
            }
            Ok(effect(Closed, String::new()))
        }
        Action::Hide { reason } => {
            if !moderation {
                return Err(not_your_role());
            }
            if s == Hidden {
                return Err(not_now(s));
            }
            let r = need_text("причина", "reason", reason)?;
            Ok(Effect {
                to: Hidden,
                return_state: Some(s),
                public_event: false,
                note: r,
            })
        }
        Action::Unhide => {
            if !moderation {
                return Err(not_your_role());
            }
            if s != Hidden {
                return Err(not_now(s));
            }
            Ok(Effect {
                to: current.return_state.unwrap_or(Published),
                return_state: None,
                public_event: false,
                note: String::new(),
            })
        }
        Action::ExpireClarification => {
            if role != Role::System || s != NeedsClarification {
                return Err(not_now(s));
            }
            Ok(Effect {
                to: Rejected,
                return_state: None,
                public_event: false,
                note: "Уточнение не получено в течение 3 дней.".into(),
            })
        }
        Action::ExpireDispute => {
            if role != Role::System || s != Resolved {
                return Err(not_now(s));
            }
            Ok(effect(Closed, String::new()))
        }
    }
}

#[cfg(test)]
mod tests;

texts!(pub StateLabels {
    submitted: "на модерации", "awaiting moderation";
    needs_clarification: "нужно уточнение", "needs clarification";
    published: "опубликовано", "published";
    in_progress: "в работе", "in progress";
    planned: "запланировано", "planned";
    resolved: "решено", "resolved";
    reopened: "открыто повторно", "reopened";
    closed: "закрыто", "closed";
    rejected: "отклонено", "rejected";
    hidden: "скрыто", "hidden";
});

texts!(pub CloseReasonLabels {
    not_responsible: "не в компетенции", "not responsible";
    duplicate: "дубликат", "duplicate";
    no_action_needed: "действий не требуется", "no action needed";
    fixed: "решено", "fixed";
});

texts!(pub RoleLabels {
    citizen: "заявитель", "reporter";
    moderator: "модератор", "moderator";
    officer: "ведомство", "department";
    administrator: "администратор", "administrator";
    other: "система", "system";
});
