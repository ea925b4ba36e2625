//! The lifecycle as a table: every state, role and action.

use super::*;
use State::*;

fn cur(state: State) -> Current {
    Current {
        state,
        return_state: None,
        resolved_at: None,
        organisation_id: Some("min-transport".into()),
    }
}

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-23 10:00 UTC)
}

fn today() -> Date {
    time::macros::date!(2026 - 11 - 23)
}

fn to(state: State, role: Role, action: Action) -> Result<State, Refusal> {
    decide(&cur(state), role, &action, now(), today()).map(|e| e.to)
}

#[test]
fn who_may_do_what() {
    let resolve = || Action::Resolve {
        text: "Яма заделана".into(),
    };
    let cases: Vec<(State, Role, Action, Option<State>)> = vec![
        (Submitted, Role::Moderator, Action::Approve, Some(Published)),
        (Submitted, Role::Officer, Action::Approve, None),
        (Submitted, Role::Author, Action::Approve, None),
        (Published, Role::Moderator, Action::Approve, None),
        (
            Submitted,
            Role::Moderator,
            Action::AskClarification {
                question: "Где именно?".into(),
            },
            Some(NeedsClarification),
        ),
        (
            Published,
            Role::Officer,
            Action::AskClarification {
                question: "Какой подъезд?".into(),
            },
            Some(NeedsClarification),
        ),
        (
            Submitted,
            Role::Officer,
            Action::AskClarification {
                question: "?".into(),
            },
            None,
        ),
        (
            NeedsClarification,
            Role::Author,
            Action::AnswerClarification {
                answer: "У дома 5".into(),
            },
            Some(Submitted),
        ),
        (
            NeedsClarification,
            Role::Officer,
            Action::AnswerClarification { answer: "x".into() },
            None,
        ),
        (
            Submitted,
            Role::Moderator,
            Action::Reject {
                reason: "Спам".into(),
            },
            Some(Rejected),
        ),
        (
            Published,
            Role::Moderator,
            Action::Reject {
                reason: "Спам".into(),
            },
            None,
        ),
        (Published, Role::Officer, Action::Accept, Some(InProgress)),
        (Published, Role::Author, Action::Accept, None),
        (InProgress, Role::Officer, resolve(), Some(Resolved)),
        (Published, Role::Officer, resolve(), Some(Resolved)),
        (Submitted, Role::Officer, resolve(), None),
        (Closed, Role::Officer, resolve(), None),
        (
            Resolved,
            Role::Author,
            Action::Dispute {
                text: "Яма осталась".into(),
            },
            Some(Reopened),
        ),
        (
            Resolved,
            Role::Officer,
            Action::Dispute { text: "x".into() },
            None,
        ),
        (
            Closed,
            Role::Author,
            Action::Dispute { text: "x".into() },
            None,
        ),
        (Resolved, Role::Author, Action::ConfirmFixed, Some(Closed)),
        (
            InProgress,
            Role::Officer,
            Action::Close {
                reason: CloseReason::Duplicate,
                text: "См. №12".into(),
            },
            Some(Closed),
        ),
        (
            InProgress,
            Role::Officer,
            Action::Close {
                reason: CloseReason::Fixed,
                text: "x".into(),
            },
            None,
        ),
        (
            Published,
            Role::Moderator,
            Action::Hide {
                reason: "Оскорбления".into(),
            },
            Some(Hidden),
        ),
        (
            Published,
            Role::Officer,
            Action::Hide { reason: "x".into() },
            None,
        ),
        (
            NeedsClarification,
            Role::System,
            Action::ExpireClarification,
            Some(Rejected),
        ),
        (Published, Role::System, Action::ExpireClarification, None),
        (Resolved, Role::System, Action::ExpireDispute, Some(Closed)),
        (Reopened, Role::Officer, Action::Accept, Some(InProgress)),
        (Planned, Role::Officer, resolve(), Some(Resolved)),
    ];
    for (state, role, action, expected) in cases {
        let got = to(state, role, action.clone()).ok();
        assert_eq!(got, expected, "{state:?} {role:?} {action:?}");
    }
}

#[test]
fn clarification_returns_where_it_was_asked() {
    let asked = decide(
        &cur(InProgress),
        Role::Officer,
        &Action::AskClarification {
            question: "Фото?".into(),
        },
        now(),
        today(),
    )
    .unwrap();
    assert_eq!(asked.return_state, Some(InProgress));
    let c = Current {
        state: NeedsClarification,
        return_state: Some(InProgress),
        resolved_at: None,
        organisation_id: None,
    };
    let back = decide(
        &c,
        Role::Author,
        &Action::AnswerClarification {
            answer: "Вот".into(),
        },
        now(),
        today(),
    )
    .unwrap();
    assert_eq!(back.to, InProgress);
}

#[test]
fn a_dispute_is_possible_for_14_days() {
    let mut c = cur(Resolved);
    c.resolved_at = Some(now() - time::Duration::days(13));
    assert!(
        decide(
            &c,
            Role::Author,
            &Action::Dispute {
                text: "Нет".into()
            },
            now(),
            today()
        )
        .is_ok()
    );
    c.resolved_at = Some(now() - time::Duration::days(15));
    assert!(
        decide(
            &c,
            Role::Author,
            &Action::Dispute {
                text: "Нет".into()
            },
            now(),
            today()
        )
        .is_err()
    );
}

#[test]
fn plans_are_for_the_future_and_texts_are_required() {
    let past = Action::Plan {
        date: time::macros::date!(2026 - 11 - 20),
        budget: None,
        text: "Ремонт".into(),
    };
    assert!(to(InProgress, Role::Officer, past).is_err());
    let future = Action::Plan {
        date: time::macros::date!(2027 - 05 - 01),
        budget: Some("КБК 123".into()),
        text: "Ремонт".into(),
    };
    assert_eq!(to(InProgress, Role::Officer, future).unwrap(), Planned);
    assert!(
        to(
            InProgress,
            Role::Officer,
            Action::Resolve { text: "  ".into() }
        )
        .is_err()
    );
    assert!(
        to(
            InProgress,
            Role::Officer,
            Action::Refer {
                organisation_id: "min-transport".into(),
                reason: "x".into()
            }
        )
        .is_err(),
        "already there"
    );
    assert_eq!(
        to(
            InProgress,
            Role::Officer,
            Action::Refer {
                organisation_id: "min-energy-housing".into(),
                reason: "Это сети".into()
            }
        )
        .unwrap(),
        InProgress
    );
}

#[test]
fn states_round_trip_and_classify() {
    for s in ALL_STATES {
        assert_eq!(State::parse(s.as_str()), Some(s));
    }
    assert!(Published.is_public() && !Submitted.is_public() && !Hidden.is_public());
    assert!(Planned.is_open() && !Resolved.is_open());
    assert!(Published.awaits_reaction() && !Planned.awaits_reaction());
}
