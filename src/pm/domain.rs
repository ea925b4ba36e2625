//! Orders (поручения) and what may happen to them: a pure function over the
//! order, so the rules are tested as a table.
//!
//! ```text
//! new ──accept──► accepted ──start──► in_progress
//! new | accepted | in_progress | returned ──submit report──► report_submitted
//!     (only when every required sub-order is done)
//! report_submitted ──accept report (creator)──► done
//! report_submitted ──return (creator, with a note)──► returned
//! any open state ──cancel (creator)──► cancelled (sub-orders too)
//! new | accepted | in_progress | returned ──refer──► new, another organisation
//! ```
//! Overdue is not a state: an open order past its deadline is overdue.

use time::{Date, OffsetDateTime};

use crate::error::Msg;
use crate::texts;
use crate::web::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    New,
    Accepted,
    InProgress,
    ReportSubmitted,
    Done,
    Returned,
    Cancelled,
}

pub const ALL_STATES: [OrderState; 7] = [
    OrderState::New,
    OrderState::Accepted,
    OrderState::InProgress,
    OrderState::ReportSubmitted,
    OrderState::Done,
    OrderState::Returned,
    OrderState::Cancelled,
];

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::New => "new",
            OrderState::Accepted => "accepted",
            OrderState::InProgress => "in_progress",
            OrderState::ReportSubmitted => "report_submitted",
            OrderState::Done => "done",
            OrderState::Returned => "returned",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderState> {
        ALL_STATES.into_iter().find(|x| x.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(self, OrderState::Done | OrderState::Cancelled)
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = OrderStateLabels::get(l);
            match self {
                OrderState::New => t.new,
                OrderState::Accepted => t.accepted,
                OrderState::InProgress => t.in_progress,
                OrderState::ReportSubmitted => t.report_submitted,
                OrderState::Done => t.done,
                OrderState::Returned => t.returned,
                OrderState::Cancelled => t.cancelled,
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    CitizenReport,
    ConstructionCheck,
    Meeting,
    FederalProgramme,
    Manual,
    /// A law-making initiative's decision, to be carried out.
    Initiative,
    /// A risk found by the control of government bodies (staffing, …).
    Control,
    /// A clause of a document received from a doc-flow system over МЭДО.
    Document,
}

pub const ALL_SOURCES: [Source; 8] = [
    Source::CitizenReport,
    Source::ConstructionCheck,
    Source::Meeting,
    Source::FederalProgramme,
    Source::Manual,
    Source::Initiative,
    Source::Control,
    Source::Document,
];

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::CitizenReport => "citizen_report",
            Source::ConstructionCheck => "construction_check",
            Source::Meeting => "meeting",
            Source::FederalProgramme => "federal_programme",
            Source::Manual => "manual",
            Source::Initiative => "initiative",
            Source::Control => "control",
            Source::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        ALL_SOURCES.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = SourceLabels::get(l);
            match self {
                Source::CitizenReport => t.citizen_report,
                Source::ConstructionCheck => t.construction_check,
                Source::Meeting => t.meeting,
                Source::FederalProgramme => t.federal_programme,
                Source::Manual => t.manual,
                Source::Initiative => t.initiative,
                Source::Control => t.control,
                Source::Document => t.document,
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Low,
    Normal,
    High,
    Critical,
}

pub const ALL_PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Critical,
];

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        ALL_PRIORITIES.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        {
            let t = PriorityLabels::get(l);
            match self {
                Priority::Low => t.low,
                Priority::Normal => t.normal,
                Priority::High => t.high,
                Priority::Critical => t.critical,
            }
        }
    }
}

pub use crate::integration::messages::Outcome;

/// The side of an order someone acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The responsible organisation's officers and the executor.
    Assignee,
    /// Whoever gave the order.
    Creator,
    /// Administrators: both sides.
    Both,
    /// Staff who may only read and comment.
    Reader,
}

impl Side {
    fn assignee(self) -> bool {
        matches!(self, Side::Assignee | Side::Both)
    }
    fn creator(self) -> bool {
        matches!(self, Side::Creator | Side::Both)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderAction {
    Accept,
    Start,
    SubmitReport {
        text: String,
        outcome: Option<Outcome>,
        planned_date: Option<Date>,
    },
    AcceptReport,
    Return {
        note: String,
    },
    Cancel {
        reason: String,
    },
    Refer {
        organisation_id: String,
        reason: String,
    },
    Comment {
        text: String,
    },
}

impl OrderAction {
    pub fn event_kind(&self) -> &'static str {
        match self {
            OrderAction::Accept => "accepted",
            OrderAction::Start => "started",
            OrderAction::SubmitReport { .. } => "report_submitted",
            OrderAction::AcceptReport => "report_accepted",
            OrderAction::Return { .. } => "returned",
            OrderAction::Cancel { .. } => "cancelled",
            OrderAction::Refer { .. } => "referred",
            OrderAction::Comment { .. } => "comment",
        }
    }
}

/// What the rule needs to know about an order.
pub struct Current {
    pub state: OrderState,
    /// Required sub-orders that are neither done nor cancelled.
    pub open_required_children: i64,
    pub organisation_id: String,
    /// Whether the order answers a citizen's request (its report must say
    /// resolved or planned).
    pub answers_citizen: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub to: OrderState,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Role(Msg),
    State(Msg),
    Input(Msg),
}

fn not_now(state: OrderState) -> Refusal {
    Refusal::State(Msg::new(
        format!(
            "Это действие недоступно, пока поручение в состоянии «{}».",
            state.label(Locale::Ru)
        ),
        format!(
            "This action is not available while the order is “{}”.",
            state.label(Locale::En)
        ),
    ))
}

fn not_your_side(assignee: bool) -> Refusal {
    if assignee {
        Refusal::Role(Msg::new(
            "Это действие выполняет исполнитель поручения (ответственная организация).",
            "The order's assignee (the responsible organisation) performs this action.",
        ))
    } else {
        Refusal::Role(Msg::new(
            "Это действие выполняет автор поручения.",
            "Whoever gave the order performs this action.",
        ))
    }
}

pub fn need_text(what_ru: &str, what_en: &str, text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Refusal::Input(Msg::new(
            format!("Заполните поле «{what_ru}»."),
            format!("Fill in “{what_en}”."),
        )));
    }
    if t.chars().count() > 8000 {
        return Err(Refusal::Input(Msg::new(
            format!("Поле «{what_ru}» длиннее 8000 символов."),
            format!("“{what_en}” is longer than 8,000 characters."),
        )));
    }
    Ok(t.to_owned())
}

/// Decides whether `side` may do `action` to `current`, and what it does.
pub fn decide(
    current: &Current,
    side: Side,
    action: &OrderAction,
    today: Date,
) -> Result<Effect, Refusal> {
    use OrderState::*;
    let s = current.state;
    let effect = |to: OrderState, note: String| Ok(Effect { to, note });
    let open_for_work = matches!(s, New | Accepted | InProgress | Returned);
    match action {
        OrderAction::Accept => {
            if !side.assignee() {
                return Err(not_your_side(true));
            }
            if s != New {
                return Err(not_now(s));
            }
            effect(Accepted, String::new())
        }
        OrderAction::Start => {
            if !side.assignee() {
                return Err(not_your_side(true));
            }
            if !matches!(s, New | Accepted | Returned) {
                return Err(not_now(s));
            }
            effect(InProgress, String::new())
        }
        OrderAction::SubmitReport {
            text,
            outcome,
            planned_date,
        } => {
            if !side.assignee() {
                return Err(not_your_side(true));
            }
            if !open_for_work {
                return Err(not_now(s));
            }
            let text = need_text("отчёт об исполнении", "report of execution", text)?;
            if current.answers_citizen && outcome.is_none() {
                return Err(Refusal::Input(Msg::new(
                    "Поручение отвечает на обращение гражданина: укажите, решена проблема или запланирована.",
                    "The order answers a citizen's report: say whether it is resolved or planned.",
                )));
            }
            if *outcome == Some(Outcome::Planned) {
                match planned_date {
                    None => {
                        return Err(Refusal::Input(Msg::new(
                            "Укажите планируемую дату.",
                            "Give the planned date.",
                        )));
                    }
                    Some(d) if *d <= today => {
                        return Err(Refusal::Input(Msg::new(
                            "Планируемая дата должна быть в будущем.",
                            "The planned date must be in the future.",
                        )));
                    }
                    _ => {}
                }
            }
            if current.open_required_children > 0 {
                return Err(Refusal::State(Msg::new(
                    format!(
                        "Отчёт можно представить, когда исполнены все обязательные дочерние поручения (осталось: {}).",
                        current.open_required_children
                    ),
                    format!(
                        "The report can be submitted once every required sub-order is done ({} left).",
                        current.open_required_children
                    ),
                )));
            }
            effect(ReportSubmitted, text)
        }
        OrderAction::AcceptReport => {
            if !side.creator() {
                return Err(not_your_side(false));
            }
            if s != ReportSubmitted {
                return Err(not_now(s));
            }
            if current.open_required_children > 0 {
                return Err(not_now(s));
            }
            effect(Done, String::new())
        }
        OrderAction::Return { note } => {
            if !side.creator() {
                return Err(not_your_side(false));
            }
            if s != ReportSubmitted {
                return Err(not_now(s));
            }
            let note = need_text("что доработать", "what to rework", note)?;
            effect(Returned, note)
        }
        OrderAction::Cancel { reason } => {
            if !side.creator() {
                return Err(not_your_side(false));
            }
            if s.is_final() {
                return Err(not_now(s));
            }
            let reason = need_text("причина отмены", "reason", reason)?;
            effect(Cancelled, reason)
        }
        OrderAction::Refer {
            organisation_id,
            reason,
        } => {
            if !(side.assignee() || side.creator()) {
                return Err(not_your_side(true));
            }
            if !open_for_work {
                return Err(not_now(s));
            }
            if *organisation_id == current.organisation_id {
                return Err(Refusal::Input(Msg::new(
                    "Поручение уже у этой организации.",
                    "The order is already with this organisation.",
                )));
            }
            let reason = need_text("причина", "reason", reason)?;
            effect(New, reason)
        }
        OrderAction::Comment { text } => {
            let text = need_text("комментарий", "comment", text)?;
            effect(s, text)
        }
    }
}

/// An open order past its deadline.
pub fn is_overdue(state: OrderState, deadline: OffsetDateTime, now: OffsetDateTime) -> bool {
    !state.is_final() && state != OrderState::ReportSubmitted && deadline < now
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderState::*;

    fn current(state: OrderState, children: i64) -> Current {
        Current {
            state,
            open_required_children: children,
            organisation_id: "a".into(),
            answers_citizen: false,
        }
    }

    fn today() -> Date {
        time::macros::date!(2026 - 11 - 23)
    }

    fn report() -> OrderAction {
        OrderAction::SubmitReport {
            text: "done".into(),
            outcome: None,
            planned_date: None,
        }
    }

    #[test]
    fn the_table_of_moves() {
        let cases: Vec<(OrderState, Side, OrderAction, Option<OrderState>)> = vec![
            (New, Side::Assignee, OrderAction::Accept, Some(Accepted)),
            (New, Side::Creator, OrderAction::Accept, None),
            (
                Accepted,
                Side::Assignee,
                OrderAction::Start,
                Some(InProgress),
            ),
            (Done, Side::Assignee, OrderAction::Start, None),
            (InProgress, Side::Assignee, report(), Some(ReportSubmitted)),
            (InProgress, Side::Creator, report(), None),
            (ReportSubmitted, Side::Assignee, report(), None),
            (
                ReportSubmitted,
                Side::Creator,
                OrderAction::AcceptReport,
                Some(Done),
            ),
            (
                ReportSubmitted,
                Side::Assignee,
                OrderAction::AcceptReport,
                None,
            ),
            (
                ReportSubmitted,
                Side::Creator,
                OrderAction::Return {
                    note: "more".into(),
                },
                Some(Returned),
            ),
            (
                ReportSubmitted,
                Side::Creator,
                OrderAction::Return { note: " ".into() },
                None,
            ),
            (Returned, Side::Assignee, report(), Some(ReportSubmitted)),
            (
                InProgress,
                Side::Creator,
                OrderAction::Cancel { reason: "x".into() },
                Some(Cancelled),
            ),
            (
                Done,
                Side::Both,
                OrderAction::Cancel { reason: "x".into() },
                None,
            ),
            (
                InProgress,
                Side::Assignee,
                OrderAction::Refer {
                    organisation_id: "b".into(),
                    reason: "not ours".into(),
                },
                Some(New),
            ),
            (
                InProgress,
                Side::Assignee,
                OrderAction::Refer {
                    organisation_id: "a".into(),
                    reason: "same".into(),
                },
                None,
            ),
            (
                Done,
                Side::Reader,
                OrderAction::Comment { text: "ok".into() },
                Some(Done),
            ),
            (New, Side::Reader, OrderAction::Accept, None),
        ];
        for (from, side, action, to) in cases {
            let got = decide(&current(from, 0), side, &action, today()).map(|e| e.to);
            assert_eq!(got.ok(), to, "{from:?} {side:?} {action:?}");
        }
    }

    #[test]
    fn a_report_waits_for_required_sub_orders() {
        let err = decide(&current(InProgress, 2), Side::Assignee, &report(), today()).unwrap_err();
        let Refusal::State(m) = err else {
            panic!("expected a state refusal")
        };
        assert!(m.get(Locale::En).contains("2 left"));
    }

    #[test]
    fn a_citizen_order_needs_an_outcome_and_a_future_plan() {
        let mut c = current(InProgress, 0);
        c.answers_citizen = true;
        assert!(decide(&c, Side::Assignee, &report(), today()).is_err());
        let planned = |d| OrderAction::SubmitReport {
            text: "in spring".into(),
            outcome: Some(Outcome::Planned),
            planned_date: Some(d),
        };
        assert!(decide(&c, Side::Assignee, &planned(today()), today()).is_err());
        let next = today().next_day().unwrap();
        assert_eq!(
            decide(&c, Side::Assignee, &planned(next), today())
                .unwrap()
                .to,
            ReportSubmitted
        );
    }

    #[test]
    fn overdue_is_derived_from_the_deadline() {
        let now = time::macros::datetime!(2026-11-23 12:00 UTC);
        let past = now - time::Duration::hours(1);
        assert!(is_overdue(InProgress, past, now));
        assert!(!is_overdue(Done, past, now));
        assert!(!is_overdue(InProgress, now + time::Duration::hours(1), now));
    }
}

texts!(pub OrderStateLabels {
    new: "новое", "new";
    accepted: "принято", "accepted";
    in_progress: "в работе", "in progress";
    report_submitted: "отчёт на проверке", "report submitted";
    done: "исполнено", "done";
    returned: "возвращено на доработку", "returned for rework";
    cancelled: "отменено", "cancelled";
});

texts!(pub SourceLabels {
    citizen_report: "обращение гражданина", "citizen report";
    construction_check: "проверка стройки", "construction check";
    meeting: "совещание", "meeting";
    federal_programme: "федеральная программа", "federal programme";
    manual: "вручную", "manual";
    initiative: "законодательная инициатива", "law-making initiative";
    control: "контроль органов власти", "control of government bodies";
    document: "документ из СЭД (МЭДО)", "document from a doc-flow system (MEDO)";
});

texts!(pub PriorityLabels {
    low: "низкий", "low";
    normal: "обычный", "normal";
    high: "высокий", "high";
    critical: "критический", "critical";
});
